#pragma once
// Failure counters that throttle guessing, kept in the auth database so every host instance counts
// together. Three counters, each over a window of LOGIN_WINDOW_SECONDS:
//  - per (email, client address): LOGIN_MAX_FAILURES failed logins or wrong current passwords lock
//    that email *for that address* for LOGIN_LOCKOUT_SECONDS (429 TOO_MANY_ATTEMPTS). Someone failing
//    on a victim's email locks out only their own address; the owner still logs in from theirs.
//  - per email, across addresses: when LOGIN_ACCOUNT_MAX_ADDRESSES different addresses have failed
//    on one email within the window (a distributed attack, which per-address locks cannot stop),
//    the email is locked for every address for LOGIN_LOCKOUT_SECONDS.
//  - per client address, whatever the account: ADDRESS_MAX_FAILURES authentication failures (failed
//    logins, wrong current passwords, unknown/expired/reused refresh tokens, registrations of a
//    taken email) lock the address out of register, login, refresh and change-password for
//    LOGIN_LOCKOUT_SECONDS (429 RATE_LIMITED): that stops one address trying many accounts.
// Addresses are counted by throttle_key() (IPv6 by /64).
//
// Every call runs on the caller's Db (inside its transaction when one is open); none keeps state.

#include "host/config/config.hpp"

#include <socrates/sdk/result.hpp>
#include <socrates/sdk/services.hpp>

#include <optional>
#include <string>

namespace socrates::host::auth {

class LoginThrottle {
 public:
  explicit LoginThrottle(const Config& config);

  // The refusal that applies right now, if any: RATE_LIMITED when the address is throttled, else
  // TOO_MANY_ATTEMPTS when `email` (if given) is locked for this address or for every address.
  // Either carries details.retry_after_s.
  std::optional<sdk::Result> refusal(sdk::Db& db, const std::optional<std::string>& email,
                                     const std::string& address) const;

  // One more failure from `address`, and for `email` when given (a failed password check).
  void record_failure(sdk::Db& db, const std::optional<std::string>& email, const std::string& address) const;

  // A right password from `address`: its failures on `email` are forgotten (not the address's own).
  void forget_failures(sdk::Db& db, const std::string& email, const std::string& address) const;

 private:
  const Config& config_;
};

}  // namespace socrates::host::auth

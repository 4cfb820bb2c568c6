#pragma once

// Access tokens: JWT (RFC 7519) signed with HMAC-SHA256 under the deployment's SECRET_KEY.
// They are checked without a database round trip; revocation (logout, password change) is the
// caller's job, by looking the `sid` login up.
//
// A TokenSigner is immutable after construction (apart from its cache of tokens already found
// authentic, which has its own lock): share one instance between threads freely.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace socrates::host::auth {

struct AccessClaims {
  std::string user_id;   // "sub"
  std::string token_id;  // "jti", a random UUID v4
  std::string login_id;  // "sid", the login (refresh-token family) this token belongs to
  std::int64_t issued_at = 0;   // "iat", seconds since the Unix epoch
  std::int64_t expires_at = 0;  // "exp", seconds since the Unix epoch
};

class TokenSigner {
 public:
  // Seconds since the Unix epoch: what iat, exp and the expiry check read. The system clock by
  // default; tests inject one to expire a token without waiting. cpp-jwt's own exp check still
  // reads the system clock, so an injected clock may run ahead of it, never behind.
  using Clock = std::function<std::int64_t()>;

  // Throws std::invalid_argument for an empty secret or a ttl that is not positive. The secret
  // is used as given; config requires at least 32 bytes (RFC 7518 §3.2 for HS256).
  TokenSigner(std::string secret, std::chrono::seconds ttl, Clock clock = {});

  // A signed token for `user_id` in login `login_id`, valid for ttl() from now. When `claims`
  // is given it receives what was signed (the caller needs jti and exp). Throws
  // std::invalid_argument for empty ids, std::runtime_error if signing fails.
  std::string issue(const std::string& user_id, const std::string& login_id,
                    AccessClaims* claims = nullptr) const;

  // The claims of a token this signer issued and that has not expired; std::nullopt for
  // anything else. Accepted: exactly alg "HS256", a valid signature, integer exp and iat,
  // non-empty string sub, jti and sid, and now < exp (no clock leeway: every host signs and
  // checks against its own clock, and NTP keeps them far closer than a token's lifetime).
  // A token found authentic is remembered (up to 4096 of them): its next check costs a lookup and
  // the expiry test, not a decoding. Never throws. On refusal `reason`, when given, receives one
  // of "malformed", "bad_algorithm", "bad_signature", "missing_claim", "expired": for logs, never for clients.
  std::optional<AccessClaims> verify(std::string_view token,
                                     std::string* reason = nullptr) const noexcept;

  std::chrono::seconds ttl() const { return ttl_; }

 private:
  std::string secret_;
  std::chrono::seconds ttl_;
  Clock now_;
  struct Verified;
  std::shared_ptr<Verified> verified_;  // shared by copies: they have the same secret
};

}  // namespace socrates::host::auth

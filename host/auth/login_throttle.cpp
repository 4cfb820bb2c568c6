#include "host/auth/login_throttle.hpp"

#include "host/auth/client_address.hpp"
#include "host/error_codes.hpp"
#include "host/log/json_log.hpp"
#include "host/metrics/metrics.hpp"

#include <algorithm>

namespace socrates::host::auth {
namespace {

using sdk::Result;
namespace errc = host::errc;

// A failure counted into the row's window (a new window when the old one is over).
constexpr const char* kCountFailure =
    " failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $W::int) THEN 1 "
    "                 ELSE t.failures + 1 END, "
    " window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $W::int) THEN now() "
    "                          ELSE t.window_started_at END ";

std::string with_window(std::string sql, const char* placeholder) {
  for (auto at = sql.find("$W"); at != std::string::npos; at = sql.find("$W")) sql.replace(at, 2, placeholder);
  return sql;
}

}  // namespace

LoginThrottle::LoginThrottle(const Config& config) : config_(config) {}

std::optional<Result> LoginThrottle::refusal(sdk::Db& db, const std::optional<std::string>& email,
                                             const std::string& address) const {
  auto row = db.query_one(
      "SELECT kind, ceil(extract(epoch FROM locked_until - now()))::bigint AS retry_after_s FROM ("
      " SELECT 'address' AS kind, locked_until FROM address_throttles WHERE address = $2 AND locked_until > now()"
      " UNION ALL SELECT 'account', locked_until FROM login_attempts "
      "   WHERE email_key = lower($1) AND address = $2 AND locked_until > now()"
      " UNION ALL SELECT 'account', locked_until FROM account_locks WHERE email_key = lower($1) AND locked_until > now()"
      ") l ORDER BY kind = 'address' DESC, locked_until DESC LIMIT 1",
      {email.value_or(""), throttle_key(address)});
  if (!row) return std::nullopt;
  const auto retry_after = std::max<std::int64_t>(1, row->i64("retry_after_s"));
  const bool by_address = row->str("kind") == "address";
  metrics::process().auth_throttled(by_address ? errc::kRateLimited : errc::kTooManyAttempts);
  if (by_address)
    return Result::fail(errc::kRateLimited, "too many failed attempts from this address; try again later",
                        {{"retry_after_s", retry_after}});
  return Result::fail(errc::kTooManyAttempts, "too many failed logins for this account; try again later",
                      {{"retry_after_s", retry_after}});
}

void LoginThrottle::record_failure(sdk::Db& db, const std::optional<std::string>& email,
                                   const std::string& address) const {
  metrics::process().auth_failure();
  const std::string key = throttle_key(address);
  auto by_address = db.query_one(with_window("INSERT INTO address_throttles AS t (address, failures, window_started_at) "
                                             "VALUES ($1, 1, now()) ON CONFLICT (address) DO UPDATE SET " +
                                                 std::string(kCountFailure) + "RETURNING failures",
                                             "$2"),
                                 {key, config_.login_window_s});
  if (by_address && by_address->i64("failures") >= config_.address_max_failures) {
    db.execute(
        "UPDATE address_throttles SET locked_until = now() + make_interval(secs => $2::int), failures = 0, "
        "window_started_at = now() WHERE address = $1",
        {key, config_.login_lockout_s});
    log::warn("address throttled after repeated authentication failures",
              {{"address", address}, {"lockout_s", config_.login_lockout_s}});
  }
  if (!email) return;

  auto by_pair = db.query_one(
      with_window("INSERT INTO login_attempts AS t (email_key, address, failures, window_started_at) "
                  "VALUES (lower($1), $2, 1, now()) ON CONFLICT (email_key, address) DO UPDATE SET " +
                      std::string(kCountFailure) + "RETURNING failures",
                  "$3"),
      {*email, key, config_.login_window_s});
  if (by_pair && by_pair->i64("failures") >= config_.login_max_failures) {
    db.execute(
        "UPDATE login_attempts SET locked_until = now() + make_interval(secs => $3::int), failures = 0, "
        "window_started_at = now() WHERE email_key = lower($1) AND address = $2",
        {*email, key, config_.login_lockout_s});
    log::warn("login locked for this address after repeated failures",
              {{"address", address}, {"lockout_s", config_.login_lockout_s}});
  }
  // Many addresses failing on one email within the window: a distributed attack.
  auto spread = db.query_one(
      "SELECT count(*) AS addresses FROM login_attempts "
      "WHERE email_key = lower($1) AND window_started_at > now() - make_interval(secs => $2::int)",
      {*email, config_.login_window_s});
  if (spread && spread->i64("addresses") >= config_.login_account_max_addresses) {
    auto locked = db.query_one(
        "INSERT INTO account_locks AS l (email_key, locked_until) "
        "VALUES (lower($1), now() + make_interval(secs => $2::int)) "
        "ON CONFLICT (email_key) DO UPDATE SET locked_until = EXCLUDED.locked_until WHERE l.locked_until <= now() "
        "RETURNING 1 AS fresh",
        {*email, config_.login_lockout_s});
    if (locked)
      log::warn("login locked for every address: failures from many addresses",
                {{"address", address}, {"addresses", spread->i64("addresses")}, {"lockout_s", config_.login_lockout_s}});
  }
}

void LoginThrottle::forget_failures(sdk::Db& db, const std::string& email, const std::string& address) const {
  db.execute("DELETE FROM login_attempts WHERE email_key = lower($1) AND address = $2", {email, throttle_key(address)});
}

}  // namespace socrates::host::auth

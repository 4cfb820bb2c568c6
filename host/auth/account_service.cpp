#include "host/auth/account_service.hpp"

#include "host/crypto/crypto_random.hpp"
#include "host/error_codes.hpp"
#include "host/log/json_log.hpp"
#include "host/metrics/metrics.hpp"

#include <socrates/sdk/validate.hpp>

#include <algorithm>
#include <cctype>
#include <limits>

namespace socrates::host::auth {
namespace {

using sdk::Db;
using sdk::Result;
namespace errc = host::errc;

constexpr const char* kUserColumns =
    "id::text AS id, email, name, role, status, rfc3339(created_at) AS created_at";

nlohmann::json user_json(const sdk::Row& row) {
  return {{"id", row.str("id")},         {"email", row.str("email")},   {"name", row.str("name")},
          {"role", row.str("role")},     {"status", row.str("status")}, {"created_at", row.str("created_at")}};
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

Result invalid_credentials() {
  return Result::fail(errc::kInvalidCredentials, "the email or password is not correct");
}

Result unauthenticated(const std::string& message) { return Result::fail(errc::kUnauthenticated, message); }

Result inactive() {
  return Result::fail(errc::kAccountInactive, "this account is not active; contact an administrator");
}

std::string validated_password(const nlohmann::json& body, const std::string& field) {
  return sdk::validate::required_string(body, field, 8, 128);
}

Result hashing_busy() {
  return Result::fail(errc::kRateLimited, "too many passwords are being checked right now; try again shortly",
                      {{"retry_after_s", 1}});
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ",") + item;
  return text;
}

}  // namespace

AccountService::AccountService(ConnectionPool& accounts, const Config& config)
    : accounts_(accounts),
      config_(config),
      signer_(config.secret_key, std::chrono::minutes(config.access_token_expire_minutes)),
      throttle_(config),
      trusted_proxies_(TrustedProxies::parse(joined(config.trusted_proxies))),
      hash_pool_(config.hash_workers, config.hash_queue) {
  dummy_hash_ = hasher_.hash(crypto::random_token(16));
}

std::optional<std::string> AccountService::pooled_hash(const std::string& password) {
  return hash_pool_.run([&] { return hasher_.hash(password); });
}

std::optional<PasswordHasher::Verdict> AccountService::pooled_verify(const std::string& password,
                                                                     const std::string& stored) {
  return hash_pool_.run([&] { return hasher_.verify(password, stored); });
}

bool AccountService::is_valid_email(const std::string& email) {
  if (email.size() < 3 || email.size() > 320) return false;
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) return false;
  const std::string domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  if (domain.empty() || dot == std::string::npos || dot == 0 || domain.back() == '.') return false;
  if (domain.find("..") != std::string::npos) return false;
  return std::none_of(email.begin(), email.end(),
                      [](unsigned char c) { return std::isspace(c) || std::iscntrl(c) || c == ',' || c == ';'; });
}

Result AccountService::register_user(const nlohmann::json& body, const std::string& address) {
  std::string email = sdk::validate::required_string(body, "email", 3, 320);
  if (!is_valid_email(email)) sdk::validate::fail("email", "'email' is not a valid email address");
  const std::string password = validated_password(body, "password");
  const std::string name = sdk::validate::optional_string(body, "name", 0, 255).value_or("");

  {
    Db db = accounts_.open();
    if (auto refused = throttle_.refusal(db, std::nullopt, address)) {
      log::warn("registration refused: address throttled", {{"address", address}});
      return *refused;
    }
  }
  const auto hash = pooled_hash(password);
  if (!hash) return hashing_busy();
  Db db = accounts_.open();
  try {
    auto row = db.query_one(std::string("INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING ") +
                                kUserColumns,
                            {email, name, *hash});
    log::info("user registered", {{"user_id", row->str("id")}, {"address", address}});
    return Result::created(user_json(*row));
  } catch (const sdk::DatabaseError& e) {
    if (!e.is_unique_violation("users_email_key")) throw;
  }
  // Probing which emails have accounts counts as a failure of the address.
  throttle_.record_failure(db, std::nullopt, address);
  log::info("registration refused: email taken", {{"address", address}});
  return Result::fail(errc::kEmailTaken, "an account with this email already exists", {{"field", "email"}});
}

Result AccountService::login(const nlohmann::json& credentials, const std::string& address) {
  using metrics::LoginOutcome;
  auto outcome = LoginOutcome::kError;
  try {
    Result result = attempt_login(credentials, address);
    if (result.is_ok()) {
      outcome = LoginOutcome::kSuccess;
    } else {
      const std::string& code = result.error().code;
      outcome = code == errc::kInvalidCredentials ? LoginOutcome::kInvalidCredentials
                : code == errc::kAccountInactive  ? LoginOutcome::kInactive
                : code == errc::kTooManyAttempts  ? LoginOutcome::kLocked
                                                  : LoginOutcome::kRateLimited;
    }
    metrics::process().login(outcome);
    return result;
  } catch (const sdk::AgentException&) {
    metrics::process().login(LoginOutcome::kInvalidRequest);
    throw;
  } catch (...) {
    metrics::process().login(LoginOutcome::kError);
    throw;
  }
}

Result AccountService::attempt_login(const nlohmann::json& credentials, const std::string& address) {
  const std::string email = sdk::validate::required_string(credentials, "email", 1, 320);
  const std::string password = sdk::validate::required_string(credentials, "password", 1, 1024);

  // Read, release, hash, write: no pooled connection is held during the ~20 ms of argon2id.
  std::optional<sdk::Row> user;
  {
    Db db = accounts_.open();
    // Throttle before the password is even looked at: that is what stops guessing.
    if (auto refused = throttle_.refusal(db, email, address)) {
      log::warn("login refused: throttled", {{"address", address}, {"code", refused->error().code}});
      return *refused;
    }
    user = db.query_one(std::string("SELECT ") + kUserColumns +
                            ", password_hash FROM users WHERE lower(email) = lower($1)",
                        {email});
  }
  const auto verdict = pooled_verify(password, user ? user->str("password_hash") : dummy_hash_);
  if (!verdict) return hashing_busy();
  if (!user || *verdict == PasswordHasher::Verdict::kMismatch) {
    Db db = accounts_.open();
    db.begin();
    throttle_.record_failure(db, email, address);
    db.commit();
    nlohmann::json event = {{"address", address}};
    if (user) event["user_id"] = user->str("id");  // an unknown email has no user to name
    log::info("login failed", event);
    return invalid_credentials();
  }
  if (user->str("status") != "active") {
    log::info("login refused: account inactive", {{"address", address}, {"user_id", user->str("id")}});
    return inactive();
  }

  const std::string user_id = user->str("id");
  std::optional<std::string> new_hash;
  if (*verdict == PasswordHasher::Verdict::kMatchNeedsRehash) {
    new_hash = pooled_hash(password);
    if (!new_hash) return hashing_busy();
  }
  Db db = accounts_.open();
  db.begin();
  if (new_hash)
    db.execute("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1::uuid", {user_id, *new_hash});
  throttle_.forget_failures(db, email, address);
  const std::string login_id = db.query_one("INSERT INTO logins (user_id) VALUES ($1::uuid) RETURNING id::text AS id",
                                            {user_id})
                                   ->str("id");
  nlohmann::json tokens = issue_tokens(db, user_id, login_id);
  db.commit();
  tokens["user"] = user_json(*user);
  log::info("login", {{"user_id", user_id}, {"login_id", login_id}, {"address", address}});
  return Result::ok(std::move(tokens));
}

nlohmann::json AccountService::issue_tokens(Db& db, const std::string& user_id, const std::string& login_id) {
  const std::string refresh_token = crypto::random_token(32);
  db.execute(
      "INSERT INTO refresh_tokens (login_id, token_hash, expires_at) "
      "SELECT $1::uuid, $2, LEAST(now() + make_interval(days => $3::int), created_at + make_interval(days => $4::int)) "
      "FROM logins WHERE id = $1::uuid",
      {login_id, crypto::sha256_hex(refresh_token), config_.refresh_token_expire_days, config_.login_max_age_days});
  return {{"access_token", signer_.issue(user_id, login_id)},
          {"refresh_token", refresh_token},
          {"token_type", "bearer"},
          {"expires_in", signer_.ttl().count()}};
}

Result AccountService::refresh(const nlohmann::json& body, const std::string& address) {
  const std::string token = sdk::validate::required_string(body, "refresh_token", 1, 512);
  Db db = accounts_.open();
  if (auto refused = throttle_.refusal(db, std::nullopt, address)) {
    log::warn("refresh refused: address throttled", {{"address", address}});
    return *refused;
  }
  db.begin();
  // FOR UPDATE: of two concurrent uses of one token, the second sees it spent.
  auto row = db.query_one(
      "SELECT rt.id::text AS id, rt.login_id::text AS login_id, rt.spent_at IS NOT NULL AS spent, "
      "       rt.revoked_at IS NOT NULL AS revoked, rt.expires_at <= now() AS expired, "
      "       l.revoked_at IS NOT NULL AS login_revoked, u.id::text AS user_id, u.status, "
      "       l.created_at <= now() - make_interval(days => $2::int) AS login_too_old "
      "FROM refresh_tokens rt JOIN logins l ON l.id = rt.login_id JOIN users u ON u.id = l.user_id "
      "WHERE rt.token_hash = $1 FOR UPDATE OF rt, l",
      {crypto::sha256_hex(token), config_.login_max_age_days});
  // A refresh token is 256 random bits: nobody guesses one for a given account, so only the
  // address is throttled here, against floods of made-up tokens.
  auto refuse = [&](const std::string& message, const char* reason) {
    throttle_.record_failure(db, std::nullopt, address);
    db.commit();
    log::info("refresh refused", {{"address", address}, {"reason", reason}});
    return unauthenticated(message);
  };
  if (!row) return refuse("the refresh token is not valid", "unknown token");
  const std::string login_id = row->str("login_id");
  if (row->boolean("spent")) {
    // A spent token presented again means it was copied: end the whole login.
    db.execute("UPDATE logins SET revoked_at = now(), revoke_reason = 'refresh_token_reused' "
               "WHERE id = $1::uuid AND revoked_at IS NULL",
               {login_id});
    db.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE login_id = $1::uuid AND revoked_at IS NULL",
               {login_id});
    throttle_.record_failure(db, std::nullopt, address);
    db.commit();
    log::warn("refresh token reused; login revoked", {{"login_id", login_id}, {"address", address}});
    return Result::fail(errc::kTokenReused,
                        "this refresh token was already used; every session of this login has been signed out");
  }
  if (row->boolean("login_too_old"))
    return refuse("this login has reached its maximum age (" + std::to_string(config_.login_max_age_days) +
                      " days); log in again",
                  "login too old");
  if (row->boolean("revoked") || row->boolean("login_revoked") || row->boolean("expired"))
    return refuse("the refresh token has expired or was revoked", "expired or revoked");
  if (row->str("status") != "active") return inactive();

  db.execute("UPDATE refresh_tokens SET spent_at = now() WHERE id = $1::uuid", {row->str("id")});
  nlohmann::json tokens = issue_tokens(db, row->str("user_id"), login_id);
  auto user = db.query_one(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = $1::uuid",
                           {row->str("user_id")});
  db.commit();
  tokens["user"] = user_json(*user);
  log::info("refresh", {{"user_id", row->str("user_id")}, {"login_id", login_id}, {"address", address}});
  return Result::ok(std::move(tokens));
}

Result AccountService::logout(const AuthContext& auth, const std::string& address) {
  Db db = accounts_.open();
  db.begin();
  db.execute("UPDATE logins SET revoked_at = now(), revoke_reason = 'logout' WHERE id = $1::uuid AND revoked_at IS NULL",
             {auth.login_id});
  db.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE login_id = $1::uuid AND revoked_at IS NULL",
             {auth.login_id});
  db.commit();
  log::info("logout", {{"user_id", auth.caller.user_id}, {"login_id", auth.login_id}, {"address", address}});
  return Result::no_content();
}

Result AccountService::me(const AuthContext& auth) {
  Db db = accounts_.open();
  auto user = db.query_one(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = $1::uuid",
                           {auth.caller.user_id});
  if (!user) return Result::fail(errc::kUserNotFound, "the user no longer exists");
  return Result::ok(user_json(*user));
}

std::int64_t AccountService::users_total() {
  Db db = accounts_.open();
  return db.query_one("SELECT count(*) AS n FROM users")->i64("n");
}

Result AccountService::change_password(const AuthContext& auth, const nlohmann::json& body,
                                       const std::string& address) {
  const std::string current = sdk::validate::required_string(body, "current_password", 1, 1024);
  const std::string next = validated_password(body, "new_password");
  std::string stored;
  {
    Db db = accounts_.open();
    // A stolen access token must not become a way to guess the password: the same locks as login.
    if (auto refused = throttle_.refusal(db, auth.email, address)) {
      log::warn("password change refused: throttled",
                {{"user_id", auth.caller.user_id}, {"address", address}, {"code", refused->error().code}});
      return *refused;
    }
    auto user = db.query_one("SELECT password_hash FROM users WHERE id = $1::uuid", {auth.caller.user_id});
    if (!user) return Result::fail(errc::kUserNotFound, "the user no longer exists");
    stored = user->str("password_hash");
  }
  const auto verdict = pooled_verify(current, stored);
  if (!verdict) return hashing_busy();
  if (*verdict == PasswordHasher::Verdict::kMismatch) {
    Db db = accounts_.open();
    db.begin();
    throttle_.record_failure(db, auth.email, address);
    db.commit();
    log::info("password change refused: wrong current password", {{"user_id", auth.caller.user_id}, {"address", address}});
    return Result::fail(errc::kInvalidCredentials, "the current password is not correct",
                        {{"field", "current_password"}});
  }
  const auto hash = pooled_hash(next);
  if (!hash) return hashing_busy();
  Db db = accounts_.open();
  db.begin();
  db.execute("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1::uuid", {auth.caller.user_id, *hash});
  throttle_.forget_failures(db, auth.email, address);
  // Every other login ends; the one that changed the password stays signed in.
  db.execute(
      "UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND login_id IN "
      "(SELECT id FROM logins WHERE user_id = $1::uuid AND id <> $2::uuid AND revoked_at IS NULL)",
      {auth.caller.user_id, auth.login_id});
  db.execute(
      "UPDATE logins SET revoked_at = now(), revoke_reason = 'password_changed' "
      "WHERE user_id = $1::uuid AND id <> $2::uuid AND revoked_at IS NULL",
      {auth.caller.user_id, auth.login_id});
  db.commit();
  log::info("password changed", {{"user_id", auth.caller.user_id}, {"login_id", auth.login_id}, {"address", address}});
  return Result::no_content();
}

nlohmann::json AccountService::delete_expired() {
  Db db = accounts_.open();
  db.begin();
  // One sweeper at a time across hosts; the others skip rather than wait (the key is arbitrary,
  // fixed: "socrates auth cleanup").
  if (!db.query_one("SELECT pg_try_advisory_xact_lock(7382910455) AS mine")->boolean("mine")) {
    db.commit();
    return nullptr;
  }
  auto count = [&db](const std::string& sql, std::initializer_list<sdk::Param> params) {
    return db.query_one("WITH gone AS (" + sql + " RETURNING 1) SELECT count(*) AS n FROM gone", params)->i64("n");
  };
  nlohmann::json deleted;
  // A login whose refresh tokens have all expired can only be renewed by logging in again; its
  // access tokens expired with them (a refresh token outlives the access token issued with it).
  // Its refresh tokens go with it (ON DELETE CASCADE).
  deleted["logins"] = count(
      "DELETE FROM logins l WHERE l.created_at <= now() - make_interval(days => $1::int) "
      "OR NOT EXISTS (SELECT 1 FROM refresh_tokens rt WHERE rt.login_id = l.id AND rt.expires_at > now())",
      {config_.login_max_age_days});
  deleted["refresh_tokens"] = count("DELETE FROM refresh_tokens WHERE expires_at <= now()", {});
  const std::string over =
      "window_started_at <= now() - make_interval(secs => $1::int) AND (locked_until IS NULL OR locked_until <= now())";
  deleted["login_attempts"] = count("DELETE FROM login_attempts WHERE " + over, {config_.login_window_s});
  deleted["address_throttles"] = count("DELETE FROM address_throttles WHERE " + over, {config_.login_window_s});
  deleted["account_locks"] = count("DELETE FROM account_locks WHERE locked_until <= now()", {});
  db.commit();
  return deleted;
}

std::variant<AuthContext, sdk::Error> AccountService::authenticate(const std::optional<std::string>& authorization,
                                                                   const std::string& request_id,
                                                                   Credentials accepted) {
  auto refuse = [](const std::string& message) { return sdk::Error{errc::kUnauthenticated, message, {}}; };
  if (!authorization || authorization->empty()) return refuse("an access token is required (Authorization: Bearer …)");
  const std::string& header = *authorization;
  if (header.size() < 8 || lower(header.substr(0, 7)) != "bearer ") return refuse("the Authorization header must be 'Bearer <access_token>'");
  std::string token = header.substr(7);
  token.erase(0, token.find_first_not_of(' '));
  if (token.rfind(kPersonalTokenPrefix, 0) == 0) {
    if (accepted != Credentials::kAccessOrPersonalToken)
      return refuse("a personal access token is accepted only by the MCP server (/mcp, socrates-host mcp); "
                    "sign in for an access token");
    return authenticate_personal_token(token, request_id);
  }
  std::string reason;
  auto claims = signer_.verify(token, &reason);
  if (!claims) {
    log::info("access token refused", {{"reason", reason}});
    return refuse("the access token is invalid or has expired");
  }
  if (!sdk::validate::is_uuid(claims->user_id) || !sdk::validate::is_uuid(claims->login_id))
    return refuse("the access token is invalid or has expired");

  Db db = accounts_.open();
  auto row = db.query_one(
      "SELECT u.role, u.status, u.email, l.revoked_at IS NOT NULL AS revoked FROM logins l "
      "JOIN users u ON u.id = l.user_id WHERE l.id = $1::uuid AND u.id = $2::uuid",
      {claims->login_id, claims->user_id});
  if (!row || row->boolean("revoked")) return refuse("the access token has been revoked; log in again");
  if (row->str("status") != "active")
    return sdk::Error{errc::kAccountInactive, "this account is not active; contact an administrator", {}};
  AuthContext context;
  context.caller = sdk::Caller{claims->user_id, row->str("role"), request_id};
  context.login_id = claims->login_id;
  context.email = row->str("email");
  return context;
}

std::variant<AuthContext, sdk::Error> AccountService::authenticate_personal_token(const std::string& token,
                                                                                  const std::string& request_id) {
  Db db = accounts_.open();
  // last_used_at is written at most once a minute per token, not on every request.
  auto row = db.query_one(
      "WITH used AS (UPDATE personal_access_tokens SET last_used_at = now() WHERE token_hash = $1 "
      "  AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) "
      "  AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')) "
      "SELECT t.id::text AS id, u.id::text AS user_id, u.role, u.status, u.email FROM personal_access_tokens t "
      "JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL "
      "AND (t.expires_at IS NULL OR t.expires_at > now())",
      {crypto::sha256_hex(token)});
  if (!row) return sdk::Error{errc::kUnauthenticated, "the personal access token is invalid, expired or revoked", {}};
  if (row->str("status") != "active")
    return sdk::Error{errc::kAccountInactive, "this account is not active; contact an administrator", {}};
  AuthContext context;
  context.caller = sdk::Caller{row->str("user_id"), row->str("role"), request_id};
  context.email = row->str("email");
  context.personal_token_id = row->str("id");
  return context;
}

namespace {

constexpr const char* kTokenColumns =
    "id::text AS id, name, rfc3339(created_at) AS created_at, rfc3339(expires_at) AS expires_at, "
    "rfc3339(last_used_at) AS last_used_at";

nlohmann::json token_json(const sdk::Row& row) {
  auto optional = [&](const char* column) { return row.is_null(column) ? nlohmann::json(nullptr) : nlohmann::json(row.str(column)); };
  return {{"id", row.str("id")},
          {"name", row.str("name")},
          {"created_at", row.str("created_at")},
          {"expires_at", optional("expires_at")},
          {"last_used_at", optional("last_used_at")}};
}

}  // namespace

Result AccountService::create_personal_token(const AuthContext& auth, const nlohmann::json& body) {
  const std::string name = sdk::validate::required_string(body, "name", 1, 100);
  const long long days = sdk::validate::integer(body, "expires_in_days", 1, 3650, 0);
  const std::string token = kPersonalTokenPrefix + crypto::random_token(32);
  Db db = accounts_.open();
  auto row = db.query_one(std::string("INSERT INTO personal_access_tokens (user_id, name, token_hash, expires_at) "
                                      "VALUES ($1::uuid, $2, $3, CASE WHEN $4::int > 0 THEN now() + make_interval(days => $4::int) END) "
                                      "RETURNING ") + kTokenColumns,
                          {auth.caller.user_id, name, crypto::sha256_hex(token), days});
  nlohmann::json answer = token_json(*row);
  answer["token"] = token;
  log::info("personal access token created", {{"user_id", auth.caller.user_id}, {"token_id", answer["id"]}});
  return Result::created(std::move(answer));
}

Result AccountService::list_personal_tokens(const AuthContext& auth, const nlohmann::json& query) {
  const long long limit = sdk::validate::integer(query, "limit", 1, 200, 50);
  const long long offset = sdk::validate::integer(query, "offset", 0, std::numeric_limits<int>::max(), 0);
  Db db = accounts_.open();
  auto rows = db.query(std::string("SELECT ") + kTokenColumns + ", count(*) OVER () AS total FROM personal_access_tokens "
                           "WHERE user_id = $1::uuid AND revoked_at IS NULL ORDER BY personal_access_tokens.created_at DESC, id LIMIT $2 OFFSET $3",
                       {auth.caller.user_id, limit, offset});
  nlohmann::json items = nlohmann::json::array();
  std::int64_t total = 0;
  for (const auto& row : rows) {
    items.push_back(token_json(row));
    total = row.i64("total");
  }
  if (rows.empty() && offset > 0)  // a page past the end still tells the real total
    total = db.query_one("SELECT count(*) AS n FROM personal_access_tokens WHERE user_id = $1::uuid AND revoked_at IS NULL",
                         {auth.caller.user_id})->i64("n");
  return Result::ok({{"items", std::move(items)}, {"total", total}, {"limit", limit}, {"offset", offset}});
}

Result AccountService::revoke_personal_token(const AuthContext& auth, const std::string& token_id) {
  if (!sdk::validate::is_uuid(token_id)) return Result::fail(sdk::validation_error("token_id", "'token_id' must be a UUID"));
  Db db = accounts_.open();
  const auto revoked = db.execute(
      "UPDATE personal_access_tokens SET revoked_at = now() WHERE id = $1::uuid AND user_id = $2::uuid AND revoked_at IS NULL",
      {token_id, auth.caller.user_id});
  if (revoked == 0) return Result::fail(errc::kNotFound, "no such personal access token", {{"token_id", token_id}});
  log::info("personal access token revoked", {{"user_id", auth.caller.user_id}, {"token_id", token_id}});
  return Result::no_content();
}

bool AccountService::account_exists(ConnectionPool& accounts, const std::string& email) {
  Db db = accounts.open();
  return db.query_one("SELECT 1 AS one FROM users WHERE lower(email) = lower($1)", {email}).has_value();
}

std::string AccountService::create_admin(ConnectionPool& accounts, const std::string& email,
                                         const std::string& password) {
  if (!is_valid_email(email)) sdk::validate::fail("email", "'" + email + "' is not a valid email address");
  const std::size_t length = sdk::validate::utf8_length(password);
  if (length < 8 || length > 128) sdk::validate::fail("password", "the password must be 8 to 128 characters long");
  const std::string hash = PasswordHasher().hash(password);
  Db db = accounts.open();
  db.begin();
  // users_email_key is on lower(email): an account with the email in any case, even one registered
  // after the caller looked, makes this insert do nothing.
  auto created = db.query_one(
      "INSERT INTO users (email, name, password_hash, role) VALUES ($1, '', $2, 'admin') "
      "ON CONFLICT DO NOTHING RETURNING id::text AS id",
      {email, hash});
  if (!created) {
    db.rollback();
    throw sdk::AgentException(errc::kEmailTaken,
                              "an account with the email " + email +
                                  " exists already — add --promote to make it an admin (its password stays)",
                              {{"field", "email"}});
  }
  db.commit();
  return "created admin account " + email;
}

std::string AccountService::promote_admin(ConnectionPool& accounts, const std::string& email) {
  if (!is_valid_email(email)) sdk::validate::fail("email", "'" + email + "' is not a valid email address");
  Db db = accounts.open();
  db.begin();
  auto existing = db.query_one("SELECT id::text AS id FROM users WHERE lower(email) = lower($1) FOR UPDATE", {email});
  if (!existing) {
    db.rollback();
    throw sdk::AgentException(errc::kUserNotFound, "no account has the email " + email, {{"field", "email"}});
  }
  db.execute("UPDATE users SET role = 'admin', status = 'active', updated_at = now() WHERE id = $1::uuid",
             {existing->str("id")});
  db.commit();
  return "promoted existing account " + email + " to admin; its password is unchanged (none was read)";
}

}  // namespace socrates::host::auth

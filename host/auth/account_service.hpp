#pragma once
// Accounts: registration, login (with throttling), token refresh with rotation and reuse
// detection, logout, password change, and authentication of every API request. Everything that
// must hold across host instances (logins, revocations, failure counters) lives in the auth
// database, so any number of hosts behave as one.

#include "host/auth/client_address.hpp"
#include "host/auth/hash_pool.hpp"
#include "host/auth/login_throttle.hpp"
#include "host/auth/password_hasher.hpp"
#include "host/auth/token_signer.hpp"
#include "host/config/config.hpp"
#include "host/db/connection_pool.hpp"

#include <socrates/sdk/base_agent.hpp>
#include <socrates/sdk/result.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace socrates::host::auth {

// An authenticated request: the caller, and the login its token belongs to.
struct AuthContext {
  sdk::Caller caller;
  std::string login_id;             // empty for a personal access token
  std::string email;
  std::string personal_token_id;    // the personal access token presented, if that was one
};

// The credentials a request may present: REST takes access tokens only; the MCP server (/mcp and
// `socrates-host mcp`) takes personal access tokens too, which are for its tools and nothing else.
enum class Credentials { kAccessToken, kAccessOrPersonalToken };

// Personal access tokens start with this, so they are told from access tokens without a lookup.
inline constexpr const char* kPersonalTokenPrefix = "socpat_";

class AccountService {
 public:
  // `accounts` is the auth database's pool, which only the host reaches (agents cannot open it).
  AccountService(ConnectionPool& accounts, const Config& config);

  // `address` is the client's (resolve_client_address): every event is logged with it, and it is
  // what the throttles count by (login_throttle.hpp). 429 answers (TOO_MANY_ATTEMPTS for a locked
  // login, RATE_LIMITED for a throttled address or a full hashing queue) carry
  // details.retry_after_s for the Retry-After header.
  sdk::Result register_user(const nlohmann::json& body, const std::string& address);
  sdk::Result login(const nlohmann::json& credentials, const std::string& address);
  // Refused with UNAUTHENTICATED once the login is older than LOGIN_MAX_AGE_DAYS.
  sdk::Result refresh(const nlohmann::json& body, const std::string& address);
  sdk::Result logout(const AuthContext& auth, const std::string& address);
  sdk::Result me(const AuthContext& auth);
  sdk::Result change_password(const AuthContext& auth, const nlohmann::json& body, const std::string& address);

  // Deletes what can never be used again: logins past their lifetime or with no live refresh
  // token (with their tokens), expired refresh tokens, and throttle counters whose window and lock
  // are over. Safe to run from any number of hosts at once: each run takes a transaction-level
  // advisory lock, and a host that does not get it skips this round (another is sweeping).
  // Answers the rows deleted per table, or null when skipped.
  nlohmann::json delete_expired();

  // Every account, active or not (GET /api/v1/admin/stats' users_total). Throws sdk::DatabaseError.
  std::int64_t users_total();

  const TrustedProxies& trusted_proxies() const noexcept { return trusted_proxies_; }

  // From an Authorization header value: the caller, or UNAUTHENTICATED / ACCOUNT_INACTIVE. A
  // personal access token where `accepted` is kAccessToken is UNAUTHENTICATED (its message says
  // where such a token is accepted).
  std::variant<AuthContext, sdk::Error> authenticate(const std::optional<std::string>& authorization,
                                                     const std::string& request_id,
                                                     Credentials accepted = Credentials::kAccessToken);

  // Personal access tokens (POST/GET/DELETE /api/v1/auth/tokens). create: body {"name" (1..100),
  // "expires_in_days"? (1..3650; absent: until revoked)}, 201 with "token", the only time it is
  // answered. list: the caller's tokens not revoked, newest first, without secrets (limit, offset).
  // revoke: 204; NOT_FOUND for a token that is not the caller's or was revoked already.
  sdk::Result create_personal_token(const AuthContext& auth, const nlohmann::json& body);
  sdk::Result list_personal_tokens(const AuthContext& auth, const nlohmann::json& query);
  sdk::Result revoke_personal_token(const AuthContext& auth, const std::string& token_id);

  // create-admin: a new admin account; an email that exists already is refused (EMAIL_TAKEN), as
  // silently promoting whoever registered it first would hand admin powers to a squatter.
  // Returns a line for the operator. Throws sdk::AgentException on invalid input.
  static std::string create_admin(ConnectionPool& accounts, const std::string& email, const std::string& password);
  // create-admin --promote: an existing account becomes an active admin, its password unchanged.
  // Throws sdk::AgentException (USER_NOT_FOUND when no account has the email).
  static std::string promote_admin(ConnectionPool& accounts, const std::string& email);
  static bool account_exists(ConnectionPool& accounts, const std::string& email);

  static bool is_valid_email(const std::string& email);

 private:
  // login() without its count in socrates_logins_total.
  sdk::Result attempt_login(const nlohmann::json& credentials, const std::string& address);
  std::variant<AuthContext, sdk::Error> authenticate_personal_token(const std::string& token, const std::string& request_id);
  nlohmann::json issue_tokens(class sdk::Db& db, const std::string& user_id, const std::string& login_id);
  // On the hashing pool; nullopt when its queue is full.
  std::optional<std::string> pooled_hash(const std::string& password);
  std::optional<PasswordHasher::Verdict> pooled_verify(const std::string& password, const std::string& stored);

  ConnectionPool& accounts_;
  const Config& config_;
  PasswordHasher hasher_;
  TokenSigner signer_;
  LoginThrottle throttle_;
  TrustedProxies trusted_proxies_;
  HashPool hash_pool_;
  std::string dummy_hash_;  // verified against for unknown emails, so both answers take as long
};

}  // namespace socrates::host::auth

#pragma once
// Accounts: registration, login (with throttling), token refresh with rotation and reuse
// detection, logout, password change, and authentication of every API request. Everything that
// must hold across host instances (logins, revocations, failure counters) lives in the auth
// database, so any number of hosts behave as one.

#include "host/auth/password_hasher.hpp"
#include "host/auth/token_signer.hpp"
#include "host/config/config.hpp"

#include <socrates/sdk/base_agent.hpp>
#include <socrates/sdk/result.hpp>
#include <socrates/sdk/services.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>

namespace socrates::host::auth {

// An authenticated request: the caller, and the login its token belongs to.
struct AuthContext {
  sdk::Caller caller;
  std::string login_id;
  std::string email;
};

class AccountService {
 public:
  AccountService(sdk::Services& services, const Config& config);

  sdk::Result register_user(const nlohmann::json& body);
  // 429 answers carry details.retry_after_s for the Retry-After header.
  sdk::Result login(const nlohmann::json& credentials);
  sdk::Result refresh(const nlohmann::json& body);
  sdk::Result logout(const AuthContext& auth);
  sdk::Result me(const AuthContext& auth);
  sdk::Result change_password(const AuthContext& auth, const nlohmann::json& body);

  // From an Authorization header value: the caller, or UNAUTHENTICATED / ACCOUNT_INACTIVE.
  std::variant<AuthContext, sdk::Error> authenticate(const std::optional<std::string>& authorization,
                                                     const std::string& request_id);

  // create-admin: a new admin account; an email that exists already is refused (EMAIL_TAKEN), as
  // silently promoting whoever registered it first would hand admin powers to a squatter.
  // Returns a line for the operator. Throws sdk::AgentException on invalid input.
  static std::string create_admin(sdk::Services& services, const std::string& email, const std::string& password);
  // create-admin --promote: an existing account becomes an active admin, its password unchanged.
  // Throws sdk::AgentException (USER_NOT_FOUND when no account has the email).
  static std::string promote_admin(sdk::Services& services, const std::string& email);
  static bool account_exists(sdk::Services& services, const std::string& email);

  static bool is_valid_email(const std::string& email);

 private:
  nlohmann::json issue_tokens(class sdk::Db& db, const std::string& user_id, const std::string& login_id);

  sdk::Services& services_;
  const Config& config_;
  PasswordHasher hasher_;
  TokenSigner signer_;
  std::string dummy_hash_;  // verified against for unknown emails, so both answers take as long
};

}  // namespace socrates::host::auth

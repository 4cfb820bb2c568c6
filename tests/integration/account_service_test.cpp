// host::auth::AccountService on a migrated auth database, called the way the REST layer calls it:
// registration, login and its throttling, token rotation and reuse detection, logout, password
// change, legacy hashes, inactive accounts and create-admin. A second ServiceContainer with its
// own AccountService plays a second host instance sharing the database.
#include "host/auth/account_service.hpp"

#include "host/app/service_container.hpp"
#include "support/integration_fixture.hpp"

#include <socrates/sdk/guard.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <variant>

namespace socrates {
namespace {

using host::auth::AccountService;
using host::auth::AuthContext;
using json = nlohmann::json;

constexpr const char* kPassword = "s3cret-passw0rd";

bool is_rfc3339_utc(const std::string& text) {
  return std::regex_match(text, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)"));
}

bool is_lower_uuid(const std::string& text) {
  return std::regex_match(text, std::regex(R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"));
}

// One host instance: its own pools and its own AccountService over the shared databases.
struct HostInstance {
  explicit HostInstance(const host::Config& config)
      : container(config), accounts(container, container.config()) {}

  // As the REST layer runs every account call: whatever is thrown becomes an error result.
  sdk::Result call(const std::function<sdk::Result()>& fn) {
    return sdk::guarded(
        container, fn, [] { return std::string("account service test"); },
        [] { return sdk::Error{sdk::errc::kInternal, "the request could not be completed", json::object()}; });
  }

  sdk::Result register_user(const json& body) {
    return call([&] { return accounts.register_user(body); });
  }
  sdk::Result login(const std::string& email, const std::string& password) {
    return call([&] { return accounts.login({{"email", email}, {"password", password}}); });
  }
  sdk::Result refresh(const std::string& refresh_token) {
    return call([&] { return accounts.refresh({{"refresh_token", refresh_token}}); });
  }
  // The AuthContext for an access token, or the error code it was refused with.
  std::variant<AuthContext, std::string> authenticate(const std::string& access_token) {
    std::optional<AuthContext> context;
    sdk::Result result = call([&]() -> sdk::Result {
      auto outcome = accounts.authenticate("Bearer " + access_token, "test-request");
      if (auto* error = std::get_if<sdk::Error>(&outcome)) return sdk::Result::fail(*error);
      context = std::get<AuthContext>(std::move(outcome));
      return sdk::Result::ok(nullptr);
    });
    if (context) return *context;
    return result.error().code;
  }

  host::ServiceContainer container;
  AccountService accounts;
};

std::string refusal(const std::variant<AuthContext, std::string>& outcome) {
  if (const auto* code = std::get_if<std::string>(&outcome)) return *code;
  return "ACCEPTED";
}

class AccountServiceTest : public ::testing::Test {
 protected:
  AccountServiceTest()
      : config_(test::integration_config(databases_, {{"LOGIN_MAX_FAILURES", "3"},
                                                      {"LOGIN_WINDOW_SECONDS", "900"},
                                                      {"LOGIN_LOCKOUT_SECONDS", "300"}})),
        host_(config_) {}

  // Registers an account and answers its user object.
  json registered(const std::string& email, const std::string& password = kPassword) {
    sdk::Result result = host_.register_user({{"email", email}, {"password", password}, {"name", "Test"}});
    if (!result.is_ok()) throw std::runtime_error("register failed: " + result.error().code);
    return result.value();
  }

  // A successful login's token answer.
  json logged_in(const std::string& email, const std::string& password = kPassword) {
    sdk::Result result = host_.login(email, password);
    if (!result.is_ok()) throw std::runtime_error("login failed: " + result.error().code);
    return result.value();
  }

  AuthContext context_of(const json& tokens) {
    auto outcome = host_.authenticate(tokens.at("access_token").get<std::string>());
    if (auto* context = std::get_if<AuthContext>(&outcome)) return *context;
    throw std::runtime_error("token refused: " + std::get<std::string>(outcome));
  }

  std::optional<std::string> stored_hash(const std::string& email) {
    return test::db_scalar(databases_.auth_url(),
                           "SELECT password_hash FROM users WHERE lower(email) = lower('" + email + "')");
  }

  test::MigratedDatabases databases_;
  host::Config config_;
  HostInstance host_;
};

TEST_F(AccountServiceTest, RegisterAnswersCreatedWithTheUserObject) {
  sdk::Result result = host_.register_user({{"email", "Ada@Example.com"}, {"password", kPassword}, {"name", "Ada"}});
  ASSERT_EQ(test::code_of(result), "OK");
  EXPECT_EQ(result.outcome(), sdk::Outcome::kCreated);
  const json& user = result.value();
  EXPECT_TRUE(is_lower_uuid(user.value("id", ""))) << user.dump();
  EXPECT_EQ(user.value("email", ""), "Ada@Example.com");
  EXPECT_EQ(user.value("name", ""), "Ada");
  EXPECT_EQ(user.value("role", ""), "user");
  EXPECT_EQ(user.value("status", ""), "active");
  EXPECT_TRUE(is_rfc3339_utc(user.value("created_at", ""))) << user.dump();
  EXPECT_FALSE(user.contains("password_hash"));
  EXPECT_FALSE(user.contains("password"));

  // Committed, and the password is stored only as an argon2id hash.
  auto hash = stored_hash("ada@example.com");
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
}

TEST_F(AccountServiceTest, RegisterRefusesAnEmailTakenInAnotherCase) {
  registered("Grace@Example.com");
  sdk::Result again = host_.register_user({{"email", "grace@EXAMPLE.com"}, {"password", "another-password"}});
  ASSERT_EQ(test::code_of(again), sdk::errc::kEmailTaken);
  EXPECT_EQ(again.error().details.value("field", ""), "email");
  EXPECT_EQ(test::db_count(databases_.auth_url(), "SELECT count(*) FROM users"), 1);
}

TEST_F(AccountServiceTest, RegisterRejectsInvalidInputNamingTheField) {
  struct Case {
    json body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"email", "no-at-sign.example.com"}, {"password", kPassword}}, "email"},
      {{{"email", "two@@example.com"}, {"password", kPassword}}, "email"},
      {{{"email", "no-dot@example"}, {"password", kPassword}}, "email"},
      {{{"email", "white space@example.com"}, {"password", kPassword}}, "email"},
      {{{"password", kPassword}}, "email"},
      {{{"email", 42}, {"password", kPassword}}, "email"},
      {{{"email", "short@example.com"}, {"password", "1234567"}}, "password"},
      {{{"email", "long@example.com"}, {"password", std::string(129, 'x')}}, "password"},
      {{{"email", "none@example.com"}}, "password"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body.dump());
    sdk::Result result = host_.register_user(c.body);
    ASSERT_EQ(test::code_of(result), sdk::errc::kValidation);
    EXPECT_EQ(result.error().details.value("field", ""), c.field);
  }
  EXPECT_EQ(test::db_count(databases_.auth_url(), "SELECT count(*) FROM users"), 0);
  // The limits themselves are allowed.
  EXPECT_EQ(test::code_of(host_.register_user({{"email", "eight@example.com"}, {"password", "12345678"}})), "OK");
  EXPECT_EQ(test::code_of(host_.register_user({{"email", "max@example.com"}, {"password", std::string(128, 'y')}})),
            "OK");
}

TEST_F(AccountServiceTest, LoginGivesTokensThatAuthenticate) {
  const json user = registered("Login@Example.com");
  // Emails compare case-insensitively at login too.
  sdk::Result result = host_.login("login@example.COM", kPassword);
  ASSERT_EQ(test::code_of(result), "OK");
  const json& tokens = result.value();
  EXPECT_EQ(tokens.value("token_type", ""), "bearer");
  EXPECT_EQ(tokens.value("expires_in", 0), 1800);
  EXPECT_FALSE(tokens.value("access_token", "").empty());
  EXPECT_GE(tokens.value("refresh_token", "").size(), 32u);
  EXPECT_EQ(tokens.at("user").value("id", ""), user.at("id").get<std::string>());

  auto outcome = host_.authenticate(tokens.at("access_token").get<std::string>());
  ASSERT_TRUE(std::holds_alternative<AuthContext>(outcome)) << refusal(outcome);
  const AuthContext& context = std::get<AuthContext>(outcome);
  EXPECT_EQ(context.caller.user_id, user.at("id").get<std::string>());
  EXPECT_EQ(context.caller.role, "user");
  EXPECT_FALSE(context.login_id.empty());

  sdk::Result me = host_.call([&] { return host_.accounts.me(context); });
  ASSERT_EQ(test::code_of(me), "OK");
  EXPECT_EQ(me.value().value("email", ""), "Login@Example.com");

  // A token that was tampered with is refused.
  std::string forged = tokens.at("access_token").get<std::string>();
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(refusal(host_.authenticate(forged)), sdk::errc::kUnauthenticated);
}

TEST_F(AccountServiceTest, WrongPasswordAndUnknownEmailGiveTheSameAnswer) {
  registered("known@example.com");
  sdk::Result wrong_password = host_.login("known@example.com", "not-the-password");
  sdk::Result unknown_email = host_.login("unknown@example.com", kPassword);
  ASSERT_EQ(test::code_of(wrong_password), sdk::errc::kInvalidCredentials);
  ASSERT_EQ(test::code_of(unknown_email), sdk::errc::kInvalidCredentials);
  // Existence of an account must not leak through the message either.
  EXPECT_EQ(wrong_password.error().message, unknown_email.error().message);
  EXPECT_EQ(wrong_password.error().details, unknown_email.error().details);
}

TEST_F(AccountServiceTest, RepeatedFailuresLockTheEmailOnEveryHostInstance) {
  registered("target@example.com");
  registered("bystander@example.com");
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(test::code_of(host_.login("target@example.com", "guess-" + std::to_string(i))),
              sdk::errc::kInvalidCredentials)
        << "attempt " << i;

  // Even the right password is refused now: that is what stops guessing.
  sdk::Result locked = host_.login("target@example.com", kPassword);
  ASSERT_EQ(test::code_of(locked), sdk::errc::kTooManyAttempts);
  const json& details = locked.error().details;
  ASSERT_TRUE(details.contains("retry_after_s")) << details.dump();
  EXPECT_GT(details.at("retry_after_s").get<long long>(), 0);
  EXPECT_LE(details.at("retry_after_s").get<long long>(), 300);

  // Another host instance on the same database refuses too, whatever the email's case.
  HostInstance second(config_);
  EXPECT_EQ(test::code_of(second.login("TARGET@example.com", kPassword)), sdk::errc::kTooManyAttempts);
  // Only that email is locked.
  EXPECT_EQ(test::code_of(second.login("bystander@example.com", kPassword)), "OK");
}

// PostgreSQL folds the case of every letter (the account lookup and users_email_key use lower()),
// so "zoë" and "ZOË" are one account; guesses spread over case variants are guesses at one email.
TEST_F(AccountServiceTest, FailuresCountForTheEmailWhateverTheCaseOfItsNonAsciiLetters) {
  registered("zoë@example.com");
  ASSERT_EQ(test::code_of(host_.login("ZOË@example.com", kPassword)), "OK") << "the lookup folds case";

  EXPECT_EQ(test::code_of(host_.login("zoë@example.com", "guess-1")), sdk::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("zoË@example.com", "guess-2")), sdk::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("ZOË@EXAMPLE.COM", "guess-3")), sdk::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("zoë@example.com", kPassword)), sdk::errc::kTooManyAttempts)
      << "three failed logins for one account did not lock it";
}

TEST_F(AccountServiceTest, FailuresCountAcrossHostInstances) {
  registered("spread@example.com");
  HostInstance second(config_);
  // An attacker spreading guesses over instances gains nothing.
  EXPECT_EQ(test::code_of(host_.login("spread@example.com", "guess-1")), sdk::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(second.login("spread@example.com", "guess-2")), sdk::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("spread@example.com", "guess-3")), sdk::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(second.login("spread@example.com", kPassword)), sdk::errc::kTooManyAttempts);
}

TEST_F(AccountServiceTest, RefreshRotatesAndReuseEndsTheWholeLogin) {
  registered("rotate@example.com");
  const json first = logged_in("rotate@example.com");
  const json other_login = logged_in("rotate@example.com");

  sdk::Result rotated = host_.refresh(first.at("refresh_token").get<std::string>());
  ASSERT_EQ(test::code_of(rotated), "OK");
  const json second = rotated.value();
  EXPECT_NE(second.value("refresh_token", ""), first.value("refresh_token", ""));
  EXPECT_EQ(second.value("token_type", ""), "bearer");
  EXPECT_EQ(refusal(host_.authenticate(second.at("access_token").get<std::string>())), "ACCEPTED");

  // The spent token again: it was copied, so the login ends.
  EXPECT_EQ(test::code_of(host_.refresh(first.at("refresh_token").get<std::string>())), sdk::errc::kTokenReused);
  EXPECT_NE(test::code_of(host_.refresh(second.at("refresh_token").get<std::string>())), "OK")
      << "the newest refresh token of a revoked login still works";
  EXPECT_EQ(refusal(host_.authenticate(second.at("access_token").get<std::string>())), sdk::errc::kUnauthenticated);
  EXPECT_EQ(refusal(host_.authenticate(first.at("access_token").get<std::string>())), sdk::errc::kUnauthenticated);

  // The user's other login is not that login.
  EXPECT_EQ(refusal(host_.authenticate(other_login.at("access_token").get<std::string>())), "ACCEPTED");
  EXPECT_EQ(test::code_of(host_.refresh(other_login.at("refresh_token").get<std::string>())), "OK");
}

TEST_F(AccountServiceTest, UnknownRefreshTokenIsRefused) {
  EXPECT_EQ(test::code_of(host_.refresh("not-a-token-anyone-was-given")), sdk::errc::kUnauthenticated);
  EXPECT_EQ(test::code_of(host_.call([&] { return host_.accounts.refresh(json::object()); })),
            sdk::errc::kValidation);
}

TEST_F(AccountServiceTest, LogoutRefusesTheAccessTokenOnEveryHostInstance) {
  registered("bye@example.com");
  const json tokens = logged_in("bye@example.com");
  const AuthContext context = context_of(tokens);
  HostInstance second(config_);
  ASSERT_EQ(refusal(second.authenticate(tokens.at("access_token").get<std::string>())), "ACCEPTED");

  sdk::Result out = host_.call([&] { return host_.accounts.logout(context); });
  ASSERT_EQ(test::code_of(out), "OK");
  EXPECT_EQ(out.outcome(), sdk::Outcome::kNoContent);

  const std::string access = tokens.at("access_token").get<std::string>();
  EXPECT_EQ(refusal(host_.authenticate(access)), sdk::errc::kUnauthenticated);
  EXPECT_EQ(refusal(second.authenticate(access)), sdk::errc::kUnauthenticated);
  EXPECT_EQ(test::code_of(second.refresh(tokens.at("refresh_token").get<std::string>())), sdk::errc::kUnauthenticated);
}

TEST_F(AccountServiceTest, ChangePasswordRevokesOtherLoginsButNotTheCurrentOne) {
  registered("change@example.com");
  const json current = logged_in("change@example.com");
  const json elsewhere = logged_in("change@example.com");
  const AuthContext context = context_of(current);

  // The wrong current password changes nothing.
  sdk::Result refused = host_.call([&] {
    return host_.accounts.change_password(context, {{"current_password", "wrong"}, {"new_password", "new-password-1"}});
  });
  EXPECT_EQ(test::code_of(refused), sdk::errc::kInvalidCredentials);
  EXPECT_EQ(refusal(host_.authenticate(elsewhere.at("access_token").get<std::string>())), "ACCEPTED");

  sdk::Result changed = host_.call([&] {
    return host_.accounts.change_password(context, {{"current_password", kPassword}, {"new_password", "new-password-1"}});
  });
  ASSERT_EQ(test::code_of(changed), "OK");
  EXPECT_EQ(changed.outcome(), sdk::Outcome::kNoContent);

  EXPECT_EQ(refusal(host_.authenticate(current.at("access_token").get<std::string>())), "ACCEPTED");
  EXPECT_EQ(test::code_of(host_.refresh(current.at("refresh_token").get<std::string>())), "OK");
  EXPECT_EQ(refusal(host_.authenticate(elsewhere.at("access_token").get<std::string>())), sdk::errc::kUnauthenticated);
  EXPECT_NE(test::code_of(host_.refresh(elsewhere.at("refresh_token").get<std::string>())), "OK");

  EXPECT_EQ(test::code_of(host_.login("change@example.com", kPassword)), sdk::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("change@example.com", "new-password-1")), "OK");
}

TEST_F(AccountServiceTest, ChangePasswordValidatesTheNewPassword) {
  registered("weak@example.com");
  const AuthContext context = context_of(logged_in("weak@example.com"));
  sdk::Result result = host_.call([&] {
    return host_.accounts.change_password(context, {{"current_password", kPassword}, {"new_password", "short"}});
  });
  ASSERT_EQ(test::code_of(result), sdk::errc::kValidation);
  EXPECT_EQ(result.error().details.value("field", ""), "new_password");
  EXPECT_EQ(test::code_of(host_.login("weak@example.com", kPassword)), "OK");
}

TEST_F(AccountServiceTest, LegacyBcryptHashLogsInAndIsReplacedByArgon2id) {
  registered("legacy@example.com");
  // A hash inherited from the Python system: bcrypt of "correct horse".
  test::db_exec(databases_.auth_url(),
                "UPDATE users SET password_hash = '$2b$04$GqDhMZ07P07iDFdoqd1TrODCnkH.IxnWu4miIr8L18Elc/EKopuKS' "
                "WHERE email = 'legacy@example.com'");
  EXPECT_EQ(test::code_of(host_.login("legacy@example.com", "wrong horse")), sdk::errc::kInvalidCredentials);

  ASSERT_EQ(test::code_of(host_.login("legacy@example.com", "correct horse")), "OK");
  auto hash = stored_hash("legacy@example.com");
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << "the legacy hash was kept: " << *hash;
  // And the new hash is of the same password.
  EXPECT_EQ(test::code_of(host_.login("legacy@example.com", "correct horse")), "OK");
}

TEST_F(AccountServiceTest, InactiveAccountIsRefusedOnLoginRefreshAndAuthenticate) {
  registered("gone@example.com");
  const json tokens = logged_in("gone@example.com");
  test::db_exec(databases_.auth_url(), "UPDATE users SET status = 'inactive' WHERE email = 'gone@example.com'");

  EXPECT_EQ(test::code_of(host_.login("gone@example.com", kPassword)), sdk::errc::kAccountInactive);
  EXPECT_EQ(refusal(host_.authenticate(tokens.at("access_token").get<std::string>())), sdk::errc::kAccountInactive);
  EXPECT_EQ(test::code_of(host_.refresh(tokens.at("refresh_token").get<std::string>())), sdk::errc::kAccountInactive);
  // A wrong password still answers like any wrong password: it proves nothing about the account.
  EXPECT_EQ(test::code_of(host_.login("gone@example.com", "wrong-password")), sdk::errc::kInvalidCredentials);
}

TEST_F(AccountServiceTest, CreateAdminCreatesAnAdminAccount) {
  const std::string line = AccountService::create_admin(host_.container, "root@example.com", "admin-password");
  EXPECT_NE(line.find("root@example.com"), std::string::npos) << line;

  sdk::Result login = host_.login("root@example.com", "admin-password");
  ASSERT_EQ(test::code_of(login), "OK");
  EXPECT_EQ(login.value().at("user").value("role", ""), "admin");
  const AuthContext context = context_of(login.value());
  EXPECT_TRUE(context.caller.is_admin());
  EXPECT_EQ(stored_hash("root@example.com")->rfind("$argon2id$", 0), 0u);
}

TEST_F(AccountServiceTest, CreateAdminRefusesAnExistingEmailInAnyCase) {
  registered("Taken@Example.com");
  const std::string code = test::code_of(host_.call([&] {
    AccountService::create_admin(host_.container, "taken@example.com", "another-password");
    return sdk::Result::ok(nullptr);
  }));
  EXPECT_EQ(code, sdk::errc::kEmailTaken);
  EXPECT_EQ(test::db_count(databases_.auth_url(), "SELECT count(*) FROM users"), 1);
  EXPECT_EQ(test::db_scalar(databases_.auth_url(), "SELECT role FROM users"), "user");
  EXPECT_EQ(test::code_of(host_.login("taken@example.com", "another-password")), sdk::errc::kInvalidCredentials);
}

TEST_F(AccountServiceTest, PromoteAdminPromotesAnExistingUserAndKeepsTheirPassword) {
  registered("Promoted@Example.com");
  EXPECT_TRUE(AccountService::account_exists(host_.container, "promoted@example.com"));
  const std::string line = AccountService::promote_admin(host_.container, "promoted@example.com");
  EXPECT_NE(line.find("password is unchanged"), std::string::npos) << line;
  EXPECT_EQ(test::db_count(databases_.auth_url(), "SELECT count(*) FROM users"), 1);
  EXPECT_EQ(test::db_scalar(databases_.auth_url(), "SELECT role FROM users"), "admin");

  sdk::Result login = host_.login("promoted@example.com", kPassword);
  ASSERT_EQ(test::code_of(login), "OK");
  EXPECT_EQ(login.value().at("user").value("role", ""), "admin");
}

TEST_F(AccountServiceTest, PromoteAdminOfAnUnknownEmailIsUserNotFound) {
  EXPECT_FALSE(AccountService::account_exists(host_.container, "nobody@example.com"));
  const std::string code = test::code_of(host_.call([&] {
    AccountService::promote_admin(host_.container, "nobody@example.com");
    return sdk::Result::ok(nullptr);
  }));
  EXPECT_EQ(code, sdk::errc::kUserNotFound);
}

TEST_F(AccountServiceTest, CreateAdminRejectsInvalidInputAndStoresNothing) {
  auto code_for = [&](const std::string& email, const std::string& password) {
    return test::code_of(host_.call([&] {
      AccountService::create_admin(host_.container, email, password);
      return sdk::Result::ok(nullptr);
    }));
  };
  EXPECT_EQ(code_for("not-an-email", "admin-password"), sdk::errc::kValidation);
  EXPECT_EQ(code_for("admin@example.com", "short"), sdk::errc::kValidation);
  EXPECT_EQ(test::db_count(databases_.auth_url(), "SELECT count(*) FROM users"), 0);
}

}  // namespace
}  // namespace socrates

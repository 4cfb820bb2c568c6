// host::auth::AccountService on a migrated auth database, called the way the REST layer calls it:
// registration, login and its throttling, token rotation and reuse detection, logout, password
// change, legacy hashes, inactive accounts and create-admin. A second ServiceContainer with its
// own AccountService plays a second host instance sharing the database.
#include "host/auth/account_service.hpp"

#include "host/app/service_container.hpp"
#include "host/error_codes.hpp"
#include "support/integration_fixture.hpp"

#include <socrates/sdk/detail/guard.hpp>

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
// The client address of every call unless a test says otherwise (TEST-NET-1, RFC 5737).
constexpr const char* kAddress = "192.0.2.10";

bool is_rfc3339_utc(const std::string& text) {
  return std::regex_match(text, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)"));
}

bool is_lower_uuid(const std::string& text) {
  return std::regex_match(text, std::regex(R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"));
}

// One host instance: its own pools and its own AccountService over the shared databases.
struct HostInstance {
  explicit HostInstance(const host::Config& config)
      : container(config), accounts(container.auth_pool(), container.config()) {}

  // As the REST layer runs every account call: whatever is thrown becomes an error result.
  sdk::Result call(const std::function<sdk::Result()>& fn) {
    return sdk::detail::guarded(
        container, fn, [] { return std::string("account service test"); },
        [] { return sdk::Error{sdk::errc::kInternal, "the request could not be completed", json::object()}; });
  }

  sdk::Result register_user(const json& body, const std::string& address = kAddress) {
    return call([&] { return accounts.register_user(body, address); });
  }
  sdk::Result login(const std::string& email, const std::string& password, const std::string& address = kAddress) {
    return call([&] { return accounts.login({{"email", email}, {"password", password}}, address); });
  }
  sdk::Result refresh(const std::string& refresh_token, const std::string& address = kAddress) {
    return call([&] { return accounts.refresh({{"refresh_token", refresh_token}}, address); });
  }
  sdk::Result change_password(const AuthContext& context, const std::string& current, const std::string& next,
                              const std::string& address = kAddress) {
    return call([&] {
      return accounts.change_password(context, {{"current_password", current}, {"new_password", next}}, address);
    });
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
                                                      {"LOGIN_LOCKOUT_SECONDS", "300"},
                                                      {"LOGIN_ACCOUNT_MAX_ADDRESSES", "3"},
                                                      {"ADDRESS_MAX_FAILURES", "6"}})),
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
  ASSERT_EQ(test::code_of(again), host::errc::kEmailTaken);
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
  ASSERT_EQ(test::code_of(wrong_password), host::errc::kInvalidCredentials);
  ASSERT_EQ(test::code_of(unknown_email), host::errc::kInvalidCredentials);
  // Existence of an account must not leak through the message either.
  EXPECT_EQ(wrong_password.error().message, unknown_email.error().message);
  EXPECT_EQ(wrong_password.error().details, unknown_email.error().details);
}

TEST_F(AccountServiceTest, RepeatedFailuresLockTheEmailOnEveryHostInstance) {
  registered("target@example.com");
  registered("bystander@example.com");
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(test::code_of(host_.login("target@example.com", "guess-" + std::to_string(i))),
              host::errc::kInvalidCredentials)
        << "attempt " << i;

  // Even the right password is refused now: that is what stops guessing.
  sdk::Result locked = host_.login("target@example.com", kPassword);
  ASSERT_EQ(test::code_of(locked), host::errc::kTooManyAttempts);
  const json& details = locked.error().details;
  ASSERT_TRUE(details.contains("retry_after_s")) << details.dump();
  EXPECT_GT(details.at("retry_after_s").get<long long>(), 0);
  EXPECT_LE(details.at("retry_after_s").get<long long>(), 300);

  // Another host instance on the same database refuses too, whatever the email's case.
  HostInstance second(config_);
  EXPECT_EQ(test::code_of(second.login("TARGET@example.com", kPassword)), host::errc::kTooManyAttempts);
  // Only that email is locked.
  EXPECT_EQ(test::code_of(second.login("bystander@example.com", kPassword)), "OK");
}

// PostgreSQL folds the case of every letter (the account lookup and users_email_key use lower()),
// so "zoë" and "ZOË" are one account; guesses spread over case variants are guesses at one email.
TEST_F(AccountServiceTest, FailuresCountForTheEmailWhateverTheCaseOfItsNonAsciiLetters) {
  registered("zoë@example.com");
  ASSERT_EQ(test::code_of(host_.login("ZOË@example.com", kPassword)), "OK") << "the lookup folds case";

  EXPECT_EQ(test::code_of(host_.login("zoë@example.com", "guess-1")), host::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("zoË@example.com", "guess-2")), host::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("ZOË@EXAMPLE.COM", "guess-3")), host::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("zoë@example.com", kPassword)), host::errc::kTooManyAttempts)
      << "three failed logins for one account did not lock it";
}

TEST_F(AccountServiceTest, FailuresCountAcrossHostInstances) {
  registered("spread@example.com");
  HostInstance second(config_);
  // An attacker spreading guesses over instances gains nothing.
  EXPECT_EQ(test::code_of(host_.login("spread@example.com", "guess-1")), host::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(second.login("spread@example.com", "guess-2")), host::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("spread@example.com", "guess-3")), host::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(second.login("spread@example.com", kPassword)), host::errc::kTooManyAttempts);
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
  EXPECT_EQ(test::code_of(host_.refresh(first.at("refresh_token").get<std::string>())), host::errc::kTokenReused);
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
  EXPECT_EQ(test::code_of(host_.call([&] { return host_.accounts.refresh(json::object(), kAddress); })),
            sdk::errc::kValidation);
}

TEST_F(AccountServiceTest, LogoutRefusesTheAccessTokenOnEveryHostInstance) {
  registered("bye@example.com");
  const json tokens = logged_in("bye@example.com");
  const AuthContext context = context_of(tokens);
  HostInstance second(config_);
  ASSERT_EQ(refusal(second.authenticate(tokens.at("access_token").get<std::string>())), "ACCEPTED");

  sdk::Result out = host_.call([&] { return host_.accounts.logout(context, kAddress); });
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
  sdk::Result refused = host_.change_password(context, "wrong", "new-password-1");
  EXPECT_EQ(test::code_of(refused), host::errc::kInvalidCredentials);
  EXPECT_EQ(refusal(host_.authenticate(elsewhere.at("access_token").get<std::string>())), "ACCEPTED");

  sdk::Result changed = host_.change_password(context, kPassword, "new-password-1");
  ASSERT_EQ(test::code_of(changed), "OK");
  EXPECT_EQ(changed.outcome(), sdk::Outcome::kNoContent);

  EXPECT_EQ(refusal(host_.authenticate(current.at("access_token").get<std::string>())), "ACCEPTED");
  EXPECT_EQ(test::code_of(host_.refresh(current.at("refresh_token").get<std::string>())), "OK");
  EXPECT_EQ(refusal(host_.authenticate(elsewhere.at("access_token").get<std::string>())), sdk::errc::kUnauthenticated);
  EXPECT_NE(test::code_of(host_.refresh(elsewhere.at("refresh_token").get<std::string>())), "OK");

  EXPECT_EQ(test::code_of(host_.login("change@example.com", kPassword)), host::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("change@example.com", "new-password-1")), "OK");
}

TEST_F(AccountServiceTest, ChangePasswordValidatesTheNewPassword) {
  registered("weak@example.com");
  const AuthContext context = context_of(logged_in("weak@example.com"));
  sdk::Result result = host_.change_password(context, kPassword, "short");
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
  EXPECT_EQ(test::code_of(host_.login("legacy@example.com", "wrong horse")), host::errc::kInvalidCredentials);

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

  EXPECT_EQ(test::code_of(host_.login("gone@example.com", kPassword)), host::errc::kAccountInactive);
  EXPECT_EQ(refusal(host_.authenticate(tokens.at("access_token").get<std::string>())), host::errc::kAccountInactive);
  EXPECT_EQ(test::code_of(host_.refresh(tokens.at("refresh_token").get<std::string>())), host::errc::kAccountInactive);
  // A wrong password still answers like any wrong password: it proves nothing about the account.
  EXPECT_EQ(test::code_of(host_.login("gone@example.com", "wrong-password")), host::errc::kInvalidCredentials);
}

TEST_F(AccountServiceTest, CreateAdminCreatesAnAdminAccount) {
  const std::string line = AccountService::create_admin(host_.container.auth_pool(), "root@example.com", "admin-password");
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
    AccountService::create_admin(host_.container.auth_pool(), "taken@example.com", "another-password");
    return sdk::Result::ok(nullptr);
  }));
  EXPECT_EQ(code, host::errc::kEmailTaken);
  EXPECT_EQ(test::db_count(databases_.auth_url(), "SELECT count(*) FROM users"), 1);
  EXPECT_EQ(test::db_scalar(databases_.auth_url(), "SELECT role FROM users"), "user");
  EXPECT_EQ(test::code_of(host_.login("taken@example.com", "another-password")), host::errc::kInvalidCredentials);
}

TEST_F(AccountServiceTest, PromoteAdminPromotesAnExistingUserAndKeepsTheirPassword) {
  registered("Promoted@Example.com");
  EXPECT_TRUE(AccountService::account_exists(host_.container.auth_pool(), "promoted@example.com"));
  const std::string line = AccountService::promote_admin(host_.container.auth_pool(), "promoted@example.com");
  EXPECT_NE(line.find("password is unchanged"), std::string::npos) << line;
  EXPECT_EQ(test::db_count(databases_.auth_url(), "SELECT count(*) FROM users"), 1);
  EXPECT_EQ(test::db_scalar(databases_.auth_url(), "SELECT role FROM users"), "admin");

  sdk::Result login = host_.login("promoted@example.com", kPassword);
  ASSERT_EQ(test::code_of(login), "OK");
  EXPECT_EQ(login.value().at("user").value("role", ""), "admin");
}

TEST_F(AccountServiceTest, PromoteAdminOfAnUnknownEmailIsUserNotFound) {
  EXPECT_FALSE(AccountService::account_exists(host_.container.auth_pool(), "nobody@example.com"));
  const std::string code = test::code_of(host_.call([&] {
    AccountService::promote_admin(host_.container.auth_pool(), "nobody@example.com");
    return sdk::Result::ok(nullptr);
  }));
  EXPECT_EQ(code, host::errc::kUserNotFound);
}

TEST_F(AccountServiceTest, CreateAdminRejectsInvalidInputAndStoresNothing) {
  auto code_for = [&](const std::string& email, const std::string& password) {
    return test::code_of(host_.call([&] {
      AccountService::create_admin(host_.container.auth_pool(), email, password);
      return sdk::Result::ok(nullptr);
    }));
  };
  EXPECT_EQ(code_for("not-an-email", "admin-password"), sdk::errc::kValidation);
  EXPECT_EQ(code_for("admin@example.com", "short"), sdk::errc::kValidation);
  EXPECT_EQ(test::db_count(databases_.auth_url(), "SELECT count(*) FROM users"), 0);
}

// ---- throttling by client address (login_throttle.hpp)

TEST_F(AccountServiceTest, FailuresFromOneAddressLockOnlyThatAddressOutOfTheAccount) {
  registered("victim@example.com");
  const std::string attacker = "198.51.100.7";
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(test::code_of(host_.login("victim@example.com", "guess-" + std::to_string(i), attacker)),
              host::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("victim@example.com", kPassword, attacker)), host::errc::kTooManyAttempts);
  // The owner, from their own address, is not locked out by someone else's guesses.
  EXPECT_EQ(test::code_of(host_.login("victim@example.com", kPassword, "192.0.2.55")), "OK");
  // Nor on another host instance.
  HostInstance second(config_);
  EXPECT_EQ(test::code_of(second.login("victim@example.com", kPassword, attacker)), host::errc::kTooManyAttempts);
  EXPECT_EQ(test::code_of(second.login("victim@example.com", kPassword, "192.0.2.55")), "OK");
}

TEST_F(AccountServiceTest, FailuresFromManyAddressesLockTheAccountForEveryAddress) {
  registered("popular@example.com");
  // LOGIN_ACCOUNT_MAX_ADDRESSES is 3: a distributed attack, one guess from each address.
  for (const char* address : {"198.51.100.1", "198.51.100.2", "198.51.100.3"})
    ASSERT_EQ(test::code_of(host_.login("popular@example.com", "guess", address)), host::errc::kInvalidCredentials)
        << address;
  sdk::Result locked = host_.login("popular@example.com", kPassword, "192.0.2.99");
  ASSERT_EQ(test::code_of(locked), host::errc::kTooManyAttempts) << "an address that never failed is locked out too";
  EXPECT_GT(locked.error().details.value("retry_after_s", 0), 0);
  // Only that account.
  registered("quiet@example.com");
  EXPECT_EQ(test::code_of(host_.login("quiet@example.com", kPassword, "192.0.2.99")), "OK");
}

TEST_F(AccountServiceTest, OneAddressFailingOnManyAccountsIsRateLimitedOnEveryAuthenticationRoute) {
  registered("mine@example.com");
  const json tokens = logged_in("mine@example.com");
  const std::string sprayer = "203.0.113.50";
  // ADDRESS_MAX_FAILURES is 6, spread over accounts so no account's own limit (3) is reached.
  for (int i = 0; i < 6; ++i)
    ASSERT_EQ(test::code_of(host_.login("sprayed-" + std::to_string(i) + "@example.com", kPassword, sprayer)),
              host::errc::kInvalidCredentials);

  sdk::Result login = host_.login("mine@example.com", kPassword, sprayer);
  ASSERT_EQ(test::code_of(login), sdk::errc::kRateLimited);
  EXPECT_GT(login.error().details.value("retry_after_s", 0), 0);
  EXPECT_EQ(test::code_of(host_.register_user({{"email", "new@example.com"}, {"password", kPassword}}, sprayer)),
            sdk::errc::kRateLimited);
  EXPECT_EQ(test::code_of(host_.refresh(tokens.at("refresh_token").get<std::string>(), sprayer)),
            sdk::errc::kRateLimited);
  EXPECT_EQ(test::code_of(host_.change_password(context_of(tokens), kPassword, "new-password-1", sprayer)),
            sdk::errc::kRateLimited);
  // Every other address is served.
  EXPECT_EQ(test::code_of(host_.login("mine@example.com", kPassword)), "OK");
}

TEST_F(AccountServiceTest, IPv6AddressesAreCountedByTheirSlash64) {
  registered("v6@example.com");
  // Three addresses of one /64 are one address to the throttle.
  for (const char* address : {"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"})
    ASSERT_EQ(test::code_of(host_.login("v6@example.com", "guess", address)), host::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("v6@example.com", kPassword, "2001:db8:1:2::abcd")), host::errc::kTooManyAttempts);
  EXPECT_EQ(test::code_of(host_.login("v6@example.com", kPassword, "2001:db8:1:3::1")), "OK");
}

TEST_F(AccountServiceTest, TakenEmailsAndBadRefreshTokensCountAgainstTheAddress) {
  registered("taken@example.com");
  const std::string prober = "203.0.113.60";
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(test::code_of(host_.register_user({{"email", "taken@example.com"}, {"password", kPassword}}, prober)),
              host::errc::kEmailTaken);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(test::code_of(host_.refresh("made-up-token-" + std::to_string(i), prober)), sdk::errc::kUnauthenticated);
  EXPECT_EQ(test::code_of(host_.register_user({{"email", "fresh@example.com"}, {"password", kPassword}}, prober)),
            sdk::errc::kRateLimited);
  EXPECT_EQ(test::code_of(host_.register_user({{"email", "fresh@example.com"}, {"password", kPassword}})), "OK");
}

TEST_F(AccountServiceTest, WrongCurrentPasswordsCountAsFailedLogins) {
  registered("changer@example.com");
  const AuthContext context = context_of(logged_in("changer@example.com"));
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(test::code_of(host_.change_password(context, "guess-" + std::to_string(i), "new-password-1")),
              host::errc::kInvalidCredentials);
  // A stolen access token is no way around the login lock.
  EXPECT_EQ(test::code_of(host_.change_password(context, kPassword, "new-password-1")), host::errc::kTooManyAttempts);
  EXPECT_EQ(test::code_of(host_.login("changer@example.com", kPassword)), host::errc::kTooManyAttempts);
  EXPECT_EQ(test::code_of(host_.change_password(context, kPassword, "new-password-1", "192.0.2.77")), "OK");
}

TEST_F(AccountServiceTest, ARightPasswordForgetsThatAddressesFailures) {
  registered("forgetful@example.com");
  for (int i = 0; i < 2; ++i) ASSERT_EQ(test::code_of(host_.login("forgetful@example.com", "typo")), host::errc::kInvalidCredentials);
  ASSERT_EQ(test::code_of(host_.login("forgetful@example.com", kPassword)), "OK");
  for (int i = 0; i < 2; ++i) ASSERT_EQ(test::code_of(host_.login("forgetful@example.com", "typo")), host::errc::kInvalidCredentials);
  EXPECT_EQ(test::code_of(host_.login("forgetful@example.com", kPassword)), "OK");
}

// ---- the absolute login lifetime and the deletion of expired rows

TEST_F(AccountServiceTest, RefreshIsRefusedOnceTheLoginIsOlderThanItsLifetime) {
  registered("old@example.com");
  const json tokens = logged_in("old@example.com");
  const std::string login_id = context_of(tokens).login_id;
  // LOGIN_MAX_AGE_DAYS is 30: 29 days in, a refresh still works, and its token ends with the login.
  test::db_exec(databases_.auth_url(),
                "UPDATE logins SET created_at = now() - interval '29 days' WHERE id = '" + login_id + "'");
  sdk::Result renewed = host_.refresh(tokens.at("refresh_token").get<std::string>());
  ASSERT_EQ(test::code_of(renewed), "OK");
  EXPECT_EQ(test::db_count(databases_.auth_url(),
                           "SELECT count(*) FROM refresh_tokens WHERE spent_at IS NULL AND login_id = '" + login_id +
                               "' AND expires_at <= now() + interval '1 day' + interval '1 minute'"),
            1)
      << "the new refresh token outlives the login's lifetime";

  test::db_exec(databases_.auth_url(),
                "UPDATE logins SET created_at = now() - interval '30 days 1 second' WHERE id = '" + login_id + "'");
  sdk::Result refused = host_.refresh(renewed.value().at("refresh_token").get<std::string>());
  ASSERT_EQ(test::code_of(refused), sdk::errc::kUnauthenticated);
  EXPECT_NE(refused.error().message.find("maximum age"), std::string::npos) << refused.error().message;
  // Logging in again starts a new login.
  EXPECT_EQ(test::code_of(host_.login("old@example.com", kPassword)), "OK");
}

TEST_F(AccountServiceTest, DeleteExpiredRemovesWhatCanNeverBeUsedAgainAndKeepsTheRest) {
  registered("sweep@example.com");
  const json live = logged_in("sweep@example.com");
  const json too_old = logged_in("sweep@example.com");
  const json idle = logged_in("sweep@example.com");
  const std::string live_id = context_of(live).login_id;
  const std::string old_id = context_of(too_old).login_id;
  const std::string idle_id = context_of(idle).login_id;
  const std::string url = databases_.auth_url();
  test::db_exec(url, "UPDATE logins SET created_at = now() - interval '31 days' WHERE id = '" + old_id + "'");
  test::db_exec(url, "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE login_id = '" +
                         idle_id + "'");
  // A spent, expired token of the live login goes; the live one stays.
  ASSERT_EQ(test::code_of(host_.refresh(live.at("refresh_token").get<std::string>())), "OK");
  test::db_exec(url, "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE login_id = '" +
                         live_id + "' AND spent_at IS NOT NULL");
  // Counters: one whose window and lock are over, one still counting, one still locked.
  test::db_exec(url,
                "INSERT INTO login_attempts (email_key, address, failures, window_started_at, locked_until) VALUES "
                "('a@example.com', '192.0.2.1', 2, now() - interval '1 hour', NULL), "
                "('b@example.com', '192.0.2.1', 2, now(), NULL), "
                "('c@example.com', '192.0.2.1', 0, now() - interval '1 hour', now() + interval '1 minute')");
  test::db_exec(url,
                "INSERT INTO address_throttles (address, failures, window_started_at) VALUES "
                "('192.0.2.2', 3, now() - interval '1 hour'), ('192.0.2.3', 3, now())");
  test::db_exec(url,
                "INSERT INTO account_locks (email_key, locked_until) VALUES "
                "('d@example.com', now() - interval '1 second'), ('e@example.com', now() + interval '1 minute')");

  const json deleted = host_.accounts.delete_expired();
  ASSERT_TRUE(deleted.is_object()) << deleted.dump();
  EXPECT_EQ(deleted.value("logins", -1), 2) << deleted.dump();
  EXPECT_EQ(deleted.value("refresh_tokens", -1), 1) << deleted.dump();
  EXPECT_EQ(deleted.value("login_attempts", -1), 1) << deleted.dump();
  EXPECT_EQ(deleted.value("address_throttles", -1), 1) << deleted.dump();
  EXPECT_EQ(deleted.value("account_locks", -1), 1) << deleted.dump();

  EXPECT_EQ(test::db_count(url, "SELECT count(*) FROM logins"), 1);
  EXPECT_EQ(test::db_scalar(url, "SELECT id::text FROM logins"), live_id);
  EXPECT_EQ(test::db_count(url, "SELECT count(*) FROM refresh_tokens"), 1);
  EXPECT_EQ(test::db_count(url, "SELECT count(*) FROM login_attempts"), 2);
  EXPECT_EQ(test::db_count(url, "SELECT count(*) FROM address_throttles"), 1);
  EXPECT_EQ(test::db_count(url, "SELECT count(*) FROM account_locks"), 1);
  // The surviving login works as before; a deleted one is refused.
  EXPECT_EQ(refusal(host_.authenticate(live.at("access_token").get<std::string>())), "ACCEPTED");
  EXPECT_EQ(refusal(host_.authenticate(too_old.at("access_token").get<std::string>())), sdk::errc::kUnauthenticated);

  // Again: nothing left to delete.
  const json again = host_.accounts.delete_expired();
  EXPECT_EQ(again.value("logins", -1), 0) << again.dump();
}

TEST_F(AccountServiceTest, OnlyOneHostSweepsAtATime) {
  // Another host's sweep in progress holds the advisory lock: this one skips instead of waiting.
  HostInstance second(config_);
  sdk::Db db = second.container.auth_pool().open();
  db.begin();
  ASSERT_TRUE(db.query_one("SELECT pg_try_advisory_xact_lock(7382910455) AS mine")->boolean("mine"));
  EXPECT_TRUE(host_.accounts.delete_expired().is_null());
  db.commit();
  EXPECT_TRUE(host_.accounts.delete_expired().is_object());
}

}  // namespace
}  // namespace socrates

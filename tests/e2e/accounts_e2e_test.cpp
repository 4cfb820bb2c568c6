// Accounts over real HTTP: registration and its validation, both login flows, throttling, refresh
// rotation and reuse detection, logout (seen by a second host process), me, change-password.
#include "e2e/e2e_helpers.hpp"

#include <algorithm>
#include <cctype>
#include <thread>

namespace socrates::test::e2e {
namespace {

class AccountsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A low threshold and a short lockout keep the throttling tests short; throttling is per
    // email and address, so the other tests (each with its own users) never trip it.
    host_ = new HostUnderTest(EnvMap{{"LOGIN_MAX_FAILURES", "3"}, {"LOGIN_LOCKOUT_SECONDS", "2"}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override { expect_host_started(host_); }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }

  Response refresh(const std::string& token) const {
    return client().post("/api/v1/auth/refresh", {{"refresh_token", token}});
  }

  static HostUnderTest* host_;
};

HostUnderTest* AccountsE2eTest::host_ = nullptr;

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

TEST_F(AccountsE2eTest, RegisterAnswers201WithTheUserObject) {
  const std::string email = unique_email("register");
  const auto response = register_user(client(), email, "long enough password", "Ada Lovelace");
  ASSERT_EQ(response.status, 201) << describe(response);
  const auto user = response.json();
  EXPECT_TRUE(IsUserObject(user));
  EXPECT_EQ(user["email"], email);
  EXPECT_EQ(user["name"], "Ada Lovelace");
  EXPECT_EQ(user["role"], "user");
  EXPECT_EQ(user["status"], "active");
  EXPECT_TRUE(is_lower_uuid(response.header("x-request-id").value_or(""))) << describe(response);
}

TEST_F(AccountsE2eTest, RegisterWithoutANameIsAccepted) {
  const auto response =
      client().post("/api/v1/auth/register", {{"email", unique_email()}, {"password", "long enough password"}});
  ASSERT_EQ(response.status, 201) << describe(response);
  EXPECT_TRUE(IsUserObject(response.json()));
}

TEST_F(AccountsE2eTest, RegisterTheSameEmailInAnotherCaseAnswers409EmailTaken) {
  const std::string email = unique_email("taken");
  ASSERT_EQ(register_user(client(), email, "long enough password").status, 201);
  EXPECT_TRUE(IsApiError(register_user(client(), email, "another password 1"), 409, "EMAIL_TAKEN"));
  EXPECT_TRUE(IsApiError(register_user(client(), upper(email), "another password 1"), 409, "EMAIL_TAKEN"));
}

TEST_F(AccountsE2eTest, RegisterRefusesABadEmail) {
  for (const char* email : {"not-an-email", "a@b", "@example.com", "two@@example.com", "spa ce@example.com"}) {
    SCOPED_TRACE(email);
    EXPECT_TRUE(IsValidationError(register_user(client(), email, "long enough password"), "email"));
  }
}

TEST_F(AccountsE2eTest, RegisterRefusesAPasswordOutside8To128Characters) {
  EXPECT_TRUE(IsValidationError(register_user(client(), unique_email(), "1234567"), "password"));
  EXPECT_TRUE(IsValidationError(register_user(client(), unique_email(), std::string(129, 'x')), "password"));
  // The bounds themselves are accepted.
  EXPECT_EQ(register_user(client(), unique_email(), "12345678").status, 201);
  EXPECT_EQ(register_user(client(), unique_email(), std::string(128, 'x')).status, 201);
}

TEST_F(AccountsE2eTest, RegisterRefusesWrongTypes) {
  EXPECT_TRUE(IsValidationError(
      client().post("/api/v1/auth/register", {{"email", unique_email()}, {"password", 12345678}}), "password"));
  EXPECT_TRUE(IsValidationError(
      client().post("/api/v1/auth/register", {{"email", 42}, {"password", "long enough password"}}), "email"));
  EXPECT_TRUE(IsValidationError(client().post("/api/v1/auth/register", {{"email", unique_email()},
                                                                         {"password", "long enough password"},
                                                                         {"name", nlohmann::json::array()}}),
                                "name"));
}

TEST_F(AccountsE2eTest, RegisterRefusesMissingFields) {
  EXPECT_TRUE(IsValidationError(client().post("/api/v1/auth/register", {{"password", "long enough password"}}),
                                "email"));
  EXPECT_TRUE(IsValidationError(client().post("/api/v1/auth/register", {{"email", unique_email()}}), "password"));
}

TEST_F(AccountsE2eTest, RegisterRefusesABodyThatIsNotAJsonObject) {
  EXPECT_TRUE(IsValidationError(client().request("POST", "/api/v1/auth/register", "{\"email\": "), "body"));
  EXPECT_TRUE(IsValidationError(client().request("POST", "/api/v1/auth/register", "[1, 2, 3]"), "body"));
  EXPECT_TRUE(IsValidationError(client().request("POST", "/api/v1/auth/register", "\"text\""), "body"));
  EXPECT_TRUE(IsValidationError(client().request("POST", "/api/v1/auth/register", ""), "body"));
}

TEST_F(AccountsE2eTest, RegisterIgnoresUnknownFieldsAndCannotChooseItsRole) {
  const auto response = client().post("/api/v1/auth/register", {{"email", unique_email()},
                                                                 {"password", "long enough password"},
                                                                 {"role", "admin"},
                                                                 {"status", "suspended"},
                                                                 {"favourite_colour", "green"}});
  ASSERT_EQ(response.status, 201) << describe(response);
  EXPECT_EQ(response.json()["role"], "user");
  EXPECT_EQ(response.json()["status"], "active");
}

TEST_F(AccountsE2eTest, LoginWithJsonAnswersTheTokenPair) {
  const std::string email = unique_email("login");
  ASSERT_EQ(register_user(client(), email, "long enough password").status, 201);
  const auto response = login(client(), email, "long enough password");
  ASSERT_EQ(response.status, 200) << describe(response);
  const auto body = response.json();
  EXPECT_TRUE(body["access_token"].is_string() && !body["access_token"].get<std::string>().empty());
  EXPECT_TRUE(body["refresh_token"].is_string() && !body["refresh_token"].get<std::string>().empty());
  EXPECT_EQ(body["token_type"], "bearer");
  EXPECT_EQ(body["expires_in"], 1800);
  EXPECT_TRUE(IsUserObject(body["user"]));
  EXPECT_EQ(body["user"]["email"], email);
  // The access token works.
  EXPECT_EQ(client().get("/api/v1/auth/me", body["access_token"].get<std::string>()).status, 200);
}

TEST_F(AccountsE2eTest, LoginWithTheOAuth2PasswordForm) {
  const std::string email = unique_email("form");
  const std::string password = "form password & more = fun";
  ASSERT_EQ(register_user(client(), email, password).status, 201);
  const auto response =
      client().request("POST", "/api/v1/auth/login", "username=" + url_encode(email) + "&password=" + url_encode(password),
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_EQ(response.json()["token_type"], "bearer");
  EXPECT_EQ(response.json()["user"]["email"], email);
  EXPECT_EQ(client().get("/api/v1/auth/me", response.json()["access_token"].get<std::string>()).status, 200);
}

TEST_F(AccountsE2eTest, LoginFormWithoutAPasswordIsAValidationError) {
  const auto response = client().request("POST", "/api/v1/auth/login", "username=" + url_encode(unique_email()),
                                         {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_TRUE(IsValidationError(response, "password"));
}

TEST_F(AccountsE2eTest, LoginComparesEmailsCaseInsensitively) {
  const std::string email = unique_email("case");
  ASSERT_EQ(register_user(client(), email, "long enough password").status, 201);
  EXPECT_EQ(login(client(), upper(email), "long enough password").status, 200);
}

TEST_F(AccountsE2eTest, UnknownEmailAndWrongPasswordGetTheSameAnswer) {
  const std::string email = unique_email("known");
  ASSERT_EQ(register_user(client(), email, "long enough password").status, 201);
  const auto wrong_password = login(client(), email, "not the password");
  const auto unknown_email = login(client(), unique_email("unknown"), "not the password");
  ASSERT_TRUE(IsApiError(wrong_password, 401, "INVALID_CREDENTIALS"));
  ASSERT_TRUE(IsApiError(unknown_email, 401, "INVALID_CREDENTIALS"));
  // Nothing but the request id may differ, or the answer tells which emails have accounts.
  EXPECT_EQ(wrong_password.json()["error"], unknown_email.json()["error"]);
}

TEST_F(AccountsE2eTest, RepeatedFailuresAnswer429WithRetryAfterEvenForTheRightPassword) {
  const std::string email = unique_email("throttle");
  ASSERT_EQ(register_user(client(), email, "long enough password").status, 201);
  // The failures count per account whatever the case of the email they were typed with.
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    const std::string typed = i == 1 ? upper(email) : email;
    ASSERT_TRUE(IsApiError(login(client(), typed, "guess " + std::to_string(i)), 401, "INVALID_CREDENTIALS"));
  }
  const auto locked = login(client(), email, "long enough password");
  ASSERT_TRUE(IsApiError(locked, 429, "TOO_MANY_ATTEMPTS"));
  const std::string retry_after = locked.header("retry-after").value_or("");
  ASSERT_FALSE(retry_after.empty()) << describe(locked);
  EXPECT_TRUE(std::all_of(retry_after.begin(), retry_after.end(), [](unsigned char c) { return std::isdigit(c); }))
      << retry_after;
  EXPECT_GT(std::stoll(retry_after), 0);
  EXPECT_LE(std::stoll(retry_after), 2) << "LOGIN_LOCKOUT_SECONDS is 2";
  // The lock is per email: someone else still logs in.
  const TestUser other = new_user(client());
  EXPECT_FALSE(other.access_token.empty());
}

TEST_F(AccountsE2eTest, TheLockoutEndsAfterItsTime) {
  const std::string email = unique_email("lockout");
  ASSERT_EQ(register_user(client(), email, "long enough password").status, 201);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(login(client(), email, "wrong").status, 401);
  const auto locked = login(client(), email, "long enough password");
  ASSERT_EQ(locked.status, 429) << describe(locked);
  // Its time passes in the database (where the host keeps it) instead of being slept out.
  exec_sql(host_->databases->auth_url(), "UPDATE login_attempts SET locked_until = now() - interval '1 second' "
                                         "WHERE email_key = lower('" + email + "') AND locked_until > now()");
  EXPECT_EQ(login(client(), email, "long enough password").status, 200);
}

TEST_F(AccountsE2eTest, ConcurrentRegistrationsOfOneEmailCreateExactlyOneAccount) {
  const std::string email = unique_email("race");
  std::vector<long> statuses(6, 0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < statuses.size(); ++i)
    threads.emplace_back([&, i] {
      const HttpClient c = client();
      statuses[i] = register_user(c, i % 2 ? upper(email) : email, "long enough password").status;
    });
  for (auto& t : threads) t.join();
  // A lost race is a 409 like any other taken email, never a 500.
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), static_cast<long>(statuses.size()) - 1);
}

TEST_F(AccountsE2eTest, ASuspendedAccountAnswers403AccountInactive) {
  const TestUser user = new_user(client());
  // No endpoint suspends an account yet; an operator does it in the database.
  exec_sql(host_->databases->auth_url(), "UPDATE users SET status = 'suspended' WHERE id = '" + user.id + "'");

  EXPECT_TRUE(IsApiError(client().get("/api/v1/auth/me", user.access_token), 403, "ACCOUNT_INACTIVE"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/projects", user.access_token), 403, "ACCOUNT_INACTIVE"));
  EXPECT_TRUE(IsApiError(login(client(), user.email, user.password), 403, "ACCOUNT_INACTIVE"));
  EXPECT_TRUE(IsApiError(refresh(user.refresh_token), 403, "ACCOUNT_INACTIVE"));
  // Without the right password, a suspended account looks like any other: nothing is revealed.
  EXPECT_TRUE(IsApiError(login(client(), user.email, "not the password"), 401, "INVALID_CREDENTIALS"));
}

TEST_F(AccountsE2eTest, RefreshRotatesThePair) {
  const TestUser user = new_user(client());
  const auto rotated = refresh(user.refresh_token);
  ASSERT_EQ(rotated.status, 200) << describe(rotated);
  const auto body = rotated.json();
  EXPECT_EQ(body["token_type"], "bearer");
  EXPECT_EQ(body["expires_in"], 1800);
  ASSERT_TRUE(body["refresh_token"].is_string());
  EXPECT_NE(body["refresh_token"], user.refresh_token);
  EXPECT_EQ(client().get("/api/v1/auth/me", body["access_token"].get<std::string>()).status, 200);
  // The new refresh token rotates again.
  EXPECT_EQ(refresh(body["refresh_token"].get<std::string>()).status, 200);
}

TEST_F(AccountsE2eTest, ASpentRefreshTokenAnswers401TokenReusedAndEndsTheLogin) {
  const TestUser user = new_user(client());
  const TestUser same_user_other_login = [&] {
    TestUser u = user;
    const auto second = login(client(), user.email, user.password);
    u.access_token = second.json().value("access_token", "");
    u.refresh_token = second.json().value("refresh_token", "");
    return u;
  }();
  const auto rotated = refresh(user.refresh_token);
  ASSERT_EQ(rotated.status, 200) << describe(rotated);
  const std::string new_access = rotated.json()["access_token"];
  const std::string new_refresh = rotated.json()["refresh_token"];

  const auto reused = refresh(user.refresh_token);
  EXPECT_TRUE(IsApiError(reused, 401, "TOKEN_REUSED"));
  EXPECT_TRUE(reused.header("www-authenticate").has_value());

  // Every token of that login is dead now: the rotated refresh token and the access tokens.
  EXPECT_TRUE(IsApiError(refresh(new_refresh), 401, "UNAUTHENTICATED"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/auth/me", new_access), 401, "UNAUTHENTICATED"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/auth/me", user.access_token), 401, "UNAUTHENTICATED"));
  // Another login of the same user was not copied and keeps working.
  EXPECT_EQ(client().get("/api/v1/auth/me", same_user_other_login.access_token).status, 200);
  EXPECT_EQ(refresh(same_user_other_login.refresh_token).status, 200);
}

TEST_F(AccountsE2eTest, TwoConcurrentRefreshesWithOneTokenSucceedOnce) {
  const TestUser user = new_user(client());
  long first = 0, second = 0;
  std::thread a([&] { first = refresh(user.refresh_token).status; });
  std::thread b([&] { second = refresh(user.refresh_token).status; });
  a.join();
  b.join();
  // One wins; the other is a reuse (401), never a second valid pair.
  EXPECT_EQ(std::min(first, second), 200) << first << " " << second;
  EXPECT_EQ(std::max(first, second), 401) << first << " " << second;
}

TEST_F(AccountsE2eTest, RefreshWithAnUnknownTokenAnswers401) {
  EXPECT_TRUE(IsApiError(refresh("not-a-refresh-token"), 401, "UNAUTHENTICATED"));
  EXPECT_TRUE(IsValidationError(client().post("/api/v1/auth/refresh", nlohmann::json::object()), "refresh_token"));
}

TEST_F(AccountsE2eTest, LogoutAnswers204AndTheTokensAreRefusedAfterwards) {
  const TestUser user = new_user(client());
  const auto logout = client().post("/api/v1/auth/logout", nullptr, user.access_token);
  ASSERT_EQ(logout.status, 204) << describe(logout);
  EXPECT_TRUE(logout.body.empty()) << logout.body;
  EXPECT_TRUE(IsApiError(client().get("/api/v1/auth/me", user.access_token), 401, "UNAUTHENTICATED"));
  EXPECT_TRUE(IsApiError(refresh(user.refresh_token), 401, "UNAUTHENTICATED"));
  // Logging in again works.
  EXPECT_EQ(login(client(), user.email, user.password).status, 200);
}

TEST_F(AccountsE2eTest, LogoutWithoutATokenAnswers401) {
  EXPECT_TRUE(IsApiError(client().post("/api/v1/auth/logout", nullptr), 401, "UNAUTHENTICATED"));
}

TEST_F(AccountsE2eTest, LogoutOnOneHostIsHonouredByAnotherHostOnTheSameDatabases) {
  // A second instance, as behind a load balancer: same databases, same secret, other port.
  HostProcess second(host_->env);
  ASSERT_NO_THROW(second.start());
  const HttpClient b(second.base_url());
  ASSERT_NE(second.port(), host_->process->port());

  const TestUser user = new_user(client());
  ASSERT_EQ(b.get("/api/v1/auth/me", user.access_token).status, 200) << "a token issued by A works on B";
  ASSERT_EQ(client().post("/api/v1/auth/logout", nullptr, user.access_token).status, 204);
  EXPECT_TRUE(IsApiError(b.get("/api/v1/auth/me", user.access_token), 401, "UNAUTHENTICATED"));
  EXPECT_TRUE(IsApiError(b.post("/api/v1/auth/refresh", {{"refresh_token", user.refresh_token}}), 401,
                         "UNAUTHENTICATED"));
  EXPECT_EQ(second.stop(), 0) << second.stderr_text();
}

TEST_F(AccountsE2eTest, MeAnswersTheCallersUserObject) {
  const std::string email = unique_email("me");
  const auto registered = register_user(client(), email, "long enough password", "Me Myself");
  ASSERT_EQ(registered.status, 201);
  const std::string token = login(client(), email, "long enough password").json()["access_token"];
  const auto me = client().get("/api/v1/auth/me", token);
  ASSERT_EQ(me.status, 200) << describe(me);
  EXPECT_TRUE(IsUserObject(me.json()));
  EXPECT_EQ(me.json(), registered.json());
}

TEST_F(AccountsE2eTest, ChangePasswordKeepsThisLoginAndEndsTheOthers) {
  const TestUser user = new_user(client());
  const auto other_login = login(client(), user.email, user.password).json();
  const std::string other_access = other_login["access_token"];
  const std::string other_refresh = other_login["refresh_token"];
  const std::string new_password = "a brand new password";

  const auto changed = client().post("/api/v1/auth/change-password",
                                     {{"current_password", user.password}, {"new_password", new_password}},
                                     user.access_token);
  ASSERT_EQ(changed.status, 204) << describe(changed);

  EXPECT_TRUE(IsApiError(login(client(), user.email, user.password), 401, "INVALID_CREDENTIALS"));
  EXPECT_EQ(login(client(), user.email, new_password).status, 200);
  // The other login is over...
  EXPECT_TRUE(IsApiError(client().get("/api/v1/auth/me", other_access), 401, "UNAUTHENTICATED"));
  EXPECT_TRUE(IsApiError(refresh(other_refresh), 401, "UNAUTHENTICATED"));
  // ...while the one that changed the password carries on.
  EXPECT_EQ(client().get("/api/v1/auth/me", user.access_token).status, 200);
  EXPECT_EQ(refresh(user.refresh_token).status, 200);
}

TEST_F(AccountsE2eTest, ChangePasswordWithAWrongCurrentPasswordAnswers401AndChangesNothing) {
  const TestUser user = new_user(client());
  const auto refused = client().post("/api/v1/auth/change-password",
                                     {{"current_password", "not it at all"}, {"new_password", "a brand new password"}},
                                     user.access_token);
  EXPECT_TRUE(IsApiError(refused, 401, "INVALID_CREDENTIALS"));
  EXPECT_EQ(login(client(), user.email, user.password).status, 200);
  // A wrong current password is not a bad access token: the caller stays signed in.
  EXPECT_EQ(client().get("/api/v1/auth/me", user.access_token).status, 200);
}

TEST_F(AccountsE2eTest, ChangePasswordValidatesTheNewPassword) {
  const TestUser user = new_user(client());
  EXPECT_TRUE(IsValidationError(client().post("/api/v1/auth/change-password",
                                              {{"current_password", user.password}, {"new_password", "short"}},
                                              user.access_token),
                                "new_password"));
  EXPECT_TRUE(IsValidationError(
      client().post("/api/v1/auth/change-password", {{"current_password", user.password}}, user.access_token),
      "new_password"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/auth/change-password",
                                       {{"current_password", user.password}, {"new_password", "long enough 123"}}),
                         401, "UNAUTHENTICATED"));
}

}  // namespace
}  // namespace socrates::test::e2e

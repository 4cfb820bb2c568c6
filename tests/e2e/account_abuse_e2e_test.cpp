// Accounts under abuse, over real HTTP against the real binary: throttling by client address as
// well as by account (so an attacker cannot lock the owner out), X-Forwarded-For believed only from
// TRUSTED_PROXIES, client addresses in the log, the bounded password-hashing pool answering 429,
// the absolute login lifetime, the periodic deletion of expired rows, and Cache-Control: no-store
// on every answer that carries tokens.
#include "e2e/e2e_helpers.hpp"

#include "support/gate.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <thread>
#include <vector>

namespace socrates::test::e2e {
namespace {

constexpr const char* kPassword = "long enough password";

// One integer from the test database (the first column of the only row).
long long scalar(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1)
    throw std::runtime_error("'" + sql + "' failed: " + PQresultErrorMessage(result.get()));
  return std::stoll(PQgetvalue(result.get(), 0, 0));
}

// The request as a client behind the proxy at 127.0.0.1 would send it through that proxy.
Response post_from(const HttpClient& client, const std::string& address, const std::string& path,
                   const nlohmann::json& body, const std::string& token = "") {
  Headers headers{{"X-Forwarded-For", address}};
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  return client.request("POST", path, body.dump(), headers);
}

Response login_from(const HttpClient& client, const std::string& address, const std::string& email,
                    const std::string& password) {
  return post_from(client, address, "/api/v1/auth/login", {{"email", email}, {"password", password}});
}

::testing::AssertionResult HasRetryAfter(const Response& response) {
  const std::string value = response.header("retry-after").value_or("");
  if (value.empty() || !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      std::stoll(value) <= 0)
    return ::testing::AssertionFailure() << "no positive Retry-After\n" << describe(response);
  return ::testing::AssertionSuccess();
}

// A fresh address per test, so the suite's tests never share counters (TEST-NET-3).
std::string fresh_address() {
  static std::atomic<int> next{1};
  return "203.0.113." + std::to_string(next++);
}

class AccountAbuseE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The tests play clients behind a proxy on 127.0.0.1, each with its own X-Forwarded-For.
    host_ = new HostUnderTest(EnvMap{{"TRUSTED_PROXIES", "127.0.0.1"},
                                     {"LOGIN_MAX_FAILURES", "3"},
                                     {"LOGIN_ACCOUNT_MAX_ADDRESSES", "4"},
                                     {"ADDRESS_MAX_FAILURES", "5"},
                                     {"CLEANUP_INTERVAL_SECONDS", "1"},
                                     {"LOG_LEVEL", "info"}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override { expect_host_started(host_); }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }
  std::string auth_url() const { return host_->databases->auth_url(); }

  std::string registered() const {
    const std::string email = unique_email("abuse");
    const auto response = post_from(client(), fresh_address(), "/api/v1/auth/register",
                                    {{"email", email}, {"password", kPassword}});
    if (response.status != 201) throw std::runtime_error("register failed: " + describe(response));
    return email;
  }

  static HostUnderTest* host_;
};

HostUnderTest* AccountAbuseE2eTest::host_ = nullptr;

TEST_F(AccountAbuseE2eTest, AnAttackerFailingOnTheVictimsEmailLocksOutOnlyItself) {
  const std::string email = registered();
  const std::string attacker = fresh_address();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(IsApiError(login_from(client(), attacker, email, "guess " + std::to_string(i)), 401,
                           "INVALID_CREDENTIALS"));
  const auto locked = login_from(client(), attacker, email, kPassword);
  ASSERT_TRUE(IsApiError(locked, 429, "TOO_MANY_ATTEMPTS"));
  EXPECT_TRUE(HasRetryAfter(locked));

  // The owner, from their own address, still gets in.
  const auto owner = login_from(client(), fresh_address(), email, kPassword);
  ASSERT_EQ(owner.status, 200) << describe(owner);
  EXPECT_EQ(owner.header("cache-control").value_or(""), "no-store");
}

TEST_F(AccountAbuseE2eTest, FailuresFromManyAddressesLockTheAccountForEveryone) {
  const std::string email = registered();
  // LOGIN_ACCOUNT_MAX_ADDRESSES is 4: one guess from each of four addresses.
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(IsApiError(login_from(client(), fresh_address(), email, "guess"), 401, "INVALID_CREDENTIALS"));
  const auto locked = login_from(client(), fresh_address(), email, kPassword);
  ASSERT_TRUE(IsApiError(locked, 429, "TOO_MANY_ATTEMPTS"));
  EXPECT_TRUE(HasRetryAfter(locked));
}

TEST_F(AccountAbuseE2eTest, AnAddressFailingOnManyAccountsGets429RateLimitedOnEveryAuthenticationRoute) {
  const std::string email = registered();
  const auto owner = login_from(client(), fresh_address(), email, kPassword);
  ASSERT_EQ(owner.status, 200) << describe(owner);
  const std::string access = owner.json()["access_token"];
  const std::string refresh = owner.json()["refresh_token"];

  const std::string sprayer = fresh_address();
  // ADDRESS_MAX_FAILURES is 5, each on another account (no account reaches its own limit).
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(IsApiError(login_from(client(), sprayer, unique_email("sprayed"), kPassword), 401,
                           "INVALID_CREDENTIALS"));

  const Response answers[] = {
      login_from(client(), sprayer, email, kPassword),
      post_from(client(), sprayer, "/api/v1/auth/register", {{"email", unique_email("new")}, {"password", kPassword}}),
      post_from(client(), sprayer, "/api/v1/auth/refresh", {{"refresh_token", refresh}}),
      post_from(client(), sprayer, "/api/v1/auth/change-password",
                {{"current_password", kPassword}, {"new_password", "another long password"}}, access),
  };
  for (const auto& answer : answers) {
    EXPECT_TRUE(IsApiError(answer, 429, "RATE_LIMITED"));
    EXPECT_TRUE(HasRetryAfter(answer));
  }
  // Everyone else is served.
  EXPECT_EQ(post_from(client(), fresh_address(), "/api/v1/auth/refresh", {{"refresh_token", refresh}}).status, 200);
}

TEST_F(AccountAbuseE2eTest, AWrongCurrentPasswordCountsAsAFailedLogin) {
  const std::string email = registered();
  const std::string address = fresh_address();
  const auto owner = login_from(client(), address, email, kPassword);
  ASSERT_EQ(owner.status, 200) << describe(owner);
  const std::string access = owner.json()["access_token"];
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(IsApiError(post_from(client(), address, "/api/v1/auth/change-password",
                                     {{"current_password", "guess " + std::to_string(i)},
                                      {"new_password", "another long password"}},
                                     access),
                           401, "INVALID_CREDENTIALS"));
  const auto locked = post_from(client(), address, "/api/v1/auth/change-password",
                                {{"current_password", kPassword}, {"new_password", "another long password"}}, access);
  ASSERT_TRUE(IsApiError(locked, 429, "TOO_MANY_ATTEMPTS"));
  EXPECT_TRUE(HasRetryAfter(locked));
  EXPECT_TRUE(IsApiError(login_from(client(), address, email, kPassword), 429, "TOO_MANY_ATTEMPTS"));
}

TEST_F(AccountAbuseE2eTest, EveryAuthenticationEventIsLoggedWithTheClientAddress) {
  const std::string address = fresh_address();
  const std::string email = unique_email("logged");
  ASSERT_EQ(post_from(client(), address, "/api/v1/auth/register", {{"email", email}, {"password", kPassword}}).status,
            201);
  ASSERT_EQ(login_from(client(), address, email, "wrong password").status, 401);
  const auto in = login_from(client(), address, email, kPassword);
  ASSERT_EQ(in.status, 200) << describe(in);
  const auto refreshed =
      post_from(client(), address, "/api/v1/auth/refresh", {{"refresh_token", in.json()["refresh_token"]}});
  ASSERT_EQ(refreshed.status, 200) << describe(refreshed);
  const std::string access = refreshed.json()["access_token"];
  ASSERT_EQ(post_from(client(), address, "/api/v1/auth/change-password",
                      {{"current_password", kPassword}, {"new_password", "another long password"}}, access)
                .status,
            204);
  ASSERT_EQ(post_from(client(), address, "/api/v1/auth/logout", nlohmann::json::object(), access).status, 204);

  const std::string tag = "\"address\":\"" + address + "\"";
  ASSERT_TRUE(eventually([&] {
    const std::string log = host_->process->stderr_text();
    return log.find("\"logout\"") != std::string::npos && log.find(tag) != std::string::npos;
  })) << host_->process->stderr_text();
  const std::string log = host_->process->stderr_text();
  for (const char* event : {"user registered", "login failed", "\"login\"", "\"refresh\"", "password changed",
                            "\"logout\""}) {
    bool found = false;
    for (std::size_t at = log.find(event); at != std::string::npos && !found; at = log.find(event, at + 1)) {
      const auto begin = log.rfind('\n', at) + 1;
      const auto line = log.substr(begin, log.find('\n', at) - begin);
      found = line.find(tag) != std::string::npos;
    }
    EXPECT_TRUE(found) << "no '" << event << "' line with " << tag;
  }
}

TEST_F(AccountAbuseE2eTest, TokenAnswersAreNotStored) {
  const std::string email = registered();
  const auto in = login_from(client(), fresh_address(), email, kPassword);
  ASSERT_EQ(in.status, 200) << describe(in);
  EXPECT_EQ(in.header("cache-control").value_or(""), "no-store") << describe(in);
  const auto refreshed =
      post_from(client(), fresh_address(), "/api/v1/auth/refresh", {{"refresh_token", in.json()["refresh_token"]}});
  ASSERT_EQ(refreshed.status, 200) << describe(refreshed);
  EXPECT_EQ(refreshed.header("cache-control").value_or(""), "no-store") << describe(refreshed);
  // The OAuth2 form flow too.
  const auto form = client().request("POST", "/api/v1/auth/login",
                                     "username=" + url_encode(email) + "&password=" + url_encode(kPassword),
                                     {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(form.status, 200) << describe(form);
  EXPECT_EQ(form.header("cache-control").value_or(""), "no-store");
}

TEST_F(AccountAbuseE2eTest, RefreshStopsOnceTheLoginIsOlderThanItsLifetime) {
  const std::string email = registered();
  const auto in = login_from(client(), fresh_address(), email, kPassword);
  ASSERT_EQ(in.status, 200) << describe(in);
  // LOGIN_MAX_AGE_DAYS is 30 by default: this login began 30 days and a minute ago.
  exec_sql(auth_url(), "UPDATE logins SET created_at = now() - interval '30 days 1 minute' WHERE user_id = '" +
                           in.json()["user"]["id"].get<std::string>() + "'");
  const auto refused =
      post_from(client(), fresh_address(), "/api/v1/auth/refresh", {{"refresh_token", in.json()["refresh_token"]}});
  ASSERT_TRUE(IsApiError(refused, 401, "UNAUTHENTICATED"));
  EXPECT_EQ(login_from(client(), fresh_address(), email, kPassword).status, 200) << "logging in again works";
}

TEST_F(AccountAbuseE2eTest, TheHostDeletesExpiredLoginsAndCountersPeriodically) {
  const std::string email = registered();
  const auto in = login_from(client(), fresh_address(), email, kPassword);
  ASSERT_EQ(in.status, 200) << describe(in);
  const std::string user_id = in.json()["user"]["id"];
  const auto live = login_from(client(), fresh_address(), email, kPassword);
  ASSERT_EQ(live.status, 200) << describe(live);
  const std::string live_token = live.json()["access_token"];
  // The first login past its lifetime, and a counter whose window ended long ago.
  exec_sql(auth_url(), "UPDATE logins SET created_at = now() - interval '31 days' WHERE user_id = '" + user_id +
                           "' AND id <> (SELECT login_id FROM refresh_tokens WHERE token_hash = encode(sha256('" +
                           live.json()["refresh_token"].get<std::string>() + "'::bytea), 'hex'))");
  exec_sql(auth_url(), "INSERT INTO address_throttles (address, failures, window_started_at) "
                       "VALUES ('192.0.2.200', 1, now() - interval '1 day')");

  // CLEANUP_INTERVAL_SECONDS is 1.
  EXPECT_TRUE(eventually(
      [&] {
        return scalar(auth_url(), "SELECT count(*) FROM logins WHERE user_id = '" + user_id + "'") == 1 &&
               scalar(auth_url(), "SELECT count(*) FROM address_throttles WHERE address = '192.0.2.200'") == 0;
      },
      std::chrono::seconds(20)))
      << "expired rows are still there";
  // The expired login's tokens went with it; the live one still works.
  EXPECT_TRUE(IsApiError(client().get("/api/v1/auth/me", in.json()["access_token"]), 401, "UNAUTHENTICATED"));
  EXPECT_EQ(client().get("/api/v1/auth/me", live_token).status, 200);
}

// Without TRUSTED_PROXIES nobody's X-Forwarded-For is believed: the peer address is the client.
TEST(AccountAbuseUntrustedProxyE2eTest, XForwardedForFromAnUntrustedPeerIsIgnored) {
  HostUnderTest host(EnvMap{{"LOGIN_MAX_FAILURES", "3"}});
  expect_host_started(&host);
  const HttpClient client = host.client();
  const std::string email = unique_email("untrusted");
  ASSERT_EQ(register_user(client, email, kPassword).status, 201);
  // Three failures claiming three addresses are three failures of 127.0.0.1 ...
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(login_from(client, "198.51.100." + std::to_string(i + 1), email, "guess").status, 401);
  // ... so a fourth claimed address is locked out as well.
  EXPECT_TRUE(IsApiError(login_from(client, "198.51.100.99", email, kPassword), 429, "TOO_MANY_ATTEMPTS"));
  expect_host_alive(&host);
}

// A flood of logins on a hashing pool of one thread and no queue: the logins that find it busy
// are answered 429 RATE_LIMITED at once, and the rest of the API keeps answering meanwhile.
TEST(AccountAbuseHashPoolE2eTest, AFloodOfLoginsIsAnswered429WhileOtherRoutesStillAnswer) {
  HostUnderTest host(EnvMap{{"HASH_WORKERS", "1"}, {"HASH_QUEUE", "0"}, {"WORKERS", "8"}});
  expect_host_started(&host);
  const HttpClient client = host.client();
  const TestUser user = new_user(client);

  std::atomic<bool> stop{false};
  std::atomic<int> rate_limited{0};
  std::atomic<int> other{0};
  std::vector<Response> refusals;
  std::mutex refusals_mutex;
  std::vector<std::thread> flood;
  for (int t = 0; t < 8; ++t) {
    flood.emplace_back([&] {
      const HttpClient mine = host.client();
      while (!stop) {
        const auto response = login(mine, user.email, user.password);
        if (response.status == 429) {
          ++rate_limited;
          std::lock_guard<std::mutex> lock(refusals_mutex);
          if (refusals.size() < 4) refusals.push_back(response);
        } else if (response.status != 200) {
          ++other;
        }
      }
    });
  }
  // While the flood lasts, the rest of the API answers.
  const bool saw_refusals = eventually([&] { return rate_limited.load() >= 3; }, std::chrono::seconds(30));
  const auto me = client.get("/api/v1/auth/me", user.access_token);
  const auto health = client.get("/health");
  stop = true;
  for (auto& thread : flood) thread.join();

  ASSERT_TRUE(saw_refusals) << "no login was refused with 429 in 30 s";
  EXPECT_EQ(me.status, 200) << describe(me);
  EXPECT_EQ(health.status, 200) << describe(health);
  EXPECT_EQ(other.load(), 0) << "every login answered 200 or 429";
  for (const auto& refusal : refusals) {
    EXPECT_TRUE(IsApiError(refusal, 429, "RATE_LIMITED"));
    EXPECT_TRUE(HasRetryAfter(refusal));
  }
  // Once the flood is over, logins go through again.
  EXPECT_EQ(login(client, user.email, user.password).status, 200);
  expect_host_alive(&host);
}

}  // namespace
}  // namespace socrates::test::e2e

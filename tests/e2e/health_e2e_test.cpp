// Health, administration and the edge rules every response follows (request ids, 404/405 in the
// error shape, CORS), against the real socrates-host over HTTP.
#include "e2e/e2e_helpers.hpp"

#include <algorithm>
#include <set>

namespace socrates::test::e2e {
namespace {

constexpr const char* kAllowedOrigin = "http://app.example";

class HealthE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Small, distinct pool sizes so that admin health is seen to report the configured ones.
    host_ = new HostUnderTest(EnvMap{{"CORS_ORIGINS", kAllowedOrigin}, {"DB_POOL_SIZE_AUTH", "3"}, {"DB_POOL_SIZE_SPECS", "2"}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override { expect_host_started(host_); }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }

  TestUser make_admin() const { return e2e::make_admin(client(), host_->env); }

  static HostUnderTest* host_;
};

HostUnderTest* HealthE2eTest::host_ = nullptr;

TEST_F(HealthE2eTest, LivenessAnswersOk) {
  const auto response = client().get("/health");
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_EQ(response.json(), nlohmann::json({{"status", "ok"}}));
  EXPECT_NE(response.header("content-type").value_or("").find("application/json"), std::string::npos);
}

TEST_F(HealthE2eTest, AdminHealthReportsDatabasesPoolsAndTheThreeAgents) {
  const auto response = client().get("/api/v1/admin/health");
  ASSERT_EQ(response.status, 200) << describe(response);
  const auto body = response.json();
  EXPECT_EQ(body["status"], "ok");
  EXPECT_TRUE(body["version"].is_string() && !body["version"].get<std::string>().empty()) << body.dump();
  ASSERT_TRUE(body["uptime_s"].is_number_integer()) << body.dump();
  EXPECT_GE(body["uptime_s"].get<long long>(), 0);

  for (const auto& [name, size] : std::vector<std::pair<std::string, int>>{{"auth", 3}, {"specs", 2}}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(body["databases"].contains(name)) << body.dump();
    const auto& db = body["databases"][name];
    EXPECT_EQ(db["status"], "ok");
    ASSERT_TRUE(db["latency_ms"].is_number()) << db.dump();
    EXPECT_GE(db["latency_ms"].get<double>(), 0.0);
    ASSERT_TRUE(db["pool"]["size"].is_number_integer()) << db.dump();
    ASSERT_TRUE(db["pool"]["idle"].is_number_integer()) << db.dump();
    EXPECT_EQ(db["pool"]["size"].get<int>(), size) << "the configured DB_POOL_SIZE_" << name;
    EXPECT_GE(db["pool"]["idle"].get<int>(), 0);
    EXPECT_LE(db["pool"]["idle"].get<int>(), size);
  }

  ASSERT_TRUE(body["agents"].is_array()) << body.dump();
  std::set<std::string> ids;
  for (const auto& agent : body["agents"]) {
    EXPECT_EQ(agent["status"], "ok") << agent.dump();
    ids.insert(agent["id"].get<std::string>());
  }
  EXPECT_EQ(ids, (std::set<std::string>{"project_manager", "socratic", "context"}));
}

TEST_F(HealthE2eTest, AdminStatsCountUsersAndProjects) {
  const TestUser admin = make_admin();
  const auto before = client().get("/api/v1/admin/stats", admin.access_token);
  ASSERT_EQ(before.status, 200) << describe(before);
  for (const char* key : {"users_total", "projects_total", "active_sessions", "specifications_total",
                          "questions_total", "open_conflicts", "llm_calls_today"}) {
    ASSERT_TRUE(before.json().contains(key)) << key << " in " << before.body;
    EXPECT_TRUE(before.json()[key].is_number_integer()) << key << " in " << before.body;
    EXPECT_GE(before.json()[key].get<long long>(), 0) << key;
  }
  EXPECT_GE(before.json()["users_total"].get<long long>(), 1);

  // One more user with one more project must show in the next answer.
  const TestUser user = new_user(client());
  ASSERT_EQ(client().post("/api/v1/projects", {{"name", "counted"}}, user.access_token).status, 201);
  const auto after = client().get("/api/v1/admin/stats", admin.access_token);
  ASSERT_EQ(after.status, 200) << describe(after);
  EXPECT_EQ(after.json()["users_total"].get<long long>(), before.json()["users_total"].get<long long>() + 1);
  EXPECT_EQ(after.json()["projects_total"].get<long long>(), before.json()["projects_total"].get<long long>() + 1);
}

TEST_F(HealthE2eTest, AdminAgentsListsEveryLoadedAgentWithItsStats) {
  const TestUser admin = make_admin();
  // One routed request so that project_manager has activity to report.
  ASSERT_EQ(client().get("/api/v1/projects", admin.access_token).status, 200);

  const auto response = client().get("/api/v1/admin/agents", admin.access_token);
  ASSERT_EQ(response.status, 200) << describe(response);
  const auto items = response.json()["items"];
  ASSERT_TRUE(items.is_array()) << response.body;
  ASSERT_EQ(items.size(), 3u) << response.body;
  std::set<std::string> ids;
  for (const auto& agent : items) {
    SCOPED_TRACE(agent.dump());
    ids.insert(agent["id"].get<std::string>());
    for (const char* key : {"id", "name", "version", "capabilities", "library", "sdk_version", "generation",
                            "loaded_at", "stats"})
      EXPECT_TRUE(agent.contains(key)) << key;
    EXPECT_TRUE(agent["capabilities"].is_array());
    EXPECT_NE(agent["library"].get<std::string>().find(".so"), std::string::npos);
    EXPECT_TRUE(agent["sdk_version"].is_string());
    EXPECT_TRUE(agent["generation"].is_number_integer());
    EXPECT_TRUE(is_rfc3339_utc(agent["loaded_at"]));
    EXPECT_TRUE(agent["stats"]["requests"].is_number_integer());
    EXPECT_TRUE(agent["stats"]["errors"].is_number_integer());
    EXPECT_TRUE(agent["stats"].contains("last_activity"));
    if (agent["id"] == "project_manager") {
      const auto caps = agent["capabilities"].get<std::vector<std::string>>();
      for (const char* action : {"create", "get", "list", "update", "archive", "restore"})
        EXPECT_NE(std::find(caps.begin(), caps.end(), action), caps.end()) << action;
      EXPECT_GE(agent["stats"]["requests"].get<long long>(), 1);
      EXPECT_TRUE(is_rfc3339_utc(agent["stats"]["last_activity"]));
    }
  }
  EXPECT_EQ(ids, (std::set<std::string>{"project_manager", "socratic", "context"}));
}

TEST_F(HealthE2eTest, AdminRoutesRefuseANormalUserWith403) {
  const TestUser user = new_user(client());
  for (const char* path : {"/api/v1/admin/stats", "/api/v1/admin/agents"}) {
    SCOPED_TRACE(path);
    EXPECT_TRUE(IsApiError(client().get(path, user.access_token), 403, "FORBIDDEN"));
  }
}

TEST_F(HealthE2eTest, AdminRoutesWithoutATokenAnswer401) {
  for (const char* path : {"/api/v1/admin/stats", "/api/v1/admin/agents"}) {
    SCOPED_TRACE(path);
    const auto response = client().get(path);
    EXPECT_TRUE(IsApiError(response, 401, "UNAUTHENTICATED"));
    EXPECT_TRUE(response.header("www-authenticate").has_value()) << describe(response);
  }
}

TEST_F(HealthE2eTest, CreateAdminPromotesAnExistingAccountWhoseTokenThenReachesAdminRoutes) {
  const TestUser user = new_user(client());
  ASSERT_EQ(client().get("/api/v1/admin/stats", user.access_token).status, 403);
  // Without --promote an existing account is refused, and nothing changes.
  const auto refused = run_command({"create-admin", "--email", user.email}, host_->env, std::chrono::seconds(60),
                                   "some new password\n");
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("--promote"), std::string::npos) << refused.err;
  EXPECT_EQ(client().get("/api/v1/admin/stats", user.access_token).status, 403);

  const auto result = run_command({"create-admin", "--email", user.email, "--promote"}, host_->env);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("promoted"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("password is unchanged"), std::string::npos) << result.out;
  // The role is read at every request, so the promotion takes effect without a new login.
  EXPECT_EQ(client().get("/api/v1/admin/stats", user.access_token).status, 200);
  // And the password did not change.
  EXPECT_EQ(login(client(), user.email, user.password).status, 200);
}

TEST_F(HealthE2eTest, UnknownPathAnswers404InTheErrorShape) {
  for (const char* path : {"/api/v1/no-such-thing", "/nope", "/api/v1/projects/a/b/c/d"}) {
    SCOPED_TRACE(path);
    EXPECT_TRUE(IsApiError(client().get(path), 404, "NOT_FOUND"));
  }
}

TEST_F(HealthE2eTest, WrongMethodAnswers405WithAnAllowHeader) {
  const auto on_health = client().request("DELETE", "/health");
  ASSERT_TRUE(IsApiError(on_health, 405, "METHOD_NOT_ALLOWED"));
  EXPECT_EQ(on_health.header("allow").value_or(""), "GET");

  const auto on_projects = client().request("PUT", "/api/v1/projects", "{}");
  ASSERT_TRUE(IsApiError(on_projects, 405, "METHOD_NOT_ALLOWED"));
  const std::string allow = on_projects.header("allow").value_or("");
  EXPECT_NE(allow.find("GET"), std::string::npos) << allow;
  EXPECT_NE(allow.find("POST"), std::string::npos) << allow;
}

TEST_F(HealthE2eTest, RequestIdIsEchoedWhenTheCallerSendsOne) {
  const std::string id = "e2e-trace-" + random_suffix();
  const auto ok = client().request("GET", "/health", "", {{"X-Request-Id", id}});
  EXPECT_EQ(ok.header("x-request-id").value_or(""), id) << describe(ok);

  // On an error it is also the body's request_id, so a support request can quote either.
  const auto error = client().request("GET", "/api/v1/nowhere", "", {{"X-Request-Id", id}});
  ASSERT_TRUE(IsApiError(error, 404, "NOT_FOUND"));
  EXPECT_EQ(error.json()["request_id"], id);
}

TEST_F(HealthE2eTest, RequestIdIsAFreshUuidWhenTheCallerSendsNone) {
  const auto first = client().get("/health");
  const auto second = client().get("/health");
  ASSERT_TRUE(first.header("x-request-id").has_value()) << describe(first);
  EXPECT_TRUE(is_lower_uuid(*first.header("x-request-id"))) << *first.header("x-request-id");
  EXPECT_NE(first.header("x-request-id"), second.header("x-request-id"));

  const auto error = client().get("/api/v1/nowhere");
  ASSERT_TRUE(IsApiError(error, 404, "NOT_FOUND"));
  EXPECT_TRUE(is_lower_uuid(error.json()["request_id"]));
}

TEST_F(HealthE2eTest, CorsAllowsTheConfiguredOrigin) {
  const auto response = client().request("GET", "/health", "", {{"Origin", kAllowedOrigin}});
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("access-control-allow-origin").value_or(""), kAllowedOrigin) << describe(response);
  // A browser script can read the request id only when it is exposed.
  EXPECT_NE(response.header("access-control-expose-headers").value_or("").find("X-Request-Id"), std::string::npos);
}

TEST_F(HealthE2eTest, CorsIgnoresAnotherOrigin) {
  const auto response = client().request("GET", "/health", "", {{"Origin", "http://evil.example"}});
  ASSERT_EQ(response.status, 200);
  EXPECT_FALSE(response.header("access-control-allow-origin").has_value()) << describe(response);
}

TEST_F(HealthE2eTest, CorsPreflightAnswers204WithTheAllowedMethods) {
  const auto response = client().request("OPTIONS", "/api/v1/projects", "",
                                         {{"Origin", kAllowedOrigin},
                                          {"Access-Control-Request-Method", "POST"},
                                          {"Access-Control-Request-Headers", "authorization, content-type"}});
  ASSERT_EQ(response.status, 204) << describe(response);
  EXPECT_TRUE(response.header("x-request-id").has_value()) << describe(response);
  EXPECT_EQ(response.header("access-control-allow-origin").value_or(""), kAllowedOrigin) << describe(response);
  const std::string methods = response.header("access-control-allow-methods").value_or("");
  EXPECT_NE(methods.find("POST"), std::string::npos) << describe(response);
  EXPECT_NE(methods.find("GET"), std::string::npos) << describe(response);
  const std::string headers = response.header("access-control-allow-headers").value_or("");
  EXPECT_NE(headers.find("Authorization"), std::string::npos) << describe(response);
  EXPECT_NE(headers.find("Content-Type"), std::string::npos) << describe(response);
}

TEST_F(HealthE2eTest, CorsPreflightFromAnotherOriginGrantsNothing) {
  const auto response = client().request("OPTIONS", "/api/v1/projects", "",
                                         {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_FALSE(response.header("access-control-allow-origin").has_value()) << describe(response);
  EXPECT_FALSE(response.header("access-control-allow-methods").has_value()) << describe(response);
}

TEST_F(HealthE2eTest, ABodyFarOverTheLimitIsRefusedInTheErrorShapeAndNothingElseSuffers) {
  // Twenty times the 1 MiB limit: refused once the limit and room for headers are buffered, in
  // the API's error shape with the caller's request id, and the rest of the upload is dropped.
  const std::string body(20 * 1024 * 1024, 'x');
  const auto response = client().request("POST", "/api/v1/auth/login", body, {{"X-Request-Id", "huge-1"}});
  ASSERT_TRUE(IsApiError(response, 413, "PAYLOAD_TOO_LARGE"));
  EXPECT_EQ(response.json()["request_id"], "huge-1");
  EXPECT_EQ(response.json()["error"]["details"]["max_bytes"], 1024 * 1024);
  EXPECT_EQ(response.header("connection").value_or(""), "Close") << describe(response);
  EXPECT_EQ(client().get("/health").status, 200);
}

TEST_F(HealthE2eTest, ARequestThatIsNotHttpGetsA400InTheErrorShape) {
  const std::string answer =
      exchange_raw(host_->process->port(), "GET /health HTTP/9.9\r\nHost: x\r\n\r\n", std::chrono::seconds(30));
  ASSERT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  const auto body_at = answer.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos) << answer;
  const auto body = nlohmann::json::parse(answer.substr(body_at + 4), nullptr, false);
  ASSERT_TRUE(body.is_object()) << answer;
  EXPECT_EQ(body["error"]["code"], "VALIDATION_ERROR") << answer;
  EXPECT_NE(body["error"]["message"].get<std::string>().find("not valid HTTP"), std::string::npos) << answer;
  EXPECT_TRUE(is_lower_uuid(body["request_id"])) << answer;
  EXPECT_NE(answer.find("Connection: Close"), std::string::npos) << answer;

  // The connection's later bytes are not read as requests: one answer, not two.
  const std::string twice = exchange_raw(host_->process->port(),
                                         "GET /health HTTP/9.9\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n",
                                         std::chrono::seconds(30));
  ASSERT_EQ(twice.rfind("HTTP/1.1 400", 0), 0u) << twice;
  EXPECT_EQ(twice.find("X-Request-Id:", twice.find("X-Request-Id:") + 1), std::string::npos) << twice;
  EXPECT_EQ(client().get("/health").status, 200);
}

}  // namespace
}  // namespace socrates::test::e2e

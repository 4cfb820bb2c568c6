// What an operator's tools see, on the real binary: GET /metrics (its counters move with the
// requests, agent calls, logins and LLM calls that happen; its access rules), GET /health/live and
// GET /health/ready (which goes 503 naming the check when a database goes away or a migration is
// pending, and comes back), and promtool's verdict on a scrape taken after a workload.
#include "e2e/e2e_helpers.hpp"

#include "support/fake_llm_server.hpp"
#include "support/pg_cluster.hpp"
#include "support/prometheus_text.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace socrates::test::e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kHangDeadline = 60s;  // only a hung host or database takes this long

class OperatorE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    llm_ = new FakeLlmServer();
    host_ = new HostUnderTest(EnvMap{{"LLM_PROVIDER", "openai"},
                                     {"LLM_BASE_URL", llm_->base_url() + "/v1"},
                                     {"LLM_MODEL", "fake-model"},
                                     {"LLM_MAX_RETRIES", "0"}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
    delete llm_;
    llm_ = nullptr;
  }
  void SetUp() override {
    expect_host_started(host_);
    llm_->reset();
  }
  void TearDown() override { expect_host_alive(host_); }

  static HttpClient client() { return host_->client(); }
  static std::string scrape() {
    const auto answer = client().get("/metrics");
    EXPECT_EQ(answer.status, 200) << describe(answer);
    return answer.body;
  }

  static FakeLlmServer* llm_;
  static HostUnderTest* host_;
};

FakeLlmServer* OperatorE2eTest::llm_ = nullptr;
HostUnderTest* OperatorE2eTest::host_ = nullptr;

TEST_F(OperatorE2eTest, RequestsAreCountedByRouteTemplateMethodAndStatusNeverByRawPath) {
  const TestUser user = new_user(client());
  const std::string missing = "/api/v1/projects/00000000-0000-4000-8000-000000000042";
  const std::string series =
      R"(socrates_http_requests_total{method="GET",route="/api/v1/projects/{project_id}",status="404"})";
  const std::string unmatched = R"(socrates_http_requests_total{method="GET",route="<unmatched>",status="404"})";
  const std::string before = scrape();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client().get(missing, user.access_token).status, 404);
  EXPECT_EQ(client().get("/no/such/path/" + random_suffix()).status, 404);
  const std::string after = scrape();
  EXPECT_EQ(counter_value(after, series) - counter_value(before, series), 3) << after;
  EXPECT_EQ(counter_value(after, unmatched) - counter_value(before, unmatched), 1);
  EXPECT_GE(metric_value(after, R"(socrates_http_request_duration_seconds_count{method="GET",route="/api/v1/projects/{project_id}"})"), 3);
  EXPECT_EQ(after.find("00000000-0000-4000-8000-000000000042"), std::string::npos) << "a raw path became a label";
  EXPECT_EQ(after.find("/no/such/path"), std::string::npos) << "a raw path became a label";
}

TEST_F(OperatorE2eTest, AnswersInPrometheusTextFormatWithThePoolsWorkersAndAgents) {
  const auto answer = client().get("/metrics");
  ASSERT_EQ(answer.status, 200) << describe(answer);
  EXPECT_EQ(answer.header("content-type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = answer.body;
  for (const char* pool : {"auth", "specs"}) {
    EXPECT_GT(metric_value(text, std::string("socrates_db_connections{pool=\"") + pool + "\"}"), 0) << text;
    EXPECT_GE(metric_value(text, std::string("socrates_db_connections_in_use{pool=\"") + pool + "\"}"), 0);
    EXPECT_GT(metric_value(text, std::string("socrates_db_lease_wait_seconds_count{pool=\"") + pool + "\"}"), 0);
  }
  EXPECT_GE(metric_value(text, "socrates_worker_queue_depth"), 0);
  EXPECT_GT(metric_value(text, "socrates_worker_threads"), 0);
  EXPECT_GE(metric_value(text, "socrates_http_connections_open"), 1);  // this scrape's own
  EXPECT_TRUE(has_metric_line(text, "# TYPE socrates_http_request_duration_seconds histogram"));
  for (const char* agent : {"context", "project_manager", "socratic"})
    EXPECT_NE(text.find(std::string("socrates_agent_info{agent=\"") + agent + "\",generation=\""), std::string::npos)
        << agent << "\n" << text;
}

TEST_F(OperatorE2eTest, AgentCallsAreCountedByAgentAndDeclaredAction) {
  const TestUser user = new_user(client());
  const std::string calls = R"(socrates_agent_calls_total{action="categories",agent="project_manager"})";
  const std::string unknown = R"(socrates_agent_calls_total{action="<unknown>",agent="project_manager"})";
  const std::string before = scrape();
  EXPECT_EQ(client().post("/api/v1/agents/project_manager/categories", json::object(), user.access_token).status, 200);
  EXPECT_EQ(client().post("/api/v1/agents/project_manager/categories", json::object(), user.access_token).status, 200);
  const std::string made_up = "no_such_action_" + random_suffix();
  EXPECT_TRUE(IsApiError(client().post("/api/v1/agents/project_manager/" + made_up, json::object(), user.access_token),
                         400, "UNSUPPORTED_ACTION"));
  const std::string after = scrape();
  EXPECT_EQ(counter_value(after, calls) - counter_value(before, calls), 2) << after;
  EXPECT_EQ(counter_value(after, unknown) - counter_value(before, unknown), 1);
  EXPECT_EQ(after.find(made_up), std::string::npos) << "an action name from the path became a label";
}

TEST_F(OperatorE2eTest, LoginsFailuresAndLLMCallsAreCounted) {
  const TestUser user = new_user(client());
  const std::string before = scrape();
  EXPECT_EQ(login(client(), user.email, user.password).status, 200);
  EXPECT_EQ(login(client(), user.email, "not the password").status, 401);
  const std::string project =
      client().post("/api/v1/projects", {{"name", "Metrics"}}, user.access_token).json().value("id", "");
  auto ask = [&] {
    const std::string session = client()
                                    .post("/api/v1/projects/" + project + "/sessions", json::object(), user.access_token)
                                    .json()
                                    .value("id", "");
    return client().post("/api/v1/sessions/" + session + "/next-question", json::object(), user.access_token).status;
  };
  llm_->push(FakeLlmServer::openai_question("Who will use it, and why does that matter to them?", "requirements"));
  EXPECT_EQ(ask(), 201);
  llm_->push(FakeLlmServer::openai_error(401, "invalid_api_key", "bad key"));
  EXPECT_EQ(ask(), 502);
  const std::string after = scrape();
  auto moved = [&](const std::string& series) { return counter_value(after, series) - counter_value(before, series); };
  EXPECT_EQ(moved(R"(socrates_logins_total{outcome="success"})"), 1) << after;
  EXPECT_EQ(moved(R"(socrates_logins_total{outcome="invalid_credentials"})"), 1);
  EXPECT_EQ(moved("socrates_auth_failures_total"), 1);
  EXPECT_EQ(moved(R"(socrates_llm_calls_total{outcome="ok",provider="openai",purpose="question"})"), 1);
  EXPECT_EQ(moved(R"(socrates_llm_calls_total{outcome="LLM_ERROR",provider="openai",purpose="question"})"), 1);
  EXPECT_EQ(moved(R"(socrates_llm_tokens_total{direction="input",provider="openai",purpose="question"})"), 13);
  EXPECT_EQ(moved(R"(socrates_llm_tokens_total{direction="output",provider="openai",purpose="question"})"), 5);
  EXPECT_EQ(moved(R"(socrates_llm_call_duration_seconds_count{provider="openai",purpose="question"})"), 2);
}

TEST_F(OperatorE2eTest, ReloadsAreCountedByOutcomeAndTheInfoCarriesTheNewGeneration) {
  const TestUser admin = make_admin(client(), host_->env);
  const std::string ok = R"(socrates_plugin_reloads_total{agent="socratic",outcome="ok"})";
  const std::string refused = R"(socrates_plugin_reloads_total{agent="socratic",outcome="refused"})";
  const std::string before = scrape();
  const auto reloaded = client().post("/api/v1/admin/agents/socratic/reload", json::object(), admin.access_token);
  ASSERT_EQ(reloaded.status, 200) << describe(reloaded);
  const std::string generation = std::to_string(reloaded.json().value("generation", 0));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/admin/agents/socratic/reload", {{"library", "/etc/passwd"}},
                                       admin.access_token),
                         422, "PLUGIN_INCOMPATIBLE"));
  const std::string after = scrape();
  EXPECT_EQ(counter_value(after, ok) - counter_value(before, ok), 1) << after;
  EXPECT_EQ(counter_value(after, refused) - counter_value(before, refused), 1);
  EXPECT_NE(after.find(R"(socrates_agent_info{agent="socratic",generation=")" + generation + "\""), std::string::npos)
      << after;
}

// Without METRICS_TOKEN only a direct loopback client is answered: one that came through a proxy
// (which connects from loopback too, and says so in X-Forwarded-For) is refused.
TEST_F(OperatorE2eTest, AProxiedScrapeIsRefusedWithoutAToken) {
  const auto refused = client().request("GET", "/metrics", "", {{"X-Forwarded-For", "203.0.113.9"}});
  EXPECT_TRUE(IsApiError(refused, 403, "FORBIDDEN"));
}

TEST_F(OperatorE2eTest, LiveAndReadyAnswerWhenAllIsWell) {
  const auto live = client().get("/health/live");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.json(), json({{"status", "ok"}}));
  const auto ready = client().get("/health/ready");
  ASSERT_EQ(ready.status, 200) << describe(ready);
  const json body = ready.json();
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["failed"], json::array());
  for (const char* check : {"auth_database", "specs_database", "auth_migrations", "specs_migrations", "agents"})
    EXPECT_EQ(body["checks"][check], json({{"ok", true}})) << check << ": " << body.dump();
}

// promtool (Debian's prometheus package) lints a scrape taken after the suite's workload, every
// kind of metric present: its verdict must be empty.
TEST_F(OperatorE2eTest, PromtoolFindsNoProblemInAScrapeAfterAWorkload) {
  const TestUser user = new_user(client());
  EXPECT_EQ(login(client(), user.email, "wrong password").status, 401);
  const std::string project =
      client().post("/api/v1/projects", {{"name", "Promtool"}}, user.access_token).json().value("id", "");
  const std::string session =
      client().post("/api/v1/projects/" + project + "/sessions", json::object(), user.access_token).json().value("id", "");
  llm_->push(FakeLlmServer::openai_question("What must the service never do, and why?", "constraints"));
  client().post("/api/v1/sessions/" + session + "/next-question", json::object(), user.access_token);
  client().post("/api/v1/agents/socratic/" + random_suffix(), json::object(), user.access_token);
  client().request("PATCH", "/health");  // 405
  client().get("/health/ready");

  const auto dir = std::filesystem::temp_directory_path() / ("socrates-promtool-" + random_suffix());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "scrape.txt") << scrape();
  const std::string command = "promtool check metrics < " + (dir / "scrape.txt").string() + " 2>&1";
  std::string verdict;
  int status = -1;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) verdict.append(chunk, n);
    status = ::pclose(pipe);
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(status, 0) << "promtool (scripts/install-deps.sh test installs it) said:\n" << verdict;
  EXPECT_EQ(verdict, "") << "promtool found problems";
}

// The token path: with METRICS_TOKEN set, every scrape (loopback too) must carry it.
TEST(OperatorTokenE2eTest, WithATokenEveryScrapeMustSendIt) {
  const std::string token = random_secret(32);
  HostUnderTest host(EnvMap{{"METRICS_TOKEN", token}});
  expect_host_started(&host);
  const auto client = host.client();
  const auto none = client.get("/metrics");
  EXPECT_TRUE(IsApiError(none, 401, "UNAUTHENTICATED"));
  EXPECT_EQ(none.header("www-authenticate").value_or(""), "Bearer");
  EXPECT_TRUE(IsApiError(client.get("/metrics", token + "x"), 401, "UNAUTHENTICATED"));
  EXPECT_TRUE(IsApiError(client.get("/metrics", random_secret(32)), 401, "UNAUTHENTICATED"));
  const auto through_proxy =
      client.request("GET", "/metrics", "", bearer(token, {{"X-Forwarded-For", "203.0.113.9"}}));
  EXPECT_EQ(through_proxy.status, 200) << describe(through_proxy);
  EXPECT_NE(through_proxy.body.find("socrates_http_requests_total"), std::string::npos);
  EXPECT_EQ(client.get("/metrics", token).status, 200);
}

// Readiness follows the databases: 503 naming both checks while PostgreSQL is stopped (liveness
// still 200), 200 again once it is back, with the same host process.
TEST(OperatorReadinessE2eTest, ReadyGoesUnavailableWithTheDatabaseAndComesBack) {
  PgCluster cluster(PgCluster::Durability::kFast);
  auto databases = std::make_unique<TestDatabases>(cluster.admin_url());
  HostProcess host(host_environment(*databases));
  host.start();
  const HttpClient client(host.base_url());
  ASSERT_EQ(client.get("/health/ready").status, 200);

  cluster.stop();
  const auto down = client.get("/health/ready");
  ASSERT_TRUE(down.status == 503) << describe(down);
  const json body = down.json();
  EXPECT_EQ(body["status"], "not_ready");
  EXPECT_EQ(body["failed"], json({"auth_database", "auth_migrations", "specs_database", "specs_migrations"}));
  EXPECT_EQ(body["checks"]["specs_database"]["ok"], false);
  EXPECT_EQ(body["checks"]["specs_database"]["detail"], "the database does not answer");
  EXPECT_EQ(body["checks"]["agents"]["ok"], true);
  EXPECT_EQ(client.get("/health/live").status, 200);

  cluster.start();
  const auto deadline = std::chrono::steady_clock::now() + kHangDeadline;
  long status = 0;
  while ((status = client.get("/health/ready").status) != 200 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(status, 200) << "readiness did not come back after PostgreSQL did";
  EXPECT_TRUE(host.alive());
  host.stop();
  databases.reset();  // dropped while the cluster still runs
}

// A migration file that is not applied (a new build deployed beside a database not migrated yet,
// with AUTO_MIGRATE=false) makes the host not ready, naming the database.
TEST(OperatorReadinessE2eTest, APendingMigrationMakesTheHostNotReady) {
  const auto migrations = std::filesystem::temp_directory_path() / ("socrates-migrations-" + random_suffix());
  std::filesystem::copy(SOCRATES_MIGRATIONS_DIR, migrations, std::filesystem::copy_options::recursive);
  HostUnderTest host(EnvMap{{"MIGRATIONS_DIR", migrations.string()}});
  expect_host_started(&host);
  EXPECT_EQ(host.client().get("/health/ready").status, 200);
  std::ofstream(migrations / "specs" / "999_not_yet_applied.sql") << "SELECT 1;\n";
  const auto pending = host.client().get("/health/ready");
  EXPECT_EQ(pending.status, 503) << describe(pending);
  EXPECT_EQ(pending.json()["failed"], json({"specs_migrations"}));
  EXPECT_EQ(pending.json()["checks"]["specs_migrations"]["detail"],
            "1 pending and 0 changed migration(s): run `socrates-host migrate`");
  std::filesystem::remove_all(migrations);
}

}  // namespace
}  // namespace socrates::test::e2e

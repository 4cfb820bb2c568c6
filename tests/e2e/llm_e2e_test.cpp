// The real socrates-host with an LLM provider configured: it starts (and refuses to start without
// the provider's key), and admin stats count today's llm_usage rows from the new migration.
#include "e2e/e2e_helpers.hpp"

#include "support/fake_llm_server.hpp"

namespace socrates::test::e2e {
namespace {

class LlmE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new FakeLlmServer();
    host_ = new HostUnderTest(EnvMap{{"LLM_PROVIDER", "openai"},
                                     {"LLM_BASE_URL", server_->base_url() + "/v1"},
                                     {"LLM_MODEL", "fake-model"},
                                     {"LLM_CONCURRENCY", "4"}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { expect_host_started(host_); }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }

  TestUser make_admin() const {
    TestUser admin;
    admin.email = unique_email("admin");
    admin.password = "admin password " + random_suffix();
    const auto result = run_command({"create-admin", "--email", admin.email, "--password", admin.password}, host_->env);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    const auto logged_in = login(client(), admin.email, admin.password);
    EXPECT_EQ(logged_in.status, 200) << describe(logged_in);
    admin.access_token = logged_in.json().value("access_token", "");
    return admin;
  }

  static FakeLlmServer* server_;
  static HostUnderTest* host_;
};

FakeLlmServer* LlmE2eTest::server_ = nullptr;
HostUnderTest* LlmE2eTest::host_ = nullptr;

TEST_F(LlmE2eTest, AdminStatsCountTodaysLlmCalls) {
  const TestUser admin = make_admin();
  const auto before = client().get("/api/v1/admin/stats", admin.access_token);
  ASSERT_EQ(before.status, 200) << describe(before);
  const long long calls_before = before.json()["llm_calls_today"].get<long long>();

  // Two calls today (one failed: failures count too) and one yesterday, as the host records them.
  exec_sql(host_->databases->specs_url(),
           "INSERT INTO llm_usage (provider, model, purpose, input_tokens, output_tokens, latency_ms, attempts, ok, "
           "error_code, created_at) VALUES "
           "('openai', 'fake-model', 'question', 10, 5, 800, 1, true, NULL, now()), "
           "('openai', 'fake-model', 'extraction', 0, 0, 60000, 1, false, 'LLM_UNAVAILABLE', now()), "
           "('openai', 'fake-model', 'reply', 10, 5, 700, 1, true, NULL, date_trunc('day', now()) - interval '1 hour')");
  const auto after = client().get("/api/v1/admin/stats", admin.access_token);
  ASSERT_EQ(after.status, 200) << describe(after);
  EXPECT_EQ(after.json()["llm_calls_today"].get<long long>(), calls_before + 2) << after.body;
}

TEST_F(LlmE2eTest, TheUsageTableRefusesAFailureWithoutItsCode) {
  EXPECT_THROW(exec_sql(host_->databases->specs_url(),
                        "INSERT INTO llm_usage (provider, model, ok) VALUES ('openai', 'm', false)"),
               std::runtime_error);
}

TEST(LlmStartupE2eTest, AConfiguredProviderWithoutItsKeyOrUrlStopsStartUp) {
  TestDatabases databases;
  EnvMap env = host_environment(databases);
  env["PORT"] = std::to_string(pick_free_port());
  env["LLM_PROVIDER"] = "anthropic";
  auto result = run_command({"serve"}, env);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("ANTHROPIC_API_KEY"), std::string::npos) << result.err;

  env["LLM_PROVIDER"] = "openai";
  result = run_command({"serve"}, env);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("LLM_BASE_URL"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace socrates::test::e2e

// The metrics registry and its text format (host/metrics/metrics.hpp), on registries of the
// tests' own: the process registry is the host's.
#include "host/metrics/metrics.hpp"

#include "support/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace socrates::host::metrics {
namespace {

using test::has_metric_line;
using test::metric_value;

TEST(MetricsTest, CountsRequestsByRouteMethodAndStatusWithHelpAndType) {
  Registry registry;
  registry.http_request("/api/v1/projects/{id}", "GET", 200, 0.003);
  registry.http_request("/api/v1/projects/{id}", "GET", 200, 0.004);
  registry.http_request("/api/v1/projects/{id}", "GET", 404, 0.001);
  const std::string text = registry.scrape();
  EXPECT_TRUE(has_metric_line(text, "# TYPE socrates_http_requests_total counter")) << text;
  EXPECT_TRUE(has_metric_line(text, "# HELP socrates_http_requests_total HTTP requests answered, by route template, method "
                             "and status"));
  EXPECT_EQ(metric_value(text, R"(socrates_http_requests_total{method="GET",route="/api/v1/projects/{id}",status="200"})"), 2);
  EXPECT_EQ(metric_value(text, R"(socrates_http_requests_total{method="GET",route="/api/v1/projects/{id}",status="404"})"), 1);
}

TEST(MetricsTest, AHistogramHasCumulativeBucketsUpToInfinityASumAndACount) {
  Registry registry;
  registry.http_request("/health", "GET", 200, 0.0002);  // below the first bucket
  registry.http_request("/health", "GET", 200, 0.02);    // in (0.01, 0.025]
  registry.http_request("/health", "GET", 200, 60);      // past the last bucket
  const std::string text = registry.scrape();
  const std::string name = "socrates_http_request_duration_seconds";
  EXPECT_TRUE(has_metric_line(text, "# TYPE " + name + " histogram")) << text;
  EXPECT_EQ(metric_value(text, name + R"(_bucket{method="GET",route="/health",le="0.0005"})"), 1) << text;
  EXPECT_EQ(metric_value(text, name + R"(_bucket{method="GET",route="/health",le="0.01"})"), 1);
  EXPECT_EQ(metric_value(text, name + R"(_bucket{method="GET",route="/health",le="0.025"})"), 2);
  EXPECT_EQ(metric_value(text, name + R"(_bucket{method="GET",route="/health",le="10"})"), 2);
  EXPECT_EQ(metric_value(text, name + R"(_bucket{method="GET",route="/health",le="+Inf"})"), 3);
  EXPECT_EQ(metric_value(text, name + R"(_count{method="GET",route="/health"})"), 3);
  EXPECT_NEAR(metric_value(text, name + R"(_sum{method="GET",route="/health"})"), 60.0202, 1e-9);
}

TEST(MetricsTest, LabelValuesAreEscapedAsTheFormatSays) {
  Registry registry;
  registry.agent_call("odd\"agent\\with\nnewline", "act", false, 0.001);
  const std::string text = registry.scrape();
  EXPECT_EQ(metric_value(text, R"(socrates_agent_calls_total{action="act",agent="odd\"agent\\with\nnewline"})"), 1) << text;
}

TEST(MetricsTest, AgentErrorsLlmTokensLoginsAndThrottlesAreCountedApart) {
  Registry registry;
  registry.agent_call("socratic", "next_question", false, 0.001);
  registry.agent_call("socratic", "next_question", true, 0.001);
  registry.plugin_reload("socratic", true);
  registry.plugin_reload("socratic", false);
  registry.llm_call("openai", "extract", "ok", 120, 30, 0.8);
  registry.llm_call("openai", "extract", "LLM_UNAVAILABLE", 0, 0, 10);
  registry.login(LoginOutcome::kSuccess);
  registry.login(LoginOutcome::kInvalidCredentials);
  registry.login(LoginOutcome::kLocked);
  registry.auth_throttled("TOO_MANY_ATTEMPTS");
  registry.auth_failure();
  registry.db_lease("specs", 0.00001, true);
  registry.db_lease("specs", 5, false);
  const std::string text = registry.scrape();
  EXPECT_EQ(metric_value(text, R"(socrates_agent_calls_total{action="next_question",agent="socratic"})"), 2) << text;
  EXPECT_EQ(metric_value(text, R"(socrates_agent_errors_total{action="next_question",agent="socratic"})"), 1);
  EXPECT_EQ(metric_value(text, R"(socrates_agent_call_duration_seconds_count{action="next_question",agent="socratic"})"), 2);
  EXPECT_EQ(metric_value(text, R"(socrates_plugin_reloads_total{agent="socratic",outcome="ok"})"), 1);
  EXPECT_EQ(metric_value(text, R"(socrates_plugin_reloads_total{agent="socratic",outcome="refused"})"), 1);
  EXPECT_EQ(metric_value(text, R"(socrates_llm_calls_total{outcome="ok",provider="openai",purpose="extract"})"), 1);
  EXPECT_EQ(metric_value(text, R"(socrates_llm_calls_total{outcome="LLM_UNAVAILABLE",provider="openai",purpose="extract"})"), 1);
  EXPECT_EQ(metric_value(text, R"(socrates_llm_tokens_total{direction="input",provider="openai",purpose="extract"})"), 120);
  EXPECT_EQ(metric_value(text, R"(socrates_llm_tokens_total{direction="output",provider="openai",purpose="extract"})"), 30);
  EXPECT_EQ(metric_value(text, R"(socrates_llm_call_duration_seconds_count{provider="openai",purpose="extract"})"), 2);
  EXPECT_EQ(metric_value(text, R"(socrates_logins_total{outcome="success"})"), 1);
  EXPECT_EQ(metric_value(text, R"(socrates_logins_total{outcome="invalid_credentials"})"), 1);
  EXPECT_EQ(metric_value(text, R"(socrates_logins_total{outcome="locked"})"), 1);
  EXPECT_EQ(metric_value(text, R"(socrates_auth_throttled_total{code="TOO_MANY_ATTEMPTS"})"), 1);
  EXPECT_EQ(metric_value(text, "socrates_auth_failures_total"), 1);
  EXPECT_EQ(metric_value(text, R"(socrates_db_lease_wait_seconds_count{pool="specs"})"), 2);
  EXPECT_EQ(metric_value(text, R"(socrates_db_lease_timeouts_total{pool="specs"})"), 1);
}

TEST(MetricsTest, PastTheSeriesLimitEventsAreCountedAsOther) {
  Registry registry;
  for (std::size_t i = 0; i < kMaxSeries + 5; ++i) registry.auth_throttled("code" + std::to_string(i));
  const std::string text = registry.scrape();
  EXPECT_EQ(metric_value(text, R"(socrates_auth_throttled_total{code="code0"})"), 1);
  EXPECT_EQ(metric_value(text, "socrates_auth_throttled_total{code=\"code" + std::to_string(kMaxSeries - 1) + "\"}"), 1);
  EXPECT_EQ(metric_value(text, "socrates_auth_throttled_total{code=\"code" + std::to_string(kMaxSeries) + "\"}"), -1);
  EXPECT_EQ(metric_value(text, R"(socrates_auth_throttled_total{code="other"})"), 5);
}

TEST(MetricsTest, ASourceIsReadAtEveryScrapeUntilItsHandleGoes) {
  Registry registry;
  double depth = 3;
  {
    SourceHandle handle = registry.add_source([&depth](Gauges& gauges) {
      gauges.set("test_queue_depth", "Requests waiting", {}, depth);
      gauges.set("test_pool_in_use", "Connections in use", {{"pool", "auth"}}, 1);
      gauges.set("test_pool_in_use", "Connections in use", {{"pool", "specs"}}, 2);
    });
    EXPECT_EQ(metric_value(registry.scrape(), "test_queue_depth"), 3);
    depth = 7;
    const std::string text = registry.scrape();
    EXPECT_EQ(metric_value(text, "test_queue_depth"), 7);
    EXPECT_TRUE(has_metric_line(text, "# TYPE test_pool_in_use gauge")) << text;
    EXPECT_EQ(metric_value(text, R"(test_pool_in_use{pool="specs"})"), 2);
    SourceHandle moved = std::move(handle);  // still registered, once
    EXPECT_EQ(metric_value(registry.scrape(), "test_queue_depth"), 7);
  }
  EXPECT_EQ(registry.scrape().find("test_queue_depth"), std::string::npos);
}

TEST(MetricsTest, TheBuildAndStartTimeAreAlwaysThere) {
  Registry registry;
  const std::string text = registry.scrape();
  EXPECT_EQ(metric_value(text, "socrates_build_info{version=\"" SOCRATES_VERSION "\"}"), 1) << text;
  EXPECT_GT(metric_value(text, "process_start_time_seconds"), 1.6e9);
}

}  // namespace
}  // namespace socrates::host::metrics

// The anthropic and openai clients against a fake provider on 127.0.0.1 that speaks their real
// wire formats, with usage recorded into a migrated specs database: what goes over the wire, how
// every failure maps to LLM_ERROR / LLM_UNAVAILABLE, retries and their waits, and the usage rows.
#include "host/app/service_container.hpp"
#include "host/db/connection_pool.hpp"
#include "host/llm/llm_client.hpp"
#include "host/llm/usage_recorder.hpp"
#include "host/log/json_log.hpp"

#include "support/fake_llm_server.hpp"
#include "support/gate.hpp"
#include "support/host_process.hpp"
#include "support/integration_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace socrates {
namespace {

using namespace std::chrono_literals;
using test::FakeLlmServer;
using test::ScriptedReply;
using Clock = std::chrono::steady_clock;

constexpr const char* kKey = "sk-test-secret-key-0123456789";

struct Outcome {
  bool ok = false;
  sdk::LlmResponse response;
  sdk::Error error;
  std::chrono::milliseconds elapsed{0};
};

class LlmClientTest : public ::testing::Test {
 protected:
  LlmClientTest()
      : pool_("specs", databases_.specs_url(), 1, std::chrono::milliseconds(2000)),
        usage_(std::make_shared<host::llm::PoolUsageRecorder>(pool_)) {
    host::llm::init_http();
  }

  host::llm::LlmOptions options(const std::string& base_url) const {
    host::llm::LlmOptions o;
    o.base_url = base_url;
    o.api_key = kKey;
    o.model = "configured-model";
    o.connect_timeout = 2000ms;
    o.timeout = 5000ms;
    o.max_retries = 2;
    o.retry_base_delay = 20ms;
    o.retry_max_wait = 3000ms;
    // The retry policy's waits are recorded, not slept: what it asked for is the assertion.
    o.retry_sleep = [waits = waits_](std::chrono::milliseconds wait) {
      std::lock_guard<std::mutex> lock(waits->mutex);
      waits->asked.push_back(wait);
    };
    return o;
  }
  std::unique_ptr<sdk::LlmClient> anthropic(host::llm::LlmOptions o) {
    return std::make_unique<host::llm::AnthropicClient>(std::move(o), std::make_shared<host::llm::CurlTransport>(),
                                                        usage_);
  }
  std::unique_ptr<sdk::LlmClient> anthropic() { return anthropic(options(server_.base_url())); }
  std::unique_ptr<sdk::LlmClient> openai(host::llm::LlmOptions o) {
    return std::make_unique<host::llm::OpenAiClient>(std::move(o), std::make_shared<host::llm::CurlTransport>(),
                                                     usage_);
  }
  std::unique_ptr<sdk::LlmClient> openai() { return openai(options(server_.base_url() + "/v1")); }

  static sdk::LlmRequest request(const std::string& purpose = "question") {
    sdk::LlmRequest r;
    r.system = "You are Socrates.";
    r.messages.push_back({"user", "Ask me one question."});
    r.max_tokens = 321;
    r.purpose = purpose;
    return r;
  }
  static Outcome call(sdk::LlmClient& client, const sdk::LlmRequest& r = request()) {
    Outcome o;
    const auto started = Clock::now();
    o.ok = client.complete(r, &o.response, &o.error);
    o.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    return o;
  }
  std::int64_t count(const std::string& sql) { return test::db_count(databases_.specs_url(), sql); }
  std::string scalar(const std::string& sql) { return test::db_scalar(databases_.specs_url(), sql).value_or("NULL"); }

  // The waits between attempts, as the client asked for them.
  std::vector<std::chrono::milliseconds> waits() const {
    std::lock_guard<std::mutex> lock(waits_->mutex);
    return waits_->asked;
  }

  struct Waits {
    std::mutex mutex;
    std::vector<std::chrono::milliseconds> asked;
  };
  std::shared_ptr<Waits> waits_ = std::make_shared<Waits>();
  test::MigratedDatabases databases_;
  host::ConnectionPool pool_;  // one connection: a lease held across a call would show at once
  std::shared_ptr<host::llm::PoolUsageRecorder> usage_;
  FakeLlmServer server_;
};

// ---- the wire formats

TEST_F(LlmClientTest, AnthropicSpeaksTheMessagesApi) {
  server_.push(FakeLlmServer::anthropic_text("What problem does it solve?", 42, 9, "claude-fake-7"));
  auto client = anthropic();
  EXPECT_STREQ(client->provider(), "anthropic");
  const Outcome o = call(*client);
  ASSERT_TRUE(o.ok) << o.error.code << ": " << o.error.message;
  EXPECT_EQ(o.response.text, "What problem does it solve?");
  EXPECT_EQ(o.response.model, "claude-fake-7");
  EXPECT_EQ(o.response.input_tokens, 42);
  EXPECT_EQ(o.response.output_tokens, 9);
  EXPECT_GE(o.response.latency_ms, 0);

  const auto sent = server_.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].path, "/v1/messages");
  EXPECT_EQ(sent[0].header("x-api-key"), kKey);
  EXPECT_EQ(sent[0].header("anthropic-version"), "2023-06-01");
  EXPECT_EQ(sent[0].header("content-type"), "application/json");
  EXPECT_EQ(sent[0].header("authorization"), "");
  const auto body = sent[0].json();
  EXPECT_EQ(body["model"], "configured-model");
  EXPECT_EQ(body["max_tokens"], 321);
  EXPECT_EQ(body["system"], "You are Socrates.");
  ASSERT_EQ(body["messages"].size(), 1u);
  EXPECT_EQ(body["messages"][0]["role"], "user");
  EXPECT_EQ(body["messages"][0]["content"], "Ask me one question.");

  EXPECT_EQ(count("SELECT count(*) FROM llm_usage"), 1);
  EXPECT_EQ(scalar("SELECT provider || '|' || model || '|' || purpose || '|' || input_tokens || '|' || "
                   "output_tokens || '|' || ok || '|' || attempts || '|' || http_status FROM llm_usage"),
            "anthropic|claude-fake-7|question|42|9|true|1|200");
  EXPECT_EQ(scalar("SELECT coalesce(error_code, 'NULL') FROM llm_usage"), "NULL");
}

TEST_F(LlmClientTest, AnthropicJoinsTextBlocksAndAcceptsABaseUrlEndingInV1) {
  ScriptedReply reply;
  reply.body = R"({"type":"message","model":"m","content":[{"type":"text","text":"Who "},{"type":"tool_use","id":"x"},)"
               R"({"type":"text","text":"uses it?"}],"usage":{"input_tokens":1,"output_tokens":2}})";
  server_.push(reply);
  auto client = anthropic(options(server_.base_url() + "/v1/"));
  const Outcome o = call(*client);
  ASSERT_TRUE(o.ok) << o.error.message;
  EXPECT_EQ(o.response.text, "Who uses it?");
  EXPECT_EQ(server_.requests().at(0).path, "/v1/messages");
}

TEST_F(LlmClientTest, OpenAiSpeaksChatCompletionsWithTheSystemPromptAsAMessage) {
  server_.push(FakeLlmServer::openai_text("Why does it matter?", 30, 4, "llama-fake"));
  auto client = openai();
  EXPECT_STREQ(client->provider(), "openai");
  const Outcome o = call(*client, request("extraction"));
  ASSERT_TRUE(o.ok) << o.error.code << ": " << o.error.message;
  EXPECT_EQ(o.response.text, "Why does it matter?");
  EXPECT_EQ(o.response.model, "llama-fake");
  EXPECT_EQ(o.response.input_tokens, 30);
  EXPECT_EQ(o.response.output_tokens, 4);

  const auto sent = server_.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].path, "/v1/chat/completions");
  EXPECT_EQ(sent[0].header("authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(sent[0].header("x-api-key"), "");
  const auto body = sent[0].json();
  EXPECT_EQ(body["model"], "configured-model");
  EXPECT_EQ(body["stream"], false);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][0]["content"], "You are Socrates.");
  EXPECT_EQ(body["messages"][1]["role"], "user");
  EXPECT_EQ(scalar("SELECT provider || '|' || purpose || '|' || input_tokens || '|' || output_tokens FROM llm_usage"),
            "openai|extraction|30|4");
}

// Both providers read `usage` with one parser: a null or absent usage is an answer without counts
// (recorded as 0 tokens), for Anthropic exactly as for OpenAI.
TEST_F(LlmClientTest, BothProvidersAcceptANullOrAbsentUsage) {
  for (const char* usage : {R"(,"usage":null)", ""}) {
    ScriptedReply anthropic_reply;
    anthropic_reply.body = std::string(R"({"content":[{"type":"text","text":"Who?"}])") + usage + "}";
    ScriptedReply openai_reply;
    openai_reply.body = std::string(R"({"choices":[{"message":{"content":"Why?"}}])") + usage + "}";
    server_.push(anthropic_reply);
    server_.push(openai_reply);
    const Outcome a = call(*anthropic());
    ASSERT_TRUE(a.ok) << usage << ": " << a.error.message;
    EXPECT_EQ(a.response.text, "Who?");
    EXPECT_EQ(a.response.input_tokens, 0);
    const Outcome o = call(*openai());
    ASSERT_TRUE(o.ok) << usage << ": " << o.error.message;
    EXPECT_EQ(o.response.text, "Why?");
    EXPECT_EQ(o.response.output_tokens, 0);
  }
  EXPECT_EQ(count("SELECT count(*) FROM llm_usage WHERE ok AND input_tokens = 0 AND output_tokens = 0"), 4);
}

TEST_F(LlmClientTest, OpenAiSendsNoAuthorizationWithoutAKey) {
  server_.push(FakeLlmServer::openai_text("ok"));
  auto o = options(server_.base_url() + "/v1");
  o.api_key.clear();
  auto client = openai(o);
  ASSERT_TRUE(call(*client).ok);
  const auto sent = server_.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].headers.count("authorization"), 0u) << sent[0].header("authorization");
}

// ---- refusals: LLM_ERROR, once, naming the provider, never its URL, its words or the key (the
// message reaches clients; the provider's words go to the log)

TEST_F(LlmClientTest, AnAnthropicErrorBodyIsLlmErrorNamingTheProviderNotItsWords) {
  server_.push(FakeLlmServer::anthropic_error(400, "invalid_request_error", "max_tokens: must be positive"));
  auto client = anthropic();
  const Outcome o = call(*client);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.code, "LLM_ERROR");
  EXPECT_NE(o.error.message.find("anthropic refused the request with HTTP 400"), std::string::npos)
      << o.error.message;
  EXPECT_EQ(o.error.message.find("max_tokens"), std::string::npos) << o.error.message;
  EXPECT_EQ(o.error.message.find(server_.base_url()), std::string::npos) << o.error.message;
  EXPECT_EQ(o.error.details.dump().find(server_.base_url()), std::string::npos) << o.error.details.dump();
  EXPECT_EQ(o.error.details["http_status"], 400);
  EXPECT_EQ(server_.request_count(), 1u) << "a 4xx is not retried";
  EXPECT_EQ(scalar("SELECT ok || '|' || error_code || '|' || http_status || '|' || attempts FROM llm_usage"),
            "false|LLM_ERROR|400|1");
}

TEST_F(LlmClientTest, AnOpenAiErrorBodyIsLlmErrorAndTheKeyIsNeverRepeated) {
  server_.push(FakeLlmServer::openai_error(401, "invalid_api_key", "Incorrect API key provided"));
  auto client = openai();
  const Outcome o = call(*client);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.code, "LLM_ERROR");
  EXPECT_NE(o.error.message.find("openai refused the request with HTTP 401"), std::string::npos) << o.error.message;
  EXPECT_EQ(o.error.message.find("Incorrect API key provided"), std::string::npos) << o.error.message;
  EXPECT_EQ(o.error.message.find(kKey), std::string::npos);
  EXPECT_EQ(o.error.details.dump().find(kKey), std::string::npos);
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(LlmClientTest, AnOllamaStyleStringErrorStaysOutOfTheMessageToo) {
  ScriptedReply reply;
  reply.status = 404;
  reply.body = R"({"error":"model 'nope' not found"})";
  server_.push(reply);
  const Outcome o = call(*openai());
  EXPECT_EQ(o.error.code, "LLM_ERROR");
  EXPECT_NE(o.error.message.find("openai refused the request with HTTP 404"), std::string::npos) << o.error.message;
  EXPECT_EQ(o.error.message.find("model 'nope' not found"), std::string::npos) << o.error.message;
}

// ---- unusable answers: LLM_ERROR, never a made-up text

struct BadAnswer {
  const char* name;
  bool anthropic;
  ScriptedReply reply;
};

ScriptedReply with_body(std::string body, std::string content_type = "application/json") {
  ScriptedReply reply;
  reply.body = std::move(body);
  reply.content_type = std::move(content_type);
  return reply;
}

TEST_F(LlmClientTest, UnusableAnswersAreLlmErrorAndNotRetried) {
  ScriptedReply truncated_anthropic = FakeLlmServer::anthropic_text("a complete answer");
  truncated_anthropic.mode = ScriptedReply::Mode::kTruncated;
  ScriptedReply truncated_openai = FakeLlmServer::openai_text("a complete answer");
  truncated_openai.mode = ScriptedReply::Mode::kTruncated;
  const std::vector<BadAnswer> cases = {
      {"anthropic truncated body", true, truncated_anthropic},
      {"openai truncated body", false, truncated_openai},
      {"anthropic html", true, with_body("<html><body>Bad gateway</body></html>", "text/html")},
      {"openai html", false, with_body("<html><body>Bad gateway</body></html>", "text/html")},
      {"anthropic half json", true, with_body(R"({"content":[{"type":"text","text":"Wh)")},
      {"anthropic no content", true, with_body(R"({"type":"message","model":"m"})")},
      {"anthropic content not array", true, with_body(R"({"content":"hello"})")},
      {"anthropic no text block", true, with_body(R"({"content":[{"type":"tool_use","id":"x"}]})")},
      {"anthropic empty text", true, with_body(R"({"content":[{"type":"text","text":"  "}]})")},
      {"anthropic text not string", true, with_body(R"({"content":[{"type":"text","text":7}]})")},
      {"anthropic bad usage", true, with_body(R"({"content":[{"type":"text","text":"x"}],"usage":{"input_tokens":"many"}})")},
      {"anthropic error with 200", true, with_body(R"({"type":"error","error":{"type":"api_error","message":"x"}})")},
      {"openai no choices", false, with_body(R"({"choices":[]})")},
      {"openai no message", false, with_body(R"({"choices":[{"index":0}]})")},
      {"openai null content", false, with_body(R"({"choices":[{"message":{"role":"assistant","content":null}}]})")},
      {"openai error with 200", false, with_body(R"({"error":{"message":"x"}})")},
      {"openai array", false, with_body(R"([1,2,3])")},
      {"openai negative tokens", false,
       with_body(R"({"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":-1}})")},
  };
  std::size_t expected_requests = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    server_.push(c.reply);
    auto client = c.anthropic ? anthropic() : openai();
    const Outcome o = call(*client);
    ++expected_requests;
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.error.code, "LLM_ERROR") << o.error.message;
    EXPECT_FALSE(o.error.message.empty());
    EXPECT_TRUE(o.response.text.empty()) << "nothing may be made up";
    EXPECT_EQ(server_.request_count(), expected_requests) << "an unusable answer is not retried";
  }
  EXPECT_EQ(count("SELECT count(*) FROM llm_usage WHERE NOT ok AND error_code = 'LLM_ERROR'"),
            static_cast<std::int64_t>(cases.size()));
}

// ---- unavailability: timeouts, 429 and 5xx with retries, connection refused

TEST_F(LlmClientTest, ASlowProviderTimesOutAsLlmUnavailableWithoutRetrying) {
  // The answer is held until the test ends: only the client's timeout can end the call.
  ScriptedReply slow = FakeLlmServer::anthropic_text("too late");
  slow.held = true;
  server_.push(slow);
  auto o = options(server_.base_url());
  o.timeout = 400ms;
  const Outcome result = call(*anthropic(o));
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.error.code, "LLM_UNAVAILABLE");
  EXPECT_NE(result.error.message.find("did not answer within 400 ms"), std::string::npos) << result.error.message;
  EXPECT_LT(result.elapsed, 30s) << "only a hang takes this long: the 400 ms timeout did not apply";
  EXPECT_EQ(server_.request_count(), 1u);
  EXPECT_TRUE(waits().empty()) << "a timeout is not retried";
  EXPECT_EQ(scalar("SELECT ok || '|' || error_code FROM llm_usage"), "false|LLM_UNAVAILABLE");
}

TEST_F(LlmClientTest, A429WithRetryAfterWaitsThatLongThenSucceeds) {
  ScriptedReply limited = FakeLlmServer::anthropic_error(429, "rate_limit_error", "slow down");
  limited.headers.emplace_back("Retry-After", "1");
  server_.push(limited);
  server_.push(FakeLlmServer::anthropic_text("Now then: who is it for?"));
  const Outcome o = call(*anthropic());
  ASSERT_TRUE(o.ok) << o.error.message;
  EXPECT_EQ(o.response.text, "Now then: who is it for?");
  EXPECT_EQ(server_.request_count(), 2u);
  // The backoff alone would have waited ~20 ms; Retry-After says a second.
  EXPECT_EQ(waits(), (std::vector<std::chrono::milliseconds>{1000ms}));
  EXPECT_EQ(scalar("SELECT ok || '|' || attempts || '|' || http_status FROM llm_usage"), "true|2|200");
}

TEST_F(LlmClientTest, ARetryAfterBeyondTheAllowedWaitGivesUpAtOnce) {
  ScriptedReply limited = FakeLlmServer::openai_error(429, "rate_limit_exceeded", "quota");
  limited.headers.emplace_back("Retry-After", "120");
  server_.push(limited);
  server_.push(FakeLlmServer::openai_text("never asked for"));
  const Outcome o = call(*openai());
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.code, "LLM_UNAVAILABLE");
  EXPECT_EQ(o.error.details["retry_after_s"], 120);
  EXPECT_NE(o.error.message.find("LLM_RETRY_MAX_WAIT_S"), std::string::npos) << o.error.message;
  EXPECT_TRUE(waits().empty()) << "it gives up without waiting";
  EXPECT_EQ(server_.request_count(), 1u);
}

// RFC 9110's IMF-fixdate, `seconds` from now.
std::string http_date(std::chrono::seconds from_now) {
  const std::time_t when = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  std::tm utc{};
  gmtime_r(&when, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

TEST_F(LlmClientTest, ARetryAfterDateIsReadAsTheWaitUntilThen) {
  ScriptedReply limited = FakeLlmServer::anthropic_error(429, "rate_limit_error", "slow down");
  limited.headers.emplace_back("Retry-After", http_date(std::chrono::seconds(120)));
  server_.push(limited);
  server_.push(FakeLlmServer::anthropic_text("never asked for"));
  const Outcome o = call(*anthropic());
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.code, "LLM_UNAVAILABLE");
  // Whole seconds from the date to the system clock's now: a minute of slack only absorbs a test
  // descheduled between writing the date and the client reading it.
  EXPECT_GE(o.error.details["retry_after_s"].get<long>(), 60);
  EXPECT_LE(o.error.details["retry_after_s"].get<long>(), 120);
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(LlmClientTest, ARetryAfterDateAlreadyPastRetriesAtOnce) {
  ScriptedReply limited = FakeLlmServer::openai_error(503, "overloaded", "busy");
  limited.headers.emplace_back("Retry-After", http_date(std::chrono::seconds(-30)));
  server_.push(limited);
  server_.push(FakeLlmServer::openai_text("Back again: who is it for?"));
  const Outcome o = call(*openai());
  ASSERT_TRUE(o.ok) << o.error.message;
  EXPECT_EQ(server_.request_count(), 2u);
  EXPECT_EQ(waits(), (std::vector<std::chrono::milliseconds>{0ms})) << "a date in the past asks for no wait";
}

TEST_F(LlmClientTest, A500ThenSuccessIsRetriedWithBackoff) {
  server_.push(FakeLlmServer::openai_error(500, "server_error", "boom"));
  server_.push(FakeLlmServer::openai_text("Second time lucky?"));
  const Outcome o = call(*openai());
  ASSERT_TRUE(o.ok) << o.error.message;
  EXPECT_EQ(o.response.text, "Second time lucky?");
  const auto sent = server_.requests();
  ASSERT_EQ(sent.size(), 2u);
  // LLM_RETRY_BASE_DELAY (20 ms here) with its ±20 % jitter.
  const auto asked = waits();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_GE(asked[0], 16ms);
  EXPECT_LE(asked[0], 24ms);
  EXPECT_EQ(sent[0].body, sent[1].body) << "a retry sends the same request";
  EXPECT_EQ(scalar("SELECT ok || '|' || attempts FROM llm_usage"), "true|2");
}

TEST_F(LlmClientTest, PersistentOverloadExhaustsTheRetriesAsLlmUnavailable) {
  for (int i = 0; i < 3; ++i) server_.push(FakeLlmServer::anthropic_error(529, "overloaded_error", "Overloaded"));
  server_.push(FakeLlmServer::anthropic_text("a fourth attempt must not happen"));
  const Outcome o = call(*anthropic());
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.error.code, "LLM_UNAVAILABLE");
  EXPECT_NE(o.error.message.find("anthropic answered HTTP 529"), std::string::npos) << o.error.message;
  EXPECT_EQ(o.error.message.find("overloaded_error"), std::string::npos) << o.error.message;
  EXPECT_NE(o.error.message.find("after 3 attempts"), std::string::npos) << o.error.message;
  EXPECT_EQ(o.error.details["attempts"], 3);
  EXPECT_EQ(server_.request_count(), 3u) << "LLM_MAX_RETRIES=2: three attempts in all";
  // The backoff doubles: ~20 ms, then ~40 ms (±20 % jitter each).
  const auto asked = waits();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_GE(asked[0], 16ms);
  EXPECT_LE(asked[0], 24ms);
  EXPECT_GE(asked[1], 32ms);
  EXPECT_LE(asked[1], 48ms);
  EXPECT_EQ(scalar("SELECT ok || '|' || error_code || '|' || attempts || '|' || http_status FROM llm_usage"),
            "false|LLM_UNAVAILABLE|3|529");
}

TEST_F(LlmClientTest, ARefusedConnectionIsRetriedThenLlmUnavailable) {
  const std::uint16_t nobody = test::pick_free_port();
  auto o = options("http://127.0.0.1:" + std::to_string(nobody));
  o.max_retries = 1;
  const Outcome result = call(*anthropic(o));
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.error.code, "LLM_UNAVAILABLE");
  EXPECT_NE(result.error.message.find("cannot reach anthropic"), std::string::npos) << result.error.message;
  EXPECT_EQ(result.error.message.find("127.0.0.1"), std::string::npos) << result.error.message;
  EXPECT_EQ(waits().size(), 1u) << "one retry, after its backoff";
  EXPECT_EQ(scalar("SELECT ok || '|' || error_code || '|' || attempts || '|' || coalesce(http_status, 0) FROM llm_usage"),
            "false|LLM_UNAVAILABLE|2|0");
}

TEST_F(LlmClientTest, AConnectionClosedWithoutAnAnswerIsRetried) {
  ScriptedReply hang_up;
  hang_up.mode = ScriptedReply::Mode::kCloseSilently;
  server_.push(hang_up);
  server_.push(FakeLlmServer::openai_text("there you are"));
  const Outcome o = call(*openai());
  ASSERT_TRUE(o.ok) << o.error.message;
  EXPECT_EQ(server_.request_count(), 2u);
}

// ---- no lease across the call; usage for every call

TEST_F(LlmClientTest, NoDatabaseLeaseIsHeldWhileTheModelThinks) {
  // The model's answer is held until the test has leased the pool's one connection.
  ScriptedReply slow = FakeLlmServer::openai_text("after a while");
  slow.held = true;
  server_.push(slow);
  auto client = openai();
  auto pending = std::async(std::launch::async, [&] { return call(*client); });
  ASSERT_TRUE(test::eventually([&] { return server_.in_progress() == 1; })) << "the call never reached the model";
  {
    // The pool has one connection: the call must not be holding it (else this lease times out).
    sdk::DbStatus status;
    auto lease = pool_.lease(&status);
    EXPECT_NE(lease, nullptr) << "the LLM call holds the only database connection";
  }
  server_.release();
  const Outcome o = pending.get();
  ASSERT_TRUE(o.ok) << o.error.message;
  EXPECT_EQ(count("SELECT count(*) FROM llm_usage WHERE ok"), 1);
}

TEST_F(LlmClientTest, ConcurrentCallsEachLeaveOneUsageRow) {
  server_.set_default(FakeLlmServer::anthropic_text("fine", 3, 2));
  auto client = anthropic();
  std::vector<std::future<Outcome>> calls;
  for (int i = 0; i < 8; ++i) calls.push_back(std::async(std::launch::async, [&] { return call(*client); }));
  for (auto& f : calls) EXPECT_TRUE(f.get().ok);
  EXPECT_EQ(server_.request_count(), 8u);
  EXPECT_EQ(count("SELECT count(*) FROM llm_usage WHERE ok AND input_tokens = 3 AND output_tokens = 2"), 8);
  EXPECT_EQ(count("SELECT count(*) FROM llm_usage WHERE created_at >= date_trunc('day', now())"), 8);
}

// ---- whom a call served, and the per-user daily limit

constexpr const char* kUser = "6f1e0c2a-9b7d-4e55-8a31-0c4d2b9e7f10";
constexpr const char* kOtherUser = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
constexpr const char* kProject = "3c2b1a09-8f7e-4d6c-9b5a-493827161504";

// One REST request of `user`, as the server and the orchestrator set its context.
host::log::RequestContext request_of(const std::string& user) {
  return {"req-" + user.substr(0, 8), user, "socratic", "reply"};
}

TEST_F(LlmClientTest, UsageRowsNameTheCallerAndTheProject) {
  server_.set_default(FakeLlmServer::openai_text("fine"));
  auto client = openai();
  sdk::LlmResponse response;
  sdk::Error error;
  {
    host::log::ScopedRequestContext context(request_of(kUser));
    ASSERT_TRUE(client->complete_for_project(kProject, request("reply"), &response, &error)) << error.message;
    ASSERT_TRUE(client->complete(request("question"), &response, &error)) << error.message;
    ASSERT_TRUE(client->complete_for_project("not-a-uuid", request("extraction"), &response, &error)) << error.message;
  }
  ASSERT_TRUE(client->complete(request("none"), &response, &error)) << "no request, no caller";
  EXPECT_EQ(scalar("SELECT user_id || '|' || project_id || '|' || agent FROM llm_usage WHERE purpose = 'reply'"),
            std::string(kUser) + "|" + kProject + "|socratic");
  EXPECT_EQ(scalar("SELECT user_id || '|' || coalesce(project_id::text, 'NULL') FROM llm_usage WHERE purpose = "
                   "'question'"),
            std::string(kUser) + "|NULL");
  EXPECT_EQ(scalar("SELECT coalesce(project_id::text, 'NULL') FROM llm_usage WHERE purpose = 'extraction'"), "NULL");
  EXPECT_EQ(scalar("SELECT coalesce(user_id::text, 'NULL') FROM llm_usage WHERE purpose = 'none'"), "NULL");
}

TEST_F(LlmClientTest, TheDailyLimitRefusesARequestsFirstCallOverItAndLetsAnAdmittedOneFinish) {
  server_.set_default(FakeLlmServer::openai_text("fine"));
  auto o = options(server_.base_url() + "/v1");
  o.daily_calls_per_user = 2;
  auto client = openai(o);
  sdk::LlmResponse response;
  sdk::Error error;
  {
    host::log::ScopedRequestContext first(request_of(kUser));
    ASSERT_TRUE(client->complete_for_project(kProject, request(), &response, &error)) << error.message;
  }
  {
    // 1 of 2 used: let in, and the request's second call too (it finishes its turn).
    host::log::ScopedRequestContext second(request_of(kUser));
    ASSERT_TRUE(client->complete_for_project(kProject, request("extraction"), &response, &error)) << error.message;
    ASSERT_TRUE(client->complete_for_project(kProject, request("reply"), &response, &error)) << error.message;
  }
  EXPECT_EQ(server_.request_count(), 3u);
  {
    host::log::ScopedRequestContext third(request_of(kUser));
    EXPECT_FALSE(client->complete_for_project(kProject, request(), &response, &error));
    EXPECT_EQ(error.code, "RATE_LIMITED");
    EXPECT_EQ(error.details.value("limit", 0), 2);
    const auto retry_after = error.details.value("retry_after_s", 0LL);
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 24 * 3600);
  }
  EXPECT_EQ(server_.request_count(), 3u) << "the provider was asked over the limit";
  EXPECT_EQ(count(std::string("SELECT count(*) FROM llm_usage WHERE user_id = '") + kUser + "'"), 3)
      << "a refused call leaves no row";
  {
    // Another user, and a call with no caller (no request), are not held to this user's count.
    host::log::ScopedRequestContext other(request_of(kOtherUser));
    EXPECT_TRUE(client->complete(request(), &response, &error)) << error.message;
  }
  EXPECT_TRUE(client->complete(request(), &response, &error)) << error.message;
}

TEST_F(LlmClientTest, ADailyLimitThatCannotBeCheckedRefusesTheCall) {
  auto o = options(server_.base_url() + "/v1");
  o.daily_calls_per_user = 5;
  host::ConnectionPool held("specs", databases_.specs_url(), 1, std::chrono::milliseconds(100));
  host::llm::OpenAiClient client(o, std::make_shared<host::llm::CurlTransport>(),
                                 std::make_shared<host::llm::PoolUsageRecorder>(held));
  sdk::DbStatus status;
  auto lease = held.lease(&status);  // the pool's only connection: the count cannot be read
  ASSERT_NE(lease, nullptr);
  host::log::ScopedRequestContext context(request_of(kUser));
  sdk::LlmResponse response;
  sdk::Error error;
  EXPECT_FALSE(client.complete(request(), &response, &error));
  EXPECT_EQ(error.code, "DATABASE_UNAVAILABLE");
  EXPECT_EQ(server_.request_count(), 0u);
}

// ---- selection by LLM_PROVIDER

TEST_F(LlmClientTest, TheContainerSelectsTheProviderFromLlmProvider) {
  {
    host::ServiceContainer builtin(test::integration_config(databases_));
    EXPECT_EQ(builtin.llm(), nullptr) << "builtin: no client, the deterministic engine answers";
  }
  {
    host::ServiceContainer with_anthropic(test::integration_config(
        databases_, {{"LLM_PROVIDER", "anthropic"}, {"ANTHROPIC_API_KEY", kKey}, {"LLM_BASE_URL", server_.base_url()}}));
    ASSERT_NE(with_anthropic.llm(), nullptr);
    EXPECT_STREQ(with_anthropic.llm()->provider(), "anthropic");
  }
  host::ServiceContainer with_openai(test::integration_config(
      databases_, {{"LLM_PROVIDER", "openai"}, {"LLM_BASE_URL", server_.base_url() + "/v1"}, {"LLM_MODEL", "qwen"},
                   {"LLM_MAX_RETRIES", "0"}}));
  ASSERT_NE(with_openai.llm(), nullptr);
  EXPECT_STREQ(with_openai.llm()->provider(), "openai");
  // The container's client records into the container's own specs pool.
  server_.push(FakeLlmServer::openai_error(503, "unavailable", "down"));
  server_.push(FakeLlmServer::openai_text("served"));
  sdk::LlmResponse response;
  sdk::Error error;
  EXPECT_FALSE(with_openai.llm()->complete(request("reply"), &response, &error)) << "LLM_MAX_RETRIES=0";
  EXPECT_EQ(error.code, "LLM_UNAVAILABLE");
  ASSERT_TRUE(with_openai.llm()->complete(request("reply"), &response, &error)) << error.message;
  EXPECT_EQ(response.text, "served");
  EXPECT_EQ(server_.requests().back().json()["model"], "qwen");
  EXPECT_EQ(count("SELECT count(*) FROM llm_usage WHERE provider = 'openai' AND purpose = 'reply'"), 2);
}

TEST(LlmOptionsTest, SettingsBecomeOptionsWithSensibleDefaults) {
  test::TestDatabases unused_by_config_only;
  const auto config = test::integration_config(unused_by_config_only,
                                               {{"LLM_PROVIDER", "anthropic"}, {"ANTHROPIC_API_KEY", kKey}});
  const auto o = host::llm::options_from(config);
  EXPECT_EQ(o.base_url, "https://api.anthropic.com");
  EXPECT_EQ(o.model, host::llm::kDefaultAnthropicModel);
  EXPECT_EQ(o.api_key, kKey);
  EXPECT_EQ(o.timeout, 60s);
  EXPECT_EQ(o.max_retries, 2);
  EXPECT_EQ(o.concurrency, 64);

  const auto tuned = host::llm::options_from(test::integration_config(
      unused_by_config_only, {{"LLM_PROVIDER", "openai"}, {"LLM_BASE_URL", "http://127.0.0.1:11434/v1"},
                              {"OPENAI_API_KEY", "k2"}, {"LLM_TIMEOUT_S", "5"}, {"LLM_CONNECT_TIMEOUT_S", "9"},
                              {"LLM_MAX_RETRIES", "4"}, {"LLM_CONCURRENCY", "3"}, {"LLM_RETRY_MAX_WAIT_S", "7"}}));
  EXPECT_EQ(tuned.base_url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(tuned.api_key, "k2");
  EXPECT_EQ(tuned.timeout, 5s);
  EXPECT_EQ(tuned.connect_timeout, 5s) << "never longer than the whole call";
  EXPECT_EQ(tuned.max_retries, 4);
  EXPECT_EQ(tuned.concurrency, 3);
  EXPECT_EQ(tuned.retry_max_wait, 7s);
}

}  // namespace
}  // namespace socrates

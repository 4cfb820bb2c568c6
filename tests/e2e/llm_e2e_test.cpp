// The real socrates-host with an LLM provider configured (a fake OpenAI-compatible server on
// 127.0.0.1): it starts (and refuses to start without the provider's key); admin stats count
// today's llm_usage rows; questions, extraction and direct-chat replies come from the model
// (checked, never made up); what the model says wrongly is LLM_ERROR with nothing saved; and a slow
// model stalls nothing else: with every answer held back and 32 interviews waiting on it through a
// specs pool of 4 connections, /health and the projects list answer (how fast they answer then is
// bench/slow_model.sh's to measure, not a pass/fail here). A provider
// that cannot be reached or does not answer in time is LLM_UNAVAILABLE, with nothing saved.
#include "e2e/e2e_helpers.hpp"

#include "support/fake_llm_server.hpp"
#include "support/gate.hpp"
#include "support/integration_fixture.hpp"

#include <chrono>
#include <future>
#include <map>
#include <vector>

namespace socrates::test::e2e {
namespace {

using namespace std::chrono_literals;

class LlmE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new FakeLlmServer();
    host_ = new HostUnderTest(EnvMap{{"LLM_PROVIDER", "openai"},
                                     {"LLM_BASE_URL", server_->base_url() + "/v1"},
                                     {"LLM_MODEL", "fake-model"},
                                     {"LLM_MAX_RETRIES", "0"},
                                     {"DB_POOL_SIZE_SPECS", "4"},
                                     {"LLM_CONCURRENCY", "64"}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
    delete server_;
    server_ = nullptr;
  }
  // The fake model is shared by the suite: no test inherits another's script or default reply.
  void SetUp() override {
    server_->reset();
    expect_host_started(host_);
  }
  void TearDown() override {
    server_->release();
    expect_host_alive(host_);
  }

  HttpClient client() const { return host_->client(); }

  TestUser make_admin() const { return e2e::make_admin(client(), host_->env); }

  // A project of `user` with a socratic (or direct_chat) session; answers the session's id.
  std::string new_session(const TestUser& user, const std::string& mode = "socratic") const {
    const auto project = client().post("/api/v1/projects", {{"name", "Bakery orders"}, {"description", "online orders"}},
                                       user.access_token);
    EXPECT_EQ(project.status, 201) << describe(project);
    const auto session = client().post("/api/v1/projects/" + project.json().value("id", "") + "/sessions",
                                       {{"mode", mode}}, user.access_token);
    EXPECT_EQ(session.status, 201) << describe(session);
    return session.json().value("id", "");
  }

  std::int64_t specs_count(const std::string& sql) const { return db_count(host_->databases->specs_url(), sql); }

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

TEST_F(LlmE2eTest, QuestionsAndExtractionComeFromTheModel) {
  const TestUser user = new_user(client());
  const std::string session = new_session(user);
  const std::size_t calls_before = server_->request_count();

  server_->push(FakeLlmServer::openai_question("What problem do the bakeries have today, and why does it matter to them?", "goals"));
  const auto asked = client().post("/api/v1/sessions/" + session + "/next-question", nlohmann::json::object(),
                                   user.access_token);
  ASSERT_EQ(asked.status, 201) << describe(asked);
  EXPECT_EQ(asked.json()["text"], "What problem do the bakeries have today, and why does it matter to them?");
  EXPECT_EQ(asked.json()["category"], "goals");

  server_->push(FakeLlmServer::openai_text(
      R"([{"category":"goals","key":"primary_goal","value":"bakeries waste less bread","confidence":0.9,)"
      R"("reasoning":"stated as the aim"}])"));
  server_->push(FakeLlmServer::openai_question("Who will use the ordering service, and what do they need from it?", "requirements"));
  const auto answered = client().post("/api/v1/sessions/" + session + "/answer",
                                      {{"answer", "Bakeries throw away too much bread; we want them to waste less."}},
                                      user.access_token);
  ASSERT_EQ(answered.status, 200) << describe(answered);
  const nlohmann::json turn = answered.json();
  const nlohmann::json& saved = turn["specifications"];
  ASSERT_EQ(saved.size(), 1u) << answered.body;
  EXPECT_EQ(saved[0]["key"], "primary_goal");
  EXPECT_EQ(saved[0]["value"], "bakeries waste less bread");
  EXPECT_EQ(saved[0]["source"], "extracted");
  ASSERT_TRUE(turn["next_question"].is_object()) << turn.dump();
  EXPECT_EQ(turn["next_question"]["text"], "Who will use the ordering service, and what do they need from it?")
      << turn.dump();
  EXPECT_GT(turn["maturity"]["score"].get<int>(), 0);

  // What the model was sent: the configured model, a system prompt, and the answer to read.
  const auto requests = server_->requests();
  ASSERT_EQ(requests.size(), calls_before + 3);
  for (std::size_t i = calls_before; i < requests.size(); ++i) EXPECT_EQ(requests[i].path, "/v1/chat/completions");
  const nlohmann::json extraction = requests[calls_before + 1].json();
  EXPECT_EQ(requests[calls_before + 1].path, "/v1/chat/completions");
  EXPECT_EQ(extraction["model"], "fake-model");
  EXPECT_NE(extraction.dump().find("we want them to waste less"), std::string::npos) << extraction.dump();
  EXPECT_EQ(extraction["messages"][0]["role"], "system");
  // Every call is in llm_usage.
  EXPECT_GE(specs_count("SELECT count(*) FROM llm_usage WHERE ok AND model = 'local-fake-1'"), 3);
}

TEST_F(LlmE2eTest, AModelAnswerThatIsNotTheAskedJsonIsLlmErrorAndNothingIsSaved) {
  const TestUser user = new_user(client());
  const std::string session = new_session(user);
  server_->push(FakeLlmServer::openai_question("Which tasks must the service handle first, and why those?", "requirements"));
  ASSERT_EQ(client().post("/api/v1/sessions/" + session + "/next-question", nlohmann::json::object(),
                          user.access_token).status,
            201);

  server_->push(FakeLlmServer::openai_text("Sure! The user wants a website."));  // prose, not the JSON asked for
  const auto refused =
      client().post("/api/v1/sessions/" + session + "/answer", {{"answer", "Taking orders and payments."}},
                    user.access_token);
  EXPECT_TRUE(IsApiError(refused, 502, "LLM_ERROR"));
  // Nothing was made up or half-saved: the question still waits, and no specification exists.
  EXPECT_EQ(specs_count("SELECT count(*) FROM questions WHERE session_id = '" + session + "' AND NOT answered"), 1);
  EXPECT_EQ(specs_count("SELECT count(*) FROM specifications s JOIN sessions x ON x.project_id = s.project_id "
                        "WHERE x.id = '" + session + "'"),
            0);

  // An unknown category is refused the same way.
  server_->push(FakeLlmServer::openai_text(R"([{"category":"astrology","key":"sign","value":"leo","confidence":0.9}])"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/sessions/" + session + "/answer",
                                       {{"answer", "Taking orders and payments."}}, user.access_token),
                         502, "LLM_ERROR"));
}

// A provider's refusal reaches the client as the provider's name and status: neither its URL nor
// what it said (which can quote the request or a key's prefix); those are in the host's log.
TEST_F(LlmE2eTest, AProviderRefusalNamesTheProviderButNotItsUrlOrWords) {
  const TestUser user = new_user(client());
  const std::string session = new_session(user);
  const std::string words = "Incorrect API key provided: sk-proj-abc*** (from /srv/provider/keys.txt)";
  server_->push(FakeLlmServer::openai_error(401, "invalid_api_key", words));
  const auto refused = client().post("/api/v1/sessions/" + session + "/next-question", nlohmann::json::object(),
                                     user.access_token);
  ASSERT_TRUE(IsApiError(refused, 502, "LLM_ERROR"));
  const std::string message = refused.json()["error"]["message"];
  EXPECT_NE(message.find("openai"), std::string::npos) << message;
  EXPECT_NE(message.find("401"), std::string::npos) << message;
  const std::string address = server_->base_url().substr(server_->base_url().find("://") + 3);
  EXPECT_EQ(refused.body.find(address), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find("Incorrect API key"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find("sk-proj"), std::string::npos) << refused.body;

  eventually([&] { return host_->process->stderr_text().find("Incorrect API key provided") != std::string::npos; });
  const std::string log = host_->process->stderr_text();
  EXPECT_NE(log.find("Incorrect API key provided"), std::string::npos) << "the provider's words belong in the log";
  EXPECT_NE(log.find(address), std::string::npos) << "the provider's URL belongs in the log";
}

TEST_F(LlmE2eTest, DirectChatRepliesAreTheModels) {
  const TestUser user = new_user(client());
  const std::string session = new_session(user, "direct_chat");
  server_->push(FakeLlmServer::openai_text(
      R"([{"category":"requirements","key":"budget","value":"5000 EUR","confidence":0.8}])"));
  server_->push(FakeLlmServer::openai_text("Noted: a budget of 5000 EUR. Who will use the service, and why?"));
  const auto turn = client().post("/api/v1/sessions/" + session + "/message",
                                  {{"message", "We can spend 5000 euros at most."}}, user.access_token);
  ASSERT_EQ(turn.status, 200) << describe(turn);
  EXPECT_EQ(turn.json()["reply"], "Noted: a budget of 5000 EUR. Who will use the service, and why?");
  ASSERT_EQ(turn.json()["specifications"].size(), 1u) << turn.body;
  EXPECT_EQ(turn.json()["specifications"][0]["key"], "budget");
}

// Rewording (docs/domain.md "Requirements"): the model may reword a statement, never its ID,
// category, numbers or units; a refusal saves nothing, a good answer is stored and exported, and a
// new version of the specification returns to the template's text.
TEST_F(LlmE2eTest, RewordingThatChangesANumberIsRefusedAndAGoodOneIsStoredAndExported) {
  const TestUser user = new_user(client());
  const auto project = client().post("/api/v1/projects", {{"name", "Bakery orders"}}, user.access_token);
  ASSERT_EQ(project.status, 201) << describe(project);
  const std::string id = project.json()["id"];
  const auto latency = client().post("/api/v1/projects/" + id + "/specifications",
                                     {{"category", "performance"}, {"key", "p95_latency"}, {"value", "\xE2\x89\xA4 200 ms"}},
                                     user.access_token);
  ASSERT_EQ(latency.status, 201) << describe(latency);
  ASSERT_EQ(client()
                .post("/api/v1/projects/" + id + "/specifications",
                      {{"category", "security"}, {"key", "passwords_hashed"}, {"value", "Passwords must be hashed"}},
                      user.access_token)
                .status,
            201);
  const std::string reword = "/api/v1/projects/" + id + "/requirements/reword";
  auto statements = [&] {
    std::map<std::string, std::string> out;
    const nlohmann::json body = client().get("/api/v1/projects/" + id + "/requirements", user.access_token).json();
    for (const auto& r : body["items"]) out[r["id"]] = r["statement"];
    return out;
  };
  const auto templates = statements();
  ASSERT_EQ(templates.at("PERF-001"), "The system shall respond within 200 ms at the 95th percentile.");

  // 200 ms became 0.2 s: refused, nothing saved.
  server_->push(FakeLlmServer::openai_text(R"([
    {"id": "PERF-001", "category": "performance", "statement": "The system shall answer every request within 0.2 s at the 95th percentile."},
    {"id": "SEC-001", "category": "security", "statement": "The system shall store passwords only as salted hashes."}])"));
  const auto refused = client().post(reword, nlohmann::json::object(), user.access_token);
  EXPECT_TRUE(IsApiError(refused, 502, "LLM_ERROR"));
  EXPECT_NE(refused.json()["error"]["message"].get<std::string>().find("PERF-001"), std::string::npos) << refused.body;
  EXPECT_EQ(statements(), templates);
  EXPECT_EQ(specs_count("SELECT count(*) FROM requirement_statements"), 0);

  // A changed category and an invented ID are refused the same way.
  server_->push(FakeLlmServer::openai_text(R"([
    {"id": "PERF-001", "category": "scalability", "statement": "The system shall respond within 200 ms at the 95th percentile."},
    {"id": "SEC-001", "category": "security", "statement": "The system shall store passwords only as salted hashes."}])"));
  EXPECT_TRUE(IsApiError(client().post(reword, nlohmann::json::object(), user.access_token), 502, "LLM_ERROR"));
  server_->push(FakeLlmServer::openai_text(R"([
    {"id": "PERF-007", "category": "performance", "statement": "The system shall respond within 200 ms at the 95th percentile."},
    {"id": "SEC-001", "category": "security", "statement": "The system shall store passwords only as salted hashes."}])"));
  EXPECT_TRUE(IsApiError(client().post(reword, nlohmann::json::object(), user.access_token), 502, "LLM_ERROR"));
  EXPECT_EQ(statements(), templates);

  // A good answer is stored, listed and exported.
  const std::string better = "The system shall answer each request within 200 ms at the 95th percentile.";
  server_->push(FakeLlmServer::openai_text(R"([
    {"id": "PERF-001", "category": "performance", "statement": ")" + better + R"("},
    {"id": "SEC-001", "category": "security", "statement": "The system shall store passwords only as salted hashes."}])"));
  const auto stored = client().post(reword, nlohmann::json::object(), user.access_token);
  ASSERT_EQ(stored.status, 200) << describe(stored);
  EXPECT_EQ(stored.json()["reworded"], 2);
  const auto request = server_->requests().back().json();
  EXPECT_NE(request.dump().find("The system shall respond within 200 ms at the 95th percentile."), std::string::npos)
      << "the model is given the templates' statements";
  EXPECT_EQ(statements().at("PERF-001"), better);
  const auto markdown = client().get("/api/v1/projects/" + id + "/export?format=markdown", user.access_token);
  EXPECT_NE(markdown.body.find(better), std::string::npos) << markdown.body;
  const auto document = client().get("/api/v1/projects/" + id + "/export?format=json", user.access_token).json();
  for (const auto& r : document["requirements"]) {
    EXPECT_EQ(r["reworded"], true);
    EXPECT_EQ(r["template_statement"], templates.at(r["id"]));
  }

  // A new version of the specification shows the template's text until it is reworded again.
  const auto edited = client().request("PUT", "/api/v1/specifications/" + latency.json()["id"].get<std::string>(),
                                       nlohmann::json{{"value", "\xE2\x89\xA4 300 ms"}}.dump(), bearer(user.access_token));
  ASSERT_EQ(edited.status, 200) << describe(edited);
  const auto after = statements();
  EXPECT_EQ(after.at("PERF-001"), "The system shall respond within 300 ms at the 95th percentile.");
  EXPECT_EQ(after.at("SEC-001"), "The system shall store passwords only as salted hashes.");
}

TEST_F(LlmE2eTest, ASlowModelStallsNothingElseAndHoldsNoConnection) {
  constexpr int kInterviews = 32;  // waiting on the model at once, through a specs pool of 4
  constexpr int kProbes = 50;
  const TestUser user = new_user(client());
  std::vector<std::string> sessions;
  for (int i = 0; i < kInterviews; ++i) sessions.push_back(new_session(user));
  // The model thinks until the test says: every interview is waiting on it while the probes run.
  ScriptedReply slow = FakeLlmServer::openai_question("What would make the service a success for the bakeries, and why?", "goals");
  slow.held = true;
  server_->set_default(slow);

  std::vector<std::future<Response>> waiting;
  // Whatever fails below, the held answers go out before `waiting` waits for them.
  struct LetGo {
    FakeLlmServer& server;
    ~LetGo() {
      server.reset();
      server.release();
    }
  } let_go{*server_};
  for (const auto& session : sessions)
    waiting.push_back(std::async(std::launch::async, [this, session, token = user.access_token] {
      return client().post("/api/v1/sessions/" + session + "/next-question", nlohmann::json::object(), token);
    }));
  ASSERT_TRUE(eventually([&] { return server_->in_progress() == static_cast<std::size_t>(kInterviews); }, 60s))
      << "only " << server_->in_progress() << " of " << kInterviews << " interviews are waiting on the model";

  // While all of them wait: the health check, and an authenticated list (a database read through
  // the specs pool of 4, which a waiting interview holding a connection would exhaust).
  for (int i = 0; i < kProbes; ++i) {
    const auto health = client().get("/health");
    ASSERT_EQ(health.status, 200) << describe(health);
    const auto list = client().get("/api/v1/projects", user.access_token);
    ASSERT_EQ(list.status, 200) << describe(list);
    EXPECT_EQ(list.json()["total"], kInterviews);
  }
  EXPECT_EQ(server_->in_progress(), static_cast<std::size_t>(kInterviews)) << "the probes ran while all waited";

  server_->release();
  for (auto& answer : waiting) {
    const Response asked = answer.get();
    EXPECT_EQ(asked.status, 201) << describe(asked);
    EXPECT_EQ(asked.json().value("text", ""), "What would make the service a success for the bakeries, and why?");
  }
}

// The provider cannot be reached, or does not answer in time: 503 LLM_UNAVAILABLE over HTTP, and
// nothing of the request is saved (no question, nothing in the history, no specification); only
// the failed call is recorded in llm_usage, as every call is.
class LlmOutageE2eTest : public ::testing::Test {
 protected:
  static EnvMap provider_at(const std::string& base_url, EnvMap more = {}) {
    more.insert({{"LLM_PROVIDER", "openai"}, {"LLM_BASE_URL", base_url + "/v1"}, {"LLM_MODEL", "fake-model"}});
    return more;
  }

  // A project of `user` with a session in `mode`; answers the session's id.
  static std::string new_session(const HostUnderTest& host, const TestUser& user, const std::string& mode) {
    const auto project = host.client().post("/api/v1/projects", {{"name", "Bakery orders"}}, user.access_token);
    EXPECT_EQ(project.status, 201) << describe(project);
    const auto session = host.client().post("/api/v1/projects/" + project.json().value("id", "") + "/sessions",
                                            {{"mode", mode}}, user.access_token);
    EXPECT_EQ(session.status, 201) << describe(session);
    return session.json().value("id", "");
  }

  static std::int64_t count(const HostUnderTest& host, const std::string& sql) {
    return db_count(host.databases->specs_url(), sql);
  }
  static std::size_t history_size(const HostUnderTest& host, const std::string& session, const TestUser& user) {
    const auto history = host.client().get("/api/v1/sessions/" + session + "/history", user.access_token);
    EXPECT_EQ(history.status, 200) << describe(history);
    return history.json()["items"].size();
  }
};

TEST_F(LlmOutageE2eTest, AnUnreachableProviderIs503LlmUnavailableAndNothingIsSaved) {
  // A port that refuses connections for as long as the test holds it: bound, never listening.
  const int refusing = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(refusing, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(refusing, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(refusing, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  {
    // One retry, at once: a connection failure is retried, and still ends in LLM_UNAVAILABLE.
    const HostUnderTest host(provider_at(url, {{"LLM_MAX_RETRIES", "1"}, {"LLM_RETRY_MAX_WAIT_S", "0"}}));
    ASSERT_TRUE(host.start_error.empty()) << host.start_error;
    const TestUser user = new_user(host.client());

    const std::string socratic = new_session(host, user, "socratic");
    const auto asked = host.client().post("/api/v1/sessions/" + socratic + "/next-question", nlohmann::json::object(),
                                          user.access_token);
    EXPECT_TRUE(IsApiError(asked, 503, "LLM_UNAVAILABLE"));
    EXPECT_EQ(asked.body.find(url), std::string::npos) << "the provider's address is for the log: " << asked.body;
    EXPECT_EQ(count(host, "SELECT count(*) FROM questions WHERE session_id = '" + socratic + "'"), 0);
    EXPECT_EQ(history_size(host, socratic, user), 0u);

    const std::string chat = new_session(host, user, "direct_chat");
    EXPECT_TRUE(IsApiError(host.client().post("/api/v1/sessions/" + chat + "/message",
                                              {{"message", "We can spend 5000 euros at most."}}, user.access_token),
                           503, "LLM_UNAVAILABLE"));
    EXPECT_EQ(history_size(host, chat, user), 0u);
    EXPECT_EQ(count(host, "SELECT count(*) FROM specifications"), 0);

    // Each failed call is recorded, with both of its attempts.
    EXPECT_EQ(count(host, "SELECT count(*) FROM llm_usage WHERE NOT ok AND error_code = 'LLM_UNAVAILABLE' "
                          "AND attempts = 2 AND user_id = '" + user.id + "'"),
              2);
    EXPECT_EQ(count(host, "SELECT count(*) FROM llm_usage WHERE ok"), 0);
    int status = 0;
    EXPECT_TRUE(host.process->alive(&status)) << host.process->stderr_text();
  }
  ::close(refusing);
}

TEST_F(LlmOutageE2eTest, AProviderThatDoesNotAnswerInTimeIs503LlmUnavailableAndNothingIsSaved) {
  FakeLlmServer server;
  const HostUnderTest host(provider_at(server.base_url(), {{"LLM_TIMEOUT_S", "1"}, {"LLM_MAX_RETRIES", "0"}}));
  ASSERT_TRUE(host.start_error.empty()) << host.start_error;
  const TestUser user = new_user(host.client());
  const std::string session = new_session(host, user, "socratic");
  server.push(FakeLlmServer::openai_question("Which tasks must the service handle first, and why those?", "requirements"));
  ASSERT_EQ(host.client().post("/api/v1/sessions/" + session + "/next-question", nlohmann::json::object(),
                               user.access_token).status,
            201);

  // The extraction of the answer: the provider takes the request and never answers (until the
  // fake server goes away at the end of the test); the host gives up after LLM_TIMEOUT_S.
  ScriptedReply stalled = FakeLlmServer::openai_text("[]");
  stalled.delay = std::chrono::hours(1);
  server.push(stalled);
  const auto answered = host.client().post("/api/v1/sessions/" + session + "/answer",
                                           {{"answer", "Taking orders and payments."}}, user.access_token);
  EXPECT_TRUE(IsApiError(answered, 503, "LLM_UNAVAILABLE"));
  EXPECT_EQ(server.request_count(), 2u) << "a timeout is not retried";

  // The question still waits, the answer is not in the history, and nothing was recorded from it.
  EXPECT_EQ(count(host, "SELECT count(*) FROM questions WHERE session_id = '" + session + "' AND NOT answered"), 1);
  EXPECT_EQ(history_size(host, session, user), 1u);
  EXPECT_EQ(count(host, "SELECT count(*) FROM specifications"), 0);
  EXPECT_EQ(count(host, "SELECT count(*) FROM llm_usage WHERE NOT ok AND error_code = 'LLM_UNAVAILABLE' "
                        "AND purpose = 'extraction'"),
            1);

  // The host still serves, the provider too once it answers again.
  server.push(FakeLlmServer::openai_text(
      R"([{"category":"requirements","key":"core_tasks","value":"orders and payments","confidence":0.9}])"));
  server.push(FakeLlmServer::openai_question("Who will use the ordering service, and what do they need from it?", "requirements"));
  const auto retried = host.client().post("/api/v1/sessions/" + session + "/answer",
                                          {{"answer", "Taking orders and payments."}}, user.access_token);
  EXPECT_EQ(retried.status, 200) << describe(retried);
  int status = 0;
  EXPECT_TRUE(host.process->alive(&status)) << host.process->stderr_text();
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

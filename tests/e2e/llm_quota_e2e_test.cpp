// The per-user daily LLM limit over real HTTP (LLM_DAILY_CALLS_PER_USER=2, a fake OpenAI-compatible
// provider on 127.0.0.1): once a user's calls of the day reach the limit, the next LLM-backed
// request answers 429 RATE_LIMITED with Retry-After, the provider is not contacted and nothing is
// saved; the count is read from llm_usage (so rows another host wrote count too), each row names
// the user and the project, and a request let in under the limit finishes its turn.
#include "e2e/e2e_helpers.hpp"

#include "support/fake_llm_server.hpp"
#include "support/integration_fixture.hpp"

#include <string>
#include <vector>

namespace socrates::test::e2e {
namespace {

class LlmQuotaE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new FakeLlmServer();
    host_ = new HostUnderTest(EnvMap{{"LLM_PROVIDER", "openai"},
                                     {"LLM_BASE_URL", server_->base_url() + "/v1"},
                                     {"LLM_MODEL", "fake-model"},
                                     {"LLM_MAX_RETRIES", "0"},
                                     {"LLM_DAILY_CALLS_PER_USER", "2"}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
    delete server_;
    server_ = nullptr;
  }
  // The fake model is shared by the suite: no test inherits replies another scripted and left.
  void SetUp() override {
    server_->reset();
    expect_host_started(host_);
  }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }

  struct Session {
    std::string project_id;
    std::string id;
  };
  Session new_session(const TestUser& user, const std::string& mode = "socratic") const {
    const auto project = client().post("/api/v1/projects", {{"name", "Quota"}}, user.access_token);
    EXPECT_EQ(project.status, 201) << describe(project);
    const std::string project_id = project.json().value("id", "");
    const auto session =
        client().post("/api/v1/projects/" + project_id + "/sessions", {{"mode", mode}}, user.access_token);
    EXPECT_EQ(session.status, 201) << describe(session);
    return {project_id, session.json().value("id", "")};
  }
  Response next_question(const TestUser& user, const Session& session) const {
    return client().post("/api/v1/sessions/" + session.id + "/next-question", nlohmann::json::object(),
                         user.access_token);
  }

  std::int64_t specs_count(const std::string& sql) const { return db_count(host_->databases->specs_url(), sql); }

  static FakeLlmServer* server_;
  static HostUnderTest* host_;
};

FakeLlmServer* LlmQuotaE2eTest::server_ = nullptr;
HostUnderTest* LlmQuotaE2eTest::host_ = nullptr;

TEST_F(LlmQuotaE2eTest, TheThirdCallOfTheDayIsRateLimitedWithoutAskingTheProvider) {
  const TestUser user = new_user(client());
  const std::vector<Session> sessions = {new_session(user), new_session(user), new_session(user)};
  const std::size_t calls_before = server_->request_count();

  server_->push(FakeLlmServer::openai_question("What problem do the bakeries have today, and why does it matter?", "goals"));
  ASSERT_EQ(next_question(user, sessions[0]).status, 201);
  server_->push(FakeLlmServer::openai_question("Who will order, and what do they need from the service?", "requirements"));
  ASSERT_EQ(next_question(user, sessions[1]).status, 201);

  // Nothing scripted: were the provider asked, it would answer 500 (LLM_UNAVAILABLE), not 429.
  const auto refused = next_question(user, sessions[2]);
  ASSERT_TRUE(IsApiError(refused, 429, "RATE_LIMITED"));
  EXPECT_EQ(refused.json()["error"]["details"]["limit"], 2) << refused.body;
  const auto retry_after = refused.header("retry-after");
  ASSERT_TRUE(retry_after.has_value());
  EXPECT_GE(std::stol(*retry_after), 1);
  EXPECT_LE(std::stol(*retry_after), 24 * 3600);
  EXPECT_EQ(refused.json()["error"]["details"]["retry_after_s"], std::stol(*retry_after));

  EXPECT_EQ(server_->request_count(), calls_before + 2) << "the provider was asked over the limit";
  // Nothing saved for the refused request; both calls recorded with the user and their project.
  EXPECT_EQ(specs_count("SELECT count(*) FROM questions WHERE session_id = '" + sessions[2].id + "'"), 0);
  EXPECT_EQ(specs_count("SELECT count(*) FROM llm_usage WHERE user_id = '" + user.id + "'"), 2);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(specs_count("SELECT count(*) FROM llm_usage WHERE user_id = '" + user.id + "' AND project_id = '" +
                          sessions[i].project_id + "' AND purpose = 'question' AND agent = 'socratic'"),
              1)
        << "session " << i;

  // Another user's allowance is their own.
  const TestUser other = new_user(client());
  const Session theirs = new_session(other);
  server_->push(FakeLlmServer::openai_question("What would make the service a success, and why?", "goals"));
  EXPECT_EQ(next_question(other, theirs).status, 201);
}

TEST_F(LlmQuotaE2eTest, ARequestLetInFinishesItsTurnAndARefusedOneSavesNothing) {
  const TestUser user = new_user(client());
  const Session chat = new_session(user, "direct_chat");
  // One call today already, made through another host: the count is PostgreSQL's.
  exec_sql(host_->databases->specs_url(),
           "INSERT INTO llm_usage (provider, model, purpose, attempts, ok, error_code, user_id, created_at) VALUES "
           "('openai', 'fake-model', 'question', 1, true, NULL, '" + user.id + "', now()), "
           // Neither a call of yesterday nor one refused before reaching the provider counts.
           "('openai', 'fake-model', 'question', 1, true, NULL, '" + user.id + "', now() - interval '1 day 1 hour'), "
           "('openai', 'fake-model', 'question', 0, false, 'LLM_UNAVAILABLE', '" + user.id + "', now())");

  // 1 of 2 used: the message is let in, and its two calls (extraction, reply) both go ahead.
  server_->push(FakeLlmServer::openai_text(
      R"([{"category":"requirements","key":"budget","value":"5000 EUR","confidence":0.8}])"));
  server_->push(FakeLlmServer::openai_text("Noted: a budget of 5000 EUR. Who will use the service, and why?"));
  const auto turn = client().post("/api/v1/sessions/" + chat.id + "/message",
                                  {{"message", "We can spend 5000 euros at most."}}, user.access_token);
  ASSERT_EQ(turn.status, 200) << describe(turn);
  EXPECT_EQ(turn.json()["reply"], "Noted: a budget of 5000 EUR. Who will use the service, and why?");
  EXPECT_EQ(specs_count("SELECT count(*) FROM llm_usage WHERE user_id = '" + user.id + "' AND project_id = '" +
                        chat.project_id + "' AND purpose IN ('extraction', 'reply')"),
            2);

  // Now over it: the next message is refused before anything is recorded.
  const std::size_t calls_before = server_->request_count();
  const auto refused = client().post("/api/v1/sessions/" + chat.id + "/message",
                                     {{"message", "Payments by card only."}}, user.access_token);
  ASSERT_TRUE(IsApiError(refused, 429, "RATE_LIMITED"));
  EXPECT_EQ(server_->request_count(), calls_before);
  const auto history = client().get("/api/v1/sessions/" + chat.id + "/history", user.access_token);
  ASSERT_EQ(history.status, 200) << describe(history);
  EXPECT_EQ(history.json()["items"].size(), 2u) << history.body;  // the first message and its reply only
  EXPECT_EQ(specs_count("SELECT count(*) FROM specifications WHERE project_id = '" + chat.project_id + "'"), 1);

  // The generic route is held to the same limit.
  EXPECT_TRUE(IsApiError(client().post("/api/v1/agents/context/record_message",
                                       {{"session_id", chat.id}, {"message", "Payments by card only."}},
                                       user.access_token),
                         429, "RATE_LIMITED"));
  EXPECT_EQ(server_->request_count(), calls_before);
}

}  // namespace
}  // namespace socrates::test::e2e

// An agent whose action throws must cost its caller one 500 AGENT_ERROR and nothing more: the
// host keeps serving that agent, the others, and liveness.
#include "e2e/e2e_helpers.hpp"

namespace socrates::test::e2e {
namespace {

class AgentFailureE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    host_ = new HostUnderTest(EnvMap{{"PLUGINS", bundled_plugins_and("fixture_throwing")}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override {
    expect_host_started(host_);
    user_ = new_user(client());
  }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }

  static HostUnderTest* host_;
  TestUser user_;
};

HostUnderTest* AgentFailureE2eTest::host_ = nullptr;

TEST_F(AgentFailureE2eTest, AThrowingActionAnswers500AgentErrorAndTheHostKeepsServing) {
  const auto boom =
      client().post("/api/v1/agents/fixture_throwing/boom", nlohmann::json::object(), user_.access_token);
  ASSERT_TRUE(IsApiError(boom, 500, "AGENT_ERROR"));
  // What the exception said is for the log, not for the client.
  EXPECT_EQ(boom.body.find("fixture_throwing: boom"), std::string::npos) << boom.body;

  // The same agent still answers its other action, the other agents still work, liveness holds.
  const auto ok = client().post("/api/v1/agents/fixture_throwing/ok", nlohmann::json::object(), user_.access_token);
  ASSERT_EQ(ok.status, 200) << describe(ok);
  EXPECT_EQ(ok.json(), nlohmann::json({{"result", {{"ok", true}}}}));
  EXPECT_EQ(client().post("/api/v1/projects", {{"name", "after boom"}}, user_.access_token).status, 201);
  EXPECT_EQ(client().get("/health").status, 200);
}

TEST_F(AgentFailureE2eTest, RepeatedFailuresDoNotWearTheHostDown) {
  // More failures than there are worker threads: a failure must not leak a worker or a connection.
  ASSERT_EQ(client().post("/api/v1/projects", {{"name", "before the failures"}}, user_.access_token).status, 201);
  for (int i = 0; i < 40; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(IsApiError(
        client().post("/api/v1/agents/fixture_throwing/boom", nlohmann::json::object(), user_.access_token), 500,
        "AGENT_ERROR"));
  }
  // The database work still runs: the user's one project is listed.
  const auto listed = client().get("/api/v1/projects", user_.access_token);
  ASSERT_EQ(listed.status, 200) << describe(listed);
  EXPECT_EQ(listed.json()["total"], 1) << listed.body;
  ASSERT_EQ(listed.json()["items"].size(), 1u) << listed.body;
  EXPECT_EQ(listed.json()["items"][0]["name"], "before the failures");
  EXPECT_EQ(client().get("/api/v1/admin/health").status, 200);
}

TEST_F(AgentFailureE2eTest, AdminHealthListsTheExtraAgent) {
  const auto health = client().get("/api/v1/admin/health");
  ASSERT_EQ(health.status, 200) << describe(health);
  bool found = false;
  const auto body = health.json();
  for (const auto& agent : body["agents"])
    if (agent["id"] == "fixture_throwing") found = agent["status"] == "ok";
  EXPECT_TRUE(found) << health.body;
}

}  // namespace
}  // namespace socrates::test::e2e

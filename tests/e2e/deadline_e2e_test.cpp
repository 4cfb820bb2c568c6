// Deadlines through the real binary (docs/plugins.md, "Deadlines"): a call past its agent's
// deadline is answered 504 AGENT_TIMEOUT at the deadline, not when the agent returns; its worker
// is replaced, so the pool serves on; what it wrote is never committed; an agent that keeps timing
// out is shown degraded. fixture_slow declares a deadline of 300 ms and sleeps on demand.
#include "e2e/e2e_helpers.hpp"

#include <chrono>
#include <thread>
#include <vector>

namespace socrates::test::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class DeadlineE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    host_ = new HostUnderTest(EnvMap{{"PLUGINS", bundled_plugins_and("fixture_slow")}, {"WORKERS", "2"}});
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
  Response call(const std::string& action, const nlohmann::json& params) const {
    return client().post("/api/v1/agents/fixture_slow/" + action, params, user_.access_token);
  }

  static HostUnderTest* host_;
  TestUser user_;
};

HostUnderTest* DeadlineE2eTest::host_ = nullptr;

TEST_F(DeadlineE2eTest, ACallPastItsDeadlineIsAnswered504AtTheDeadline) {
  const auto started = Clock::now();
  const auto late = call("sleep", {{"ms", 4000}});
  const auto took = Clock::now() - started;
  ASSERT_TRUE(IsApiError(late, 504, "AGENT_TIMEOUT"));
  const auto details = late.json()["error"]["details"];
  EXPECT_EQ(details["agent"], "fixture_slow");
  EXPECT_EQ(details["action"], "sleep");
  EXPECT_EQ(details["deadline_ms"], 300);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3000ms) << "answered when the agent returned, not at its deadline";

  // The agent still answers within its deadline, and the other agents too.
  const auto quick = call("sleep", {{"ms", 1}});
  ASSERT_EQ(quick.status, 200) << describe(quick);
  EXPECT_EQ(quick.json()["result"]["slept"], 1);
  EXPECT_EQ(client().post("/api/v1/projects", {{"name", "beside a slow agent"}}, user_.access_token).status, 201);
}

TEST_F(DeadlineE2eTest, TimedOutCallsDoNotShrinkTheWorkerPool) {
  // Twice as many stuck calls as the host has workers (WORKERS=2), each sleeping 5 s: every one
  // is answered at its deadline, and a fast request is served while they all still sleep.
  const auto started = Clock::now();
  std::vector<long> statuses(4, 0);
  std::vector<std::thread> callers;
  for (std::size_t i = 0; i < statuses.size(); ++i)
    callers.emplace_back([&, i] { statuses[i] = call("sleep", {{"ms", 5000}}).status; });
  for (auto& thread : callers) thread.join();
  const auto all_answered = Clock::now() - started;
  for (long status : statuses) EXPECT_EQ(status, 504);
  EXPECT_LT(all_answered, 4000ms) << "the calls queued behind stuck workers: the pool was not replenished";

  const auto listed = client().get("/api/v1/projects", user_.access_token);
  EXPECT_EQ(listed.status, 200) << describe(listed);
  EXPECT_LT(Clock::now() - started, 5000ms) << "the check must run while the stuck calls still sleep";
}

TEST_F(DeadlineE2eTest, ATimedOutCallNeverCommits) {
  // The agent inserts, sleeps past its deadline, then commits: the host refuses that commit.
  const std::string tag = "late-" + random_suffix();
  ASSERT_TRUE(IsApiError(call("write_then_sleep", {{"tag", tag}, {"ms", 700}}), 504, "AGENT_TIMEOUT"));
  std::this_thread::sleep_for(900ms);  // past the agent's commit
  const auto marks = call("marks", {{"tag", tag}});
  ASSERT_EQ(marks.status, 200) << describe(marks);
  EXPECT_EQ(marks.json()["result"]["count"], 0) << "the client was told 504, yet the write was committed";

  // Within its deadline the same write is committed.
  const std::string kept = "kept-" + random_suffix();
  ASSERT_EQ(call("write_then_sleep", {{"tag", kept}, {"ms", 1}}).status, 200);
  EXPECT_EQ(call("marks", {{"tag", kept}}).json()["result"]["count"], 1);
}

TEST_F(DeadlineE2eTest, AnAgentThatKeepsTimingOutIsShownDegraded) {
  auto agent_in = [](const nlohmann::json& list, const std::string& id) {
    for (const auto& agent : list)
      if (agent["id"] == id) return agent;
    return nlohmann::json();
  };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(IsApiError(call("sleep", {{"ms", 600}}), 504, "AGENT_TIMEOUT"));

  const auto health = client().get("/api/v1/admin/health");
  EXPECT_EQ(health.status, 503) << describe(health);
  EXPECT_EQ(health.json()["status"], "degraded");
  const auto slow = agent_in(health.json()["agents"], "fixture_slow");
  EXPECT_EQ(slow["status"], "degraded") << health.body;
  EXPECT_GE(slow["timeouts"], 3);
  EXPECT_EQ(agent_in(health.json()["agents"], "socratic")["status"], "ok") << health.body;

  const TestUser admin = make_admin(client(), host_->env);
  const auto agents = client().get("/api/v1/admin/agents", admin.access_token);
  ASSERT_EQ(agents.status, 200) << describe(agents);
  const auto listed = agent_in(agents.json()["items"], "fixture_slow");
  EXPECT_EQ(listed["status"], "degraded");
  EXPECT_EQ(listed["deadline_ms"], 300);
  EXPECT_GE(listed["stats"]["timeouts"], 3);
  EXPECT_EQ(agent_in(agents.json()["items"], "context")["deadline_ms"], 300000) << "declares none: the host's";
}

}  // namespace
}  // namespace socrates::test::e2e

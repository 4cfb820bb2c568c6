// Isolated agents through the real binary (docs/plugins.md, "Isolation"): three misbehaving
// fixtures run isolated (PLUGINS=isolated:...) beside the bundled agents. One segfaults, one loops
// past its deadline, one leaks past the children's address-space limit; each answers its own error
// code, its child is started again, the host and the other agents serve on without a single error
// (32 keep-alive clients meanwhile), a crash leaves nothing half-written, and an agent that keeps
// crashing is quarantined until a reload (admin or SIGHUP) releases it. An isolated agent with
// migrations of its own has them applied by the host, at load and at reload.
#include "e2e/e2e_helpers.hpp"
#include "support/prometheus_text.hpp"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace socrates::test::e2e {
namespace {

using namespace std::chrono_literals;

class IsolationE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = SOCRATES_PLUGIN_DIR, fixtures = SOCRATES_FIXTURE_DIR;
    host_ = new HostUnderTest(EnvMap{{"PLUGINS", dir + "/libproject_manager_agent.so," + dir + "/libsocratic_agent.so," +
                                                     dir + "/libcontext_agent.so,isolated:" + fixtures +
                                                     "/libfixture_crash.so,isolated:" + fixtures +
                                                     "/libfixture_loop.so,isolated:" + fixtures + "/libfixture_leak.so,isolated:" +
                                                     fixtures + "/libfixture_ledger_1.so"},
                                     {"PLUGIN_DIR", fixtures},  // where a reload finds the ledger's next build
                                     {"AGENT_MAX_CRASHES", "3"},
                                     {"AGENT_MEMORY_LIMIT_MB", "1024"}});
    if (host_->start_error.empty()) admin_ = new TestUser(make_admin(host_->client(), host_->env));
  }
  static void TearDownTestSuite() {
    delete admin_;
    admin_ = nullptr;
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override {
    expect_host_started(host_);
    ASSERT_NE(admin_, nullptr);
    user_ = new_user(client());
    // Every test starts from fresh generations of the bad agents: no crash counted, no quarantine.
    for (const char* agent : {"fixture_crash", "fixture_loop", "fixture_leak"}) ASSERT_EQ(reload(agent).status, 200);
  }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }
  Response call(const std::string& agent, const std::string& action,
                const nlohmann::json& params = nlohmann::json::object()) const {
    return client().post("/api/v1/agents/" + agent + "/" + action, params, user_.access_token);
  }
  Response reload(const std::string& agent) const {
    return client().post("/api/v1/admin/agents/" + agent + "/reload", nlohmann::json::object(), admin_->access_token);
  }
  // The agent's "ok" once its child serves again (after the backoff): its pid, or 0.
  long serving_pid(const std::string& agent) const {
    for (int i = 0; i < 200; ++i) {
      const auto ok = call(agent, "ok");
      if (ok.status == 200) return ok.json()["result"]["pid"].get<long>();
      if (!IsApiError(ok, 502, "AGENT_CRASHED")) {
        ADD_FAILURE() << describe(ok);
        return 0;
      }
      std::this_thread::sleep_for(25ms);  // the backoff: calls meanwhile are refused at once
    }
    ADD_FAILURE() << agent << " never served again";
    return 0;
  }
  static nlohmann::json agent_in(const nlohmann::json& list, const std::string& id) {
    for (const auto& agent : list)
      if (agent["id"] == id) return agent;
    return nlohmann::json();
  }

  static HostUnderTest* host_;
  static TestUser* admin_;
  TestUser user_;
};

HostUnderTest* IsolationE2eTest::host_ = nullptr;
TestUser* IsolationE2eTest::admin_ = nullptr;

TEST_F(IsolationE2eTest, BadAgentsFailAloneWhile32KeepAliveClientsUseTheOthers) {
  // 32 keep-alive clients on the in-process agents and the database, from before the first crash
  // to after the last.
  std::atomic<bool> stop{false};
  std::atomic<int> served{0}, errors{0};
  std::vector<std::string> first_errors(32);
  const Headers headers = {{"Authorization", "Bearer " + user_.access_token},
                                            {"Content-Type", "application/json"}};
  // Joined however the test ends (an ASSERT returns early).
  struct Clients {
    std::atomic<bool>& stop;
    std::vector<std::thread> threads;
    ~Clients() {
      stop = true;
      for (auto& thread : threads)
        if (thread.joinable()) thread.join();
    }
  } running{stop, {}};
  std::vector<std::thread>& clients = running.threads;
  for (int i = 0; i < 32; ++i)
    clients.emplace_back([&, i] {
      KeepAliveClient keep_alive(host_->process->base_url());
      for (int n = 0; !stop.load(); ++n) {
        try {
          const Response answer = n % 2 == 0 ? keep_alive.request("POST", "/api/v1/agents/socratic/describe", "{}", headers)
                                             : keep_alive.request("GET", "/api/v1/projects", "", headers);
          if (answer.status == 200) {
            served.fetch_add(1);
            continue;
          }
          if (errors.fetch_add(1) == 0 || first_errors[static_cast<std::size_t>(i)].empty())
            first_errors[static_cast<std::size_t>(i)] = describe(answer);
        } catch (const std::exception& e) {
          errors.fetch_add(1);
          first_errors[static_cast<std::size_t>(i)] = e.what();
        }
      }
    });
  for (int i = 0; i < 2000 && served.load() < 64; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_GE(served.load(), 64) << "the clients are not served";

  // Segfault: 502, and a new child afterwards.
  const long crash_pid = serving_pid("fixture_crash");
  const auto segv = call("fixture_crash", "segv");
  ASSERT_TRUE(IsApiError(segv, 502, "AGENT_CRASHED"));
  EXPECT_EQ(segv.json()["error"]["details"]["reason"].get<std::string>().rfind("signal 11", 0), 0u) << segv.body;
  const long restarted = serving_pid("fixture_crash");
  EXPECT_NE(restarted, 0);
  EXPECT_NE(restarted, crash_pid);

  // A loop: 504 at its deadline (500 ms), then its child is killed and replaced.
  const long loop_pid = serving_pid("fixture_loop");
  const auto loop = call("fixture_loop", "loop");
  ASSERT_TRUE(IsApiError(loop, 504, "AGENT_TIMEOUT"));
  EXPECT_EQ(loop.json()["error"]["details"]["deadline_ms"], 500);
  // Its child is killed just after the 504 (the watchdog answers first): calls meanwhile may
  // still reach it, or find it gone.
  long replaced = loop_pid;
  for (int i = 0; i < 200 && (replaced = serving_pid("fixture_loop")) == loop_pid; ++i)
    std::this_thread::sleep_for(25ms);
  EXPECT_NE(replaced, 0);
  EXPECT_NE(replaced, loop_pid) << "the looping child was never replaced";

  // A leak: served until the child reaches AGENT_MEMORY_LIMIT_MB, then 502 "out of memory".
  Response leak;
  int held = 0;
  for (; held < 40; ++held) {
    leak = call("fixture_leak", "leak", {{"mb", 64}});
    if (leak.status != 200) break;
  }
  ASSERT_TRUE(IsApiError(leak, 502, "AGENT_CRASHED")) << "after " << held << " × 64 MiB";
  EXPECT_NE(leak.json()["error"]["details"]["reason"].get<std::string>().find("out of memory"), std::string::npos)
      << leak.body;
  EXPECT_GE(held, 2);
  EXPECT_NE(serving_pid("fixture_leak"), 0);

  const int before_stop = served.load();
  for (int i = 0; i < 2000 && served.load() < before_stop + 64; ++i) std::this_thread::sleep_for(5ms);
  stop = true;
  for (auto& thread : clients) thread.join();
  EXPECT_EQ(errors.load(), 0) << [&] {
    std::string text;
    for (const auto& e : first_errors)
      if (!e.empty()) text += e + "\n";
    return text;
  }();
  EXPECT_GT(served.load(), 128);
}

TEST_F(IsolationE2eTest, ACrashLeavesNothingHalfWritten) {
  // The agent inserts in a transaction, then segfaults before it commits.
  const std::string tag = "crashed-" + random_suffix();
  ASSERT_TRUE(IsApiError(call("fixture_crash", "write_then_segv", {{"tag", tag}}), 502, "AGENT_CRASHED"));
  ASSERT_NE(serving_pid("fixture_crash"), 0);
  const auto marks = call("fixture_crash", "marks", {{"tag", tag}});
  ASSERT_EQ(marks.status, 200) << describe(marks);
  EXPECT_EQ(marks.json()["result"]["count"], 0) << "the crashed call's insert was committed";

  // The database connection it held went back to the pool, rolled back: the host serves on.
  for (int i = 0; i < 8; ++i) EXPECT_EQ(client().get("/api/v1/projects", user_.access_token).status, 200);
}

TEST_F(IsolationE2eTest, AnAgentThatKeepsCrashingIsQuarantinedUntilReloaded) {
  const std::string restarted = R"(socrates_agent_crashes_total{agent="fixture_crash",then="restarted"})";
  const std::string quarantined = R"(socrates_agent_crashes_total{agent="fixture_crash",then="quarantined"})";
  const std::string before = client().get("/metrics").body;
  // AGENT_MAX_CRASHES=3: the third crash within the window quarantines it.
  for (int crash = 0; crash < 3; ++crash) {
    ASSERT_NE(serving_pid("fixture_crash"), 0) << crash;
    ASSERT_TRUE(IsApiError(call("fixture_crash", "segv"), 502, "AGENT_CRASHED")) << crash;
  }
  const auto refused = call("fixture_crash", "ok");
  ASSERT_TRUE(IsApiError(refused, 503, "AGENT_QUARANTINED"));
  EXPECT_EQ(refused.json()["error"]["details"]["agent"], "fixture_crash");
  EXPECT_EQ(call("fixture_loop", "ok").status, 200) << "another isolated agent serves on";

  const auto health = client().get("/api/v1/admin/health");
  EXPECT_EQ(health.status, 503) << describe(health);
  EXPECT_EQ(agent_in(health.json()["agents"], "fixture_crash")["status"], "quarantined") << health.body;
  EXPECT_EQ(agent_in(health.json()["agents"], "fixture_crash")["crashes"], 3) << health.body;
  EXPECT_EQ(agent_in(health.json()["agents"], "socratic")["status"], "ok") << health.body;
  const auto agents = client().get("/api/v1/admin/agents", admin_->access_token);
  const auto listed = agent_in(agents.json()["items"], "fixture_crash");
  EXPECT_EQ(listed["status"], "quarantined") << agents.body;
  EXPECT_EQ(listed["isolated"], true);
  EXPECT_EQ(listed["stats"]["crashes"], 3);
  EXPECT_EQ(agent_in(agents.json()["items"], "socratic")["isolated"], false);
  // Each crash is counted (GET /metrics) by what followed it.
  const std::string after = client().get("/metrics").body;
  EXPECT_EQ(counter_value(after, restarted) - counter_value(before, restarted), 2) << after;
  EXPECT_EQ(counter_value(after, quarantined) - counter_value(before, quarantined), 1) << after;

  // A reload releases it.
  const auto reloaded = reload("fixture_crash");
  ASSERT_EQ(reloaded.status, 200) << describe(reloaded);
  EXPECT_EQ(reloaded.json()["status"], "ok");
  EXPECT_EQ(reloaded.json()["isolated"], true);
  EXPECT_EQ(call("fixture_crash", "ok").status, 200);
  const auto released = client().get("/api/v1/admin/health");
  EXPECT_EQ(agent_in(released.json()["agents"], "fixture_crash")["status"], "ok") << released.body;
}

TEST_F(IsolationE2eTest, SighupReloadsIsolatedAgentsInNewChildren) {
  for (int crash = 0; crash < 3; ++crash) {
    ASSERT_NE(serving_pid("fixture_crash"), 0) << crash;
    ASSERT_TRUE(IsApiError(call("fixture_crash", "segv"), 502, "AGENT_CRASHED")) << crash;
  }
  ASSERT_TRUE(IsApiError(call("fixture_crash", "ok"), 503, "AGENT_QUARANTINED"));
  const long loop_pid = serving_pid("fixture_loop");
  ASSERT_EQ(::kill(host_->process->pid(), SIGHUP), 0);
  // Once the reload is through, the quarantined agent serves again, from a new child, and so
  // does every other isolated agent.
  Response ok;
  for (int i = 0; i < 400 && (ok = call("fixture_crash", "ok")).status != 200; ++i) std::this_thread::sleep_for(25ms);
  ASSERT_EQ(ok.status, 200) << describe(ok);
  long pid = loop_pid;
  for (int i = 0; i < 400 && (pid = serving_pid("fixture_loop")) == loop_pid; ++i) std::this_thread::sleep_for(25ms);
  EXPECT_NE(pid, loop_pid) << "fixture_loop still runs in the child of its former generation";
}

// The child reads the library's migrations and tells the host, which applies them in the agent's
// schema; the child's database work runs on sessions with that schema first (ABI 2.3).
TEST_F(IsolationE2eTest, AnIsolatedAgentsMigrationsAreAppliedAtLoadAndAtReload) {
  const auto added = call("fixture_ledger", "add", {{"body", "from the child"}});
  ASSERT_EQ(added.status, 200) << describe(added);
  EXPECT_EQ(call("fixture_ledger", "search_path").json()["result"]["search_path"], "\"fixture_ledger\", public");
  const auto before = agent_in(client().get("/api/v1/admin/agents", admin_->access_token).json()["items"],
                               "fixture_ledger");
  EXPECT_EQ(before["isolated"], true) << before;
  EXPECT_EQ(before["schema"], "fixture_ledger") << before;
  EXPECT_EQ(before["migrations"], nlohmann::json::array({"001_notes"})) << before;

  const auto reloaded = client().post("/api/v1/admin/agents/fixture_ledger/reload",
                                      {{"library", "libfixture_ledger_2.so"}}, admin_->access_token);
  ASSERT_EQ(reloaded.status, 200) << describe(reloaded);
  EXPECT_EQ(reloaded.json()["isolated"], true);
  EXPECT_EQ(reloaded.json()["migrations"], nlohmann::json::array({"001_notes", "002_notes_author"}));
  // The new generation, in a new child, finds the data the old one wrote.
  const auto listed = call("fixture_ledger", "list");
  ASSERT_EQ(listed.status, 200) << describe(listed);
  EXPECT_EQ(listed.json()["result"]["notes"], nlohmann::json::array({"from the child"}));
}

// The bundled agents themselves, each isolated: the answer flow hands the state the answer left
// from context to socratic (ABI 2.2's handed bytes, which cross the children's sockets as
// base64), so a turn records its specification and comes back with the next question.
TEST(IsolatedBundledAgentsE2eTest, AnInterviewRunsWithEveryAgentInAChildOfItsOwn) {
  const std::string dir = SOCRATES_PLUGIN_DIR;
  HostUnderTest host(EnvMap{{"PLUGINS", "isolated:" + dir + "/libproject_manager_agent.so,isolated:" + dir +
                                            "/libsocratic_agent.so,isolated:" + dir + "/libcontext_agent.so"}});
  expect_host_started(&host);
  const TestUser user = new_user(host.client());
  const auto project = host.client().post("/api/v1/projects", {{"name", "Bakery orders"}}, user.access_token);
  ASSERT_EQ(project.status, 201) << describe(project);
  const std::string project_id = project.json()["id"];
  const auto session =
      host.client().post("/api/v1/projects/" + project_id + "/sessions", nlohmann::json::object(), user.access_token);
  ASSERT_EQ(session.status, 201) << describe(session);
  const std::string session_id = session.json()["id"];
  const auto asked = host.client().post("/api/v1/sessions/" + session_id + "/next-question", nlohmann::json::object(),
                                        user.access_token);
  ASSERT_TRUE(asked.status == 200 || asked.status == 201) << describe(asked);

  const auto turn = host.client().post("/api/v1/sessions/" + session_id + "/answer",
                                       {{"answer", "The backend will be written in Go with PostgreSQL."}},
                                       user.access_token);
  ASSERT_EQ(turn.status, 200) << describe(turn);
  EXPECT_FALSE(turn.json()["specifications"].empty()) << turn.body;
  ASSERT_TRUE(turn.json()["next_question"].is_object()) << turn.body;
  EXPECT_FALSE(turn.json()["next_question"].value("text", "").empty()) << turn.body;

  const auto specs = host.client().get("/api/v1/projects/" + project_id + "/specifications", user.access_token);
  ASSERT_EQ(specs.status, 200) << describe(specs);
  EXPECT_GE(specs.json()["total"].get<int>(), 1) << specs.body;
  const auto agents = host.client().get("/api/v1/admin/health");
  for (const auto& agent : agents.json()["agents"]) EXPECT_EQ(agent["status"], "ok") << agents.body;
  expect_host_alive(&host);
}

}  // namespace
}  // namespace socrates::test::e2e

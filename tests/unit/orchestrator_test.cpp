#include "host/orchestrator/orchestrator.hpp"

#include "host/error_codes.hpp"
#include "host/log/json_log.hpp"
#include "host/rest/http.hpp"
#include "support/fixture_plugins.hpp"
#include "support/in_process_agent.hpp"

#include <socrates/sdk/testing.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using test::fixture;
using test::is_mapped;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const std::string kUserId = "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11";

sdk::Caller caller(const std::string& user_id = kUserId) {
  sdk::Caller c;
  c.user_id = user_id;
  c.role = "user";
  c.request_id = "req-orchestrator";
  return c;
}

// A registry serving fixture_good and fixture_throwing, and an orchestrator in front of it.
class OrchestratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    copy_dir_ = fs::temp_directory_path() /
                ("socrates_orchestrator_test." + std::to_string(::getpid()) + "." + test->name());
    fs::remove_all(copy_dir_);
    registry_->add(load("fixture_good"));
    registry_->add(load("fixture_throwing"));
  }
  void TearDown() override {
    registry_ = std::nullopt;  // releases the libraries before their copies' folder goes
    fs::remove_all(copy_dir_);
  }

  LoadedPlugin load(const std::string& name) { return PluginLoader(copy_dir_).load(fixture(name)); }
  AgentRegistry& registry() { return *registry_; }
  AgentStats& stats(const std::string& id) { return *registry().find(id)->stats; }
  sdk::Result route(const std::string& agent, const std::string& action, json params = json::object(),
                    const sdk::Caller& who = caller()) {
    return orchestrator_.route(agent, action, std::move(params), who);
  }

  fs::path copy_dir_;
  sdk::testing::FakeServices services_;
  std::optional<AgentRegistry> registry_{std::in_place};
  Orchestrator orchestrator_{*registry_, services_};
};

TEST_F(OrchestratorTest, TheCallerReachesTheAgent) {
  // The host sets user_id from the token; the agent must see exactly that caller.
  sdk::Result whoami = route("fixture_good", "whoami");
  ASSERT_TRUE(whoami.is_ok()) << whoami.error().message;
  EXPECT_EQ(whoami.value(), kUserId);

  sdk::Result other = route("fixture_good", "whoami", json::object(), caller("11111111-2222-4333-8444-555555555555"));
  EXPECT_EQ(other.value(), "11111111-2222-4333-8444-555555555555");
}

TEST_F(OrchestratorTest, ParamsReachTheAgentUnchanged) {
  const json params = {{"text", "h\xC3\xA9llo"}, {"n", 3}, {"nested", {{"list", {1, 2, 3}}}}};
  sdk::Result echo = route("fixture_good", "echo", params);
  ASSERT_TRUE(echo.is_ok());
  EXPECT_EQ(echo.value(), params);
}

TEST_F(OrchestratorTest, UnknownAgentListsTheAvailableAgents) {
  sdk::Result result = route("fixture_nobody", "echo");
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, host::errc::kUnknownAgent);
  EXPECT_EQ(rest::status_for_error(result.error().code), 404);
  EXPECT_NE(result.error().message.find("fixture_nobody"), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().details.at("agent"), "fixture_nobody");
  EXPECT_EQ(result.error().details.at("available_agents"), (json{"fixture_good", "fixture_throwing"}));
}

TEST_F(OrchestratorTest, UnknownAgentWithNoAgentsLoadedListsNone) {
  AgentRegistry empty;
  Orchestrator orchestrator(empty, services_);
  sdk::Result result = orchestrator.route("fixture_good", "echo", json::object(), caller());
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, host::errc::kUnknownAgent);
  EXPECT_EQ(result.error().details.at("available_agents"), json::array());
}

TEST_F(OrchestratorTest, UnsupportedActionListsTheCapabilities) {
  sdk::Result result = route("fixture_good", "fly");
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, sdk::errc::kUnsupportedAction);
  EXPECT_EQ(rest::status_for_error(result.error().code), 400);
  EXPECT_EQ(result.error().details.at("available_capabilities"), (json{"echo", "whoami"}));
  EXPECT_EQ(result.error().details.value("action", ""), "fly");
  // The caller's mistake is counted as a request but not as an agent failure.
  EXPECT_EQ(stats("fixture_good").requests.load(), 1u);
  EXPECT_EQ(stats("fixture_good").errors.load(), 0u);
}

TEST_F(OrchestratorTest, ThrowingActionIsAgentErrorCountedAndTheAgentKeepsAnswering) {
  sdk::Result boom = route("fixture_throwing", "boom");
  ASSERT_FALSE(boom.is_ok());
  EXPECT_EQ(boom.error().code, sdk::errc::kAgentError);
  EXPECT_EQ(rest::status_for_error(boom.error().code), 500);
  EXPECT_EQ(boom.error().message.find("fixture_throwing: boom"), std::string::npos)
      << "the exception's text is for the log, not for the client";
  EXPECT_EQ(stats("fixture_throwing").errors.load(), 1u);

  for (int i = 0; i < 3; ++i) {
    sdk::Result ok = route("fixture_throwing", "ok");
    ASSERT_TRUE(ok.is_ok());
    EXPECT_EQ(ok.value(), (json{{"ok", true}}));
  }
  EXPECT_FALSE(route("fixture_throwing", "boom").is_ok());

  EXPECT_EQ(stats("fixture_throwing").requests.load(), 5u);
  EXPECT_EQ(stats("fixture_throwing").errors.load(), 2u);
  EXPECT_EQ(stats("fixture_good").requests.load(), 0u) << "counters are per agent";
  EXPECT_EQ(stats("fixture_good").errors.load(), 0u);
}

TEST_F(OrchestratorTest, RequestsAndLastActivityAreUpdated) {
  EXPECT_EQ(stats("fixture_good").requests.load(), 0u);
  EXPECT_EQ(stats("fixture_good").last_activity_ms.load(), 0);

  const std::int64_t before = now_ms();
  ASSERT_TRUE(route("fixture_good", "echo").is_ok());
  ASSERT_TRUE(route("fixture_good", "whoami").is_ok());
  const std::int64_t after = now_ms();

  EXPECT_EQ(stats("fixture_good").requests.load(), 2u);
  EXPECT_GE(stats("fixture_good").last_activity_ms.load(), before);
  EXPECT_LE(stats("fixture_good").last_activity_ms.load(), after);
  EXPECT_EQ(stats("fixture_throwing").last_activity_ms.load(), 0) << "another agent's activity was recorded here";

  // An unknown agent has no counters to bump, and must not bump anyone else's.
  route("fixture_nobody", "echo");
  EXPECT_EQ(stats("fixture_good").requests.load(), 2u);
  EXPECT_EQ(stats("fixture_throwing").requests.load(), 0u);
}

TEST_F(OrchestratorTest, CountersSurviveAReloadAndNewRequestsReachTheNewBuild) {
  ASSERT_TRUE(route("fixture_good", "whoami").is_ok());
  ASSERT_FALSE(route("fixture_good", "fly").is_ok());
  registry().replace(load("fixture_duplicate"));  // version 2.0.0 answers only "echo"

  sdk::Result whoami = route("fixture_good", "whoami");
  ASSERT_FALSE(whoami.is_ok()) << "the request reached the replaced build";
  EXPECT_EQ(whoami.error().details.at("available_capabilities"), (json{"echo"}));
  EXPECT_TRUE(route("fixture_good", "echo").is_ok());
  EXPECT_EQ(stats("fixture_good").requests.load(), 4u);
}

TEST_F(OrchestratorTest, RestoresTheLogContextOfTheThread) {
  // A worker thread's log context names its request; routing must not leave the agent's name behind.
  log::ScopedRequestContext scope({"req-outer", kUserId, "outer_agent", "outer_action"});
  ASSERT_TRUE(route("fixture_good", "echo").is_ok());
  ASSERT_FALSE(route("fixture_throwing", "boom").is_ok());
  EXPECT_EQ(log::current_context().agent, "outer_agent");
  EXPECT_EQ(log::current_context().action, "outer_action");
  EXPECT_EQ(log::current_context().request_id, "req-outer");
}

TEST_F(OrchestratorTest, ReloadWhileRequestsAreRunningLosesNoRequest) {
  // Hot swap under load: every request is answered by some generation, and when the dust settles
  // only the current generation's library is still mapped.
  constexpr int kRouters = 2;
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> routers;
  for (int t = 0; t < kRouters; ++t)
    routers.emplace_back([&, t] {
      for (int i = 0; !stop.load() || i < 20; ++i) {
        const json params = {{"thread", t}, {"i", i}};
        sdk::Result result = orchestrator_.route("fixture_good", "echo", params, caller());
        if (!result.is_ok() || result.value() != params) {
          std::lock_guard<std::mutex> lock(mutex);
          failures.push_back(result.is_ok() ? result.value().dump() : result.error().code);
        }
        ++answered;
      }
    });

  std::vector<fs::path> old_copies;
  for (int reload = 0; reload < 6; ++reload) {
    old_copies.push_back(registry().find("fixture_good")->plugin.loaded_from);
    registry().replace(load(reload % 2 ? "fixture_good" : "fixture_duplicate"));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  for (auto& thread : routers) thread.join();

  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  EXPECT_GE(answered.load(), kRouters * 20);
  EXPECT_EQ(stats("fixture_good").requests.load(), static_cast<std::uint64_t>(answered.load()));
  for (const auto& copy : old_copies) EXPECT_FALSE(is_mapped(copy)) << copy << " outlived its last request";
  EXPECT_TRUE(is_mapped(registry().find("fixture_good")->plugin.loaded_from));
}


// ---- internal actions: the generic route's view

// An in-process agent with one public and two internal actions, served through the plugin ABI.
class VisibilityAgent final : public sdk::BaseAgent {
 public:
  VisibilityAgent() : BaseAgent(sdk::AgentInfo{"visibility", "Visibility", "1.0.0"}) {
    register_action("open", [](const sdk::Request&, sdk::Services&) { return sdk::Result::ok("open"); });
    register_action(
        "inner", [](const sdk::Request&, sdk::Services&) { return sdk::Result::ok("inner"); },
        sdk::ActionVisibility::kInternal);
    // What the host's LLM client would read as the caller while this action runs.
    register_action(
        "context_user",
        [](const sdk::Request&, sdk::Services&) { return sdk::Result::ok(log::current_context().user_id); },
        sdk::ActionVisibility::kInternal);
  }
};

LoadedPlugin visibility_plugin() {
  LoadedPlugin plugin;
  plugin.info.agent_id = "visibility";
  plugin.info.agent_name = "Visibility";
  plugin.info.agent_version = "1.0.0";
  plugin.info.abi_major = SOCRATES_ABI_VERSION_MAJOR;
  plugin.info.abi_minor = SOCRATES_ABI_VERSION_MINOR;
  plugin.agent = test::in_process(std::make_unique<VisibilityAgent>());
  return plugin;
}

TEST_F(OrchestratorTest, TheGenericRouteAnswersAnInternalActionAsAnUnknownOne) {
  registry().add(visibility_plugin());
  const auto generation = registry().find("visibility");
  EXPECT_EQ(generation->capabilities, (std::vector<std::string>{"open"}));
  EXPECT_EQ(generation->internal_capabilities, (std::vector<std::string>{"context_user", "inner"}));

  sdk::Result inner = orchestrator_.route_public("visibility", "inner", json::object(), caller());
  sdk::Result unknown = orchestrator_.route_public("visibility", "nothing", json::object(), caller());
  ASSERT_FALSE(inner.is_ok());
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(inner.error().code, sdk::errc::kUnsupportedAction);
  EXPECT_EQ(inner.error().message, "agent 'visibility' has no action 'inner'");
  EXPECT_EQ(inner.error().details,
            (json{{"agent", "visibility"}, {"action", "inner"}, {"available_capabilities", {"open"}}}));
  EXPECT_EQ(unknown.error().code, inner.error().code);
  EXPECT_EQ(unknown.error().details,
            (json{{"agent", "visibility"}, {"action", "nothing"}, {"available_capabilities", {"open"}}}));

  // The public action answers there, and the host's own routes reach both.
  EXPECT_EQ(orchestrator_.route_public("visibility", "open", json::object(), caller()).value(), "open");
  sdk::Result from_host = route("visibility", "inner");
  ASSERT_TRUE(from_host.is_ok());
  EXPECT_EQ(from_host.value(), "inner");
  EXPECT_EQ(stats("visibility").errors.load(), 0u);
}

TEST_F(OrchestratorTest, TheGenericRouteListsFixtureActionsAsBefore) {
  sdk::Result result = orchestrator_.route_public("fixture_good", "fly", json::object(), caller());
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().details.at("available_capabilities"), (json{"echo", "whoami"}));
  EXPECT_EQ(orchestrator_.route_public("fixture_good", "whoami", json::object(), caller()).value(), kUserId);
}

TEST_F(OrchestratorTest, TheCallerIsTheRequestContextsUserWhileTheAgentRuns) {
  // The LLM client reads the caller from there for its usage rows and the daily limit.
  registry().add(visibility_plugin());
  log::ScopedRequestContext context({"req-1", "", "", ""});
  sdk::Result seen = route("visibility", "context_user");
  ASSERT_TRUE(seen.is_ok());
  EXPECT_EQ(seen.value(), kUserId);
  EXPECT_EQ(log::current_context().user_id, "") << "restored after the call";
}

}  // namespace
}  // namespace socrates::host

// An isolated agent through load_isolated (docs/plugins.md, "Isolation"): the real socrates-host
// binary runs `agent-worker` for a real fixture plugin, and the host's side is driven as the
// orchestrator drives it (PluginAgent::start, handle), with FakeServices for the host's services
// (no database here; the end-to-end suite has one).
#include "host/isolation/isolated_plugin.hpp"

#include "support/fixture_plugins.hpp"

#include <socrates/sdk/testing.hpp>

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <stdlib.h>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace socrates::host::isolation {
namespace {

using namespace std::chrono_literals;
using test::fixture;

// The threads of process `pid`: its main thread, and one per call it is running.
std::size_t threads_of(long pid) {
  std::size_t count = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    (void)entry;
    ++count;
  }
  return count;
}

class IsolatedAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "isolated-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    options_.worker = SOCRATES_HOST_BINARY;
    options_.copy_dir = dir_ / "copies";
    options_.restart = RestartOptions{3, std::chrono::seconds(60), 0ms, 0ms};  // no backoff unless a test wants one
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  LoadedPlugin load(const std::string& name) {
    LoadedPlugin plugin = load_isolated(fixture(name), options_);
    std::string error;
    EXPECT_TRUE(plugin.agent->start(services_, &error)) << error;
    return plugin;
  }
  sdk::Result call(LoadedPlugin& plugin, const std::string& action, nlohmann::json params = nlohmann::json::object()) {
    sdk::Request request{action, std::move(params), sdk::testing::user(), ""};
    return plugin.agent->handle(request, services_);
  }
  // The scratch directories of the children alive (each child has one; a dead one's is removed).
  std::size_t scratch_dirs() const {
    std::size_t count = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(options_.copy_dir, ec)) {
      (void)entry;
      ++count;
    }
    return count;
  }

  std::filesystem::path dir_;
  IsolationOptions options_;
  sdk::testing::FakeServices services_{{"FIXTURE_C_SETTING", "from the host"}};
};

TEST_F(IsolatedAgentTest, TheAgentAnswersFromAChildProcessWithTheHostsServices) {
  LoadedPlugin plugin = load("fixture_crash");
  EXPECT_EQ(plugin.info.agent_id, "fixture_crash");
  EXPECT_EQ(plugin.info.deadline_ms, 5000u);
  ASSERT_NE(plugin.isolation, nullptr);
  EXPECT_EQ(plugin.agent->capabilities().size(), 9u);

  const sdk::Result ok = call(plugin, "ok");
  ASSERT_TRUE(ok.is_ok()) << ok.error().message;
  EXPECT_NE(ok.value()["pid"].get<long>(), static_cast<long>(::getpid())) << "served in this process";

  // A plugin in C, reading a setting of the host's through the socket.
  LoadedPlugin c_agent = load("fixture_c");
  const sdk::Result setting = call(c_agent, "setting");
  ASSERT_TRUE(setting.is_ok()) << setting.error().message;
  EXPECT_EQ(setting.value()["value"], "from the host");
  const sdk::Result refused = call(c_agent, "refuse");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.error().code, "FIXTURE_REFUSED") << "the agent's own errors cross as they are";
  // Its database is the host's: FakeServices has none, so the host's answer crosses back.
  const sdk::Result sum = call(c_agent, "sum");
  ASSERT_FALSE(sum.is_ok());
  EXPECT_EQ(sum.error().code, "DATABASE_UNAVAILABLE");
}

TEST_F(IsolatedAgentTest, TheChildsEnvironmentHoldsNoneOfTheHostsSecrets) {
  ASSERT_EQ(::setenv("SOCRATES_TEST_SECRET_KEY", "do not tell", 1), 0);
  LoadedPlugin plugin = load("fixture_crash");
  ::unsetenv("SOCRATES_TEST_SECRET_KEY");
  const sdk::Result secret = call(plugin, "env", {{"name", "SOCRATES_TEST_SECRET_KEY"}});
  ASSERT_TRUE(secret.is_ok()) << secret.error().message;
  EXPECT_TRUE(secret.value()["value"].is_null()) << secret.value();
  const sdk::Result path = call(plugin, "env", {{"name", "PATH"}});
  EXPECT_EQ(path.value()["value"], std::getenv("PATH")) << "what finding programs needs is kept";
}

TEST_F(IsolatedAgentTest, AChildIsNotStartedAgainFromAnotherBuildThanItsGenerations) {
  // The operator's library, in a directory of the test's own (the file rules need one that
  // nobody else may write).
  const std::filesystem::path library = dir_ / "libmy_agent.so";
  std::filesystem::copy_file(fixture("fixture_crash"), library);
  LoadedPlugin plugin = load_isolated(library, options_);
  std::string error;
  ASSERT_TRUE(plugin.agent->start(services_, &error)) << error;
  ASSERT_TRUE(call(plugin, "ok").is_ok());

  // A deploy renames another build over the path, then the child crashes before any reload.
  const std::filesystem::path next = dir_ / "next.so";
  std::filesystem::copy_file(fixture("fixture_loop"), next);
  std::filesystem::rename(next, library);
  ASSERT_EQ(call(plugin, "segv").error().code, "AGENT_CRASHED");
  const sdk::Result refused = call(plugin, "ok");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.error().code, "AGENT_CRASHED");
  EXPECT_EQ(plugin.isolation->crashes.load(), 2u) << "the refused start counts as a crash";
  EXPECT_EQ(scratch_dirs(), 0u);
}

TEST_F(IsolatedAgentTest, CallsRunSideBySideInTheChild) {
  LoadedPlugin plugin = load("fixture_crash");
  std::vector<sdk::Result> results(3, sdk::Result::ok(nullptr));
  std::vector<std::thread> callers;
  for (std::size_t i = 0; i < results.size(); ++i)
    callers.emplace_back([&, i] { results[i] = call(plugin, "rendezvous", {{"count", 3}}); });
  for (auto& caller : callers) caller.join();
  for (const auto& result : results) {
    ASSERT_TRUE(result.is_ok()) << result.error().message;
    EXPECT_EQ(result.value()["met"], true) << "the calls were served one after another";
  }
}

TEST_F(IsolatedAgentTest, ACrashAnswersAgentCrashedAndTheNextCallGetsANewChild) {
  LoadedPlugin plugin = load("fixture_crash");
  const long first = call(plugin, "ok").value()["pid"].get<long>();

  const sdk::Result crashed = call(plugin, "segv");
  ASSERT_FALSE(crashed.is_ok());
  EXPECT_EQ(crashed.error().code, "AGENT_CRASHED");
  EXPECT_EQ(crashed.error().details["agent"], "fixture_crash");
  EXPECT_EQ(crashed.error().details["action"], "segv");
  EXPECT_EQ(crashed.error().details["reason"].get<std::string>().rfind("signal 11", 0), 0u) << crashed.error().details;
  EXPECT_EQ(plugin.isolation->crashes.load(), 1u);

  const sdk::Result again = call(plugin, "ok");
  ASSERT_TRUE(again.is_ok()) << again.error().message;
  EXPECT_NE(again.value()["pid"].get<long>(), first);
  EXPECT_EQ(scratch_dirs(), 1u) << "the dead child's copy of the library was left behind";
}

TEST_F(IsolatedAgentTest, AChildKilledFromOutsideAnswersTheCallsItHeld) {
  LoadedPlugin plugin = load("fixture_crash");
  const long pid = call(plugin, "ok").value()["pid"].get<long>();
  // The child's threads at rest: the thread of the call just answered may take a moment to go.
  std::size_t idle = threads_of(pid);
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(10ms);
    idle = std::min(idle, threads_of(pid));
  }
  sdk::Result held = sdk::Result::ok(nullptr);
  std::thread caller([&] { held = call(plugin, "rendezvous", {{"count", 2}}); });
  // The call waits in the child (on a thread of its own) for a second one that never comes; the
  // child is killed meanwhile.
  for (int i = 0; i < 1000 && threads_of(pid) <= idle; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_GT(threads_of(pid), idle) << "the call never reached the child";  // the kill below ends it anyway
  ASSERT_EQ(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
  caller.join();
  ASSERT_FALSE(held.is_ok());
  EXPECT_EQ(held.error().code, "AGENT_CRASHED");
  EXPECT_EQ(held.error().details["reason"].get<std::string>().rfind("signal 9", 0), 0u) << held.error().details;
  EXPECT_TRUE(call(plugin, "ok").is_ok());
}

TEST_F(IsolatedAgentTest, DuringTheBackoffCallsAreRefusedAtOnce) {
  options_.restart = RestartOptions{5, std::chrono::seconds(60), std::chrono::milliseconds(60000), std::chrono::milliseconds(60000)};
  LoadedPlugin plugin = load("fixture_crash");
  ASSERT_EQ(call(plugin, "segv").error().code, "AGENT_CRASHED");
  const auto started = std::chrono::steady_clock::now();
  const sdk::Result refused = call(plugin, "ok");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.error().code, "AGENT_CRASHED");
  EXPECT_GT(refused.error().details["retry_after_ms"].get<long>(), 1000) << refused.error().details;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s) << "the call waited for the backoff";
  EXPECT_EQ(scratch_dirs(), 0u) << "no child runs during the backoff";
}

TEST_F(IsolatedAgentTest, TheThirdCrashQuarantinesTheAgent) {
  LoadedPlugin plugin = load("fixture_crash");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(call(plugin, "segv").error().code, "AGENT_CRASHED") << i;
  EXPECT_TRUE(plugin.isolation->quarantined.load());
  EXPECT_EQ(plugin.isolation->crashes.load(), 3u);
  const sdk::Result refused = call(plugin, "ok");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.error().code, "AGENT_QUARANTINED");
  EXPECT_EQ(refused.error().details["agent"], "fixture_crash");

  // A reload is a new load: it serves again.
  LoadedPlugin reloaded = load("fixture_crash");
  EXPECT_TRUE(call(reloaded, "ok").is_ok());
  EXPECT_FALSE(reloaded.isolation->quarantined.load());
}

TEST_F(IsolatedAgentTest, ACallPastItsDeadlineHasItsChildKilled) {
  options_.deadline_cap = 300ms;  // fixture_loop declares 500 ms: capped
  LoadedPlugin plugin = load("fixture_loop");
  const long pid = call(plugin, "ok").value()["pid"].get<long>();
  const sdk::Result late = call(plugin, "loop");
  ASSERT_FALSE(late.is_ok());
  EXPECT_EQ(late.error().code, "AGENT_TIMEOUT");
  EXPECT_EQ(late.error().details["deadline_ms"], 300);
  EXPECT_EQ(plugin.isolation->crashes.load(), 1u);
  EXPECT_NE(::kill(static_cast<pid_t>(pid), 0), 0) << "the looping child still runs";
  const sdk::Result next = call(plugin, "ok");
  ASSERT_TRUE(next.is_ok()) << next.error().message;
  EXPECT_NE(next.value()["pid"].get<long>(), pid);
}

TEST_F(IsolatedAgentTest, AChildPastItsMemoryLimitEndsAndIsToldOutOfMemory) {
  options_.address_space_bytes = std::size_t{1024} * 1024 * 1024;
  LoadedPlugin plugin = load("fixture_leak");
  sdk::Result result = sdk::Result::ok(nullptr);
  int calls = 0;
  for (; calls < 40; ++calls) {
    result = call(plugin, "leak", {{"mb", 64}});
    if (!result.is_ok()) break;
  }
  ASSERT_FALSE(result.is_ok()) << "40 × 64 MiB held within a limit of 1 GiB";
  EXPECT_EQ(result.error().code, "AGENT_CRASHED");
  EXPECT_NE(result.error().details["reason"].get<std::string>().find("out of memory"), std::string::npos)
      << result.error().details;
  EXPECT_GE(calls, 2) << "the limit is far above what the child needs to start";
  EXPECT_TRUE(call(plugin, "leak", {{"mb", 64}}).is_ok()) << "a fresh child, with nothing held";
}

TEST_F(IsolatedAgentTest, ALibraryTheChildCannotLoadIsRefusedWithItsReason) {
  try {
    load_isolated(fixture("fixture_future_abi"), options_);
    FAIL() << "loaded";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("ABI version mismatch"), std::string::npos) << e.what();
  }
  EXPECT_EQ(scratch_dirs(), 0u);
  options_.worker = "/nonexistent/socrates-host";
  EXPECT_THROW(load_isolated(fixture("fixture_crash"), options_), PluginError);
}

TEST_F(IsolatedAgentTest, UnloadingTheAgentEndsItsChild) {
  long pid = 0;
  {
    LoadedPlugin plugin = load("fixture_crash");
    pid = call(plugin, "ok").value()["pid"].get<long>();
    ASSERT_EQ(::kill(static_cast<pid_t>(pid), 0), 0);
  }
  EXPECT_NE(::kill(static_cast<pid_t>(pid), 0), 0) << "the child outlived its agent";
  EXPECT_EQ(scratch_dirs(), 0u);
}

}  // namespace
}  // namespace socrates::host::isolation

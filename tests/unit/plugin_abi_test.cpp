// The plugin ABI (<socrates/abi.h>) with plugins the host's compiler did not build: an agent in
// plain C, the same agent built for the ABI's first minor, and an agent of the C++ SDK built with
// clang 15 and libc++ (tests/fixtures/plugins/CMakeLists.txt). Each goes through the real loader
// and the agents' administration (load, start, answer through the orchestrator, hot swap, SIGHUP's
// reload of all, unload), with a fake of the host's services (no database).
#include "host/orchestrator/agent_admin.hpp"
#include "host/orchestrator/orchestrator.hpp"
#include "support/fixture_plugins.hpp"
#include "support/integration_fixture.hpp"

#include <socrates/abi.h>
#include <socrates/sdk/testing.hpp>
#include <socrates/sdk/version.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using test::fixture;
using test::is_mapped;

const sdk::Caller kCaller{"0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11", "user", "req-abi"};

class PluginAbiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.plugin_copy_dir = copies_.path();
    config_.plugin_dir = SOCRATES_FIXTURE_DIR;
  }

  // An admin serving `libraries` (all required), loaded and started.
  AgentAdmin& serve(const std::vector<std::string>& libraries) {
    for (const auto& name : libraries) config_.plugins.push_back({fixture(name), true});
    admin_ = std::make_unique<AgentAdmin>(config_, services_);
    admin_->load_configured();
    orchestrator_ = std::make_unique<Orchestrator>(admin_->registry(), services_);
    return *admin_;
  }
  sdk::Result call(const std::string& agent, const std::string& action, json params = json::object()) {
    return orchestrator_->route(agent, action, std::move(params), kCaller);
  }
  sdk::Result call_public(const std::string& agent, const std::string& action, json params = json::object()) {
    return orchestrator_->route_public(agent, action, std::move(params), kCaller);
  }

  test::TempDir copies_;  // first: removed after the admin has unloaded its copies
  Config config_;
  sdk::testing::FakeServices services_{{"FIXTURE_C_SETTING", "from the host \"quoted\""}};
  std::unique_ptr<AgentAdmin> admin_;
  std::unique_ptr<Orchestrator> orchestrator_;
};

TEST_F(PluginAbiTest, AnAgentWrittenInCAnswersThroughTheHost) {
  AgentAdmin& admin = serve({"fixture_c"});
  const auto generation = admin.registry().find("fixture_c");
  ASSERT_TRUE(generation);
  EXPECT_EQ(generation->plugin.info.abi_version(), std::to_string(SOCRATES_ABI_VERSION_MAJOR) + "." +
                                                       std::to_string(SOCRATES_ABI_VERSION_MINOR));
  EXPECT_EQ(generation->plugin.info.built_with, "C");
  EXPECT_EQ(generation->capabilities, (std::vector<std::string>{"echo", "llm", "setting", "sum", "whoami"}));
  EXPECT_EQ(generation->internal_capabilities, (std::vector<std::string>{"latin1", "refuse", "truncated"}));
  ASSERT_EQ(generation->tools.size(), 1u);
  EXPECT_EQ(generation->tools[0].action, "echo");
  EXPECT_TRUE(services_.logged("fixture_c starting")) << "start() logs through the host's services";

  const json params = {{"text", "héllo"}, {"n", {1, 2}}};
  EXPECT_EQ(call_public("fixture_c", "echo", params).value(), params);
  EXPECT_EQ(call_public("fixture_c", "echo").value(), json::object());
  EXPECT_EQ(call_public("fixture_c", "whoami").value(),
            (json{{"user_id", kCaller.user_id}, {"role", "user"}, {"abi_minor", SOCRATES_ABI_VERSION_MINOR}}));
  EXPECT_EQ(call_public("fixture_c", "setting").value(), (json{{"value", "from the host \"quoted\""}}));
  EXPECT_EQ(call_public("fixture_c", "llm").value(), (json{{"provider", nullptr}}));

  // The host's database through the C table: the fake has none, so the agent says so.
  const sdk::Result sum = call_public("fixture_c", "sum");
  ASSERT_FALSE(sum.is_ok());
  EXPECT_EQ(sum.error().code, sdk::errc::kDatabaseUnavailable);

  // An error object crosses with its code, message and details; internal stays internal.
  const sdk::Result refused = call("fixture_c", "refuse");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.error().code, "FIXTURE_REFUSED");
  EXPECT_EQ(refused.error().message, "the C agent refuses");
  EXPECT_EQ(refused.error().details, (json{{"agent", "fixture_c"}}));
  EXPECT_EQ(call_public("fixture_c", "refuse").error().code, sdk::errc::kUnsupportedAction);
  EXPECT_EQ(call("fixture_c", "fly").error().details.at("available_capabilities"),
            (json{"echo", "latin1", "llm", "refuse", "setting", "sum", "truncated", "whoami"}));

  // An answer that is not one JSON text in UTF-8 is the agent's failure, never passed on.
  for (const char* action : {"truncated", "latin1"}) {
    const sdk::Result broken = call("fixture_c", action);
    ASSERT_FALSE(broken.is_ok()) << action;
    EXPECT_EQ(broken.error().code, sdk::errc::kAgentError) << action;
    EXPECT_TRUE(services_.logged("agent fixture_c/" + std::string(action) + " answered a value that is not JSON"))
        << action;
  }
}

TEST_F(PluginAbiTest, APluginBuiltForTheFirstMinorLoadsAndHotSwapsWithANewerOne) {
  AgentAdmin& admin = serve({"fixture_c_abi20"});
  auto old_minor = admin.registry().find("fixture_c");
  ASSERT_TRUE(old_minor);
  EXPECT_EQ(old_minor->plugin.info.abi_version(), std::to_string(SOCRATES_ABI_VERSION_MAJOR) + ".0");
  EXPECT_EQ(old_minor->plugin.info.built_with, "") << "a 2.0 descriptor has no built_with: the host must not read it";
  EXPECT_EQ(old_minor->plugin.info.agent_version, "0.2.0-abi20");
  EXPECT_EQ(call_public("fixture_c", "whoami").value().at("abi_minor"), 0);
  const fs::path old_copy = old_minor->plugin.loaded_from;

  // Swapped for the build of the current minor, and back: the ABI minor is no obstacle either way.
  const auto current = admin.reload("fixture_c", fs::path("libfixture_c.so"));
  EXPECT_EQ(current->plugin.info.abi_minor, SOCRATES_ABI_VERSION_MINOR);
  EXPECT_EQ(call_public("fixture_c", "whoami").value().at("abi_minor"), SOCRATES_ABI_VERSION_MINOR);
  const auto back = admin.reload("fixture_c", fs::path("libfixture_c_abi20.so"));
  EXPECT_EQ(back->plugin.info.abi_minor, 0);
  EXPECT_EQ(call_public("fixture_c", "echo", {{"again", true}}).value(), (json{{"again", true}}));

  // The first generation had no request left: destroyed, unloaded, its copy removed.
  old_minor.reset();
  EXPECT_FALSE(is_mapped(old_copy));
  EXPECT_FALSE(fs::exists(old_copy));
}

TEST_F(PluginAbiTest, AnAgentBuiltWithClangAndLibcxxAnswersThroughTheHost) {
  ASSERT_TRUE(fs::exists(fixture("fixture_libcxx"))) << "built with clang++-15 (scripts/install-deps.sh test)";
  AgentAdmin& admin = serve({"fixture_libcxx"});
  const auto generation = admin.registry().find("fixture_libcxx");
  ASSERT_TRUE(generation);
  EXPECT_EQ(generation->plugin.info.built_with, "clang 15, libc++");
  EXPECT_EQ(generation->capabilities, (std::vector<std::string>{"built_with", "greet", "setting", "sum", "throws"}));
  EXPECT_EQ(generation->internal_capabilities, (std::vector<std::string>{"secret"}));
  ASSERT_EQ(generation->tools.size(), 1u);
  EXPECT_EQ(generation->tools[0].input_schema.at("required"), json::array({"name"}));

  EXPECT_EQ(call_public("fixture_libcxx", "built_with").value(),
            (json{{"built_with", "clang 15, libc++"}, {"libcpp", true}}));
  const sdk::Result greeting = call_public("fixture_libcxx", "greet", {{"name", "Ann"}});
  ASSERT_TRUE(greeting.is_ok());
  EXPECT_EQ(greeting.outcome(), sdk::Outcome::kCreated);
  EXPECT_EQ(greeting.value(), (json{{"greeting", "Hello, Ann"}, {"caller", kCaller.user_id}}));
  EXPECT_EQ(call_public("fixture_libcxx", "setting").value(), (json{{"value", "from the host \"quoted\""}}));
  EXPECT_EQ(call("fixture_libcxx", "secret").value(), "internal");

  // Exceptions of libc++'s side are thrown and caught there.
  const sdk::Result invalid = call_public("fixture_libcxx", "greet", {{"name", 3}});
  ASSERT_FALSE(invalid.is_ok());
  EXPECT_EQ(invalid.error().code, sdk::errc::kValidation);
  EXPECT_EQ(invalid.error().details, (json{{"field", "name"}}));
  const sdk::Result thrown = call_public("fixture_libcxx", "throws");
  ASSERT_FALSE(thrown.is_ok());
  EXPECT_EQ(thrown.error().code, sdk::errc::kAgentError);
  EXPECT_TRUE(services_.logged("thrown inside a libc++ plugin"));
  const sdk::Result sum = call_public("fixture_libcxx", "sum");
  ASSERT_FALSE(sum.is_ok());
  EXPECT_EQ(sum.error().code, sdk::errc::kDatabaseUnavailable);
  // The plugin's own answer to an unknown action (the host's routes reach it) lists every action.
  EXPECT_EQ(call("fixture_libcxx", "fly").error().details.at("available_capabilities"),
            (json{"built_with", "greet", "secret", "setting", "sum", "throws"}));
}

TEST_F(PluginAbiTest, SighupReloadsEveryForeignPluginAndUnloadsTheOldGenerations) {
  AgentAdmin& admin = serve({"fixture_c", "fixture_libcxx", "fixture_good"});
  std::vector<fs::path> old_copies;
  std::vector<std::uint64_t> old_generations;
  for (const auto& generation : admin.list()) {
    old_copies.push_back(generation->plugin.loaded_from);
    old_generations.push_back(generation->generation);
    EXPECT_TRUE(is_mapped(generation->plugin.loaded_from));
  }
  admin.reload_all();  // what SIGHUP runs
  auto now = admin.list();
  ASSERT_EQ(now.size(), 3u);
  for (std::size_t i = 0; i < now.size(); ++i) {
    SCOPED_TRACE(now[i]->plugin.info.agent_id);
    EXPECT_GT(now[i]->generation, old_generations[i]);
    EXPECT_NE(now[i]->plugin.loaded_from, old_copies[i]);
    EXPECT_FALSE(is_mapped(old_copies[i])) << "the old generation was not unloaded";
    EXPECT_FALSE(fs::exists(old_copies[i]));
  }
  EXPECT_EQ(call_public("fixture_c", "echo", {{"x", 1}}).value(), (json{{"x", 1}}));
  EXPECT_EQ(call_public("fixture_libcxx", "greet", {{"name", "Bo"}}).value().at("greeting"), "Hello, Bo");
  EXPECT_EQ(call_public("fixture_good", "whoami").value(), kCaller.user_id);

  // And when the host lets go of them, nothing of them stays mapped.
  std::vector<fs::path> copies;
  for (const auto& generation : now) copies.push_back(generation->plugin.loaded_from);
  now.clear();
  orchestrator_.reset();
  admin_.reset();
  for (const auto& copy : copies) EXPECT_FALSE(is_mapped(copy)) << copy;
}

}  // namespace
}  // namespace socrates::host

// AgentAdmin (host/orchestrator/agent_admin.hpp) on the fixture plugins, with no database: loading
// the configured libraries, and reloads that succeed or leave the current generation serving.
#include "host/orchestrator/agent_admin.hpp"
#include "support/fixture_plugins.hpp"

#include <socrates/sdk/testing.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;

using test::fixture;

class AgentAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    config_.plugin_copy_dir =
        fs::temp_directory_path() / ("socrates_agent_admin_test." + std::to_string(::getpid()) + "." + test->name());
    fs::remove_all(config_.plugin_copy_dir);
    config_.plugin_dir = SOCRATES_FIXTURE_DIR;
    config_.plugins = {{fixture("fixture_good"), true}, {fixture("fixture_throwing"), true}};
  }
  void TearDown() override { fs::remove_all(config_.plugin_copy_dir); }

  std::string version(AgentAdmin& admin, const std::string& id) {
    return admin.registry().find(id)->plugin.info.agent_version;
  }

  Config config_;
  sdk::testing::FakeServices services_;
};

TEST_F(AgentAdminTest, LoadsEveryConfiguredLibraryAndRecordsAFailedOptionalOne) {
  config_.plugins.push_back({fixture("fixture_factory_throws"), false});
  AgentAdmin admin(config_, services_);
  admin.load_configured();
  ASSERT_EQ(admin.list().size(), 2u);
  EXPECT_EQ(admin.list()[0]->plugin.info.agent_id, "fixture_good");
  EXPECT_EQ(admin.list()[1]->plugin.info.agent_id, "fixture_throwing");
  ASSERT_EQ(admin.failed().size(), 1u);
  EXPECT_EQ(admin.failed()[0].library, fixture("fixture_factory_throws"));
  EXPECT_FALSE(admin.failed()[0].error.empty());
}

TEST_F(AgentAdminTest, ARequiredLibraryThatFailsStopsTheLoad) {
  config_.plugins.push_back({fixture("fixture_factory_throws"), true});
  AgentAdmin admin(config_, services_);
  EXPECT_THROW(admin.load_configured(), PluginError);
}

// With no database to apply them in (an AgentAdmin given no pool, as here), a plugin with
// migrations is refused rather than served without its tables; and the reason of a refused reload
// is kept until one succeeds.
TEST_F(AgentAdminTest, APluginWithMigrationsNeedsADatabaseAndARefusedReloadIsRemembered) {
  config_.plugins.push_back({fixture("fixture_ledger_1"), false});
  AgentAdmin admin(config_, services_);
  admin.load_configured();
  ASSERT_EQ(admin.failed().size(), 1u);
  EXPECT_NE(admin.failed()[0].error.find("no database"), std::string::npos) << admin.failed()[0].error;

  EXPECT_FALSE(admin.refused_reload("fixture_good"));
  EXPECT_THROW(admin.reload("fixture_good", fixture("fixture_throwing")), PluginError);
  const auto refused = admin.refused_reload("fixture_good");
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->error.find("fixture_throwing"), std::string::npos) << refused->error;
  admin.reload("fixture_good", std::nullopt);
  EXPECT_FALSE(admin.refused_reload("fixture_good"));
}

TEST_F(AgentAdminTest, AReloadSwapsInTheNamedBuild) {
  AgentAdmin admin(config_, services_);
  admin.load_configured();
  const auto before = admin.registry().find("fixture_good");
  // A relative path is taken from PLUGIN_DIR; libfixture_duplicate.so is fixture_good 2.0.0.
  const auto after = admin.reload("fixture_good", fs::path("libfixture_duplicate.so"));
  EXPECT_EQ(after->plugin.info.agent_version, "2.0.0");
  EXPECT_GT(after->generation, before->generation);
  EXPECT_EQ(admin.registry().find("fixture_good"), after);
  EXPECT_EQ(after->stats, before->stats) << "the counters are the agent's, kept across generations";
}

TEST_F(AgentAdminTest, AReloadThatFailsLeavesTheCurrentGenerationServing) {
  AgentAdmin admin(config_, services_);
  admin.load_configured();
  const auto current = admin.registry().find("fixture_good");
  EXPECT_THROW(admin.reload("fixture_nobody", std::nullopt), RegistryError);
  try {
    admin.reload("fixture_good", fixture("fixture_throwing"));
    FAIL() << "a build of another agent was swapped in";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("declares agent 'fixture_throwing'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(admin.reload("fixture_good", fs::path("/usr/lib/libnothing_here.so")), PluginError);
  EXPECT_EQ(admin.registry().find("fixture_good"), current);
}

TEST_F(AgentAdminTest, ReloadAllGivesEveryAgentANewGenerationFromItsConfiguredLibrary) {
  AgentAdmin admin(config_, services_);
  admin.load_configured();
  const auto good = admin.registry().find("fixture_good");
  const auto throwing = admin.registry().find("fixture_throwing");
  admin.reload_all();
  EXPECT_GT(admin.registry().find("fixture_good")->generation, good->generation);
  EXPECT_GT(admin.registry().find("fixture_throwing")->generation, throwing->generation);
  EXPECT_EQ(version(admin, "fixture_good"), good->plugin.info.agent_version);
}

}  // namespace
}  // namespace socrates::host

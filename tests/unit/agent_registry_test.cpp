#include "host/orchestrator/agent_registry.hpp"
#include "support/fixture_plugins.hpp"

#include <socrates/sdk/testing.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;

using test::fixture;
using test::is_mapped;

sdk::Request request(std::string action, nlohmann::json params = nlohmann::json::object()) {
  sdk::Request r;
  r.action = std::move(action);
  r.params = std::move(params);
  r.caller.user_id = "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11";
  r.caller.role = "user";
  r.caller.request_id = "req-registry";
  return r;
}

class AgentRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    copy_dir_ = fs::temp_directory_path() /
                ("socrates_registry_test." + std::to_string(::getpid()) + "." + test->name());
    fs::remove_all(copy_dir_);
  }
  void TearDown() override { fs::remove_all(copy_dir_); }

  LoadedPlugin load(const std::string& name) { return PluginLoader(copy_dir_).load(fixture(name)); }

  fs::path copy_dir_;
  sdk::testing::FakeServices services_;
};

TEST_F(AgentRegistryTest, AddsAgentsAndFindsThemById) {
  AgentRegistry registry;
  auto good = registry.add(load("fixture_good"));
  auto throwing = registry.add(load("fixture_throwing"));

  EXPECT_EQ(good->plugin.info.agent_id, "fixture_good");
  EXPECT_EQ(good->capabilities, (std::vector<std::string>{"echo", "whoami"}));
  EXPECT_EQ(throwing->capabilities, (std::vector<std::string>{"boom", "ok"}));
  EXPECT_NE(good->generation, throwing->generation) << "generations are unique within a host";
  ASSERT_TRUE(good->stats);
  EXPECT_EQ(good->stats->requests.load(), 0u);
  EXPECT_EQ(good->stats->last_activity_ms.load(), 0) << "never used yet";

  EXPECT_EQ(registry.find("fixture_good"), good);
  EXPECT_EQ(registry.find("fixture_throwing"), throwing);
  EXPECT_EQ(registry.find("fixture_missing"), nullptr);
  EXPECT_EQ(registry.find(""), nullptr);
}

TEST_F(AgentRegistryTest, ListIsSortedById) {
  AgentRegistry registry;
  registry.add(load("fixture_throwing"));
  registry.add(load("fixture_counter"));
  registry.add(load("fixture_good"));
  std::vector<std::string> ids;
  for (const auto& generation : registry.list()) ids.push_back(generation->plugin.info.agent_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"fixture_counter", "fixture_good", "fixture_throwing"}));
  EXPECT_TRUE(AgentRegistry().list().empty());
}

TEST_F(AgentRegistryTest, DuplicateIdIsRefusedNamingBothLibraries) {
  AgentRegistry registry;
  auto good = registry.add(load("fixture_good"));
  LoadedPlugin duplicate = load("fixture_duplicate");
  const fs::path duplicate_copy = duplicate.loaded_from;

  try {
    registry.add(std::move(duplicate));
    FAIL() << "a second library with the id fixture_good was accepted";
  } catch (const RegistryError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'fixture_good'"), std::string::npos) << message;
    EXPECT_NE(message.find(fixture("fixture_good").string()), std::string::npos) << message;
    EXPECT_NE(message.find(fixture("fixture_duplicate").string()), std::string::npos) << message;
  }

  // The first one keeps serving, untouched; the refused library is not kept loaded.
  auto current = registry.find("fixture_good");
  EXPECT_EQ(current, good);
  EXPECT_EQ(current->plugin.info.agent_version, "1.0.0");
  EXPECT_EQ(registry.list().size(), 1u);
  EXPECT_FALSE(is_mapped(duplicate_copy)) << "the refused duplicate is still mapped";
  EXPECT_FALSE(fs::exists(duplicate_copy));
}

TEST_F(AgentRegistryTest, ReplaceKeepsStatsAndBumpsTheGeneration) {
  AgentRegistry registry;
  auto first = registry.add(load("fixture_good"));
  first->stats->requests = 5;
  first->stats->errors = 2;
  first->stats->last_activity_ms = 1234;

  auto second = registry.replace(load("fixture_duplicate"));  // same id, version 2.0.0
  EXPECT_GT(second->generation, first->generation);
  EXPECT_EQ(second->plugin.info.agent_version, "2.0.0");
  EXPECT_EQ(second->capabilities, (std::vector<std::string>{"echo"}));
  EXPECT_EQ(second->stats, first->stats) << "the counters belong to the agent id, not to one build";
  EXPECT_EQ(second->stats->requests.load(), 5u);
  EXPECT_EQ(second->stats->errors.load(), 2u);
  EXPECT_EQ(second->stats->last_activity_ms.load(), 1234);
  EXPECT_EQ(registry.find("fixture_good"), second);
  EXPECT_EQ(registry.list().size(), 1u);

  auto third = registry.replace(load("fixture_good"));
  EXPECT_GT(third->generation, second->generation);
  EXPECT_EQ(third->stats, first->stats);
}

TEST_F(AgentRegistryTest, GenerationsNeverRepeatAcrossIds) {
  AgentRegistry registry;
  auto a1 = registry.add(load("fixture_good"));
  auto b1 = registry.add(load("fixture_counter"));
  auto a2 = registry.replace(load("fixture_good"));
  EXPECT_LT(a1->generation, b1->generation);
  EXPECT_LT(b1->generation, a2->generation);
}

TEST_F(AgentRegistryTest, ReplaceOfAnIdNotServedIsRefused) {
  AgentRegistry registry;
  registry.add(load("fixture_good"));
  LoadedPlugin counter = load("fixture_counter");
  const fs::path copy = counter.loaded_from;
  try {
    registry.replace(std::move(counter));
    FAIL() << "replace() added an agent that was not loaded";
  } catch (const RegistryError& e) {
    EXPECT_NE(std::string(e.what()).find("fixture_counter"), std::string::npos) << e.what();
  }
  EXPECT_EQ(registry.find("fixture_counter"), nullptr);
  EXPECT_FALSE(is_mapped(copy));
}

TEST_F(AgentRegistryTest, HeldGenerationOutlivesReplaceAndIsUnmappedAfterTheLastHolder) {
  AgentRegistry registry;
  registry.add(load("fixture_good"));

  // Two in-flight requests hold the generation they started on.
  std::shared_ptr<const AgentGeneration> request_a = registry.find("fixture_good");
  std::shared_ptr<const AgentGeneration> request_b = registry.find("fixture_good");
  const fs::path old_copy = request_a->plugin.loaded_from;
  ASSERT_TRUE(is_mapped(old_copy));

  auto fresh = registry.replace(load("fixture_duplicate"));
  const fs::path new_copy = fresh->plugin.loaded_from;
  fresh.reset();
  EXPECT_NE(old_copy, new_copy);
  EXPECT_TRUE(is_mapped(new_copy));
  EXPECT_TRUE(is_mapped(old_copy)) << "the old library went away under a running request";

  // The old generation still answers with the old code (whoami exists only in version 1.0.0).
  sdk::Result whoami = request_a->plugin.agent->handle(request("whoami"), services_);
  ASSERT_TRUE(whoami.is_ok());
  EXPECT_EQ(whoami.value(), "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11");
  EXPECT_EQ(registry.find("fixture_good")->plugin.info.agent_version, "2.0.0") << "new requests go to the new build";

  request_a.reset();
  EXPECT_TRUE(is_mapped(old_copy)) << "unmapped while a second request still held it";
  EXPECT_TRUE(request_b->plugin.agent->handle(request("echo", {{"x", 1}}), services_).is_ok());

  request_b.reset();
  EXPECT_FALSE(is_mapped(old_copy)) << "the old library stays mapped after its last request finished";
  EXPECT_FALSE(fs::exists(old_copy));
  EXPECT_TRUE(is_mapped(new_copy));
}

TEST_F(AgentRegistryTest, ReplacedGenerationWithoutHoldersIsReleasedAtOnce) {
  AgentRegistry registry;
  const fs::path old_copy = registry.add(load("fixture_good"))->plugin.loaded_from;
  ASSERT_TRUE(is_mapped(old_copy));
  registry.replace(load("fixture_good"));
  EXPECT_FALSE(is_mapped(old_copy)) << "the registry kept a replaced generation alive";
}

TEST_F(AgentRegistryTest, DestroyingTheRegistryReleasesEveryLibrary) {
  std::vector<fs::path> copies;
  {
    AgentRegistry registry;
    copies.push_back(registry.add(load("fixture_good"))->plugin.loaded_from);
    copies.push_back(registry.add(load("fixture_counter"))->plugin.loaded_from);
  }
  for (const auto& copy : copies) EXPECT_FALSE(is_mapped(copy)) << copy;
}

TEST_F(AgentRegistryTest, FailedAgentsAreReportedButNotServed) {
  AgentRegistry registry;
  registry.add_failed({"fixture_future_sdk", fixture("fixture_future_sdk"), "host SDK 1.0, plugin built for SDK 2.0"});
  const auto failed = registry.failed();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].id, "fixture_future_sdk");
  EXPECT_EQ(failed[0].library, fixture("fixture_future_sdk"));
  EXPECT_NE(failed[0].error.find("SDK 2.0"), std::string::npos);
  EXPECT_EQ(registry.find("fixture_future_sdk"), nullptr);
  EXPECT_TRUE(registry.list().empty());
}

}  // namespace
}  // namespace socrates::host

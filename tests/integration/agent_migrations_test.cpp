// An agent's own migrations (ABI 2.3, issue 17): applied by the host at load in the schema named
// after the agent, recorded in that schema's ledger, applied again only when new ones come with a
// reload (before the new generation takes traffic), and refused with the reason when an applied one
// changed or a new one fails, while the old generation keeps serving. Every session the agent opens
// has its schema first on the search path, and no pooled connection carries that to anyone else.
// The fixture is tests/fixtures/plugins/ledger_agent.cpp, through the real loader and a real pool.
#include "host/app/service_container.hpp"
#include "host/db/migrator.hpp"

#include "support/fixture_plugins.hpp"
#include "support/integration_fixture.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace socrates {
namespace {

using test::fixture;

const sdk::Caller kCaller{"00000000-0000-4000-8000-000000000001", "user", "test"};

class AgentMigrationsTest : public ::testing::Test {
 protected:
  // A host serving build 1 of the ledger agent; reloads may name the other builds (PLUGIN_DIR).
  // One connection in the specifications pool, so that every session below shares it.
  void start(const std::string& pool_size = "1") {
    container_ = std::make_unique<host::ServiceContainer>(
        test::integration_config(databases_, {{"PLUGINS", fixture("fixture_ledger_1").string()},
                                              {"PLUGIN_DIR", SOCRATES_FIXTURE_DIR},
                                              {"DB_POOL_SIZE_SPECS", pool_size}}));
    container_->agents().load_configured();
  }

  sdk::Result call(const std::string& action, nlohmann::json params = nlohmann::json::object()) {
    return container_->orchestrator().route("fixture_ledger", action, std::move(params), kCaller);
  }

  std::int64_t ledger_rows(const std::string& filename) {
    return test::db_count(databases_.specs_url(),
                          "SELECT count(*) FROM fixture_ledger.schema_migrations WHERE filename = '" + filename + "'");
  }

  // The search path a session of the host's own (no schema) finds on the pool's connection.
  std::string host_search_path() {
    sdk::Db db = container_->specs_pool().open();
    return db.query_one("SELECT current_setting('search_path') AS p")->str("p");
  }

  test::MigratedDatabases databases_;
  std::unique_ptr<host::ServiceContainer> container_;
};

TEST_F(AgentMigrationsTest, LoadAppliesThemInTheAgentsSchemaOnceAndTheAgentUsesItUnqualified) {
  start();
  EXPECT_EQ(ledger_rows("001_notes"), 1);
  // The table is the agent's, not the host's.
  EXPECT_EQ(test::db_scalar(databases_.specs_url(), "SELECT to_regclass('fixture_ledger.notes')::text"),
            "fixture_ledger.notes");
  EXPECT_EQ(test::db_scalar(databases_.specs_url(), "SELECT to_regclass('public.notes')::text"), std::nullopt);

  const auto added = call("add", {{"body", "first"}});
  ASSERT_TRUE(added.is_ok()) << test::code_of(added);
  EXPECT_EQ(test::db_count(databases_.specs_url(), "SELECT count(*) FROM fixture_ledger.notes WHERE body = 'first'"), 1);

  // Applied once: the same migrations again change nothing.
  const auto plugin = container_->agents().list().at(0)->plugin;
  EXPECT_TRUE(host::Migrator(container_->specs_pool(), "fixture_ledger", plugin.info.migrations).apply().empty());
  EXPECT_EQ(ledger_rows("001_notes"), 1);
}

TEST_F(AgentMigrationsTest, TheAgentsSearchPathNeverLeaksToTheHostsSessions) {
  start();  // one connection: the agent's sessions and the host's take turns on it
  const std::string host_default = host_search_path();
  EXPECT_EQ(host_default.find("fixture_ledger"), std::string::npos) << host_default;

  for (bool in_transaction : {false, true}) {  // a transaction that is rolled back too
    const auto seen = call("search_path", {{"in_transaction", in_transaction}});
    ASSERT_TRUE(seen.is_ok()) << test::code_of(seen);
    EXPECT_EQ(seen.value()["search_path"], "\"fixture_ledger\", public") << in_transaction;
    EXPECT_EQ(host_search_path(), host_default) << "after an agent session, in_transaction=" << in_transaction;
  }
  // And back to the agent: its schema again.
  ASSERT_TRUE(call("add", {{"body", "after the host"}}).is_ok());
  EXPECT_EQ(call("list").value()["notes"], nlohmann::json::array({"after the host"}));
  EXPECT_EQ(host_search_path(), host_default);
}

TEST_F(AgentMigrationsTest, AReloadAppliesNewMigrationsBeforeTheNewGenerationServesAndKeepsTheData) {
  start();
  ASSERT_TRUE(call("add", {{"body", "kept"}}).is_ok());
  const auto generation = container_->agents().reload("fixture_ledger", fixture("fixture_ledger_2"));
  EXPECT_EQ(generation->plugin.info.agent_version, "1.0.2");
  EXPECT_EQ(ledger_rows("001_notes"), 1);
  EXPECT_EQ(ledger_rows("002_notes_author"), 1);
  EXPECT_EQ(test::db_scalar(databases_.specs_url(), "SELECT author FROM fixture_ledger.notes WHERE body = 'kept'"),
            "anonymous");
  EXPECT_EQ(call("list").value()["notes"], nlohmann::json::array({"kept"}));
}

TEST_F(AgentMigrationsTest, AChangedAppliedMigrationRefusesTheReloadWithTheReasonAndTheOldGenerationServes) {
  start();
  ASSERT_TRUE(call("add", {{"body", "before"}}).is_ok());
  const auto before = container_->agents().registry().find("fixture_ledger");
  try {
    container_->agents().reload("fixture_ledger", fixture("fixture_ledger_3"));
    FAIL() << "a build whose applied migration changed was loaded";
  } catch (const host::PluginError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("001_notes"), std::string::npos) << what;
    EXPECT_NE(what.find("changed"), std::string::npos) << what;
    EXPECT_NE(what.find("forward-only"), std::string::npos) << what;
  }
  EXPECT_EQ(container_->agents().registry().find("fixture_ledger"), before);
  EXPECT_EQ(call("list").value()["notes"], nlohmann::json::array({"before"}));
  EXPECT_EQ(test::db_scalar(databases_.specs_url(),
                            "SELECT to_regclass('fixture_ledger.notes') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                            "information_schema.columns WHERE table_schema = 'fixture_ledger' AND column_name = 'extra')"),
            "t");
}

TEST_F(AgentMigrationsTest, AFailingMigrationRefusesTheReloadWithPostgresReasonAndAppliesNothing) {
  start();
  const auto before = container_->agents().registry().find("fixture_ledger");
  try {
    container_->agents().reload("fixture_ledger", fixture("fixture_ledger_4"));
    FAIL() << "a build with a failing migration was loaded";
  } catch (const host::PluginError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("003_broken"), std::string::npos) << what;
    EXPECT_NE(what.find("no_such_table"), std::string::npos) << what;
  }
  EXPECT_EQ(container_->agents().registry().find("fixture_ledger"), before);
  // All or nothing: 002, which would have succeeded, was rolled back with 003.
  EXPECT_EQ(ledger_rows("002_notes_author"), 0);
  EXPECT_EQ(test::db_count(databases_.specs_url(), "SELECT count(*) FROM information_schema.columns WHERE "
                                                   "table_schema = 'fixture_ledger' AND column_name = 'author'"),
            0);
  EXPECT_TRUE(call("add", {{"body", "still serving"}}).is_ok());
  // The advisory lock was released and the connection is usable: a good build reloads.
  EXPECT_EQ(container_->agents().reload("fixture_ledger", fixture("fixture_ledger_2"))->plugin.info.agent_version,
            "1.0.2");
}

}  // namespace
}  // namespace socrates

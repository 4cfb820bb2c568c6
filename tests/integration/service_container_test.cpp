// What the ServiceContainer gives agents as their sdk::Services: the specifications database, and
// never the accounts database, which only the host's account service reaches (through its pool).
#include "host/app/service_container.hpp"

#include "support/integration_fixture.hpp"

#include <socrates/sdk/database.hpp>

#include <gtest/gtest.h>

#include <string>

namespace socrates {
namespace {

// SDK 1.0-1.2 named the accounts database Database::kAuth, with this value; plugins built for them
// can still ask for it.
const auto kOldAuthDatabase = static_cast<sdk::Database>(0);

class ServiceContainerTest : public ::testing::Test {
 protected:
  test::MigratedDatabases databases_;
  host::ServiceContainer container_{test::integration_config(databases_)};
};

TEST_F(ServiceContainerTest, AgentsAreRefusedTheAccountsDatabase) {
  sdk::DbStatus status;
  EXPECT_EQ(container_.open_database(kOldAuthDatabase, &status), nullptr);
  EXPECT_EQ(status.kind, sdk::DbStatus::Kind::kRefused);
  EXPECT_NE(status.message.find("specifications database"), std::string::npos) << status.message;

  // Any other value an old or broken build may pass is refused too.
  sdk::DbStatus other;
  EXPECT_EQ(container_.open_database(static_cast<sdk::Database>(7), &other), nullptr);
  EXPECT_EQ(other.kind, sdk::DbStatus::Kind::kRefused);

  // Through the SDK's Db, as agent code meets it: a DatabaseError of kind kRefused.
  try {
    sdk::Db db(container_, kOldAuthDatabase);
    FAIL() << "the accounts database was opened for an agent";
  } catch (const sdk::DatabaseError& e) {
    EXPECT_EQ(e.kind(), sdk::DbStatus::Kind::kRefused);
  }
}

TEST_F(ServiceContainerTest, AgentsOpenTheSpecificationsDatabaseAndTheHostBoth) {
  sdk::Db specs(container_, sdk::Database::kSpecs);
  EXPECT_EQ(specs.query_one("SELECT current_database() AS name")->str("name"), databases_.specs_name());
  // The host's own account service reaches the accounts database through its pool.
  sdk::Db accounts = container_.auth_pool().open();
  EXPECT_EQ(accounts.query_one("SELECT current_database() AS name")->str("name"), databases_.auth_name());
}

}  // namespace
}  // namespace socrates

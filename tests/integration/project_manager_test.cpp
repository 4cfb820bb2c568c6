// The real project_manager plugin, loaded by host::PluginLoader and reached through
// host::Orchestrator as the REST layer reaches it, on a migrated specs database.
#include "host/app/service_container.hpp"
#include "host/db/connection_pool.hpp"
#include "host/orchestrator/orchestrator.hpp"
#include "host/plugins/plugin_loader.hpp"

#include "support/integration_fixture.hpp"

#include <socrates/sdk/validate.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace socrates {
namespace {

using json = nlohmann::json;

constexpr const char* kAgent = "project_manager";
// Projects' owners live in the auth database; the specs side only needs well-formed ids.
constexpr const char* kAlice = "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f";
constexpr const char* kBob = "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11";
constexpr const char* kNoSuchProject = "11111111-2222-4333-8444-555555555555";

sdk::Caller caller(const std::string& user_id) { return sdk::Caller{user_id, "user", "test-request"}; }

bool is_rfc3339_utc(const std::string& text) {
  return std::regex_match(text, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)"));
}

class ProjectManagerTest : public ::testing::Test {
 protected:
  ProjectManagerTest()
      : container_(test::integration_config(databases_, {{"PLUGIN_COPY_DIR", copies_.path().string()}})) {
    container_.agents().registry().add(container_.agents().loader().load(std::string(SOCRATES_PLUGIN_DIR) + "/libproject_manager_agent.so"));
  }

  sdk::Result route(const std::string& action, json params, const std::string& user_id = kAlice) {
    return container_.orchestrator().route(kAgent, action, std::move(params), caller(user_id));
  }

  // Creates a project and answers it; fails the test when that is refused.
  json created(const std::string& name, const std::string& user_id = kAlice) {
    sdk::Result result = route("create", {{"name", name}}, user_id);
    EXPECT_EQ(test::code_of(result), "OK") << name;
    return result.is_ok() ? result.value() : json::object();
  }

  json listed(json params, const std::string& user_id = kAlice) {
    sdk::Result result = route("list", std::move(params), user_id);
    EXPECT_EQ(test::code_of(result), "OK");
    return result.is_ok() ? result.value() : json::object();
  }

  static std::vector<std::string> names_of(const json& list) {
    std::vector<std::string> names;
    for (const auto& item : list.value("items", json::array())) names.push_back(item.value("name", ""));
    return names;
  }

  static std::vector<std::string> sorted_names_of(const json& list) {
    auto names = names_of(list);
    std::sort(names.begin(), names.end());
    return names;
  }

  test::MigratedDatabases databases_;
  test::TempDir copies_;  // the loader's private copies of the library
  host::ServiceContainer container_;
};

TEST_F(ProjectManagerTest, CreateAnswersCreatedWithANewProjectInDiscovery) {
  sdk::Result result = route("create", {{"name", "Payroll"}, {"description", "Monthly payroll for 40 staff"}});
  ASSERT_EQ(test::code_of(result), "OK");
  EXPECT_EQ(result.outcome(), sdk::Outcome::kCreated);
  const json& project = result.value();
  EXPECT_TRUE(sdk::validate::is_uuid(project.value("id", ""))) << project.dump();
  EXPECT_EQ(project.value("name", ""), "Payroll");
  EXPECT_EQ(project.value("description", ""), "Monthly payroll for 40 staff");
  EXPECT_EQ(project.value("owner_id", ""), kAlice);
  EXPECT_EQ(project.value("current_phase", ""), "discovery");
  EXPECT_EQ(project.value("maturity_score", -1), 0);
  EXPECT_EQ(project.value("status", ""), "active");
  EXPECT_TRUE(is_rfc3339_utc(project.value("created_at", ""))) << project.dump();
  EXPECT_TRUE(is_rfc3339_utc(project.value("updated_at", ""))) << project.dump();

  // The description is optional.
  sdk::Result bare = route("create", {{"name", "Bare"}});
  ASSERT_EQ(test::code_of(bare), "OK");
  EXPECT_EQ(bare.value().value("description", "missing"), "");
}

// The seeds' lesson at the agent level: once create has answered, the row is in PostgreSQL for
// anyone, not only in the connection that wrote it.
TEST_F(ProjectManagerTest, CreatedProjectIsStoredOnceCreateReturns) {
  const json project = created("Durable");
  host::ConnectionPool fresh("specs", databases_.specs_url(), 1, std::chrono::milliseconds(5000));
  sdk::DbStatus status;
  auto session = fresh.lease(&status);
  ASSERT_TRUE(session) << status.message;
  sdk::Db db(std::move(session));
  auto row = db.query_one("SELECT name, owner_id::text AS owner_id, status FROM projects WHERE id = $1::uuid",
                          {project.value("id", "")});
  ASSERT_TRUE(row.has_value()) << "create answered, but the project is not in the database";
  EXPECT_EQ(row->str("name"), "Durable");
  EXPECT_EQ(row->str("owner_id"), kAlice);
  EXPECT_EQ(row->str("status"), "active");
}

TEST_F(ProjectManagerTest, CreateRejectsAMissingOrOutOfRangeName) {
  const std::vector<json> bodies = {
      json::object(),
      {{"name", ""}},
      {{"name", std::string(256, 'n')}},
      {{"name", 12}},
      {{"name", nullptr}},
  };
  for (const auto& body : bodies) {
    SCOPED_TRACE(body.dump().substr(0, 60));
    sdk::Result result = route("create", body);
    ASSERT_EQ(test::code_of(result), sdk::errc::kValidation);
    EXPECT_EQ(result.error().details.value("field", ""), "name");
  }
  EXPECT_EQ(test::db_count(databases_.specs_url(), "SELECT count(*) FROM projects"), 0);
  // 255 characters (not bytes) is still allowed.
  std::string longest;
  for (int i = 0; i < 255; ++i) longest += "é";
  EXPECT_EQ(test::code_of(route("create", {{"name", longest}})), "OK");
}

TEST_F(ProjectManagerTest, GetAnswersTheProjectOrNotFoundOrValidationError) {
  const json project = created("Lookup");
  sdk::Result found = route("get", {{"project_id", project.value("id", "")}});
  ASSERT_EQ(test::code_of(found), "OK");
  EXPECT_EQ(found.value(), project);

  EXPECT_EQ(test::code_of(route("get", {{"project_id", kNoSuchProject}})), sdk::errc::kProjectNotFound);
  sdk::Result malformed = route("get", {{"project_id", "not-a-uuid"}});
  ASSERT_EQ(test::code_of(malformed), sdk::errc::kValidation);
  EXPECT_EQ(malformed.error().details.value("field", ""), "project_id");
}

TEST_F(ProjectManagerTest, ListIsNewestFirstWithTotalLimitAndOffset) {
  for (const char* name : {"p1", "p2", "p3", "p4", "p5"}) created(name);

  const json all = listed(json::object());
  EXPECT_EQ(names_of(all), (std::vector<std::string>{"p5", "p4", "p3", "p2", "p1"}));
  EXPECT_EQ(all.value("total", -1), 5);
  EXPECT_EQ(all.value("limit", -1), 50);
  EXPECT_EQ(all.value("offset", -1), 0);

  const json page = listed({{"limit", 2}, {"offset", 1}});
  EXPECT_EQ(names_of(page), (std::vector<std::string>{"p4", "p3"}));
  EXPECT_EQ(page.value("total", -1), 5);
  EXPECT_EQ(page.value("limit", -1), 2);
  EXPECT_EQ(page.value("offset", -1), 1);

  // Past the end: no items, but the total is still the total.
  const json beyond = listed({{"offset", 10}});
  EXPECT_TRUE(names_of(beyond).empty());
  EXPECT_EQ(beyond.value("total", -1), 5);

  const json extremes = listed({{"limit", 200}});
  EXPECT_EQ(extremes.value("items", json::array()).size(), 5u);
}

TEST_F(ProjectManagerTest, ListFiltersByStatus) {
  created("kept-1");
  const json archived = created("shelved");
  created("kept-2");
  ASSERT_EQ(test::code_of(route("archive", {{"project_id", archived.value("id", "")}})), "OK");

  // Which projects each filter selects; their order is ListIsNewestFirstWithTotalLimitAndOffset's business.
  EXPECT_EQ(sorted_names_of(listed(json::object())), (std::vector<std::string>{"kept-1", "kept-2"}));
  EXPECT_EQ(sorted_names_of(listed({{"status", "active"}})), (std::vector<std::string>{"kept-1", "kept-2"}));
  EXPECT_EQ(sorted_names_of(listed({{"status", "archived"}})), (std::vector<std::string>{"shelved"}));
  const json everything = listed({{"status", "all"}});
  EXPECT_EQ(sorted_names_of(everything), (std::vector<std::string>{"kept-1", "kept-2", "shelved"}));
  EXPECT_EQ(everything.value("total", -1), 3);

  sdk::Result bad = route("list", {{"status", "deleted"}});
  ASSERT_EQ(test::code_of(bad), sdk::errc::kValidation);
  EXPECT_EQ(bad.error().details.value("field", ""), "status");
}

TEST_F(ProjectManagerTest, ListRejectsLimitAndOffsetOutOfRange) {
  struct Case {
    json params;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"limit", 0}}, "limit"},     {{{"limit", 201}}, "limit"},   {{{"limit", -1}}, "limit"},
      {{{"limit", "ten"}}, "limit"}, {{{"limit", 2.5}}, "limit"},   {{{"offset", -1}}, "offset"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.params.dump());
    sdk::Result result = route("list", c.params);
    ASSERT_EQ(test::code_of(result), sdk::errc::kValidation);
    EXPECT_EQ(result.error().details.value("field", ""), c.field);
  }
}

TEST_F(ProjectManagerTest, UpdateChangesOnlyTheGivenFields) {
  const json project = created("Draft");
  const std::string id = project.value("id", "");

  sdk::Result renamed = route("update", {{"project_id", id}, {"name", "Final"}});
  ASSERT_EQ(test::code_of(renamed), "OK");
  EXPECT_EQ(renamed.value().value("name", ""), "Final");
  EXPECT_EQ(renamed.value().value("description", "missing"), "");

  sdk::Result described = route("update", {{"project_id", id}, {"description", "Now with words"}});
  ASSERT_EQ(test::code_of(described), "OK");
  EXPECT_EQ(described.value().value("name", ""), "Final");
  EXPECT_EQ(described.value().value("description", ""), "Now with words");
  EXPECT_GE(described.value().value("updated_at", ""), project.value("created_at", ""));

  sdk::Result refused = route("update", {{"project_id", id}, {"name", ""}});
  ASSERT_EQ(test::code_of(refused), sdk::errc::kValidation);
  EXPECT_EQ(refused.error().details.value("field", ""), "name");

  // What get answers is what update committed.
  sdk::Result stored = route("get", {{"project_id", id}});
  ASSERT_EQ(test::code_of(stored), "OK");
  EXPECT_EQ(stored.value().value("name", ""), "Final");
  EXPECT_EQ(stored.value().value("description", ""), "Now with words");
  EXPECT_EQ(test::db_scalar(databases_.specs_url(), "SELECT name FROM projects WHERE id = '" + id + "'"), "Final");
}

TEST_F(ProjectManagerTest, ArchiveAndRestore) {
  const json project = created("Seasonal");
  const json params = {{"project_id", project.value("id", "")}};

  sdk::Result archived = route("archive", params);
  ASSERT_EQ(test::code_of(archived), "OK");
  EXPECT_EQ(archived.outcome(), sdk::Outcome::kNoContent);
  EXPECT_EQ(route("get", params).value().value("status", ""), "archived");
  // Archiving twice is no error (DELETE is idempotent).
  EXPECT_EQ(test::code_of(route("archive", params)), "OK");

  sdk::Result restored = route("restore", params);
  ASSERT_EQ(test::code_of(restored), "OK");
  EXPECT_EQ(restored.value().value("status", ""), "active");
  EXPECT_EQ(route("get", params).value().value("status", ""), "active");
  EXPECT_EQ(test::db_scalar(databases_.specs_url(),
                            "SELECT status FROM projects WHERE id = '" + project.value("id", "") + "'"),
            "active");
}

TEST_F(ProjectManagerTest, AnotherUsersProjectAnswersLikeOneThatDoesNotExist) {
  const json project = created("Alice's secret");
  const std::string id = project.value("id", "");
  for (const char* action : {"get", "update", "archive", "restore"}) {
    SCOPED_TRACE(action);
    sdk::Result result = route(action, {{"project_id", id}, {"name", "Bob was here"}}, kBob);
    ASSERT_EQ(test::code_of(result), sdk::errc::kProjectNotFound);
    sdk::Result missing = route(action, {{"project_id", kNoSuchProject}, {"name", "Bob was here"}}, kBob);
    ASSERT_FALSE(missing.is_ok());
    // Existence never leaks: the answer for Alice's project has the same shape as for no project.
    EXPECT_EQ(result.error().details.size(), missing.error().details.size());
  }
  const json list = listed({{"status", "all"}}, kBob);
  EXPECT_TRUE(names_of(list).empty());
  EXPECT_EQ(list.value("total", -1), 0);

  // And Alice's project is untouched.
  sdk::Result mine = route("get", {{"project_id", id}});
  ASSERT_EQ(test::code_of(mine), "OK");
  EXPECT_EQ(mine.value().value("name", ""), "Alice's secret");
  EXPECT_EQ(mine.value().value("status", ""), "active");
}

TEST_F(ProjectManagerTest, CallerWithoutAUserIsRefused) {
  EXPECT_EQ(test::code_of(route("create", {{"name", "Anonymous"}}, "")), sdk::errc::kUnauthenticated);
  EXPECT_EQ(test::db_count(databases_.specs_url(), "SELECT count(*) FROM projects"), 0);
}

TEST_F(ProjectManagerTest, UnknownActionListsTheAvailableCapabilities) {
  sdk::Result result = route("delete_everything", json::object());
  ASSERT_EQ(test::code_of(result), sdk::errc::kUnsupportedAction);
  EXPECT_EQ(result.error().details.value("available_capabilities", json::array()),
            json({"accept_invitation", "advance", "archive", "baseline", "baseline_diff", "baselines", "categories",
                  "create", "edit_plan", "export", "get", "invitations", "invite", "leave", "list", "maturity",
                  "members", "plan", "plans", "regenerate_plan", "remove_member", "requirements", "restore",
                  "revoke_invitation", "reword_requirements", "set_member_role", "stats", "update"}))
      << "the host's own routes see internal actions too (stats)";
}

}  // namespace
}  // namespace socrates

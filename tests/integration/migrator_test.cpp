// host::Migrator on empty databases: every real migration applies, reruns are no-ops, edited files
// stop everything, failures leave nothing behind, and concurrent hosts apply each file once.
#include "host/db/migrator.hpp"

#include "support/integration_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace socrates {
namespace {

namespace fs = std::filesystem;
using host::ConnectionPool;
using host::MigrationError;
using host::Migrator;

std::vector<std::string> sql_files_in(const fs::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory))
    if (entry.is_regular_file() && entry.path().extension() == ".sql") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

void append_to_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

class MigratorTest : public ::testing::Test {
 protected:
  std::unique_ptr<ConnectionPool> open_pool(const std::string& url) {
    return std::make_unique<ConnectionPool>("test", url, 2, std::chrono::milliseconds(5000));
  }

  bool table_exists(const std::string& url, const std::string& table) {
    return test::db_scalar(url, "SELECT to_regclass('public." + table + "') IS NOT NULL") == "t";
  }

  std::int64_t times_recorded(const std::string& url, const std::string& file) {
    return test::db_count(url, "SELECT count(*) FROM schema_migrations WHERE filename = '" + file + "'");
  }

  // A private copy of migrations/auth that a test may edit.
  fs::path copy_of_auth_migrations() {
    const fs::path copy = temp_.path() / "auth";
    fs::copy(test::migrations_dir("auth"), copy, fs::copy_options::recursive);
    return copy;
  }

  test::TestDatabases databases_;  // empty: no migration has run
  test::TempDir temp_;
};

TEST_F(MigratorTest, EveryMigrationAppliesToEmptyDatabasesAndLeavesThemUpToDate) {
  struct Case {
    std::string database, url;
    std::vector<std::string> tables;
  };
  const std::vector<Case> cases = {
      {"auth", databases_.auth_url(), {"users", "logins", "refresh_tokens", "login_attempts"}},
      {"specs", databases_.specs_url(), {"projects"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.database);
    auto pool = open_pool(c.url);
    Migrator migrator(*pool, test::migrations_dir(c.database));
    const auto on_disk = sql_files_in(test::migrations_dir(c.database));
    ASSERT_FALSE(on_disk.empty());

    EXPECT_EQ(migrator.status().pending, on_disk);
    EXPECT_FALSE(migrator.status().up_to_date());

    EXPECT_EQ(migrator.apply(), on_disk);

    const auto status = migrator.status();
    EXPECT_TRUE(status.up_to_date());
    EXPECT_EQ(status.applied, on_disk);
    EXPECT_TRUE(status.pending.empty());
    EXPECT_TRUE(status.changed.empty());
    EXPECT_TRUE(status.missing.empty());
    for (const auto& table : c.tables) EXPECT_TRUE(table_exists(c.url, table)) << table;
    for (const auto& file : on_disk) EXPECT_EQ(times_recorded(c.url, file), 1) << file;
  }
}

TEST_F(MigratorTest, ApplyingASecondTimeAppliesNothing) {
  auto pool = open_pool(databases_.auth_url());
  Migrator migrator(*pool, test::migrations_dir("auth"));
  ASSERT_FALSE(migrator.apply().empty());
  EXPECT_TRUE(migrator.apply().empty());
  // A second host starting later finds nothing to do either.
  auto other = open_pool(databases_.auth_url());
  EXPECT_TRUE(Migrator(*other, test::migrations_dir("auth")).apply().empty());
  EXPECT_EQ(test::db_count(databases_.auth_url(), "SELECT count(*) FROM schema_migrations"),
            static_cast<std::int64_t>(sql_files_in(test::migrations_dir("auth")).size()));
}

TEST_F(MigratorTest, AppliedFileChangedOnDiskStopsApplyAndIsListedAsChanged) {
  const fs::path dir = copy_of_auth_migrations();
  auto pool = open_pool(databases_.auth_url());
  Migrator migrator(*pool, dir);
  migrator.apply();

  const std::string edited = sql_files_in(dir).front();
  append_to_file(dir / edited, "\nCREATE TABLE sneaked_in (id int);\n");
  // A pending file next to the edit must not be applied either: nothing runs past a changed file.
  write_file(dir / "999_later.sql", "CREATE TABLE later_table (id int);\n");

  try {
    migrator.apply();
    ADD_FAILURE() << "apply() accepted an applied migration that changed";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find(edited), std::string::npos) << e.what();
  }
  EXPECT_FALSE(table_exists(databases_.auth_url(), "sneaked_in"));
  EXPECT_FALSE(table_exists(databases_.auth_url(), "later_table"));

  const auto status = migrator.status();
  EXPECT_EQ(status.changed, std::vector<std::string>{edited});
  EXPECT_EQ(status.pending, std::vector<std::string>{"999_later.sql"});
  EXPECT_FALSE(status.up_to_date());
}

TEST_F(MigratorTest, FileAddedLaterIsPendingAndThenApplied) {
  const fs::path dir = copy_of_auth_migrations();
  auto pool = open_pool(databases_.auth_url());
  Migrator migrator(*pool, dir);
  migrator.apply();

  write_file(dir / "900_audit.sql", "CREATE TABLE audit_log (id bigserial PRIMARY KEY, line text NOT NULL);\n");
  auto status = migrator.status();
  EXPECT_EQ(status.pending, std::vector<std::string>{"900_audit.sql"});
  EXPECT_FALSE(status.up_to_date());

  EXPECT_EQ(migrator.apply(), std::vector<std::string>{"900_audit.sql"});
  EXPECT_TRUE(table_exists(databases_.auth_url(), "audit_log"));
  EXPECT_TRUE(migrator.status().up_to_date());
}

// Migration 005 numbers the requirements of specifications written before it, in the order their
// keys were first written, and from then on the database numbers every new key as it is inserted.
TEST_F(MigratorTest, RequirementNumbersAreBackfilledAndThenGivenOnInsert) {
  const fs::path dir = temp_.path() / "specs";
  fs::create_directories(dir);
  for (const auto& name : sql_files_in(test::migrations_dir("specs")))
    if (std::stoi(name) < 5) fs::copy_file(test::migrations_dir("specs") / name, dir / name);
  const std::string url = databases_.specs_url();
  auto pool = open_pool(url);
  Migrator migrator(*pool, dir);
  migrator.apply();
  const std::string project =
      *test::db_scalar(url, "INSERT INTO projects (owner_id, name) VALUES (gen_random_uuid(), 'p') RETURNING id");
  auto insert = [&](const std::string& category, const std::string& key, int version, bool current,
                    const std::string& at) {
    test::db_exec(url, "INSERT INTO specifications (project_id, category, key, value, source, confidence, version, "
                       "is_current, created_at) VALUES ('" + project + "', '" + category + "', '" + key +
                           "', 'v', 'user_input', 0.9, " + std::to_string(version) + ", " + (current ? "true" : "false") +
                           ", '" + at + "')");
  };
  insert("security", "passwords_hashed", 1, false, "2026-01-01T10:00:00Z");
  insert("security", "passwords_hashed", 2, true, "2026-01-03T10:00:00Z");
  insert("security", "admins_cards", 1, false, "2026-01-02T10:00:00Z");  // deleted: keeps its number
  insert("performance", "p95_latency", 1, true, "2026-01-04T10:00:00Z");

  fs::copy_file(test::migrations_dir("specs") / "005_requirements.sql", dir / "005_requirements.sql");
  migrator.apply();
  auto number = [&](const std::string& category, const std::string& key) {
    return test::db_count(url, "SELECT number FROM requirement_ids WHERE project_id = '" + project +
                                   "' AND category = '" + category + "' AND key = '" + key + "'");
  };
  EXPECT_EQ(number("security", "passwords_hashed"), 1);
  EXPECT_EQ(number("security", "admins_cards"), 2);
  EXPECT_EQ(number("performance", "p95_latency"), 1);

  insert("security", "sessions_expire", 1, true, "2026-01-05T10:00:00Z");
  EXPECT_EQ(number("security", "sessions_expire"), 3) << "a deleted key's number is never given again";
  insert("security", "admins_cards", 2, true, "2026-01-06T10:00:00Z");
  EXPECT_EQ(number("security", "admins_cards"), 2) << "a re-added key has its number back";
  EXPECT_EQ(test::db_count(url, "SELECT count(*) FROM requirement_ids"), 4);
}

TEST_F(MigratorTest, FailingMigrationRollsBackEntirelyAndIsNotRecorded) {
  const fs::path dir = copy_of_auth_migrations();
  const std::string good = sql_files_in(dir).front();
  // Its first statements succeed; only the last one fails.
  write_file(dir / "500_broken.sql",
             "CREATE TABLE half_done (id int);\n"
             "INSERT INTO half_done VALUES (1);\n"
             "ALTER TABLE users ADD COLUMN nickname text;\n"
             "SELECT * FROM table_that_does_not_exist;\n");
  auto pool = open_pool(databases_.auth_url());
  Migrator migrator(*pool, dir);

  try {
    migrator.apply();
    ADD_FAILURE() << "a failing migration was reported as applied";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("500_broken.sql"), std::string::npos) << e.what();
  }
  const std::string url = databases_.auth_url();
  EXPECT_FALSE(table_exists(url, "half_done"));
  EXPECT_EQ(test::db_count(url, "SELECT count(*) FROM information_schema.columns "
                                "WHERE table_name = 'users' AND column_name = 'nickname'"),
            0);
  EXPECT_EQ(times_recorded(url, "500_broken.sql"), 0);
  // Files before it are kept: each file is its own transaction.
  EXPECT_EQ(times_recorded(url, good), 1);
  EXPECT_EQ(migrator.status().pending, std::vector<std::string>{"500_broken.sql"});
  // The advisory lock went with the failure, or every later start would hang.
  // (pg_locks is cluster-wide and other tests migrate their own databases meanwhile.)
  EXPECT_EQ(test::db_count(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                                "(SELECT oid FROM pg_database WHERE datname = current_database())"),
            0);

  // Once fixed, the file applies (from another host's connection, which would block on a leaked lock).
  write_file(dir / "500_broken.sql", "CREATE TABLE half_done (id int);\n");
  auto other = open_pool(url);
  EXPECT_EQ(Migrator(*other, dir).apply(), std::vector<std::string>{"500_broken.sql"});
  EXPECT_TRUE(table_exists(url, "half_done"));
}

TEST_F(MigratorTest, TwoHostsApplyingAtOnceBothSucceedAndEachFileIsRecordedOnce) {
  const fs::path dir = copy_of_auth_migrations();
  // A slow file widens the window in which the second host would otherwise apply the same files.
  write_file(dir / "800_slow.sql", "SELECT pg_sleep(0.5);\nCREATE TABLE slow_done (id int);\n");
  const auto on_disk = sql_files_in(dir);
  const std::string url = databases_.auth_url();

  // Each "host" has its own pool, as two processes would.
  auto pool_a = open_pool(url);
  auto pool_b = open_pool(url);
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  auto run = [start, &dir](ConnectionPool* pool) {
    start.wait();
    return Migrator(*pool, dir).apply();
  };
  auto a = std::async(std::launch::async, run, pool_a.get());
  auto b = std::async(std::launch::async, run, pool_b.get());
  go.set_value();

  std::vector<std::string> applied_a, applied_b;
  try {
    applied_a = a.get();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "first host failed: " << e.what();
  }
  try {
    applied_b = b.get();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "second host failed: " << e.what();
  }

  // Between them every file was applied, and no file by both.
  std::vector<std::string> together = applied_a;
  together.insert(together.end(), applied_b.begin(), applied_b.end());
  std::sort(together.begin(), together.end());
  EXPECT_EQ(together, on_disk);
  for (const auto& file : on_disk) EXPECT_EQ(times_recorded(url, file), 1) << file;
  EXPECT_TRUE(Migrator(*pool_a, dir).status().up_to_date());
}

TEST_F(MigratorTest, FileRemovedAfterItWasAppliedIsReportedMissing) {
  const fs::path dir = copy_of_auth_migrations();
  write_file(dir / "700_extra.sql", "CREATE TABLE extra (id int);\n");
  auto pool = open_pool(databases_.auth_url());
  Migrator migrator(*pool, dir);
  migrator.apply();
  fs::remove(dir / "700_extra.sql");
  EXPECT_EQ(migrator.status().missing, std::vector<std::string>{"700_extra.sql"});
}

TEST_F(MigratorTest, MissingDirectoryIsAMigrationErrorNamingIt) {
  auto pool = open_pool(databases_.auth_url());
  const fs::path nowhere = temp_.path() / "no_such_dir";
  try {
    Migrator(*pool, nowhere).apply();
    ADD_FAILURE() << "apply() ran without a migrations directory";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find(nowhere.string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace socrates

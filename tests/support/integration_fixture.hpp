#pragma once
// Building blocks of the integration tests: throwaway databases with the real migrations applied,
// a host Config pointing at them, and direct SQL through a connection of its own, so that a test
// checks what PostgreSQL really stored rather than what the code under test says it stored.

#include "host/config/config.hpp"
#include "support/test_database.hpp"

#include <socrates/sdk/result.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace socrates::test {

// migrations/<database> of the source tree ("auth" or "specs").
std::filesystem::path migrations_dir(const std::string& database);

// Applies every migration in `directory` to the database at `url` with the real host::Migrator.
void migrate(const std::string& url, const std::filesystem::path& directory);

// A fresh (auth, specs) pair with every migration applied, as a migrated host would find it.
class MigratedDatabases : public TestDatabases {
 public:
  MigratedDatabases();
};

// 40 characters: config insists on at least 32.
inline constexpr const char* kTestSecretKey = "integration-test-secret-0123456789abcdef";

// The Config a host serving `databases` would load; `overrides` are settings by environment name
// (e.g. {"LOGIN_MAX_FAILURES", "3"}). PLUGINS points at nothing: these tests load plugins themselves.
host::Config integration_config(const TestDatabases& databases,
                                const std::map<std::string, std::string>& overrides = {});

// One statement on the database at `url`, through a new libpq connection; throws std::runtime_error.
void db_exec(const std::string& url, const std::string& sql);
// The first column of the only row of `sql` (nullopt for SQL NULL); throws when there is no row.
std::optional<std::string> db_scalar(const std::string& url, const std::string& sql);
std::int64_t db_count(const std::string& url, const std::string& sql);  // `sql` must answer one integer
// The same on the cluster's maintenance database (pg_stat_activity, pg_locks).
std::optional<std::string> admin_scalar(const std::string& sql);

// "OK" for a success, else the error code: assertion failures then print what came back.
std::string code_of(const sdk::Result& result);

// A directory of its own under the system temp dir, removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace socrates::test

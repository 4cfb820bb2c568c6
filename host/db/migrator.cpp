#include "host/db/migrator.hpp"

#include "host/crypto/crypto_random.hpp"
#include "host/log/json_log.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace socrates::host {
namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " filename text PRIMARY KEY,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

// One key for every host that migrates this database (any constant works; this is "SOCRATES").
constexpr const char* kLock = "SELECT pg_advisory_lock(5345437241544553)";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock(5345437241544553)";

std::unique_ptr<PooledSession> lease_or_throw(ConnectionPool& pool) {
  sdk::DbStatus status;
  auto session = pool.lease(&status);
  if (!session) throw sdk::DatabaseError(status);
  return session;
}

void check(bool ok, const sdk::DbStatus& status) {
  if (!ok) throw sdk::DatabaseError(status);
}

std::map<std::string, std::string> applied_checksums(PooledSession& session) {
  sdk::DbStatus status;
  sdk::ResultSet rows;
  // Checked first so that PostgreSQL has no "already exists" notice to print on every start.
  check(session.execute("SELECT to_regclass('public.schema_migrations') IS NULL", nullptr, 0, &rows, &status), status);
  if (*rows.rows.at(0).at(0) == "t") check(session.execute(kCreateTable, nullptr, 0, nullptr, &status), status);
  check(session.execute("SELECT filename, checksum FROM schema_migrations", nullptr, 0, &rows, &status), status);
  std::map<std::string, std::string> applied;
  for (const auto& row : rows.rows) applied[*row[0]] = *row[1];
  return applied;
}

MigrationStatus compare(const std::vector<MigrationFile>& files, const std::map<std::string, std::string>& applied) {
  MigrationStatus result;
  std::map<std::string, const MigrationFile*> on_disk;
  for (const auto& f : files) on_disk[f.name] = &f;
  for (const auto& f : files) {
    auto it = applied.find(f.name);
    if (it == applied.end()) {
      result.pending.push_back(f.name);
    } else {
      result.applied.push_back(f.name);
      if (it->second != f.checksum) result.changed.push_back(f.name);
    }
  }
  for (const auto& [name, checksum] : applied)
    if (!on_disk.count(name)) result.missing.push_back(name);
  return result;
}

}  // namespace

Migrator::Migrator(ConnectionPool& pool, std::filesystem::path directory)
    : pool_(pool), directory_(std::move(directory)) {}

std::vector<MigrationFile> Migrator::files() const {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory_, ec))
    throw MigrationError("migrations directory " + directory_.string() +
                         " does not exist: set MIGRATIONS_DIR to the project's migrations/ folder");
  std::vector<MigrationFile> result;
  for (const auto& entry : std::filesystem::directory_iterator(directory_)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in) throw MigrationError("cannot read migration " + entry.path().string());
    std::stringstream buffer;
    buffer << in.rdbuf();
    MigrationFile file{entry.path().filename().string(), buffer.str(), ""};
    file.checksum = crypto::sha256_hex(file.sql);
    result.push_back(std::move(file));
  }
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return result;
}

MigrationStatus Migrator::status() const {
  const auto on_disk = files();
  auto session = lease_or_throw(pool_);
  return compare(on_disk, applied_checksums(*session));
}

std::vector<std::string> Migrator::apply() const {
  const auto on_disk = files();
  auto session = lease_or_throw(pool_);
  sdk::DbStatus status;
  check(session->execute(kLock, nullptr, 0, nullptr, &status), status);
  struct Unlock {
    PooledSession& s;
    ~Unlock() {
      sdk::DbStatus ignored;
      s.execute(kUnlock, nullptr, 0, nullptr, &ignored);
    }
  } unlock{*session};

  const MigrationStatus state = compare(on_disk, applied_checksums(*session));
  if (!state.changed.empty()) {
    std::string names;
    for (const auto& n : state.changed) names += (names.empty() ? "" : ", ") + n;
    throw MigrationError("the " + pool_.name() + " database has applied migrations that have since changed on disk (" +
                         names + "): migrations are forward-only — restore the original files from version control " +
                         "and put the change in a new migration");
  }

  std::vector<std::string> applied;
  for (const auto& file : on_disk) {
    if (std::find(state.pending.begin(), state.pending.end(), file.name) == state.pending.end()) continue;
    check(session->begin(&status), status);
    if (!session->execute_script(file.sql, &status)) {
      session->rollback();
      throw MigrationError("migration " + file.name + " failed on the " + pool_.name() + " database: " + status.message);
    }
    const sdk::Param params[] = {file.name, file.checksum};
    check(session->execute("INSERT INTO schema_migrations (filename, checksum) VALUES ($1, $2)", params, 2, nullptr,
                           &status),
          status);
    check(session->commit(&status), status);
    log::info("migration applied", {{"database", pool_.name()}, {"file", file.name}});
    applied.push_back(file.name);
  }
  return applied;
}

}  // namespace socrates::host

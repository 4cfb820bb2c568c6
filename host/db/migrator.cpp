#include "host/db/migrator.hpp"

#include "host/crypto/crypto_random.hpp"
#include "host/log/json_log.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace socrates::host {
namespace {

// One key for every host that migrates this database (any constant works; this is "SOCRATES").
constexpr const char* kLock = "SELECT pg_advisory_lock(5345437241544553)";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock(5345437241544553)";

std::unique_ptr<PooledSession> lease_or_throw(ConnectionPool& pool, std::string search_path) {
  sdk::DbStatus status;
  auto session = pool.lease(&status, std::move(search_path));
  if (!session) throw sdk::DatabaseError(status);
  return session;
}

void check(bool ok, const sdk::DbStatus& status) {
  if (!ok) throw sdk::DatabaseError(status);
}

std::string quoted(const std::string& identifier) { return "\"" + identifier + "\""; }

// Whether the statement (one boolean) answers true.
bool yes(PooledSession& session, const std::string& sql) {
  sdk::DbStatus status;
  sdk::ResultSet rows;
  check(session.execute(sql, nullptr, 0, &rows, &status), status);
  return *rows.rows.at(0).at(0) == "t";
}

// The ledger's rows. `schema` (an agent's; empty for the host's) and the ledger are created when
// missing if `create`; else a missing ledger has no rows.
std::map<std::string, std::string> applied_checksums(PooledSession& session, const std::string& schema,
                                                     const std::string& ledger, bool create) {
  sdk::DbStatus status;
  // Checked first so that PostgreSQL has no "already exists" notice to print on every start.
  const std::string regclass = schema.empty() ? "public.schema_migrations" : quoted(schema) + ".schema_migrations";
  if (yes(session, "SELECT to_regclass('" + regclass + "') IS NULL")) {
    if (!create) return {};
    if (!schema.empty() && yes(session, "SELECT to_regnamespace('" + quoted(schema) + "') IS NULL"))
      check(session.execute("CREATE SCHEMA " + quoted(schema), nullptr, 0, nullptr, &status), status);
    check(session.execute("CREATE TABLE IF NOT EXISTS " + ledger +
                              " (filename text PRIMARY KEY, checksum text NOT NULL,"
                              " applied_at timestamptz NOT NULL DEFAULT now())",
                          nullptr, 0, nullptr, &status),
          status);
  }
  sdk::ResultSet rows;
  check(session.execute("SELECT filename, checksum FROM " + ledger, nullptr, 0, &rows, &status), status);
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

std::optional<std::string> agent_schema_problem(const std::string& agent_id) {
  if (agent_id.empty() || agent_id.size() > 63)
    return "its agent id \"" + agent_id + "\" cannot name its schema (1 to 63 characters)";
  for (char c : agent_id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return "its agent id \"" + agent_id + "\" cannot name its schema (a-z, 0-9, _ only)";
  if (agent_id == "public" || agent_id == "information_schema" || agent_id.rfind("pg_", 0) == 0)
    return "its agent id \"" + agent_id + "\" names a schema of PostgreSQL's or the host's (public, " +
           "information_schema, pg_*), which an agent's migrations may not own — rename the agent";
  return std::nullopt;
}

std::string agent_search_path(const std::string& schema) { return quoted(schema) + ", public"; }

Migrator::Migrator(ConnectionPool& pool, std::filesystem::path directory)
    : pool_(pool), directory_(std::move(directory)) {}

Migrator::Migrator(ConnectionPool& pool, std::string schema, std::vector<MigrationFile> migrations)
    : pool_(pool), schema_(std::move(schema)), migrations_(std::move(migrations)) {
  if (auto problem = agent_schema_problem(schema_)) throw MigrationError("agent '" + schema_ + "': " + *problem);
  for (auto& migration : migrations_) migration.checksum = crypto::sha256_hex(migration.sql);
  std::sort(migrations_.begin(), migrations_.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
}

std::string Migrator::ledger() const {
  return schema_.empty() ? std::string("schema_migrations") : quoted(schema_) + ".schema_migrations";
}

std::string Migrator::owner() const { return schema_.empty() ? "the " + pool_.name() + " database" : "agent '" + schema_ + "'"; }

std::vector<MigrationFile> Migrator::files() const {
  if (!schema_.empty()) return migrations_;
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
  auto session = lease_or_throw(pool_, schema_.empty() ? std::string() : agent_search_path(schema_));
  return compare(on_disk, applied_checksums(*session, schema_, ledger(), /*create=*/schema_.empty()));
}

std::vector<std::string> Migrator::apply() const {
  const auto on_disk = files();
  auto session = lease_or_throw(pool_, schema_.empty() ? std::string() : agent_search_path(schema_));
  sdk::DbStatus status;
  check(session->execute(kLock, nullptr, 0, nullptr, &status), status);
  struct Unlock {
    PooledSession& s;
    ~Unlock() {
      s.rollback();  // whatever failed, the unlock must not run in an aborted transaction
      sdk::DbStatus ignored;
      s.execute(kUnlock, nullptr, 0, nullptr, &ignored);
    }
  } unlock{*session};

  // An agent's migrations go in one transaction, with its schema and ledger: all or nothing.
  const bool together = !schema_.empty();
  if (together) check(session->begin(&status), status);
  const MigrationStatus state = compare(on_disk, applied_checksums(*session, schema_, ledger(), /*create=*/true));
  if (!state.changed.empty()) {
    std::string names;
    for (const auto& n : state.changed) names += (names.empty() ? "" : ", ") + n;
    throw MigrationError(
        together ? owner() + " has applied migrations that have since changed (" + names +
                       "): migrations are forward-only — restore the applied migration's SQL exactly and put "
                       "the change in a new migration"
                 : owner() + " has applied migrations that have since changed on disk (" + names +
                       "): migrations are forward-only — restore the original files from version control " +
                       "and put the change in a new migration");
  }

  std::vector<std::string> applied;
  for (const auto& file : on_disk) {
    if (std::find(state.pending.begin(), state.pending.end(), file.name) == state.pending.end()) continue;
    if (!together) check(session->begin(&status), status);
    if (!session->execute_script(file.sql, &status))
      throw MigrationError("migration " + file.name + " failed on " + owner() + ": " + status.message);
    const sdk::Param params[] = {file.name, file.checksum};
    check(session->execute("INSERT INTO " + ledger() + " (filename, checksum) VALUES ($1, $2)", params, 2, nullptr,
                           &status),
          status);
    applied.push_back(file.name);
    if (together) continue;
    check(session->commit(&status), status);
    log::info("migration applied", {{"database", pool_.name()}, {"file", file.name}});
  }
  if (!together) return applied;
  check(session->commit(&status), status);
  for (const auto& name : applied)
    log::info("migration applied", {{"database", pool_.name()}, {"agent", schema_}, {"file", name}});
  return applied;
}

}  // namespace socrates::host

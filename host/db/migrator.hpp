#pragma once
// Forward-only migrations, applied in name order and recorded with their SHA-256 in a ledger
// (schema_migrations). A migration that changed after it was applied stops everything: fix it by
// restoring the original and adding a new migration instead.
//
// Two kinds of owner share this logic:
//  - the host's own: migrations/<database>/NNN_name.sql, each file in its own transaction, ledger
//    public.schema_migrations;
//  - an agent's (its plugin's descriptor, <socrates/abi.h>): applied in the schema named after the
//    agent (created when missing), with that schema first on the search path, every pending one in
//    one transaction (all or nothing), ledger <schema>.schema_migrations.

#include "host/db/connection_pool.hpp"
#include "host/db/migration_file.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace socrates::host {

class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MigrationStatus {
  std::vector<std::string> applied;
  std::vector<std::string> pending;
  std::vector<std::string> changed;  // applied, but the file on disk differs
  std::vector<std::string> missing;  // applied, but no such file on disk
  bool up_to_date() const { return pending.empty() && changed.empty(); }
};

// Why `agent_id` cannot name a schema of its own (a PostgreSQL identifier the host may create: at
// most 63 characters, not public, information_schema or pg_*), or nullopt when it can. Agent ids
// are lower_snake_case already (host/plugins/plugin_loader.cpp), so the name needs no quoting.
std::optional<std::string> agent_schema_problem(const std::string& agent_id);
// The search path of every session of the agent that owns `schema`: "\"<schema>\", public".
std::string agent_search_path(const std::string& schema);

class Migrator {
 public:
  // The host's: the .sql files of `directory`.
  Migrator(ConnectionPool& pool, std::filesystem::path directory);
  // An agent's: `migrations` (their checksums are computed here) in `schema`, which must pass
  // agent_schema_problem() (else MigrationError).
  Migrator(ConnectionPool& pool, std::string schema, std::vector<MigrationFile> migrations);

  // Throws MigrationError (unreadable directory) or sdk::DatabaseError.
  std::vector<MigrationFile> files() const;
  MigrationStatus status() const;
  // Applies every pending migration; refuses (MigrationError) when an applied one changed, or one
  // fails (with PostgreSQL's reason). Safe to run from several hosts at once: an advisory lock
  // serialises them. Returns the names applied.
  std::vector<std::string> apply() const;

 private:
  std::string ledger() const;  // the ledger table, qualified for an agent's schema
  std::string owner() const;   // for messages: "the specs database", "agent 'hello'"

  ConnectionPool& pool_;
  std::filesystem::path directory_;
  std::string schema_;                     // an agent's; empty for the host's own
  std::vector<MigrationFile> migrations_;  // an agent's, sorted by name
};

}  // namespace socrates::host

#pragma once
// Forward-only migrations: migrations/<database>/NNN_name.sql, applied in file-name order, each in
// its own transaction, recorded with its SHA-256 in schema_migrations. A file that changed after it
// was applied stops everything: fix it by restoring the file and adding a new migration instead.

#include "host/db/connection_pool.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace socrates::host {

class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MigrationFile {
  std::string name;  // file name, e.g. 001_users.sql
  std::string sql;
  std::string checksum;  // hex SHA-256 of the file's bytes
};

struct MigrationStatus {
  std::vector<std::string> applied;
  std::vector<std::string> pending;
  std::vector<std::string> changed;  // applied, but the file on disk differs
  std::vector<std::string> missing;  // applied, but no such file on disk
  bool up_to_date() const { return pending.empty() && changed.empty(); }
};

class Migrator {
 public:
  Migrator(ConnectionPool& pool, std::filesystem::path directory);

  // Throws MigrationError (unreadable directory) or sdk::DatabaseError.
  std::vector<MigrationFile> files() const;
  MigrationStatus status() const;
  // Applies every pending file; refuses (MigrationError) when an applied file changed. Safe to run
  // from several hosts at once: an advisory lock serialises them. Returns the names applied.
  std::vector<std::string> apply() const;

 private:
  ConnectionPool& pool_;
  std::filesystem::path directory_;
};

}  // namespace socrates::host

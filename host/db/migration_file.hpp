#pragma once
// One migration: a script of SQL statements, applied once and recorded by name with its checksum
// (host/db/migrator.hpp). The host's come from migrations/<database>/NNN_name.sql; an agent's from
// its plugin's descriptor (<socrates/abi.h>, socrates_migration).

#include <string>

namespace socrates::host {

struct MigrationFile {
  std::string name;  // file name, e.g. 001_users.sql; or the name a plugin gave it
  std::string sql;
  std::string checksum;  // hex SHA-256 of the script's bytes
};

}  // namespace socrates::host

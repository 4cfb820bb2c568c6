#pragma once
// A SOCI connection pool for one database, and the pooled sessions agents and the host use.
//
// SOCI owns the connections (open, reconnect); statements run through libpq on the session's own
// connection so that every one is a cached server-side prepared statement with text parameters and
// PostgreSQL's SQLSTATE is available to tell a duplicate from an outage.
//
// SOCI's pool never heals after a server restart (STACK_NOTES), so a session that finds its
// connection broken reconnects it and, when nothing of the transaction has run yet, retries once.

#include <socrates/sdk/database.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace soci {
class connection_pool;
class session;
}  // namespace soci

namespace socrates::host {

class ConnectionPool;

// One leased connection. Destroying it rolls back an open transaction and gives the connection back.
//
// Every session has the search path it was leased with (empty: the server's default, which the
// host's own sessions use; an agent's: its schema, then public). The pool knows each connection's
// current one and, when it differs, sets it with the session's first statement, in the same round
// trip: a connection never carries one session's search path into another's.
class PooledSession final : public sdk::DatabaseSession {
 public:
  PooledSession(ConnectionPool& pool, std::size_t slot, std::string search_path = {});
  ~PooledSession() override;

  bool begin(sdk::DbStatus* status) noexcept override;
  bool commit(sdk::DbStatus* status) noexcept override;
  void rollback() noexcept override;
  bool execute(std::string_view sql, const sdk::Param* params, std::size_t param_count, sdk::ResultSet* out,
               sdk::DbStatus* status) noexcept override;
  bool execute_batch(const sdk::Statement* statements, std::size_t count, bool commit, sdk::ResultSet* outs,
                     std::size_t* failed, sdk::DbStatus* status) noexcept override;

  // Runs a script of several statements (a migration file) with the simple query protocol.
  bool execute_script(const std::string& sql, sdk::DbStatus* status) noexcept;

 private:
  // A statement as the pipeline sees it: text, parameters and where its rows go (may be null).
  struct Pending {
    std::string_view sql;
    const sdk::Param* params;
    std::size_t param_count;
    sdk::ResultSet* out;
  };
  enum class Sent { kOk, kFailed, kLost };

  // Sends a deferred BEGIN, the statements and a COMMIT (when `commit`) in one libpq pipeline, and
  // reads every answer. A lost connection is retried once where nothing can be applied twice.
  bool run(const Pending* statements, std::size_t count, bool commit, std::size_t* failed,
           sdk::DbStatus* status) noexcept;
  Sent pipeline(void* conn, const Pending* statements, std::size_t count, bool commit, std::size_t* failed,
                sdk::DbStatus* status);
  bool ensure_connected(sdk::DbStatus* status) noexcept;
  // Whether the connection's search path differs from this session's (and must be set first).
  bool path_differs() const;
  // The connection's search path is no longer known (a transaction that set it was rolled back).
  void forget_path() noexcept;

  ConnectionPool& pool_;
  std::size_t slot_;
  std::string search_path_;
  bool path_uncommitted_ = false;  // this session set the search path in a transaction still open
  bool in_transaction_ = false;
  bool begin_pending_ = false;  // begin() was called and BEGIN goes out with the next statement
};

struct PoolStats {
  std::size_t size = 0;
  std::size_t idle = 0;
};

class ConnectionPool {
 public:
  // Opens `size` connections; throws sdk::DatabaseError (kUnavailable) when the first one fails,
  // so that a wrong URL is reported at start-up rather than on the first request.
  ConnectionPool(std::string name, std::string url, std::size_t size, std::chrono::milliseconds lease_timeout);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Null and status kUnavailable when no connection is free within the lease timeout.
  // `search_path`: the session's (a value for PostgreSQL's search_path, e.g. "\"hello\", public");
  // empty for the server's default.
  std::unique_ptr<PooledSession> lease(sdk::DbStatus* status, std::string search_path = {}) noexcept;
  // lease() as the SDK's Db, which the host's own data access shares with agents; throws
  // sdk::DatabaseError (kUnavailable) when no connection is free.
  sdk::Db open();

  const std::string& name() const noexcept { return name_; }
  PoolStats stats() const noexcept;

  // A round trip (`SELECT 1`) through a leased connection; its latency in ms, or -1 when it fails.
  double ping_ms() noexcept;

 private:
  friend class PooledSession;
  struct Slot {
    void* conn = nullptr;  // the PGconn the cache below belongs to
    std::unordered_map<std::string, std::string> prepared;  // SQL text -> statement name
    std::size_t next_statement = 0;
    // The connection's search path: "" the server's default (a new connection's), nullopt unknown.
    std::optional<std::string> search_path{std::string()};
  };

  void give_back(std::size_t slot) noexcept;
  soci::session& session(std::size_t slot);
  Slot& slot_state(std::size_t slot) { return slots_[slot]; }

  std::string name_;
  std::string url_;
  std::size_t size_;
  std::chrono::milliseconds lease_timeout_;
  std::unique_ptr<soci::connection_pool> pool_;
  std::vector<Slot> slots_;
  std::atomic<std::size_t> idle_;
};

}  // namespace socrates::host

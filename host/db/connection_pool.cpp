#include "host/db/connection_pool.hpp"

#include "host/metrics/metrics.hpp"

#include <libpq-fe.h>
#include <soci/connection-pool.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/session.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace socrates::host {
namespace {

using Kind = sdk::DbStatus::Kind;

// More distinct statements than this on one connection means dynamic SQL; start over rather than grow.
constexpr std::size_t kMaxPreparedPerConnection = 512;

void set_status(sdk::DbStatus* status, Kind kind, std::string message, std::string sqlstate = {},
                std::string constraint = {}) {
  if (!status) return;
  status->kind = kind;
  status->message = std::move(message);
  status->sqlstate = std::move(sqlstate);
  status->constraint = std::move(constraint);
}

void set_ok(sdk::DbStatus* status) {
  if (status) *status = sdk::DbStatus{};
}

Kind classify(const std::string& sqlstate, bool connection_bad) {
  if (connection_bad) return Kind::kUnavailable;
  if (sqlstate == "23505") return Kind::kUniqueViolation;
  if (sqlstate.rfind("23", 0) == 0) return Kind::kConstraint;
  if (sqlstate == "40001" || sqlstate == "40P01") return Kind::kSerialization;
  // Connection exceptions, and the server shutting down or starting up.
  if (sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03")
    return Kind::kUnavailable;
  return Kind::kQuery;
}

// Fills `status` from a failed result (which may be null when the connection is gone).
void fail_from(PGconn* conn, PGresult* result, sdk::DbStatus* status) {
  std::string sqlstate, constraint, message;
  if (result) {
    if (const char* s = PQresultErrorField(result, PG_DIAG_SQLSTATE)) sqlstate = s;
    if (const char* c = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME)) constraint = c;
    if (const char* m = PQresultErrorMessage(result)) message = m;
  }
  if (message.empty() && conn) message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const bool bad = conn == nullptr || PQstatus(conn) != CONNECTION_OK;
  set_status(status, classify(sqlstate, bad), message, sqlstate, constraint);
}

// SOCI 4.0.3 mangles URI connection strings ("postgresql://…/db" reaches the server as "db="), so
// libpq parses the URL and SOCI gets the keyword=value form it understands.
std::string to_keyword_form(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (!options) {
    std::string message = error ? error : "invalid connection string";
    if (error) PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    sdk::DbStatus status;
    set_status(&status, Kind::kUnavailable, "the database URL is not valid: " + message);
    throw sdk::DatabaseError(status);
  }
  std::string result;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    std::string value;
    for (const char* c = o->val; *c; ++c) {
      if (*c == '\\' || *c == '\'') value += '\\';
      value += *c;
    }
    result += std::string(result.empty() ? "" : " ") + o->keyword + "='" + value + "'";
  }
  PQconninfoFree(options);
  return result;
}

PGconn* pg_conn(soci::session& session) {
  auto* backend = static_cast<soci::postgresql_session_backend*>(session.get_backend());
  return backend ? backend->conn_ : nullptr;
}

struct ResultGuard {
  PGresult* result;
  ~ResultGuard() {
    if (result) PQclear(result);
  }
};

// Every statement is a prepared one, run thousands of times with parameters of the same kind:
// plan each once per connection (the default re-plans the first five runs and then whenever a
// custom plan looks cheaper, which here costs ~10% of the server's CPU per interview turn).
void configure(PGconn* conn) {
  if (conn && PQstatus(conn) == CONNECTION_OK) ResultGuard{PQexec(conn, "SET plan_cache_mode = force_generic_plan")};
}

}  // namespace

// ---------------------------------------------------------------- ConnectionPool

ConnectionPool::ConnectionPool(std::string name, std::string url, std::size_t size,
                               std::chrono::milliseconds lease_timeout)
    : name_(std::move(name)),
      url_(to_keyword_form(url)),
      size_(size),
      lease_timeout_(lease_timeout),
      pool_(std::make_unique<soci::connection_pool>(size)),
      slots_(size),
      idle_(size) {
  // Every connection costs a server process and a SCRAM exchange (~25 ms here): open them side by
  // side rather than one after another, which is most of the host's start-up time.
  std::vector<std::string> errors(size_);
  std::vector<std::thread> openers;
  openers.reserve(size_);
  for (std::size_t i = 0; i < size_; ++i)
    openers.emplace_back([this, i, &errors] {
      try {
        pool_->at(i).open(soci::postgresql, url_);
        configure(pg_conn(pool_->at(i)));
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  for (auto& opener : openers) opener.join();
  for (const auto& error : errors)
    if (!error.empty()) {
      sdk::DbStatus status;
      set_status(&status, Kind::kUnavailable, "cannot connect to the " + name_ + " database: " + error);
      throw sdk::DatabaseError(status);
    }
}

ConnectionPool::~ConnectionPool() = default;

sdk::Db ConnectionPool::open() {
  sdk::DbStatus status;
  std::unique_ptr<PooledSession> session = lease(&status);
  if (!session) throw sdk::DatabaseError(std::move(status));
  return sdk::Db(std::move(session));
}

std::unique_ptr<PooledSession> ConnectionPool::lease(sdk::DbStatus* status, std::string search_path) noexcept {
  try {
    std::size_t slot = 0;
    const auto asked = std::chrono::steady_clock::now();
    const bool leased = pool_->try_lease(slot, static_cast<int>(lease_timeout_.count()));
    metrics::process().db_lease(name_, metrics::seconds_since(asked), leased);
    if (!leased) {
      set_status(status, Kind::kUnavailable,
                 "no free connection in the " + name_ + " pool within " + std::to_string(lease_timeout_.count()) + " ms");
      return nullptr;
    }
    idle_.fetch_sub(1, std::memory_order_relaxed);
    set_ok(status);
    return std::make_unique<PooledSession>(*this, slot, std::move(search_path));
  } catch (const std::exception& e) {
    set_status(status, Kind::kUnavailable, std::string("cannot lease a connection: ") + e.what());
    return nullptr;
  }
}

void ConnectionPool::give_back(std::size_t slot) noexcept {
  idle_.fetch_add(1, std::memory_order_relaxed);
  pool_->give_back(slot);
}

soci::session& ConnectionPool::session(std::size_t slot) { return pool_->at(slot); }

PoolStats ConnectionPool::stats() const noexcept { return {size_, idle_.load(std::memory_order_relaxed)}; }

double ConnectionPool::ping_ms() noexcept {
  const auto start = std::chrono::steady_clock::now();
  sdk::DbStatus status;
  auto session = lease(&status);
  if (!session) return -1;
  sdk::ResultSet result;
  if (!session->execute("SELECT 1", nullptr, 0, &result, &status)) return -1;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// ---------------------------------------------------------------- PooledSession

PooledSession::PooledSession(ConnectionPool& pool, std::size_t slot, std::string search_path)
    : pool_(pool), slot_(slot), search_path_(std::move(search_path)) {}

PooledSession::~PooledSession() {
  // A search path set in a transaction that is rolled back now reverts to the one before it.
  if (path_uncommitted_) forget_path();
  try {
    PGconn* conn = pg_conn(pool_.session(slot_));
    if (conn && PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
      ResultGuard guard{PQexec(conn, "ROLLBACK")};
    }
  } catch (...) {
  }
  pool_.give_back(slot_);
}

bool PooledSession::ensure_connected(sdk::DbStatus* status) noexcept {
  try {
    soci::session& session = pool_.session(slot_);
    PGconn* conn = pg_conn(session);
    if (conn && PQstatus(conn) == CONNECTION_OK) return true;
    session.reconnect();
    conn = pg_conn(session);
    configure(conn);
    // A new connection has none of the old one's prepared statements, even when libpq hands
    // back the same address for it.
    ConnectionPool::Slot& slot = pool_.slot_state(slot_);
    slot.prepared.clear();
    slot.conn = conn;
    slot.search_path = std::string();  // a new connection has the server's default
    if (conn && PQstatus(conn) == CONNECTION_OK) return true;
    set_status(status, Kind::kUnavailable, "the " + pool_.name() + " database connection could not be re-opened");
  } catch (const std::exception& e) {
    set_status(status, Kind::kUnavailable, "cannot reconnect to the " + pool_.name() + " database: " + e.what());
  }
  return false;
}

bool PooledSession::begin(sdk::DbStatus* status) noexcept {
  if (in_transaction_) {
    set_status(status, Kind::kQuery, "begin: a transaction is already open");
    return false;
  }
  // BEGIN leaves with the first statement: a transaction costs no round trip of its own.
  in_transaction_ = true;
  begin_pending_ = true;
  set_ok(status);
  return true;
}

bool PooledSession::commit(sdk::DbStatus* status) noexcept {
  return run(nullptr, 0, /*commit=*/true, nullptr, status);
}

bool PooledSession::path_differs() const {
  const auto& current = pool_.slot_state(slot_).search_path;
  return !current || *current != search_path_;
}

void PooledSession::forget_path() noexcept {
  pool_.slot_state(slot_).search_path.reset();
  path_uncommitted_ = false;
}

void PooledSession::rollback() noexcept {
  if (!in_transaction_) return;
  in_transaction_ = false;
  if (path_uncommitted_) forget_path();
  if (begin_pending_) {  // nothing reached the server
    begin_pending_ = false;
    return;
  }
  try {
    PGconn* conn = pg_conn(pool_.session(slot_));
    if (conn && PQstatus(conn) == CONNECTION_OK) ResultGuard{PQexec(conn, "ROLLBACK")};
  } catch (...) {
  }
}

bool PooledSession::execute(std::string_view sql, const sdk::Param* params, std::size_t param_count,
                            sdk::ResultSet* out, sdk::DbStatus* status) noexcept {
  const Pending statement{sql, params, param_count, out};
  return run(&statement, 1, /*commit=*/false, nullptr, status);
}

bool PooledSession::execute_batch(const sdk::Statement* statements, std::size_t count, bool commit,
                                  sdk::ResultSet* outs, std::size_t* failed, sdk::DbStatus* status) noexcept {
  try {
    std::vector<Pending> pending;
    pending.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
      pending.push_back({statements[i].sql, statements[i].params.data(), statements[i].params.size(),
                         outs ? &outs[i] : nullptr});
    return run(pending.data(), count, commit, failed, status);
  } catch (const std::exception& e) {
    set_status(status, Kind::kQuery, std::string("batch failed: ") + e.what());
    return false;
  }
}

bool PooledSession::run(const Pending* statements, std::size_t count, bool commit, std::size_t* failed,
                        sdk::DbStatus* status) noexcept {
  if (commit && !in_transaction_) {
    set_status(status, Kind::kQuery, "commit: no transaction is open");
    return false;
  }
  if (commit && count == 0 && begin_pending_) {  // an empty transaction: nothing to send
    in_transaction_ = begin_pending_ = false;
    set_ok(status);
    return true;
  }
  try {
    // A lost connection is retried once, but only where nothing can have been applied twice: no
    // transaction had reached the server before (autocommit, or BEGIN goes out now) and no COMMIT
    // is in the pipeline.
    const bool replayable = (!in_transaction_ || begin_pending_) && !commit;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!ensure_connected(status)) return false;
      PGconn* conn = pg_conn(pool_.session(slot_));
      // COMMIT of a transaction that has failed answers ROLLBACK without an error: that is no commit.
      if (in_transaction_ && !begin_pending_ && PQtransactionStatus(conn) == PQTRANS_INERROR) {
        rollback();
        set_status(status, Kind::kQuery, "the transaction had failed and was rolled back");
        return false;
      }
      const Sent sent = pipeline(conn, statements, count, commit, failed, status);
      if (sent == Sent::kOk) {
        begin_pending_ = false;
        if (commit) in_transaction_ = false;
        return true;
      }
      if (sent == Sent::kLost && replayable && attempt == 0) continue;
      // BEGIN (if any) went out: the server holds a failed transaction (which only a rollback
      // ends), or the connection is gone.
      begin_pending_ = false;
      in_transaction_ = PQtransactionStatus(conn) != PQTRANS_IDLE;
      return false;
    }
  } catch (const std::exception& e) {
    set_status(status, Kind::kQuery, std::string("statement failed: ") + e.what());
  }
  return false;
}

namespace {

void fill(PGresult* result, sdk::ResultSet* out) {
  const int columns = PQnfields(result);
  const int rows = PQntuples(result);
  out->columns.clear();
  out->rows.clear();
  out->columns.reserve(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) out->columns.emplace_back(PQfname(result, c));
  out->rows.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    std::vector<std::optional<std::string>> cells(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c)
      if (!PQgetisnull(result, r, c))
        cells[static_cast<std::size_t>(c)].emplace(PQgetvalue(result, r, c),
                                                   static_cast<std::size_t>(PQgetlength(result, r, c)));
    out->rows.push_back(std::move(cells));
  }
  const char* affected = PQcmdTuples(result);
  out->affected_rows = (affected && *affected) ? std::atoll(affected) : 0;
}

}  // namespace

PooledSession::Sent PooledSession::pipeline(void* raw_conn, const Pending* statements, std::size_t count,
                                            bool commit, std::size_t* failed, sdk::DbStatus* status) {
  PGconn* conn = static_cast<PGconn*>(raw_conn);
  ConnectionPool::Slot& slot = pool_.slot_state(slot_);
  if (slot.conn != conn || slot.prepared.size() + count >= kMaxPreparedPerConnection) {
    if (slot.conn == conn) ResultGuard{PQexec(conn, "DEALLOCATE ALL")};
    if (slot.conn != conn && slot.conn != nullptr) slot.search_path.reset();
    slot.prepared.clear();
    slot.conn = conn;
  }
  auto lost = [&] {
    fail_from(conn, nullptr, status);
    if (status) status->kind = Kind::kUnavailable;
    if (PQstatus(conn) == CONNECTION_OK) {  // out of step with the server: start afresh
      slot.prepared.clear();
      PQreset(conn);
      configure(conn);
      slot.search_path = std::string();
    }
    return Sent::kLost;
  };
  if (PQenterPipelineMode(conn) != 1) return lost();

  // What went out, in order; each answers one result (then a null).
  enum class What { kBegin, kPath, kPrepare, kExecute, kCommit };
  struct Out {
    What what;
    std::size_t index;
    const std::string* name;  // kPrepare: the statement's name, cached once the server accepted it
  };
  std::vector<Out> sent;
  sent.reserve(2 * count + 2);
  std::unordered_map<std::string, std::string> preparing;  // prepared in this pipeline: SQL -> name
  std::vector<const char*> values;
  bool queued = true;
  if (begin_pending_) {
    queued = PQsendQueryParams(conn, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    sent.push_back({What::kBegin, 0, nullptr});
  }
  // The session's search path, when the connection has another (inside the transaction, if any:
  // rolled back with it, see forget_path()).
  const bool sets_path = queued && path_differs();
  if (sets_path) {
    const char* path = search_path_.c_str();
    queued = search_path_.empty()
                 ? PQsendQueryParams(conn, "RESET search_path", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1
                 : PQsendQueryParams(conn, "SELECT pg_catalog.set_config('search_path', $1, false)", 1, nullptr,
                                     &path, nullptr, nullptr, 0) == 1;
    sent.push_back({What::kPath, 0, nullptr});
  }
  for (std::size_t i = 0; queued && i < count; ++i) {
    const Pending& statement = statements[i];
    std::string key(statement.sql);
    const std::string* name = nullptr;
    if (auto it = slot.prepared.find(key); it != slot.prepared.end()) name = &it->second;
    else if (auto p = preparing.find(key); p != preparing.end()) name = &p->second;
    if (!name) {
      auto inserted = preparing.emplace(key, "socrates_" + std::to_string(slot.next_statement++)).first;
      name = &inserted->second;
      queued = PQsendPrepare(conn, name->c_str(), key.c_str(), 0, nullptr) == 1;
      sent.push_back({What::kPrepare, i, name});
      if (!queued) break;
    }
    values.assign(statement.param_count, nullptr);
    for (std::size_t p = 0; p < statement.param_count; ++p)
      if (!statement.params[p].is_null()) values[p] = statement.params[p].text().c_str();
    queued = PQsendQueryPrepared(conn, name->c_str(), static_cast<int>(statement.param_count), values.data(),
                                 nullptr, nullptr, 0) == 1;
    sent.push_back({What::kExecute, i, nullptr});
  }
  if (queued && commit) {
    queued = PQsendQueryParams(conn, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    sent.push_back({What::kCommit, count, nullptr});
  }
  if (!queued || PQpipelineSync(conn) != 1) {
    Sent outcome = lost();
    PQexitPipelineMode(conn);
    return outcome;
  }

  Sent outcome = Sent::kOk;
  for (const Out& out : sent) {
    ResultGuard result{PQgetResult(conn)};
    if (!result.result) return lost();  // the connection broke mid-pipeline
    const ExecStatusType state = PQresultStatus(result.result);
    if (state == PGRES_TUPLES_OK || state == PGRES_COMMAND_OK) {
      if (out.what == What::kPrepare) slot.prepared.emplace(std::string(statements[out.index].sql), *out.name);
      if (out.what == What::kExecute && statements[out.index].out) fill(result.result, statements[out.index].out);
    } else if (state != PGRES_PIPELINE_ABORTED && outcome == Sent::kOk) {
      fail_from(conn, result.result, status);
      if (failed) *failed = out.what == What::kBegin || out.what == What::kPath ? 0 : out.index;
      outcome = status && status->kind == Kind::kUnavailable ? Sent::kLost : Sent::kFailed;
    }
    ResultGuard end{PQgetResult(conn)};  // each command's answer ends with a null
  }
  for (;;) {  // up to the sync point
    ResultGuard result{PQgetResult(conn)};
    if (result.result && PQresultStatus(result.result) == PGRES_PIPELINE_SYNC) break;
    if (!result.result && PQstatus(conn) != CONNECTION_OK) return lost();
  }
  if (PQexitPipelineMode(conn) != 1) return lost();
  if (outcome == Sent::kOk) {
    if (sets_path) {
      slot.search_path = search_path_;
      path_uncommitted_ = in_transaction_;
    }
    if (commit) path_uncommitted_ = false;
    set_ok(status);
  } else if (sets_path || path_uncommitted_) {
    forget_path();  // the transaction that set it failed: the connection is back on the one before
  }
  return outcome;
}

bool PooledSession::execute_script(const std::string& sql, sdk::DbStatus* status) noexcept {
  try {
    if (!ensure_connected(status)) return false;
    PGconn* conn = pg_conn(pool_.session(slot_));
    if (begin_pending_) {
      ResultGuard began{PQexec(conn, "BEGIN")};
      if (PQresultStatus(began.result) != PGRES_COMMAND_OK) {
        fail_from(conn, began.result, status);
        return false;
      }
      begin_pending_ = false;
    }
    if (path_differs()) {
      const char* path = search_path_.c_str();
      ResultGuard set{search_path_.empty()
                          ? PQexec(conn, "RESET search_path")
                          : PQexecParams(conn, "SELECT pg_catalog.set_config('search_path', $1, false)", 1, nullptr,
                                         &path, nullptr, nullptr, 0)};
      const ExecStatusType set_state = set.result ? PQresultStatus(set.result) : PGRES_FATAL_ERROR;
      if (set_state != PGRES_TUPLES_OK && set_state != PGRES_COMMAND_OK) {
        forget_path();
        fail_from(conn, set.result, status);
        return false;
      }
      pool_.slot_state(slot_).search_path = search_path_;
      path_uncommitted_ = in_transaction_;
    }
    ResultGuard result{PQexec(conn, sql.c_str())};
    const ExecStatusType state = result.result ? PQresultStatus(result.result) : PGRES_FATAL_ERROR;
    if (state != PGRES_TUPLES_OK && state != PGRES_COMMAND_OK && state != PGRES_EMPTY_QUERY) {
      fail_from(conn, result.result, status);
      return false;
    }
    set_ok(status);
    return true;
  } catch (const std::exception& e) {
    set_status(status, Kind::kQuery, std::string("script failed: ") + e.what());
    return false;
  }
}

}  // namespace socrates::host

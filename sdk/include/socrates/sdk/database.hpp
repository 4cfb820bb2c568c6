#pragma once
// Database access for agents: a leased connection from the host's specifications pool,
// parameterised SQL, and results as text (PostgreSQL's text format), with typed accessors.
//
// Ownership and threading: a Db object leases one pooled connection for its lifetime and must be
// used by one thread at a time. Keep it short-lived: never hold one while waiting on an LLM
// (read, release, call, then write). Destroying a Db with an open transaction rolls it back.
//
// Failure: every Db call may throw DatabaseError. An agent that lets it escape answers
// DATABASE_UNAVAILABLE (connection problems) or INTERNAL_ERROR (anything else); the database's own
// text is logged by the host and never sent to a client.

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace socrates::sdk {

// The databases an agent may open: one, the specifications database (projects, sessions,
// specifications, conflicts: what agents work on). The accounts database (users, password hashes,
// logins) belongs to the host alone. SDK 1.0-1.2 named it Database::kAuth (value 0); since SDK 1.3
// the name is gone and the host refuses every value but kSpecs, to plugins of any version, with
// DbStatus::Kind::kRefused. kSpecs keeps its value so that plugins built for SDK 1.0-1.2 still work.
enum class Database { kSpecs = 1 };

// One bound parameter, sent in text format; PostgreSQL infers its type from the statement
// (add a cast such as `$1::uuid` where the statement alone does not say).
class Param {
 public:
  Param(std::nullptr_t) {}  // NOLINT(google-explicit-constructor): SQL NULL
  Param(const char* text) : text_(text ? text : ""), null_(text == nullptr) {}
  Param(std::string text) : text_(std::move(text)), null_(false) {}
  Param(std::string_view text) : text_(text), null_(false) {}
  Param(bool value) : text_(value ? "true" : "false"), null_(false) {}
  Param(int value) : text_(std::to_string(value)), null_(false) {}
  Param(long value) : text_(std::to_string(value)), null_(false) {}
  Param(long long value) : text_(std::to_string(value)), null_(false) {}
  // Since SDK 1.3, so that sizes and counters (std::size_t, std::uint32_t) bind without a cast.
  Param(unsigned value) : text_(std::to_string(value)), null_(false) {}
  Param(unsigned long value) : text_(std::to_string(value)), null_(false) {}
  Param(unsigned long long value) : text_(std::to_string(value)), null_(false) {}
  Param(double value) : null_(false) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);  // round-trips every double
    text_ = buffer;
  }
  template <typename T>
  Param(const std::optional<T>& value) : Param(nullptr) {
    if (value) *this = Param(*value);
  }

  bool is_null() const noexcept { return null_; }
  const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
  bool null_ = true;
};

// One statement of a batch (SDK 1.1).
struct Statement {
  std::string sql;
  std::vector<Param> params;
};

// The raw answer of one statement, filled in by the host.
struct ResultSet {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::int64_t affected_rows = 0;
};

// What went wrong, as a value (the host side of the boundary never throws).
struct DbStatus {
  enum class Kind {
    kOk,
    kUnavailable,       // no connection could be had (pool exhausted, server down): retry later
    kUniqueViolation,   // SQLSTATE 23505; `constraint` names the index
    kConstraint,        // other integrity violations (foreign key, check, not null)
    kSerialization,     // serialization failure or deadlock: the transaction may be retried
    kQuery,             // anything else: a bug in the SQL or the schema
    kRefused,           // since SDK 1.3: the host does not give agents this database (see Database)
  };
  Kind kind = Kind::kOk;
  std::string sqlstate;
  std::string constraint;
  std::string message;  // for logs only
  bool ok() const noexcept { return kind == Kind::kOk; }
};

class DatabaseError : public std::runtime_error {
 public:
  explicit DatabaseError(DbStatus status)
      : std::runtime_error(status.message.empty() ? "database error" : status.message),
        status_(std::move(status)) {}
  const DbStatus& status() const noexcept { return status_; }
  DbStatus::Kind kind() const noexcept { return status_.kind; }
  bool is_unique_violation(std::string_view constraint = {}) const noexcept {
    return status_.kind == DbStatus::Kind::kUniqueViolation &&
           (constraint.empty() || status_.constraint == constraint);
  }

 private:
  DbStatus status_;
};

// One leased, pooled connection: in a plugin, the SDK's view of the host's database functions
// (<socrates/abi.h>); in the host, its pooled session. Every member is noexcept; the SDK's Db
// wrapper below turns failures into DatabaseError inside the plugin, so no exception crosses the
// plugin boundary in either direction.
//
// Round trips: begin() costs none (the host sends BEGIN together with the first statement), and
// execute_batch() sends all its statements, and the COMMIT when asked, in one round trip.
class DatabaseSession {
 public:
  virtual ~DatabaseSession() = default;  // rolls back an open transaction, returns the connection
  virtual bool begin(DbStatus* status) noexcept = 0;
  virtual bool commit(DbStatus* status) noexcept = 0;
  virtual void rollback() noexcept = 0;
  virtual bool execute(std::string_view sql, const Param* params, std::size_t param_count, ResultSet* out,
                       DbStatus* status) noexcept = 0;
  // Since SDK 1.1. Runs `count` statements in order in one round trip, then COMMIT when `commit`
  // (which needs an open transaction); fills outs[0..count). On failure: false, `status` set and
  // `*failed` the index of the failing statement (`count` for the COMMIT); nothing after it ran and
  // an open transaction can only be rolled back.
  virtual bool execute_batch(const Statement* statements, std::size_t count, bool commit, ResultSet* outs,
                             std::size_t* failed, DbStatus* status) noexcept = 0;
};

class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<std::optional<std::string>> cells)
      : columns_(std::move(columns)), cells_(std::move(cells)) {}

  std::size_t size() const noexcept { return cells_.size(); }
  bool is_null(std::size_t i) const { return !cells_.at(i).has_value(); }
  bool is_null(std::string_view column) const { return is_null(index(column)); }

  // NULL. The plain getters read a NULL column as a fixed default: str() "", i64() 0, f64() 0.0,
  // boolean() false. That is right for columns declared NOT NULL and for aggregates such as
  // count(*); where NULL means something (an optional field, a LEFT JOIN), use the opt getters,
  // which answer std::nullopt for NULL. Every getter throws std::out_of_range for a column the
  // result does not have, and the numeric ones std::invalid_argument for text that is no number.
  const std::string& str(std::size_t i) const {
    static const std::string kEmpty;
    const auto& c = cells_.at(i);
    return c ? *c : kEmpty;
  }
  const std::string& str(std::string_view column) const { return str(index(column)); }
  std::int64_t i64(std::string_view column) const { return opt_i64(column).value_or(0); }
  double f64(std::string_view column) const { return opt_f64(column).value_or(0.0); }
  bool boolean(std::string_view column) const { return opt_boolean(column).value_or(false); }

  std::optional<std::string> opt(std::string_view column) const { return cells_.at(index(column)); }
  // Since SDK 1.3.
  std::optional<std::int64_t> opt_i64(std::string_view column) const {
    const auto& c = cells_.at(index(column));
    if (!c) return std::nullopt;
    return std::stoll(*c);
  }
  std::optional<double> opt_f64(std::string_view column) const {
    const auto& c = cells_.at(index(column));
    if (!c) return std::nullopt;
    return std::stod(*c);
  }
  std::optional<bool> opt_boolean(std::string_view column) const {
    const auto& c = cells_.at(index(column));
    if (!c) return std::nullopt;
    return *c == "t" || *c == "true";
  }

  std::size_t index(std::string_view column) const {
    for (std::size_t i = 0; i < columns_->size(); ++i)
      if ((*columns_)[i] == column) return i;
    throw std::out_of_range("no column '" + std::string(column) + "' in result");
  }

 private:
  std::shared_ptr<const std::vector<std::string>> columns_;
  std::vector<std::optional<std::string>> cells_;
};

class Rows {
 public:
  Rows() = default;
  explicit Rows(ResultSet&& set) : affected_(set.affected_rows) {
    auto columns = std::make_shared<const std::vector<std::string>>(std::move(set.columns));
    rows_.reserve(set.rows.size());
    for (auto& cells : set.rows) rows_.emplace_back(columns, std::move(cells));
  }
  std::size_t size() const noexcept { return rows_.size(); }
  bool empty() const noexcept { return rows_.empty(); }
  const Row& operator[](std::size_t i) const { return rows_.at(i); }
  std::vector<Row>::const_iterator begin() const noexcept { return rows_.begin(); }
  std::vector<Row>::const_iterator end() const noexcept { return rows_.end(); }
  std::int64_t affected_rows() const noexcept { return affected_; }

 private:
  std::vector<Row> rows_;
  std::int64_t affected_ = 0;
};

// Statements sent together (Db::run, Db::commit): each add() answers the index of its rows.
class Batch {
 public:
  std::size_t add(std::string sql, std::vector<Param> params = {}) {
    statements_.push_back(Statement{std::move(sql), std::move(params)});
    return statements_.size() - 1;
  }
  std::size_t size() const noexcept { return statements_.size(); }
  bool empty() const noexcept { return statements_.empty(); }
  const std::vector<Statement>& statements() const noexcept { return statements_; }

 private:
  std::vector<Statement> statements_;
};

// A leased connection with an optional transaction. Typical write:
//   sdk::Db db(services, sdk::Database::kSpecs);
//   db.begin();
//   db.execute("UPDATE ...", {a, b});
//   db.commit();   // the answer may only be sent after this returned
// Several statements in one round trip (each sees what the ones before it did):
//   sdk::Batch batch;
//   auto row = batch.add("INSERT ... RETURNING id", {a});
//   batch.add("UPDATE ...", {b});
//   std::vector<sdk::Rows> results = db.commit(batch);   // or db.run(batch) to stay in the transaction
//   results[row][0].str("id");
class Db {
 public:
  Db(class Services& services, Database which);  // defined in services.hpp; throws DatabaseError
  explicit Db(std::unique_ptr<DatabaseSession> session) : session_(std::move(session)) {}

  void begin() { check(session_->begin(&status_)); }
  void commit() { check(session_->commit(&status_)); }
  void rollback() noexcept { session_->rollback(); }

  Rows query(std::string_view sql, std::initializer_list<Param> params = {}) {
    return run(sql, params.begin(), params.size());
  }
  Rows query(std::string_view sql, const std::vector<Param>& params) {
    return run(sql, params.data(), params.size());
  }
  // At most one row; more is a bug in the caller's SQL and throws.
  std::optional<Row> query_one(std::string_view sql, std::initializer_list<Param> params = {}) {
    Rows rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    if (rows.size() > 1) throw std::logic_error("query_one: more than one row");
    return rows[0];
  }
  // Number of rows the statement changed.
  std::int64_t execute(std::string_view sql, std::initializer_list<Param> params = {}) {
    return query(sql, params).affected_rows();
  }

  // The batch's statements in one round trip; one Rows per statement, in order.
  std::vector<Rows> run(const Batch& batch) { return run_batch(batch, false); }
  // The batch, then COMMIT, in one round trip (begin() first).
  std::vector<Rows> commit(const Batch& batch) { return run_batch(batch, true); }

 private:
  Rows run(std::string_view sql, const Param* params, std::size_t count) {
    ResultSet set;
    check(session_->execute(sql, params, count, &set, &status_));
    return Rows(std::move(set));
  }
  std::vector<Rows> run_batch(const Batch& batch, bool commit) {
    std::vector<ResultSet> sets(batch.size());
    std::size_t failed = 0;
    check(session_->execute_batch(batch.statements().data(), batch.size(), commit, sets.data(), &failed, &status_));
    std::vector<Rows> rows;
    rows.reserve(sets.size());
    for (auto& set : sets) rows.emplace_back(std::move(set));
    return rows;
  }
  void check(bool ok) {
    if (!ok) throw DatabaseError(status_);
  }

  std::unique_ptr<DatabaseSession> session_;
  DbStatus status_;
};

}  // namespace socrates::sdk

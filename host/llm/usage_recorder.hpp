#pragma once
// Every LLM call, success or failure, leaves one row in the specs database's llm_usage table
// (migrations/specs/003_llm_usage.sql, 004_llm_usage_caller.sql); admin stats count them as
// llm_calls_today, and the per-user daily limit counts a user's rows since UTC midnight.
//
// Recording happens after the call has returned, on a connection leased for the one INSERT: no
// lease is ever held while a model is thinking. A failed INSERT is logged and otherwise ignored:
// the caller's answer does not depend on its bookkeeping.

#include <cstdint>
#include <optional>
#include <string>

namespace socrates::host {
class ConnectionPool;
}

namespace socrates::host::llm {

struct UsageRecord {
  std::string provider;
  std::string model;
  std::string purpose;  // sdk::LlmRequest::purpose
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t latency_ms = 0;  // the whole call, retries and their waits included
  int attempts = 0;             // HTTP requests sent (0: refused before any)
  bool ok = false;
  std::string error_code;  // LLM_ERROR / LLM_UNAVAILABLE when !ok
  long http_status = 0;    // the last answer's status; 0 when none came
  std::string request_id;  // of the REST request the call served, when there was one
  std::string agent;
  std::string user_id;     // the request's caller (UUID), when there was one
  std::string project_id;  // the project the agent made the call for (UUID), when it said
};

// A user's calls since the start of the current UTC day, as far as `limit` (counting further is
// not needed), and the seconds until the next UTC midnight.
struct DailyCalls {
  std::int64_t calls = 0;
  std::int64_t seconds_to_midnight = 0;
};

class UsageSink {
 public:
  virtual ~UsageSink() = default;
  virtual void record(const UsageRecord& record) noexcept = 0;
  // Calls that reached the provider (attempts > 0) for `user_id` today; nullopt when they cannot be
  // counted. The default counts nothing (a sink that keeps no rows).
  virtual std::optional<DailyCalls> calls_today(const std::string& user_id, std::int64_t limit) noexcept {
    (void)user_id;
    (void)limit;
    return DailyCalls{};
  }
};

class PoolUsageRecorder final : public UsageSink {
 public:
  explicit PoolUsageRecorder(ConnectionPool& specs) : specs_(specs) {}
  void record(const UsageRecord& record) noexcept override;
  // One short lease for one statement, in PostgreSQL, so that every host counts the same rows.
  std::optional<DailyCalls> calls_today(const std::string& user_id, std::int64_t limit) noexcept override;
  // Every caller's calls since the start of the current day (GET /api/v1/admin/stats'
  // llm_calls_today). Throws sdk::DatabaseError.
  std::int64_t calls_today_total();

 private:
  ConnectionPool& specs_;
};

}  // namespace socrates::host::llm

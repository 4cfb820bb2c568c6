#pragma once
// Every LLM call, success or failure, leaves one row in the specs database's llm_usage table
// (migrations/specs/003_llm_usage.sql); admin stats count them as llm_calls_today.
//
// Recording happens after the call has returned, on a connection leased for the one INSERT: no
// lease is ever held while a model is thinking. A failed INSERT is logged and otherwise ignored:
// the caller's answer does not depend on its bookkeeping.

#include <cstdint>
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
};

class UsageSink {
 public:
  virtual ~UsageSink() = default;
  virtual void record(const UsageRecord& record) noexcept = 0;
};

class PoolUsageRecorder final : public UsageSink {
 public:
  explicit PoolUsageRecorder(ConnectionPool& specs) : specs_(specs) {}
  void record(const UsageRecord& record) noexcept override;

 private:
  ConnectionPool& specs_;
};

}  // namespace socrates::host::llm

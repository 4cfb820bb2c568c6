#pragma once
// What the health and stats routes need to know about the process that only its composition root
// knows (the databases' pools, the start time, the LLM usage table), so that REST reaches none of
// them itself. host/app's ServiceContainer implements it.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace socrates::host::rest {

// The host's two databases: the accounts (its own) and the specifications (the agents').
enum class HostDatabase { kAuth, kSpecs };

struct DatabaseStatus {
  double latency_ms = -1;  // of one round trip now; negative when the database did not answer
  std::size_t pool_size = 0;
  std::size_t pool_idle = 0;
  bool available() const noexcept { return latency_ms >= 0; }
};

class SystemStatus {
 public:
  virtual ~SystemStatus() = default;
  // Since start-up. Never blocks.
  virtual std::chrono::steady_clock::duration uptime() const noexcept = 0;
  // Pings the database (a short lease, bounded by DB_LEASE_TIMEOUT_MS). Never throws.
  virtual DatabaseStatus database(HostDatabase which) noexcept = 0;
  // LLM calls recorded since the start of the current day, every caller's. Throws
  // sdk::DatabaseError when they cannot be counted.
  virtual std::int64_t llm_calls_today() = 0;
};

}  // namespace socrates::host::rest

#pragma once
// What the health and stats routes need to know about the process that only its composition root
// knows (the databases' pools, the start time, the LLM usage table), so that REST reaches none of
// them itself. host/app's ServiceContainer implements it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace socrates::host::rest {

// The host's two databases: the accounts (its own) and the specifications (the agents').
enum class HostDatabase { kAuth, kSpecs };

struct DatabaseStatus {
  double latency_ms = -1;  // of one round trip now; negative when the database did not answer
  std::size_t pool_size = 0;
  std::size_t pool_idle = 0;
  bool available() const noexcept { return latency_ms >= 0; }
};

// One check of GET /health/ready.
struct ReadinessCheck {
  std::string name;    // auth_database, specs_database, auth_migrations, specs_migrations, agents
  bool ok = false;
  std::string detail;  // why not, in words fit for anyone who can reach the route (no driver messages)
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
  // Whether this host should get traffic: both databases answer, their migrations are current
  // (none pending, none changed), and every agent of a required PLUGINS entry is loaded. Runs a
  // few short statements on each database. Never throws.
  virtual std::vector<ReadinessCheck> readiness() noexcept = 0;
  // METRICS_TOKEN (empty when unset): what GET /metrics asks for.
  virtual const std::string& metrics_token() const noexcept = 0;
};

}  // namespace socrates::host::rest

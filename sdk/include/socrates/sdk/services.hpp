#pragma once
// The services the host offers an agent: its specifications database, its logger, its settings
// and its LLM client. This interface is all an agent may know of the host.
//
// Ownership: a Services reference is valid for the call it is passed to (on_start, an action's
// handler): never keep it. In a plugin it is the SDK's view of the host's services table
// (<socrates/abi.h>), made for each call.
// Threading: every member may be called from any worker thread concurrently.

#include <socrates/sdk/database.hpp>
#include <socrates/sdk/llm.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace socrates::sdk {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

class Services {
 public:
  virtual ~Services() = default;

  // Leases a pooled connection to `which`; waits a bounded time when the pool is exhausted.
  // Null and `status` set when none could be had: kUnavailable (pool exhausted, server down), or
  // kRefused for anything but Database::kSpecs (the accounts database is the host's alone).
  virtual std::unique_ptr<DatabaseSession> open_database(Database which, DbStatus* status) noexcept = 0;

  // One JSON log line; the host adds time, request id, agent and action of the current request.
  virtual void log(LogLevel level, std::string_view message) noexcept = 0;

  // A configuration value by name (environment or .env). Secrets (SECRET_KEY, API keys, database
  // URLs) are never handed to agents.
  virtual std::optional<std::string> setting(std::string_view name) const noexcept = 0;

  // The configured LLM provider, or null when the built-in engine is configured.
  virtual LlmClient* llm() noexcept = 0;
};

inline Db::Db(Services& services, Database which) {
  session_ = services.open_database(which, &status_);
  if (!session_) throw DatabaseError(status_);
}

}  // namespace socrates::sdk

#pragma once
// JSON-lines logging over spdlog: one object per line with time, level, message and any fields
// (request_id, user_id, agent, action, status, latency_ms). Never pass secrets, passwords or tokens.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace socrates::sdk {
enum class LogLevel;  // socrates/sdk/services.hpp
}

namespace socrates::host::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

// Sets up the process-wide logger writing to stderr. `level` is trace, debug, info, warn, error or off.
void init(const std::string& level);
bool enabled(Level level) noexcept;

// `fields` must be a JSON object (or null). Never throws.
void write(Level level, std::string_view message, const nlohmann::json& fields = nullptr) noexcept;

inline void debug(std::string_view m, const nlohmann::json& f = nullptr) noexcept { write(Level::kDebug, m, f); }
inline void info(std::string_view m, const nlohmann::json& f = nullptr) noexcept { write(Level::kInfo, m, f); }
inline void warn(std::string_view m, const nlohmann::json& f = nullptr) noexcept { write(Level::kWarn, m, f); }
inline void error(std::string_view m, const nlohmann::json& f = nullptr) noexcept { write(Level::kError, m, f); }
// A line written through sdk::Services::log, at the SDK's level of the same name.
void write(sdk::LogLevel level, std::string_view message) noexcept;

// The request a worker thread is serving, added to every line written from that thread.
struct RequestContext {
  std::string request_id;
  std::string user_id;
  std::string agent;
  std::string action;
  // Set by the LLM client once this request's first call passed the per-user daily limit: the
  // request's later calls (the reply after a message's extraction) go ahead, so that a request
  // refused by the limit is refused before it saved anything, and one let in finishes its turn.
  bool llm_admitted = false;
};
class ScopedRequestContext {
 public:
  explicit ScopedRequestContext(RequestContext context);
  ~ScopedRequestContext();
  ScopedRequestContext(const ScopedRequestContext&) = delete;
  ScopedRequestContext& operator=(const ScopedRequestContext&) = delete;

 private:
  RequestContext previous_;
};
RequestContext& current_context() noexcept;

}  // namespace socrates::host::log

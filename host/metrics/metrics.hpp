#pragma once
// The host's Prometheus metrics (GET /metrics, docs/api.md "Health and administration"): counters
// and histograms filled where the events happen, each through one call below, and gauges read at
// scrape time from whoever owns the figure (a pool's connections, the worker queue, the agents'
// generations). Built on prometheus-cpp's core (Debian's prometheus-cpp-dev): its counters and
// gauges are atomics, a histogram takes a mutex of its own per observation, and the text format
// (0.0.4, with HELP/TYPE lines and escaped label values) is its TextSerializer's.
//
// Label sets are resolved once and cached: an event looks its series up in a small hash map under
// a mutex, with a key built into a thread-local buffer, so the hot path allocates nothing after the
// first occurrence (measured: see README "Metrics and health"). Every family holds at most
// kMaxSeries label sets; past that, events are counted under the label values "other", so a bug
// that puts an unbounded value into a label cannot grow the scrape without end.
//
// Threading: every member may be called from any thread, concurrently with a scrape. None throws.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace socrates::host::metrics {

inline constexpr std::size_t kMaxSeries = 2000;

using Labels = std::vector<std::pair<std::string, std::string>>;

// What a scrape-time source adds: gauges whose value someone else owns.
class Gauges {
 public:
  virtual ~Gauges() = default;
  // One sample of the gauge family `name` (created with `help` on first use).
  virtual void set(const std::string& name, const std::string& help, const Labels& labels, double value) = 0;
};
using Source = std::function<void(Gauges&)>;

// Why a login answered as it did (socrates_logins_total's `outcome`).
enum class LoginOutcome {
  kSuccess,
  kInvalidCredentials,  // unknown email or wrong password
  kInactive,            // the account is not active
  kLocked,              // TOO_MANY_ATTEMPTS: the email is locked for this address (or every address)
  kRateLimited,         // RATE_LIMITED: the address is throttled, or the password-hashing queue was full
  kInvalidRequest,      // the credentials were malformed (VALIDATION_ERROR)
  kError,               // the database failed
};

class Registry;

// Keeps a scrape-time source registered; unregisters it when destroyed (before what it reads goes).
class SourceHandle {
 public:
  SourceHandle() = default;
  SourceHandle(Registry* registry, std::uint64_t id) : registry_(registry), id_(id) {}
  ~SourceHandle();
  SourceHandle(SourceHandle&& other) noexcept;
  SourceHandle& operator=(SourceHandle&& other) noexcept;
  SourceHandle(const SourceHandle&) = delete;
  SourceHandle& operator=(const SourceHandle&) = delete;

 private:
  Registry* registry_ = nullptr;
  std::uint64_t id_ = 0;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // One answered HTTP request: `route` is the router's pattern ("/api/v1/projects/{id}"), never
  // the raw path; "<unmatched>" for a path no route has, "<refused>" for a request refused before
  // routing (framing, timeouts, the connection cap).
  void http_request(std::string_view route, std::string_view method, int status, double seconds) noexcept;
  void http_connection_accepted() noexcept;
  // One lease of a pooled connection (`leased` false: none was free within DB_LEASE_TIMEOUT_MS).
  void db_lease(std::string_view pool, double wait_seconds, bool leased) noexcept;
  // One call of an agent's action through the orchestrator; `failed` for the agent's own failures.
  void agent_call(std::string_view agent, std::string_view action, bool failed, double seconds) noexcept;
  // A reload of a loaded agent: `ok`, or refused (the old generation keeps serving).
  void plugin_reload(std::string_view agent, bool ok) noexcept;
  // An isolated agent's child process crashed or was killed: it is started again after its
  // backoff, or (`quarantined`) the agent is refused until a reload.
  void agent_crash(std::string_view agent, bool quarantined) noexcept;
  // One LLM call with its retries; `outcome` "ok" or the error code (LLM_ERROR, LLM_UNAVAILABLE, ...).
  void llm_call(std::string_view provider, std::string_view purpose, std::string_view outcome,
                std::int64_t input_tokens, std::int64_t output_tokens, double seconds) noexcept;
  void login(LoginOutcome outcome) noexcept;
  // A throttle refused an authentication request (`code`: RATE_LIMITED or TOO_MANY_ATTEMPTS).
  void auth_throttled(std::string_view code) noexcept;
  // One authentication failure counted against an address (and an email): see LoginThrottle.
  void auth_failure() noexcept;

  // `source` runs at every scrape until the handle goes.
  [[nodiscard]] SourceHandle add_source(Source source);

  // Everything, in the text exposition format 0.0.4.
  std::string scrape() const;

 private:
  friend class SourceHandle;
  void remove_source(std::uint64_t id) noexcept;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The process's registry, which GET /metrics serves and the host's parts fill.
Registry& process();

// The Content-Type of scrape().
inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Seconds since `started`, for the calls above.
inline double seconds_since(std::chrono::steady_clock::time_point started) noexcept {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace socrates::host::metrics

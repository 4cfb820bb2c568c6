#pragma once
// The agents this host serves, by id. Each id maps to its current generation; a request holds the
// generation it started on (a shared_ptr), so a swapped-out generation lives until its last
// request finishes and is then released with its library.

#include "host/plugins/plugin_loader.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace socrates::host {

// Counters per agent id, kept across generations.
struct AgentStats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::int64_t> last_activity_ms{0};  // Unix time in ms; 0 = never
  std::atomic<std::uint64_t> timeouts{0};         // calls past their deadline (504 AGENT_TIMEOUT)

  // A call passed its deadline at `now`.
  void record_timeout(std::chrono::steady_clock::time_point now);
  // Timeouts since `now - window`.
  std::size_t recent_timeouts(std::chrono::steady_clock::time_point now, std::chrono::steady_clock::duration window) const;

 private:
  mutable std::mutex mutex_;
  std::deque<std::chrono::steady_clock::time_point> recent_;  // the last few timeouts, oldest first
};

// An action its plugin declared an MCP tool (sdk::ToolSpec; "tool" in the plugin's description of
// its actions): the MCP server lists it as the tool "<agent>.<action>".
struct DeclaredTool {
  std::string action;
  std::string description;
  nlohmann::json input_schema;  // a JSON Schema of type object
};

struct AgentGeneration {
  LoadedPlugin plugin;
  std::uint64_t generation = 0;
  std::vector<std::string> capabilities;           // public: what the generic route answers
  std::vector<std::string> internal_capabilities;  // for the host's own routes only
  std::vector<DeclaredTool> tools;                 // public actions declared MCP tools
  std::chrono::milliseconds deadline{0};           // of one call: the plugin's, capped by the host's
  std::shared_ptr<AgentStats> stats;
};

// A configured library that could not be loaded (an optional plugin); reported by health.
struct FailedAgent {
  std::string id;  // the agent id when the descriptor was readable, else the library's file name
  std::filesystem::path library;
  std::string error;
};

class RegistryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AgentRegistry {
 public:
  static constexpr std::chrono::milliseconds kDefaultDeadline{300000};  // AGENT_DEADLINE_MS's default

  // `deadline`: an agent's deadline for one call when its plugin declares none, and the cap of one
  // it declares (AGENT_DEADLINE_MS).
  explicit AgentRegistry(std::chrono::milliseconds deadline = kDefaultDeadline) : deadline_(deadline) {}

  // Adds the first generation of an agent. Throws RegistryError when the id is already served
  // (the message names both libraries).
  std::shared_ptr<const AgentGeneration> add(LoadedPlugin plugin);
  // Makes `plugin` the current generation of an id already served; returns the new generation.
  std::shared_ptr<const AgentGeneration> replace(LoadedPlugin plugin);
  void add_failed(FailedAgent failed);

  std::shared_ptr<const AgentGeneration> find(const std::string& id) const;
  std::vector<std::shared_ptr<const AgentGeneration>> list() const;  // sorted by id
  std::vector<FailedAgent> failed() const;

 private:
  std::shared_ptr<const AgentGeneration> make(LoadedPlugin plugin, std::shared_ptr<AgentStats> stats);

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const AgentGeneration>> agents_;
  std::vector<FailedAgent> failed_;
  std::uint64_t next_generation_ = 1;
  const std::chrono::milliseconds deadline_;
};

}  // namespace socrates::host

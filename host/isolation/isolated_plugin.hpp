#pragma once
// The host's side of an isolated agent (PLUGINS=isolated:PATH; docs/plugins.md, "Isolation"): the
// agent runs in a child process (`socrates-host agent-worker`, agent_worker.hpp) and the host
// drives it through the same entry points as an in-process plugin: a table of <socrates/abi.h>
// (socrates_plugin_api) whose functions send the calls over the child's socket and serve the
// child's requests for the host's services with the services of the call they belong to. So a
// PluginAgent, the registry, the orchestrator and reloads treat it like any other agent.
//
// Calls run side by side in the child, each on a thread of its own. When the child crashes or is
// killed, every call it held is answered 502 AGENT_CRASHED and the database sessions those calls
// had opened are closed (their transactions rolled back). The child is started again at the next
// call after a backoff (calls during the backoff are answered 502 AGENT_CRASHED at once);
// `max_crashes` ends within the window quarantine the agent (503 AGENT_QUARANTINED) until it is
// reloaded. A call still running shortly after its deadline has its child killed (the caller has
// had its 504 from the orchestrator's watchdog), which counts as a crash.

#include "host/config/config.hpp"
#include "host/isolation/restart_policy.hpp"
#include "host/plugins/plugin_loader.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>

namespace socrates::host::isolation {

struct IsolationOptions {
  std::filesystem::path worker = "/proc/self/exe";  // the socrates-host binary that runs `agent-worker`
  std::filesystem::path copy_dir;                   // PLUGIN_COPY_DIR: each child's scratch directory goes here
  std::size_t address_space_bytes = 0;              // AGENT_MEMORY_LIMIT_MB; 0: no limit
  std::chrono::milliseconds deadline_cap{300000};   // AGENT_DEADLINE_MS
  RestartOptions restart;
};

// The options the settings give (PLUGIN_COPY_DIR, AGENT_MEMORY_LIMIT_MB, AGENT_DEADLINE_MS,
// AGENT_MAX_CRASHES, AGENT_FAILURE_WINDOW_S); the worker is this process's own binary.
IsolationOptions isolation_options(const Config& config);

// Loads `library` in a child process: the child checks and loads it as the loader would (a
// library named at run time must lie inside `inside`), the host reads its descriptor and actions
// from the child. Throws PluginError with the child's reason.
LoadedPlugin load_isolated(const std::filesystem::path& library, const IsolationOptions& options,
                           const std::optional<std::filesystem::path>& inside = std::nullopt);

}  // namespace socrates::host::isolation

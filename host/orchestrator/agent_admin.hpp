#pragma once
// The operator's side of the agents: loading the configured plugins at start-up, listing what is
// loaded (and what failed), and swapping in a new build of one (an admin's reload request, or
// SIGHUP for all). It owns the plugin loader and the registry the orchestrator routes through.
//
// Threading: list() and failed() from any thread; reloads are serialised among themselves and run
// beside requests (see reload()).

#include "host/config/config.hpp"
#include "host/db/connection_pool.hpp"
#include "host/isolation/isolated_plugin.hpp"
#include "host/orchestrator/agent_registry.hpp"
#include "host/plugins/plugin_loader.hpp"

#include <socrates/sdk/services.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace socrates::host {

class AgentAdmin {
 public:
  // `services` is what the agents are started with; it must outlive this object, and so must
  // `specs`, the pool of the specifications database, in which an agent's migrations are applied
  // (null: a plugin with migrations is refused). Copies what it needs of `config` (PLUGINS,
  // PLUGIN_DIR, PLUGIN_COPY_DIR).
  AgentAdmin(const Config& config, sdk::Services& services, ConnectionPool* specs = nullptr);
  AgentAdmin(const AgentAdmin&) = delete;
  AgentAdmin& operator=(const AgentAdmin&) = delete;

  // Loads and starts every configured plugin. A required plugin that fails throws
  // PluginError/RegistryError; an optional one is recorded as failed and logged.
  void load_configured();

  // Swaps in a new build of a loaded agent: loads `library` (default: the path the agent was
  // loaded from; a relative path is taken from PLUGIN_DIR) beside the current generation, checks
  // it, and routes new requests to it; the old generation finishes its requests and is released
  // with its library when the last one ends. The library must be listed in PLUGINS or lie inside
  // PLUGIN_DIR, and meet the file rules of host/plugins/library_file.hpp.
  // Throws PluginError (the old generation keeps serving) or RegistryError (no such agent).
  std::shared_ptr<const AgentGeneration> reload(const std::string& id,
                                                const std::optional<std::filesystem::path>& library);
  // SIGHUP: every agent from its configured library; a failure is logged and that agent's current
  // generation keeps serving.
  void reload_all();

  // Agents of required PLUGINS entries (loaded by load_configured()) that the registry does not
  // serve now: empty on a host that is ready (GET /health/ready).
  std::vector<std::string> missing_required() const;

  // Whether the agent keeps timing out: AGENT_DEGRADED_TIMEOUTS timeouts within
  // AGENT_FAILURE_WINDOW_S (GET /api/v1/admin/health shows it "degraded").
  bool degraded(const AgentGeneration& generation) const;

  std::vector<std::shared_ptr<const AgentGeneration>> list() const { return registry_.list(); }
  // Why the last reload of `id` was refused (a build that failed its checks, its migrations or its
  // start), while the generation before it kept serving; nullopt when the last reload succeeded or
  // none was refused.
  struct RefusedReload {
    std::string error;
    std::chrono::system_clock::time_point at;
  };
  std::optional<RefusedReload> refused_reload(const std::string& id) const;
  std::vector<FailedAgent> failed() const { return registry_.failed(); }

  AgentRegistry& registry() noexcept { return registry_; }
  PluginLoader& loader() noexcept { return loader_; }

 private:
  // Loads `library` in-process, or in a child process of its own when `isolated`.
  LoadedPlugin load(const std::filesystem::path& library, const std::optional<std::filesystem::path>& inside,
                    bool isolated) const;
  // Whether `library` is (after resolving links) one of the libraries listed in PLUGINS.
  bool is_configured(const std::filesystem::path& library) const;
  // Applies the agent's pending migrations in its schema and gives it services on that schema,
  // then runs its start-up hook; throws PluginError when either fails.
  LoadedPlugin start(LoadedPlugin plugin);
  void migrate(LoadedPlugin& plugin);
  // reload() once the agent is known to be loaded (reload_mutex_ held).
  std::shared_ptr<const AgentGeneration> swap_in(const AgentGeneration& current,
                                                 const std::optional<std::filesystem::path>& library);

  std::vector<PluginSpec> plugins_;
  std::filesystem::path plugin_dir_;
  std::size_t degraded_timeouts_;
  std::chrono::seconds failure_window_;
  sdk::Services& services_;
  ConnectionPool* specs_;
  PluginLoader loader_;
  isolation::IsolationOptions isolation_;  // for PLUGINS=isolated:...
  std::vector<std::string> required_ids_;  // written by load_configured() before serving, then read only
  std::mutex reload_mutex_;  // one swap at a time, so generations stay in request order
  mutable std::mutex refused_mutex_;
  std::map<std::string, RefusedReload> refused_;  // by agent id
  // After the loader: the agents (and their libraries, whose private copies the loader's
  // directory holds) go first.
  AgentRegistry registry_;
};

}  // namespace socrates::host

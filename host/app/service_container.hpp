#pragma once
// The ServiceContainer owns everything with process lifetime: configuration, the two database
// pools, the LLM client slot, the agent registry and the orchestrator. Agents see it only through
// the sdk::Services interface it implements.

#include "host/config/config.hpp"
#include "host/db/connection_pool.hpp"
#include "host/orchestrator/agent_registry.hpp"
#include "host/orchestrator/orchestrator.hpp"
#include "host/plugins/plugin_loader.hpp"

#include <socrates/sdk/services.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

namespace socrates::host {

class ServiceContainer final : public sdk::Services {
 public:
  // Opens both pools (throws sdk::DatabaseError when a database cannot be reached).
  explicit ServiceContainer(Config config);
  ~ServiceContainer() override;

  // Loads every configured plugin. A required plugin that fails throws PluginError/RegistryError;
  // an optional one is recorded as failed and logged.
  void load_plugins();

  // Swaps in a new build of a loaded agent: loads `library` (default: the path the agent was
  // loaded from; a relative path is taken from PLUGIN_DIR) beside the current generation, checks
  // it, and routes new requests to it; the old generation finishes its requests and is released
  // with its library when the last one ends. The library must be listed in PLUGINS or lie inside
  // PLUGIN_DIR, and meet the file rules of host/plugins/library_file.hpp.
  // Throws PluginError (the old generation keeps serving) or RegistryError (no such agent).
  std::shared_ptr<const AgentGeneration> reload_agent(const std::string& id,
                                                      const std::optional<std::filesystem::path>& library);

  // sdk::Services
  std::unique_ptr<sdk::DatabaseSession> open_database(sdk::Database which, sdk::DbStatus* status) noexcept override;
  void log(sdk::LogLevel level, std::string_view message) noexcept override;
  std::optional<std::string> setting(std::string_view name) const noexcept override;
  sdk::LlmClient* llm() noexcept override { return llm_.get(); }

  const Config& config() const noexcept { return config_; }
  // The accounts pool is the host's alone (open_database never hands it to an agent).
  ConnectionPool& auth_pool() noexcept { return *auth_pool_; }
  ConnectionPool& specs_pool() noexcept { return *specs_pool_; }
  AgentRegistry& registry() noexcept { return registry_; }
  Orchestrator& orchestrator() noexcept { return orchestrator_; }
  PluginLoader& loader() noexcept { return loader_; }
  void set_llm(std::unique_ptr<sdk::LlmClient> llm) { llm_ = std::move(llm); }
  std::chrono::steady_clock::time_point started_at() const noexcept { return started_at_; }

 private:
  // Whether `library` is (after resolving links) one of the libraries listed in PLUGINS.
  bool is_configured(const std::filesystem::path& library) const;
  // Runs the agent's start-up hook; throws PluginError when it refuses.
  LoadedPlugin start(LoadedPlugin plugin);

  Config config_;
  std::chrono::steady_clock::time_point started_at_;
  std::unique_ptr<ConnectionPool> auth_pool_;
  std::unique_ptr<ConnectionPool> specs_pool_;
  std::unique_ptr<sdk::LlmClient> llm_;
  PluginLoader loader_;
  std::mutex reload_mutex_;  // one swap at a time, so generations stay in request order
  // Declared last among the agent-related members so agents (and their libraries) go first.
  AgentRegistry registry_;
  Orchestrator orchestrator_;
};

}  // namespace socrates::host

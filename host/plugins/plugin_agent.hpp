#pragma once
// The host's side of one agent made by a plugin: the C entry points of <socrates/abi.h> behind the
// calls the host makes (start, handle, and the actions the plugin described). This and
// host_services.hpp are the only places that call across the boundary; everything else in the host
// sees sdk::Request, sdk::Result and sdk::Services.
//
// Threading: handle() from any number of threads at once; the rest reads what the constructor made.

#include <socrates/abi.h>
#include <socrates/sdk/base_agent.hpp>

#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace socrates::host {

class PluginAgent {
 public:
  // Takes `agent`, made by `api->create` (the entry points must outlive it: `library` owns them).
  // Reads the agent's actions (`describe`); throws std::runtime_error, with the reason, when the
  // plugin cannot describe them or describes itself under another id than `id`. The agent is then
  // destroyed before the exception leaves.
  PluginAgent(std::string id, const socrates_plugin_api* api, socrates_agent* agent,
              std::shared_ptr<void> library = nullptr);
  // Destroys the agent (plugin code), then releases the library.
  ~PluginAgent();
  PluginAgent(const PluginAgent&) = delete;
  PluginAgent& operator=(const PluginAgent&) = delete;

  const std::string& id() const noexcept { return id_; }

  // Every action, public and internal, sorted; the public ones; the internal ones (only the
  // host's own routes call them); whether one is internal.
  const std::vector<std::string>& capabilities() const noexcept { return capabilities_; }
  std::vector<std::string> public_capabilities() const;
  std::vector<std::string> internal_capabilities() const { return {internal_.begin(), internal_.end()}; }
  bool is_internal(const std::string& action) const { return internal_.count(action) != 0; }
  // The actions the plugin declared MCP tools, by name.
  const std::map<std::string, sdk::ToolSpec>& tools() const noexcept { return tools_; }

  // The plugin's start(): false and `error` set when it refuses to serve. Never throws.
  bool start(sdk::Services& services, std::string* error) noexcept;

  // One request. Never throws: the plugin's error comes back as an error result; a plugin that
  // answers something unreadable is AGENT_ERROR (logged through `services`).
  sdk::Result handle(const sdk::Request& request, sdk::Services& services) noexcept;

 private:
  std::string id_;
  const socrates_plugin_api* api_;
  socrates_agent* agent_;
  std::shared_ptr<void> library_;
  std::vector<std::string> capabilities_;
  std::set<std::string> internal_;
  std::map<std::string, sdk::ToolSpec> tools_;
};

}  // namespace socrates::host

#pragma once
// Agents whose actions answer from scripts, registered as loaded plugins behind a real
// Orchestrator: for unit tests of what sits on the orchestrator (flows, the MCP server) without a
// library or a database. Every call an agent receives is kept, in order.

#include "host/orchestrator/agent_registry.hpp"
#include "host/orchestrator/orchestrator.hpp"
#include "support/in_process_agent.hpp"

#include <socrates/sdk/testing.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace socrates::test {

// A call an agent received: "agent/action", its params and what a flow handed it.
struct Call {
  std::string name;
  nlohmann::json params;
  std::string handed;
};

using Script = std::function<sdk::Result(const nlohmann::json& params)>;

// An agent whose actions answer from `scripts`; `internal` ones are registered internal. Every call
// is appended to `calls`.
class ScriptedAgent final : public sdk::BaseAgent {
 public:
  ScriptedAgent(const std::string& id, std::map<std::string, Script> scripts, const std::vector<std::string>& internal,
                std::vector<Call>& calls)
      : BaseAgent(sdk::AgentInfo{id, id, "1.0.0"}) {
    for (auto& [action, script] : scripts) {
      const bool is_internal = std::find(internal.begin(), internal.end(), action) != internal.end();
      register_action(
          action,
          [&calls, id, action = action, script = script](const sdk::Request& request, sdk::Services&) {
            calls.push_back({id + "/" + action, request.params, request.handed});
            return script(request.params);
          },
          is_internal ? sdk::ActionVisibility::kInternal : sdk::ActionVisibility::kPublic);
    }
  }
};

// The registry and orchestrator the scripted agents are served by, with the calls they received.
struct ScriptedAgents {
  // Serves an agent `id` answering `scripts`, through the plugin ABI.
  void serve(const std::string& id, std::map<std::string, Script> scripts, const std::vector<std::string>& internal = {}) {
    host::LoadedPlugin plugin;
    plugin.info.agent_id = id;
    plugin.info.agent_name = id;
    plugin.info.agent_version = "1.0.0";
    plugin.info.abi_major = SOCRATES_ABI_VERSION_MAJOR;
    plugin.info.abi_minor = SOCRATES_ABI_VERSION_MINOR;
    plugin.agent = in_process(std::make_unique<ScriptedAgent>(id, std::move(scripts), internal, calls));
    registry.add(std::move(plugin));
  }

  std::vector<std::string> call_names() const {
    std::vector<std::string> names;
    for (const auto& call : calls) names.push_back(call.name);
    return names;
  }

  std::vector<Call> calls;
  sdk::testing::FakeServices services;
  host::AgentRegistry registry;
  host::Orchestrator orchestrator{registry, services};
};

}  // namespace socrates::test

#pragma once
// Routes (agent, action, params, caller) to the agent's current generation and keeps its counters.
// The REST handlers of the host and POST /api/v1/agents/{agent}/{action} both come through here.

#include "host/orchestrator/agent_registry.hpp"

#include <socrates/sdk/base_agent.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace socrates::host {

class Orchestrator {
 public:
  Orchestrator(AgentRegistry& registry, sdk::Services& services) : registry_(registry), services_(services) {}

  // For the host's own routes: any action, public or internal. Never throws. UNKNOWN_AGENT,
  // UNSUPPORTED_ACTION (details.available_capabilities) and AGENT_ERROR come back as error results
  // like any other.
  sdk::Result route(const std::string& agent_id, const std::string& action, nlohmann::json params,
                    const sdk::Caller& caller) noexcept;

  // For POST /api/v1/agents/{agent}/{action}: public actions only. An internal action is answered
  // exactly as one that does not exist (UNSUPPORTED_ACTION listing the public actions), so the
  // route neither runs it nor tells that it exists.
  sdk::Result route_public(const std::string& agent_id, const std::string& action, nlohmann::json params,
                           const sdk::Caller& caller) noexcept;

  AgentRegistry& registry() noexcept { return registry_; }

 private:
  enum class Audience { kHost, kPublic };
  sdk::Result dispatch(Audience audience, const std::string& agent_id, const std::string& action,
                       nlohmann::json params, const sdk::Caller& caller) noexcept;

  AgentRegistry& registry_;
  sdk::Services& services_;
};

}  // namespace socrates::host

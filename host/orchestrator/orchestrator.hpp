#pragma once
// Routes (agent, action, params, caller) to the agent's current generation and keeps its counters,
// and runs the flows (flows.hpp) that take more than one agent. Every transport comes through here:
// the REST routes call an action or a flow by name and map nothing between agents themselves.

#include "host/orchestrator/agent_registry.hpp"
#include "host/orchestrator/flows.hpp"

#include <socrates/sdk/base_agent.hpp>
#include <socrates/sdk/services.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace socrates::host {

class Watchdog;

class Orchestrator {
 public:
  // Serves standard_flows().
  Orchestrator(AgentRegistry& registry, sdk::Services& services);
  ~Orchestrator();
  Orchestrator(const Orchestrator&) = delete;
  Orchestrator& operator=(const Orchestrator&) = delete;

  // For the host's own routes: any action, public or internal. Never throws. UNKNOWN_AGENT,
  // UNSUPPORTED_ACTION (details.available_capabilities) and AGENT_ERROR come back as error results
  // like any other. `handed`: what the previous action of a flow handed on (Request::handed).
  //
  // Every call has the agent's deadline (AgentGeneration::deadline). Past it, the call's request
  // is answered 504 AGENT_TIMEOUT at once through its EarlyAnswer (host/concurrency/early_answer.hpp)
  // when the transport installed one, the agent's timeout is counted, and the call's services
  // refuse its database and LLM work from then on (call_deadline.hpp); when the call returns at
  // last, its result is replaced by AGENT_TIMEOUT. A request answered early runs no further call.
  sdk::Result route(const std::string& agent_id, const std::string& action, nlohmann::json params,
                    const sdk::Caller& caller, std::string handed = {}) noexcept;

  // For POST /api/v1/agents/{agent}/{action}: public actions only. An internal action is answered
  // exactly as one that does not exist (UNSUPPORTED_ACTION listing the public actions), so the
  // route neither runs it nor tells that it exists.
  sdk::Result route_public(const std::string& agent_id, const std::string& action, nlohmann::json params,
                           const sdk::Caller& caller) noexcept;

  // Runs the flow `name` (flows.hpp) for `caller`. Never throws: an agent's error comes back as the
  // flow's result; an unknown flow, or one that throws, is INTERNAL_ERROR (logged), since the
  // transports name flows in code, not from their input.
  sdk::Result run_flow(const std::string& name, nlohmann::json params, const sdk::Caller& caller) noexcept;

  // Adds (or replaces) a flow. Not synchronised with run_flow: call it before serving.
  void add_flow(std::string name, Flow flow);

  AgentRegistry& registry() noexcept { return registry_; }

 private:
  enum class Audience { kHost, kPublic };
  sdk::Result dispatch(Audience audience, const std::string& agent_id, const std::string& action,
                       nlohmann::json params, const sdk::Caller& caller, std::string handed = {}) noexcept;

  AgentRegistry& registry_;
  sdk::Services& services_;
  std::map<std::string, Flow> flows_;
  std::unique_ptr<Watchdog> watchdog_;  // the calls' deadlines
};

}  // namespace socrates::host

#include "host/orchestrator/orchestrator.hpp"

#include "host/concurrency/early_answer.hpp"
#include "host/concurrency/watchdog.hpp"
#include "host/error_codes.hpp"
#include "host/log/json_log.hpp"
#include "host/metrics/metrics.hpp"
#include "host/orchestrator/call_deadline.hpp"

#include <algorithm>
#include <chrono>

namespace socrates::host {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Errors that mean the agent (or what it depends on) failed, as opposed to the caller's mistakes.
bool is_agent_failure(const std::string& code) {
  return code == sdk::errc::kAgentError || code == sdk::errc::kInternal || code == sdk::errc::kDatabaseUnavailable ||
         code == sdk::errc::kLlmError || code == sdk::errc::kLlmUnavailable || code == host::errc::kAgentTimeout ||
         code == host::errc::kAgentCrashed || code == host::errc::kAgentQuarantined;
}

sdk::Error timeout_error(const std::string& agent_id, const std::string& action, std::chrono::milliseconds deadline) {
  return sdk::Error{host::errc::kAgentTimeout,
                    "agent '" + agent_id + "' did not answer '" + action + "' within its deadline of " +
                        std::to_string(deadline.count()) + " ms",
                    {{"agent", agent_id}, {"action", action}, {"deadline_ms", deadline.count()}}};
}

// The action as a metrics label: one the agent declares, or "<unknown>" (the generic route takes any
// name from the path; a label must not).
std::string_view action_label(const AgentGeneration& generation, const std::string& action) {
  const auto declared = [&](const std::vector<std::string>& actions) {
    return std::find(actions.begin(), actions.end(), action) != actions.end();
  };
  return declared(generation.capabilities) || declared(generation.internal_capabilities)
             ? std::string_view(action)
             : std::string_view("<unknown>");
}

// One call's deadline, timed by the orchestrator's watchdog. When it fires, the call is expired
// (or, while it commits, asked again shortly), its agent's timeout counted, and its request
// answered 504 through the transport's EarlyAnswer, if any. Everything it refers to lives on the
// stack of the call, which cancels it before returning.
class CallTimer final : public Watchdog::Timer {
 public:
  CallTimer(const AgentGeneration& generation, const std::string& action, const std::string& request_id,
            EarlyAnswer* early) noexcept
      : generation_(generation), action_(action), request_id_(request_id), early_(early) {}

  std::optional<Watchdog::Clock::duration> fire() noexcept override {
    if (!deadline.expire()) return std::chrono::milliseconds(5);  // a COMMIT under way
    try {
      const std::string& id = generation_.plugin.info.agent_id;
      generation_.stats->record_timeout(std::chrono::steady_clock::now());
      log::warn("agent call passed its deadline; the caller is answered 504 and the call is abandoned",
                {{"agent", id}, {"action", action_}, {"deadline_ms", generation_.deadline.count()},
                 {"request_id", request_id_}});
      if (early_) early_->answer_now(timeout_error(id, action_, generation_.deadline));
    } catch (...) {
    }
    return std::nullopt;
  }

  CallDeadline deadline;

 private:
  const AgentGeneration& generation_;
  const std::string& action_;
  const std::string& request_id_;
  EarlyAnswer* early_;
};

}  // namespace

Orchestrator::Orchestrator(AgentRegistry& registry, sdk::Services& services)
    : registry_(registry), services_(services), flows_(standard_flows()), watchdog_(std::make_unique<Watchdog>()) {}

Orchestrator::~Orchestrator() = default;

void Orchestrator::add_flow(std::string name, Flow flow) { flows_[std::move(name)] = std::move(flow); }

sdk::Result Orchestrator::run_flow(const std::string& name, nlohmann::json params, const sdk::Caller& caller) noexcept {
  try {
    auto it = flows_.find(name);
    if (it == flows_.end()) {
      log::error("no such flow", {{"flow", name}});
      return sdk::Result::fail(sdk::errc::kInternal, "the request could not be routed");
    }
    return it->second(*this, std::move(params), caller);
  } catch (const std::exception& e) {
    log::error("flow failed", {{"flow", name}, {"error", e.what()}});
  } catch (...) {
    log::error("flow failed", {{"flow", name}});
  }
  return sdk::Result::fail(sdk::errc::kInternal, "the request could not be completed");
}

sdk::Result Orchestrator::route(const std::string& agent_id, const std::string& action, nlohmann::json params,
                                const sdk::Caller& caller, std::string handed) noexcept {
  return dispatch(Audience::kHost, agent_id, action, std::move(params), caller, std::move(handed));
}

sdk::Result Orchestrator::route_public(const std::string& agent_id, const std::string& action,
                                       nlohmann::json params, const sdk::Caller& caller) noexcept {
  return dispatch(Audience::kPublic, agent_id, action, std::move(params), caller);
}

sdk::Result Orchestrator::dispatch(Audience audience, const std::string& agent_id, const std::string& action,
                                   nlohmann::json params, const sdk::Caller& caller, std::string handed) noexcept {
  try {
    // Holding the generation keeps its library loaded until this request is done, even if a reload
    // replaces it meanwhile.
    std::shared_ptr<const AgentGeneration> generation = registry_.find(agent_id);
    if (!generation) {
      nlohmann::json available = nlohmann::json::array();
      for (const auto& g : registry_.list()) available.push_back(g->plugin.info.agent_id);
      return sdk::Result::fail(host::errc::kUnknownAgent, "no agent '" + agent_id + "' is loaded",
                               {{"agent", agent_id}, {"available_agents", available}});
    }
    // A request already answered 504 (a step of its flow passed its deadline) runs nothing more.
    EarlyAnswer* early = current_early_answer();
    if (early && early->answered_early()) return sdk::Result::fail(timeout_error(agent_id, action, generation->deadline));

    const auto started = std::chrono::steady_clock::now();
    AgentStats& stats = *generation->stats;
    stats.requests.fetch_add(1, std::memory_order_relaxed);
    stats.last_activity_ms.store(now_ms(), std::memory_order_relaxed);

    if (audience == Audience::kPublic) {
      const auto& visible = generation->capabilities;
      // The same words and details BaseAgent::handle gives an unknown action, with the public list.
      if (std::find(visible.begin(), visible.end(), action) == visible.end()) {
        metrics::process().agent_call(agent_id, "<unknown>", false, metrics::seconds_since(started));
        return sdk::Result::fail(sdk::errc::kUnsupportedAction,
                                 "agent '" + agent_id + "' has no action '" + action + "'",
                                 {{"agent", agent_id}, {"action", action}, {"available_capabilities", visible}});
      }
    }

    // The caller's id goes with the agent and action: the LLM client records it with each call's
    // usage and counts the caller's calls against LLM_DAILY_CALLS_PER_USER.
    auto& context = log::current_context();
    const std::string previous_agent = std::move(context.agent), previous_action = std::move(context.action),
                      previous_user = context.user_id;
    context.agent = agent_id;
    context.action = action;
    context.user_id = caller.user_id;

    // The deadline: past it the watchdog expires the call and answers its request early; a COMMIT
    // under way holds that off until it has returned (call_deadline.hpp). Nothing of this is
    // allocated: the timer and the services live on this stack until the watchdog lets go.
    CallTimer timer(*generation, action, caller.request_id, early);
    Watchdog::Armed armed(*watchdog_, timer, started + generation->deadline);
    // An agent with data of its own gets the host's services on its schema (AgentAdmin::migrate).
    DeadlineServices call_services(generation->plugin.services ? *generation->plugin.services : services_,
                                   timer.deadline);
    sdk::Request request{action, std::move(params), caller, std::move(handed)};
    sdk::Result result = generation->plugin.agent->handle(request, call_services);
    if (!armed.cancel()) result = sdk::Result::fail(timeout_error(agent_id, action, generation->deadline));

    context.agent = previous_agent;
    context.action = previous_action;
    context.user_id = previous_user;
    const bool failed = !result.is_ok() && is_agent_failure(result.error().code);
    if (failed) stats.errors.fetch_add(1, std::memory_order_relaxed);
    metrics::process().agent_call(agent_id, action_label(*generation, action), failed, metrics::seconds_since(started));
    return result;
  } catch (const std::exception& e) {
    log::error("orchestrator failed", {{"agent", agent_id}, {"action", action}, {"error", e.what()}});
    return sdk::Result::fail(sdk::errc::kInternal, "the request could not be routed");
  }
}

}  // namespace socrates::host

#pragma once
// BaseAgent: what every agent plugin implements.
//
// An agent is a set of named actions. The host calls handle() — the one entry point, non-virtual
// and noexcept — which dispatches to the handler registered for the action and turns any exception
// into an error result, so that no exception ever leaves the plugin.
//
// Threading: handle() is called from several worker threads at once. Register actions only in the
// constructor; handlers must be safe to run concurrently (keep per-request state on the stack).

#include <socrates/sdk/detail/guard.hpp>
#include <socrates/sdk/error.hpp>
#include <socrates/sdk/result.hpp>
#include <socrates/sdk/services.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace socrates::sdk {

struct AgentInfo {
  std::string id;       // routing key: lower_snake_case, unique in a host
  std::string name;     // for people
  std::string version;  // the agent's own version, free form (semantic versioning recommended)
};

// Who is asking. Set by the host from the verified access token; never taken from a request body.
struct Caller {
  std::string user_id;     // UUID of the authenticated user
  std::string role;        // "user" or "admin"
  std::string request_id;  // the X-Request-Id of the HTTP request, for log lines
  bool is_admin() const noexcept { return role == "admin"; }
};

// Who may call an action (SDK 1.2). A public action answers POST /api/v1/agents/{agent}/{action}
// for any signed-in user; an internal one is called only by the host's own routes (with parameters
// the host computed, such as what another agent recorded), and the generic route answers it exactly
// as an action that does not exist. The default is public.
enum class ActionVisibility { kPublic, kInternal };

// An action offered to AI assistants as a tool of the host's MCP server (SDK 1.4), listed there as
// "<agent id>.<action>" and called like POST /api/v1/agents/{agent}/{action}: public, with the
// caller the host authenticated. Declare it with register_action(name, handler, ToolSpec{...}).
struct ToolSpec {
  std::string description;  // for a model: what the action does, what it answers, when to use it
  // JSON Schema (2020-12) of the action's params, of type "object". When it names "properties",
  // only those reach the action (the host adds user_id and caller_email).
  nlohmann::json input_schema = nlohmann::json{{"type", "object"}};
};

struct Request {
  std::string action;
  nlohmann::json params = nlohmann::json::object();
  Caller caller;
  // What the previous action of a host flow handed on (Result::hand_on); empty outside such a flow.
  std::string handed;
};

class BaseAgent {
 public:
  using Handler = std::function<Result(const Request&, Services&)>;

  virtual ~BaseAgent() = default;
  BaseAgent(const BaseAgent&) = delete;
  BaseAgent& operator=(const BaseAgent&) = delete;

  const AgentInfo& info() const noexcept { return info_; }
  const std::string& id() const noexcept { return info_.id; }
  const std::string& name() const noexcept { return info_.name; }
  const std::string& version() const noexcept { return info_.version; }

  // Every action this agent answers, public and internal, sorted.
  std::vector<std::string> capabilities() const {
    std::vector<std::string> names;
    names.reserve(handlers_.size());
    for (const auto& entry : handlers_) names.push_back(entry.first);
    return names;
  }
  bool supports(const std::string& action) const { return handlers_.count(action) != 0; }

  // Since SDK 1.2. The public and the internal actions, sorted, and whether one action is internal.
  // The host learns them (and the tools) from the plugin's description of its actions, which the
  // SDK writes from these (sdk/detail/abi_plugin.hpp).
  std::vector<std::string> public_capabilities() const {
    std::vector<std::string> names;
    for (const auto& entry : handlers_)
      if (internal_.count(entry.first) == 0) names.push_back(entry.first);
    return names;
  }
  std::vector<std::string> internal_capabilities() const { return {internal_.begin(), internal_.end()}; }
  // The public actions declared MCP tools (SDK 1.4), by name.
  std::map<std::string, ToolSpec> tools() const { return tools_; }
  bool is_internal(const std::string& action) const { return internal_.count(action) != 0; }

  // Called once by the host after loading and before the first request (and again for every new
  // generation on reload), with the services the agent will be given. An agent loads its data
  // files here, so that a bad deployment fails at start-up rather than on a user's request.
  // Never throws: false and `error` set when the agent cannot serve; the host then refuses it.
  bool start(Services& services, std::string* error) noexcept {
    try {
      on_start(services);
      return true;
    } catch (const std::exception& e) {
      if (error) *error = e.what();
    } catch (...) {
      if (error) *error = "unknown exception";
    }
    return false;
  }

  // The entry point, for public and internal actions alike (the host decides who may call which).
  // Never throws: an unknown action answers UNSUPPORTED_ACTION with
  // details.available_capabilities (every action); AgentException answers its error; DatabaseError answers
  // DATABASE_UNAVAILABLE or INTERNAL_ERROR; anything else answers AGENT_ERROR.
  Result handle(const Request& request, Services& services) noexcept {
    return detail::guarded(
        services,
        [&]() -> Result {
          auto it = handlers_.find(request.action);
          if (it == handlers_.end()) {
            nlohmann::json details = {
                {"agent", info_.id}, {"action", request.action}, {"available_capabilities", capabilities()}};
            return Result::fail(errc::kUnsupportedAction,
                                "agent '" + info_.id + "' has no action '" + request.action + "'", std::move(details));
          }
          return it->second(request, services);
        },
        [&] { return "agent " + info_.id + "/" + request.action; },
        [&] {
          return Error{errc::kAgentError, "agent '" + info_.id + "' failed while handling '" + request.action + "'",
                       {{"agent", info_.id}, {"action", request.action}}};
        });
  }

 protected:
  explicit BaseAgent(AgentInfo info) : info_(std::move(info)) {}

  // Start-up work (see start()); may throw to refuse to start. The default does nothing.
  virtual void on_start(Services& services) { (void)services; }

  // Declares an action; ActionVisibility::kInternal (SDK 1.2) keeps it from the generic route.
  // Call only from the constructor of the derived class. Registering a name again replaces it.
  void register_action(std::string action, Handler handler,
                       ActionVisibility visibility = ActionVisibility::kPublic) {
    if (visibility == ActionVisibility::kInternal) {
      internal_.insert(action);
    } else {
      internal_.erase(action);
    }
    tools_.erase(action);
    handlers_[std::move(action)] = std::move(handler);
  }

  // Since SDK 1.4: a public action that is also an MCP tool (see ToolSpec), e.g.
  //   register_action("greet", &HelloAgent::greet, sdk::ToolSpec{"Greets the user by name.", schema});
  void register_action(std::string action, Handler handler, ToolSpec tool) {
    register_action(action, std::move(handler));
    tools_[std::move(action)] = std::move(tool);
  }
  template <typename Agent>
  void register_action(std::string action, Result (Agent::*method)(const Request&, Services&), ToolSpec tool) {
    register_action(action, method);
    tools_[std::move(action)] = std::move(tool);
  }
  template <typename Agent>
  void register_action(std::string action, Result (Agent::*method)(const Request&, Services&) const, ToolSpec tool) {
    register_action(action, method);
    tools_[std::move(action)] = std::move(tool);
  }

  // Since SDK 1.3: an action that is a member function of the agent, without a lambda around it:
  //   register_action("greet", &HelloAgent::greet);
  // where `greet` is `sdk::Result greet(const sdk::Request&, sdk::Services&)`, const or not. The
  // handler calls it on this agent, which outlives every call (the host destroys an agent only
  // after its last request has ended).
  template <typename Agent>
  void register_action(std::string action, Result (Agent::*method)(const Request&, Services&),
                       ActionVisibility visibility = ActionVisibility::kPublic) {
    static_assert(std::is_base_of_v<BaseAgent, Agent>, "register_action: the method must be the agent's own");
    Agent* agent = static_cast<Agent*>(this);
    register_action(
        std::move(action),
        [agent, method](const Request& request, Services& services) { return (agent->*method)(request, services); },
        visibility);
  }
  template <typename Agent>
  void register_action(std::string action, Result (Agent::*method)(const Request&, Services&) const,
                       ActionVisibility visibility = ActionVisibility::kPublic) {
    static_assert(std::is_base_of_v<BaseAgent, Agent>, "register_action: the method must be the agent's own");
    const Agent* agent = static_cast<const Agent*>(this);
    register_action(
        std::move(action),
        [agent, method](const Request& request, Services& services) { return (agent->*method)(request, services); },
        visibility);
  }

 private:
  AgentInfo info_;
  std::map<std::string, Handler> handlers_;
  std::set<std::string> internal_;         // since SDK 1.2
  std::map<std::string, ToolSpec> tools_;  // since SDK 1.4
};

}  // namespace socrates::sdk

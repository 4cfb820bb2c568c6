#pragma once
// BaseAgent: what every agent plugin implements.
//
// An agent is a set of named actions. The host calls handle() — the one entry point, non-virtual
// and noexcept — which dispatches to the handler registered for the action and turns any exception
// into an error result, so that no exception ever leaves the plugin.
//
// Threading: handle() is called from several worker threads at once. Register actions only in the
// constructor; handlers must be safe to run concurrently (keep per-request state on the stack).

#include <socrates/sdk/error.hpp>
#include <socrates/sdk/guard.hpp>
#include <socrates/sdk/result.hpp>
#include <socrates/sdk/services.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
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

struct Request {
  std::string action;
  nlohmann::json params = nlohmann::json::object();
  Caller caller;
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

  // The actions this agent answers, sorted.
  std::vector<std::string> capabilities() const {
    std::vector<std::string> names;
    names.reserve(handlers_.size());
    for (const auto& entry : handlers_) names.push_back(entry.first);
    return names;
  }
  bool supports(const std::string& action) const { return handlers_.count(action) != 0; }

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

  // The entry point. Never throws: an unknown action answers UNSUPPORTED_ACTION with
  // details.available_capabilities; AgentException answers its error; DatabaseError answers
  // DATABASE_UNAVAILABLE or INTERNAL_ERROR; anything else answers AGENT_ERROR.
  Result handle(const Request& request, Services& services) noexcept {
    return guarded(
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

  // Declares an action. Call only from the constructor of the derived class.
  void register_action(std::string action, Handler handler) { handlers_[std::move(action)] = std::move(handler); }

 private:
  AgentInfo info_;
  std::map<std::string, Handler> handlers_;
};

}  // namespace socrates::sdk

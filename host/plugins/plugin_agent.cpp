#include "host/plugins/plugin_agent.hpp"

#include "host/plugins/host_services.hpp"
#include "host/plugins/json_check.hpp"

#include <socrates/sdk/detail/abi_bytes.hpp>

#include <algorithm>
#include <utility>

namespace socrates::host {
namespace {

namespace abi = sdk::detail::abi;

// The answer a plugin gave that the host cannot read: its fault, answered AGENT_ERROR.
sdk::Result unreadable(const std::string& id, const std::string& action, sdk::Services& services,
                       const std::string& what) {
  services.log(sdk::LogLevel::kError, "agent " + id + "/" + action + " answered " + what);
  return sdk::Result::fail(sdk::errc::kAgentError, "agent '" + id + "' failed while handling '" + action + "'",
                           {{"agent", id}, {"action", action}});
}

}  // namespace

PluginAgent::PluginAgent(std::string id, const socrates_plugin_api* api, socrates_agent* agent,
                         std::shared_ptr<void> library)
    : id_(std::move(id)), api_(api), agent_(agent), library_(std::move(library)) {
  try {
    abi::OwnedBuffer out;
    const std::int32_t status = api_->describe(agent_, out.get());
    if (status != SOCRATES_OK)
      throw std::runtime_error("it could not describe its actions: " +
                               abi::error_from(out.text()).message);
    const nlohmann::json description = nlohmann::json::parse(out.text(), nullptr, false);
    const auto actions = description.is_object() ? description.find("actions") : description.end();
    if (actions == description.end() || !actions->is_array())
      throw std::runtime_error("its description of its actions is not {\"actions\": [...]}");
    auto own_id = description.find("id");
    if (own_id != description.end() && own_id->is_string() && *own_id != id_)
      throw std::runtime_error("its descriptor declares agent '" + id_ + "', but the agent it created calls itself '" +
                               own_id->get<std::string>() +
                               "' — construct the agent from the AgentInfo that SOCRATES_DECLARE_AGENT passes in");
    for (const auto& action : *actions) {
      const auto name = action.is_object() ? action.find("name") : action.end();
      if (name == action.end() || !name->is_string() || name->get_ref<const std::string&>().empty())
        throw std::runtime_error("its description names an action without a name");
      const std::string& text = name->get_ref<const std::string&>();
      capabilities_.push_back(text);
      if (action.value("internal", false)) internal_.insert(text);
      auto tool = action.find("tool");
      if (tool != action.end() && tool->is_object())
        tools_[text] = sdk::ToolSpec{tool->value("description", std::string()),
                                     tool->value("input_schema", nlohmann::json{{"type", "object"}})};
    }
    std::sort(capabilities_.begin(), capabilities_.end());
    capabilities_.erase(std::unique(capabilities_.begin(), capabilities_.end()), capabilities_.end());
  } catch (...) {
    api_->destroy(agent_);
    throw;
  }
}

PluginAgent::~PluginAgent() {
  api_->destroy(agent_);
  library_.reset();
}

std::vector<std::string> PluginAgent::public_capabilities() const {
  std::vector<std::string> names;
  for (const auto& name : capabilities_)
    if (internal_.count(name) == 0) names.push_back(name);
  return names;
}

bool PluginAgent::start(sdk::Services& services, std::string* error) noexcept {
  HostCall host(services);
  abi::OwnedBuffer reason;
  if (api_->start(agent_, host.get(), reason.get()) == SOCRATES_OK) return true;
  try {
    if (error) *error = reason.text().empty() ? std::string("it gave no reason") : std::string(reason.text());
  } catch (...) {
  }
  return false;
}

sdk::Result PluginAgent::handle(const sdk::Request& request, sdk::Services& services) noexcept {
  try {
    // An empty object, the most common parameters of all, crosses without being written out.
    const bool empty = request.params.is_object() && request.params.empty();
    const std::string params = empty ? std::string() : abi::dump(request.params);
    // Every request offers a place to hand bytes on: an action that has none leaves it empty.
    abi::OwnedBuffer handed_on;
    const socrates_request call{sizeof(socrates_request),          abi::view(request.action),
                                abi::view(params),                 abi::view(request.caller.user_id),
                                abi::view(request.caller.role),   abi::view(request.caller.request_id),
                                abi::view(request.handed),         handed_on.get()};
    HostCall host(services);
    abi::OwnedBuffer out;
    const std::int32_t status = api_->handle(agent_, host.get(), &call, out.get());
    switch (status) {
      case SOCRATES_NO_CONTENT: return sdk::Result::no_content();
      case SOCRATES_FAILED: return sdk::Result::fail(abi::error_from(out.text()));
      case SOCRATES_OK:
      case SOCRATES_CREATED: {
        // Checked, not parsed: most answers go on to a client as they are (sdk::Result::ok_text).
        if (!is_json_text(out.text()))
          return unreadable(id_, request.action, services, "a value that is not JSON");
        sdk::Result result = sdk::Result::ok_text(
            std::string(out.text()), status == SOCRATES_CREATED ? sdk::Outcome::kCreated : sdk::Outcome::kOk);
        if (!handed_on.text().empty()) result.hand_on(std::string(handed_on.text()));
        return result;
      }
      default: return unreadable(id_, request.action, services, "an unknown status " + std::to_string(status));
    }
  } catch (...) {
    return sdk::Result::fail(sdk::errc::kInternal, "the request could not be completed");
  }
}

}  // namespace socrates::host

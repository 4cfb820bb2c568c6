#include "socratic_agent.hpp"

namespace socrates::agents {

SocraticAgent::SocraticAgent(sdk::AgentInfo info) : BaseAgent(std::move(info)) {
  // Which build of the agent answers: operators check a swap with it, and clients can tell
  // which questioning engine they are talking to.
  register_action("describe", [this](const sdk::Request&, sdk::Services& services) {
    return sdk::Result::ok({{"id", id()},
                            {"name", name()},
                            {"version", version()},
                            {"capabilities", capabilities()},
                            {"llm_provider", services.llm() ? services.llm()->provider() : "builtin"}});
  });
}

}  // namespace socrates::agents

#include "socratic_agent.hpp"

namespace socrates::agents {

// The dialogue's actions (next question, direct-chat reply) arrive with the dialogue work; until
// then the agent loads, declares itself and answers UNSUPPORTED_ACTION for every action.
SocraticAgent::SocraticAgent(sdk::AgentInfo info) : BaseAgent(std::move(info)) {}

}  // namespace socrates::agents

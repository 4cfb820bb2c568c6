#include "context_agent.hpp"

namespace socrates::agents {

// Extraction and conflict actions arrive with the dialogue work; until then the agent loads,
// declares itself and answers UNSUPPORTED_ACTION for every action.
ContextAgent::ContextAgent(sdk::AgentInfo info) : BaseAgent(std::move(info)) {}

}  // namespace socrates::agents

#include "context_agent.hpp"

SOCRATES_DECLARE_AGENT(socrates::agents::ContextAgent, "context", "Context analyst", "0.1.0")

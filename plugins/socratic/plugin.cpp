#include "socratic_agent.hpp"

// Overridable so that a test can build a second, distinguishable generation of the same agent.
#ifndef SOCRATIC_AGENT_VERSION
#define SOCRATIC_AGENT_VERSION "0.1.0"
#endif

SOCRATES_DECLARE_AGENT(socrates::agents::SocraticAgent, "socratic", "Socratic questioner", SOCRATIC_AGENT_VERSION)

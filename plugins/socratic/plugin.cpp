#include "socratic_agent.hpp"

SOCRATES_DECLARE_AGENT(socrates::agents::SocraticAgent, "socratic", "Socratic questioner", "0.1.0")

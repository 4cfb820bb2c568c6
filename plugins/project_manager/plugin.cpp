#include "project_manager_agent.hpp"

SOCRATES_DECLARE_AGENT(socrates::agents::ProjectManagerAgent, "project_manager", "Project manager", "1.0.0")

#pragma once
// socratic: chooses the next category, asks one question at a time, replies in direct chat.

#include <socrates/sdk.hpp>

namespace socrates::agents {

class SocraticAgent final : public sdk::BaseAgent {
 public:
  explicit SocraticAgent(sdk::AgentInfo info);
};

}  // namespace socrates::agents

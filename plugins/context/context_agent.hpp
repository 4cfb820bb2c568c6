#pragma once
// context: extracts specifications from answers, detects conflicts, recomputes maturity.

#include <socrates/sdk.hpp>

namespace socrates::agents {

class ContextAgent final : public sdk::BaseAgent {
 public:
  explicit ContextAgent(sdk::AgentInfo info);
};

}  // namespace socrates::agents

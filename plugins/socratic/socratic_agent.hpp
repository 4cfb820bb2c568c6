#pragma once
// socratic: sessions and their questions — the next question aimed at the least-covered category
// (bank, bias-checked), the session's state and mode, its history, and the direct-chat reply.

#include <socrates/engine/engine.hpp>
#include <socrates/sdk.hpp>

#include <memory>

namespace socrates::agents {

class SocraticAgent final : public sdk::BaseAgent {
 public:
  explicit SocraticAgent(sdk::AgentInfo info);

 protected:
  void on_start(sdk::Services& services) override;

 private:
  sdk::Result next_question(const sdk::Request& request, sdk::Services& services);
  sdk::Result next_question_from_state(const sdk::Request& request, sdk::Services& services);
  sdk::Result reply(const sdk::Request& request, sdk::Services& services);

  std::shared_ptr<const engine::Engine> engine_;
};

}  // namespace socrates::agents

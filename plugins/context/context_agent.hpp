#pragma once
// context: answers and messages become specifications (extraction, conflict check, save, maturity,
// all in one transaction); specifications by hand; conflicts and their resolution; clarity
// findings, open items ("I don't know") and the assumptions that close them.

#include <socrates/engine/engine.hpp>
#include <socrates/sdk.hpp>

#include <memory>

namespace socrates::agents {

class ContextAgent final : public sdk::BaseAgent {
 public:
  explicit ContextAgent(sdk::AgentInfo info);

 protected:
  void on_start(sdk::Services& services) override;

 private:
  sdk::Result record(const sdk::Request& request, sdk::Services& services, bool is_message);
  sdk::Result create_specification(const sdk::Request& request, sdk::Services& services);
  sdk::Result update_specification(const sdk::Request& request, sdk::Services& services);
  sdk::Result delete_specification(const sdk::Request& request, sdk::Services& services);
  sdk::Result list_specifications(const sdk::Request& request, sdk::Services& services);
  sdk::Result list_conflicts(const sdk::Request& request, sdk::Services& services);
  sdk::Result get_conflict(const sdk::Request& request, sdk::Services& services);
  sdk::Result resolve_conflict(const sdk::Request& request, sdk::Services& services);
  sdk::Result clarity(const sdk::Request& request, sdk::Services& services);
  sdk::Result list_open_items(const sdk::Request& request, sdk::Services& services);
  sdk::Result assume_open_item(const sdk::Request& request, sdk::Services& services);

  std::shared_ptr<const engine::Engine> engine_;
};

}  // namespace socrates::agents

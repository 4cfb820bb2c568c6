#pragma once
// project_manager: the caller's projects — create, get, list, update, archive, restore.
// Every query is scoped to the caller: another user's project answers exactly like a missing one.

#include <socrates/sdk.hpp>

namespace socrates::agents {

class ProjectManagerAgent final : public sdk::BaseAgent {
 public:
  explicit ProjectManagerAgent(sdk::AgentInfo info);

 private:
  static sdk::Result create(const sdk::Request& request, sdk::Services& services);
  static sdk::Result get(const sdk::Request& request, sdk::Services& services);
  static sdk::Result list(const sdk::Request& request, sdk::Services& services);
  static sdk::Result update(const sdk::Request& request, sdk::Services& services);
  static sdk::Result archive(const sdk::Request& request, sdk::Services& services);
  static sdk::Result restore(const sdk::Request& request, sdk::Services& services);
};

}  // namespace socrates::agents

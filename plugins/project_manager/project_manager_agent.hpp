#pragma once
// project_manager: the caller's projects — create, get, list, update, archive, restore — and
// their maturity, phase advancement and export; the taxonomy's categories.
// Every query is scoped to the caller: another user's project answers exactly like a missing one.

#include <socrates/engine/engine.hpp>
#include <socrates/sdk.hpp>

#include <memory>

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

  // Maturity, phases and the document: they read the engine's taxonomy (loaded in on_start).
  sdk::Result maturity(const sdk::Request& request, sdk::Services& services);
  sdk::Result advance(const sdk::Request& request, sdk::Services& services);
  sdk::Result categories(const sdk::Request& request, sdk::Services& services);
  sdk::Result export_document(const sdk::Request& request, sdk::Services& services);
  // The current requirements with their traceability (dialogue::current_requirements).
  sdk::Result requirements(const sdk::Request& request, sdk::Services& services);
  // With an LLM provider: every current statement reworded in one call, checked, stored per version.
  sdk::Result reword_requirements(const sdk::Request& request, sdk::Services& services);

 protected:
  void on_start(sdk::Services& services) override;

 private:
  std::shared_ptr<const engine::Engine> engine_;
};

}  // namespace socrates::agents

#pragma once
// project_manager: the caller's projects — create, get, list, update, archive, restore — and
// their maturity, phase advancement and export; the taxonomy's categories; the documents a
// project gets behind its gates: baselines and plans (documents_actions.cpp).
// Every query is scoped to the caller: another user's project answers exactly like a missing one.

#include <socrates/dialogue/members.hpp>
#include <socrates/engine/engine.hpp>
#include <socrates/engine/plans.hpp>
#include <socrates/sdk.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

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

  // Members and invitations (members_actions.cpp).
  void register_member_actions();
  static sdk::Result members(const sdk::Request& request, sdk::Services& services);
  static sdk::Result set_member_role(const sdk::Request& request, sdk::Services& services);
  static sdk::Result remove_member_action(const sdk::Request& request, sdk::Services& services);
  static sdk::Result leave(const sdk::Request& request, sdk::Services& services);
  sdk::Result invite(const sdk::Request& request, sdk::Services& services);
  static sdk::Result invitations(const sdk::Request& request, sdk::Services& services);
  static sdk::Result revoke_invitation(const sdk::Request& request, sdk::Services& services);
  static sdk::Result accept_invitation(const sdk::Request& request, sdk::Services& services);

  // Baselines and plans (documents_actions.cpp).
  sdk::Result baselines(const sdk::Request& request, sdk::Services& services);
  sdk::Result baseline(const sdk::Request& request, sdk::Services& services);
  sdk::Result baseline_diff(const sdk::Request& request, sdk::Services& services);
  sdk::Result plans(const sdk::Request& request, sdk::Services& services);
  sdk::Result plan(const sdk::Request& request, sdk::Services& services);
  sdk::Result regenerate_plan(const sdk::Request& request, sdk::Services& services);
  sdk::Result edit_plan(const sdk::Request& request, sdk::Services& services);
  // export?format=tasks (markdown) and format=tasks-json (tracker issues).
  sdk::Result export_tasks(const sdk::Request& request, sdk::Services& services, const std::string& format);

  // With an LLM, the design outline of a project about to enter design, asked before the advance's
  // transaction (no connection is held while the model thinks); nothing when the advance goes
  // elsewhere or its gate is closed (the transaction then answers the refusal).
  std::optional<engine::DesignOutline> outline_before_advance(sdk::Services& services, const std::string& project_id,
                                                              const dialogue::Access& caller);
  // What entering `phase` adds to the advance's transaction (the project's row is locked): the
  // baseline of the requirements, and the plan the phase brings (design: the outline, the model's
  // when `llm_outline` holds one; implementation: the task list). `advanced_by`: the caller.
  void enter_phase(sdk::Db& db, const std::string& project_id, const std::string& phase,
                   const std::optional<engine::DesignOutline>& llm_outline, const std::string& advanced_by);

 protected:
  void on_start(sdk::Services& services) override;

 private:
  std::shared_ptr<const engine::Engine> engine_;
  std::shared_ptr<const engine::PlanRules> plan_rules_;
  int invitation_ttl_hours_ = 168;  // INVITATION_TTL_HOURS: how long an invitation may be accepted
};

}  // namespace socrates::agents

#include <socrates/dialogue/members.hpp>

#include <array>
#include <utility>

namespace socrates::agents::dialogue {
namespace {

using Rule = std::pair<std::string_view, Role>;

// What each action that touches a project needs. Reads and exports are a viewer's; everything that
// writes the specification (sessions, answers, messages, specifications, conflicts, open items,
// plans, rewording) a contributor's; the project itself (rename, archive, restore, phase advance),
// its members and its invitations an owner's. Leaving is any member's.
constexpr std::array<Rule, 45> kRules = {{
    // project_manager
    {"get", Role::kViewer},
    {"maturity", Role::kViewer},
    {"export", Role::kViewer},
    {"requirements", Role::kViewer},
    {"baselines", Role::kViewer},
    {"baseline", Role::kViewer},
    {"baseline_diff", Role::kViewer},
    {"plans", Role::kViewer},
    {"plan", Role::kViewer},
    {"members", Role::kViewer},
    {"leave", Role::kViewer},
    {"reword_requirements", Role::kContributor},
    {"regenerate_plan", Role::kContributor},
    {"edit_plan", Role::kContributor},
    {"update", Role::kOwner},
    {"archive", Role::kOwner},
    {"restore", Role::kOwner},
    {"advance", Role::kOwner},
    {"set_member_role", Role::kOwner},
    {"remove_member", Role::kOwner},
    {"invite", Role::kOwner},
    {"invitations", Role::kOwner},
    {"revoke_invitation", Role::kOwner},
    // socratic
    {"list_sessions", Role::kViewer},
    {"get_session", Role::kViewer},
    {"history", Role::kViewer},
    {"create_session", Role::kContributor},
    {"set_mode", Role::kContributor},
    {"pause", Role::kContributor},
    {"resume", Role::kContributor},
    {"end", Role::kContributor},
    {"next_question", Role::kContributor},
    {"reply", Role::kContributor},
    // context
    {"list_specifications", Role::kViewer},
    {"list_conflicts", Role::kViewer},
    {"get_conflict", Role::kViewer},
    {"clarity", Role::kViewer},
    {"list_open_items", Role::kViewer},
    {"record_answer", Role::kContributor},
    {"record_message", Role::kContributor},
    {"create_specification", Role::kContributor},
    {"update_specification", Role::kContributor},
    {"delete_specification", Role::kContributor},
    {"resolve_conflict", Role::kContributor},
    {"assume_open_item", Role::kContributor},
}};

}  // namespace

const char* to_string(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kContributor: return "contributor";
    case Role::kOwner: return "owner";
  }
  return "owner";
}

std::optional<Role> role_named(std::string_view name) {
  for (Role role : {Role::kViewer, Role::kContributor, Role::kOwner})
    if (name == to_string(role)) return role;
  return std::nullopt;
}

Role required_role(std::string_view action) {
  for (const auto& [name, role] : kRules)
    if (name == action) return role;
  return Role::kOwner;
}

Access access(const sdk::Request& request) {
  if (!sdk::validate::is_uuid(request.caller.user_id))
    throw sdk::AgentException(sdk::errc::kUnauthenticated, "this action needs an authenticated caller");
  return {request.caller.user_id, required_role(request.action)};
}

std::string member_role_sql(const std::string& project, const std::string& user_param) {
  return "(SELECT m.role FROM project_members m WHERE m.project_id = " + project + " AND m.user_id = " + user_param +
         "::uuid)";
}

// OFFSET 0 keeps the subquery from being flattened into a join: flattened, the generic plan scanned
// every membership of the caller (user_id alone, a bitmap scan) and filtered them on the project,
// so the check cost grew with the caller's number of projects; kept, it is one probe of
// project_members_user_idx on both columns.
std::string member_join(const std::string& project, const std::string& user_param) {
  return " JOIN LATERAL (SELECT m.role AS member_role FROM project_members m WHERE m.project_id = " + project +
         " AND m.user_id = " + user_param + "::uuid OFFSET 0) member ON true";
}

void require_role(const Access& access, const std::string& role, const std::string& project_id) {
  const auto has = role_named(role);
  if (has && *has >= access.needs) return;
  throw sdk::AgentException(sdk::errc::kForbidden,
                            "this needs the role " + std::string(to_string(access.needs)) +
                                " on the project; the caller is " + (role.empty() ? "no member" : role),
                            {{"project_id", project_id},
                             {"role", role},
                             {"required_role", to_string(access.needs)}});
}

}  // namespace socrates::agents::dialogue

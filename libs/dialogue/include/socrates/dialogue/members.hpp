#pragma once
// Members and roles (docs/domain.md "Members and roles"): who may do what on a project. Access to a
// project, and to everything in it, comes from its members (project_members); a caller who is no
// member gets the same 404 as for a project that does not exist. The rule of which role an action
// needs is required_role's table, and nowhere else: the data layer's lookups (store.hpp) read the
// caller's role in the statement that loads the row anyway and refuse with 403 FORBIDDEN there.

#include <socrates/sdk.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace socrates::agents::dialogue {

// Ordered: each role may do everything the ones below it may.
enum class Role { kViewer = 0, kContributor = 1, kOwner = 2 };

const char* to_string(Role role);
std::optional<Role> role_named(std::string_view name);

// The one rule: the least role each agent action needs on the project it touches. An action the
// table does not name needs an owner (a new action is refused to everyone else until it is listed).
Role required_role(std::string_view action);

// Who asks, and what the action asked for needs of them.
struct Access {
  std::string user_id;
  Role needs = Role::kOwner;
};

// The caller (UNAUTHENTICATED without one) and required_role(request.action).
Access access(const sdk::Request& request);

// SQL for the caller's role on a project, as a scalar subquery (NULL when the caller is no member):
// one lookup of project_members' primary key. `project` is an SQL expression for the project's id
// (a column such as "projects.id"), `user_param` the statement's parameter holding the caller's id
// ("$2").
std::string member_role_sql(const std::string& project, const std::string& user_param);

// SQL joining the caller's membership of a project to a FROM clause: " JOIN LATERAL (...) member
// ON true", which exposes only `member_role` and keeps the row only when the caller is a member.
std::string member_join(const std::string& project, const std::string& user_param);

// Refuses with 403 FORBIDDEN when `role` (a member's role as read) is below what `access` needs.
void require_role(const Access& access, const std::string& role, const std::string& project_id);

}  // namespace socrates::agents::dialogue

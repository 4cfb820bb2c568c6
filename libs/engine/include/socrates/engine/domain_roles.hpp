#pragma once
// DomainRoles: which categories a stakeholder's domain role answers best (domain.md "Attribution
// and stakeholders"), so that the question planner aims each member's session at what that member
// can answer: an operator gets scalability and disaster recovery, security gets security and data
// retention. The role is the member's `domain_role` (free text, optional): a name or an alias,
// compared ignoring case and surrounding spaces; a role the data does not know aims at nothing.
//
// Loaded from domain_roles.json; immutable afterwards (thread-safe to share). Every category must
// be the taxonomy's (Engine checks; DataError naming the file otherwise).

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

inline constexpr const char* kDomainRolesFile = "domain_roles.json";

struct DomainRole {
  std::string name;                     // "operations"
  std::vector<std::string> aliases;     // "ops", "devops", "sre"
  std::vector<std::string> categories;  // in order of preference: ties go to the first
};

class DomainRoles {
 public:
  // Throws DataError naming `file`.
  static DomainRoles load(const std::filesystem::path& file);
  static DomainRoles parse(const nlohmann::json& document, std::string source);

  // The role named `role` (or one of its aliases), or null.
  const DomainRole* find(std::string_view role) const;
  // Its categories; empty for an unknown or empty role.
  const std::vector<std::string>& categories_of(std::string_view role) const;

  const std::vector<DomainRole>& roles() const noexcept { return roles_; }
  const std::string& source() const noexcept { return source_; }

 private:
  std::vector<DomainRole> roles_;
  std::string source_;
};

}  // namespace socrates::engine

#include <socrates/engine/domain_roles.hpp>

#include "json_reader.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace socrates::engine {
namespace {

// "  Product Owner " → "product owner": roles are typed by people.
std::string folded(std::string_view text) { return detail::lower_ascii(detail::trim(text)); }

}  // namespace

DomainRoles DomainRoles::load(const std::filesystem::path& file) {
  return parse(detail::read_json_file(file), file.string());
}

DomainRoles DomainRoles::parse(const nlohmann::json& document, std::string source) {
  DomainRoles out;
  out.source_ = std::move(source);
  const detail::Node root(document, out.source_);
  detail::require_format(root, 1);
  for (const auto& node : root.member("roles").elements()) {
    DomainRole role;
    role.name = folded(node.member("name").string());
    for (const auto& alias : node.strings_or_empty("aliases")) role.aliases.push_back(folded(alias));
    role.categories = node.member("categories").strings();
    if (role.categories.empty()) node.member("categories").fail("expected at least one category");
    for (const auto& name : role.aliases)
      if (out.find(name)) node.member("aliases").fail("'" + name + "' names another role already");
    if (out.find(role.name)) node.member("name").fail("role '" + role.name + "' appears twice");
    out.roles_.push_back(std::move(role));
  }
  return out;
}

const DomainRole* DomainRoles::find(std::string_view role) const {
  const std::string name = folded(role);
  if (name.empty()) return nullptr;
  for (const auto& candidate : roles_)
    if (candidate.name == name || std::find(candidate.aliases.begin(), candidate.aliases.end(), name) !=
                                      candidate.aliases.end())
      return &candidate;
  return nullptr;
}

const std::vector<std::string>& DomainRoles::categories_of(std::string_view role) const {
  static const std::vector<std::string> kNone;
  const DomainRole* found = find(role);
  return found ? found->categories : kNone;
}

}  // namespace socrates::engine

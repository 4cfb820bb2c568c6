#include <socrates/engine/requirement_diff.hpp>

#include <algorithm>
#include <map>
#include <optional>

namespace socrates::engine {
namespace {

struct SplitId {
  std::string_view prefix;
  std::optional<unsigned long long> number;
};

SplitId split(std::string_view id) {
  std::size_t digits = id.size();
  while (digits > 0 && id[digits - 1] >= '0' && id[digits - 1] <= '9') --digits;
  if (digits == id.size() || id.size() - digits > 18) return {id, std::nullopt};
  unsigned long long number = 0;
  for (std::size_t i = digits; i < id.size(); ++i) number = number * 10 + static_cast<unsigned>(id[i] - '0');
  return {id.substr(0, digits), number};
}

bool same_content(const Requirement& a, const Requirement& b) {
  return a.statement == b.statement && a.value == b.value;
}

struct IdLess {
  bool operator()(std::string_view a, std::string_view b) const noexcept { return id_less(a, b); }
};

// The requirements by ID (the first of a duplicated ID), skipping those without one.
std::map<std::string_view, const Requirement*, IdLess> by_id(const std::vector<Requirement>& requirements) {
  std::map<std::string_view, const Requirement*, IdLess> out;
  for (const auto& requirement : requirements)
    if (!requirement.id.empty()) out.emplace(requirement.id, &requirement);
  return out;
}

}  // namespace

bool id_less(std::string_view a, std::string_view b) noexcept {
  const SplitId left = split(a);
  const SplitId right = split(b);
  if (left.number.has_value() != right.number.has_value()) return left.number.has_value();
  if (!left.number) return a < b;
  if (left.prefix != right.prefix) return left.prefix < right.prefix;
  if (*left.number != *right.number) return *left.number < *right.number;
  return a < b;  // "PERF-03" and "PERF-3": equal numbers, still two IDs
}

RequirementDiff diff_requirements(const std::vector<Requirement>& before, const std::vector<Requirement>& after) {
  const auto old_ids = by_id(before);
  const auto new_ids = by_id(after);
  RequirementDiff diff;
  for (const auto& [id, requirement] : new_ids) {
    const auto old = old_ids.find(id);
    if (old == old_ids.end())
      diff.added.push_back(*requirement);
    else if (!same_content(*old->second, *requirement))
      diff.changed.push_back({*old->second, *requirement});
  }
  for (const auto& [id, requirement] : old_ids)
    if (new_ids.find(id) == new_ids.end()) diff.removed.push_back(*requirement);
  return diff;
}

}  // namespace socrates::engine

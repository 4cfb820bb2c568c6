#include <socrates/engine/conflict_detector.hpp>

#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace socrates::engine {
namespace {

bool same_amount(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)}); }

std::string category_label(const Taxonomy& taxonomy, const std::string& name) {
  const Category* category = taxonomy.find(name);
  return category ? category->label : name;
}

}  // namespace

const char* to_string(ConflictType type) noexcept {
  return type == ConflictType::kInconsistency ? "inconsistency" : "contradiction";
}

const char* to_string(Severity severity) noexcept {
  switch (severity) {
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
  }
  return "medium";
}

const char* to_string(CheckOutcome outcome) noexcept {
  switch (outcome) {
    case CheckOutcome::kNew:
      return "new";
    case CheckOutcome::kDuplicate:
      return "duplicate";
    case CheckOutcome::kConflict:
      return "conflict";
  }
  return "new";
}

bool ConflictDetector::same_value(std::string_view a, std::string_view b) const {
  const auto bound_a = lexicon_.parse_bound(a);
  const auto bound_b = lexicon_.parse_bound(b);
  if (bound_a && bound_b && bound_a->family == bound_b->family) {
    // "200 ms" restates "under 200 ms" and "0.2 s"; "at least 200 ms" does not restate "at most 200 ms".
    const bool either_approximate =
        bound_a->direction == BoundDirection::kApproximately || bound_b->direction == BoundDirection::kApproximately;
    return same_amount(bound_a->base_amount, bound_b->base_amount) &&
           (bound_a->direction == bound_b->direction || either_approximate);
  }
  return lexicon_.normalise_value(a) == lexicon_.normalise_value(b);
}

Severity ConflictDetector::severity(const Specification& a, const Specification& b) const {
  const ConflictRules& rules = lexicon_.conflicts();
  if (std::min(a.confidence, b.confidence) < rules.low_severity_below_confidence) return Severity::kLow;
  const auto& high = rules.high_severity_categories;
  const bool is_high = std::find(high.begin(), high.end(), a.category) != high.end() ||
                       std::find(high.begin(), high.end(), b.category) != high.end();
  return is_high ? Severity::kHigh : Severity::kMedium;
}

const ExclusiveChoice* ConflictDetector::choice_of(const Specification& spec, const ExclusiveGroup& group) const {
  const Slot* slot = nullptr;
  std::string normalised;
  for (const ExclusiveChoice& choice : group.choices) {
    if (choice.category != spec.category) continue;
    if (!slot) {
      slot = lexicon_.slot_of(spec.category, spec.key);
      if (!slot) return nullptr;
      normalised = lexicon_.normalise_value(spec.value);
    }
    if (choice.slot != slot->name) continue;
    for (const std::string& value : choice.values)
      if (value == "*" || value == normalised) return &choice;
  }
  return nullptr;
}

std::optional<Conflict> ConflictDetector::compare(const Specification& candidate,
                                                  const std::vector<const ExclusiveChoice*>& candidate_choices,
                                                  const ExistingSpecification& existing) const {
  const Specification& other = existing.specification;
  Conflict conflict;
  conflict.against = existing.ref;
  conflict.existing = other;

  if (candidate.category == other.category && candidate.key == other.key) {
    // The caller checked same_value() already: the values differ.
    const auto bound_candidate = lexicon_.parse_bound(candidate.value);
    const auto bound_other = lexicon_.parse_bound(other.value);
    const bool numeric = bound_candidate && bound_other && bound_candidate->family == bound_other->family;
    // A slot holds one requirement; two different numbers for it ("≤ 100 ms", then "may take up
    // to 2 s") cannot both be that requirement.
    conflict.type = numeric ? ConflictType::kInconsistency : ConflictType::kContradiction;
    conflict.severity = severity(candidate, other);
    const std::string& pattern =
        numeric ? lexicon_.conflicts().numeric_description : lexicon_.conflicts().same_slot_description;
    conflict.description = detail::render(pattern, {{"category", category_label(taxonomy_, candidate.category)},
                                                    {"label", lexicon_.label_of(candidate.category, candidate.key)},
                                                    {"existing", other.value},
                                                    {"proposed", candidate.value}});
    return conflict;
  }

  const auto& groups = lexicon_.exclusive_groups();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const ExclusiveChoice* mine = candidate_choices[g];
    if (!mine) continue;
    const ExclusiveChoice* theirs = choice_of(other, groups[g]);
    if (!theirs || mine->label == theirs->label) continue;
    conflict.type = ConflictType::kContradiction;
    conflict.severity = severity(candidate, other);
    conflict.description = detail::render(lexicon_.conflicts().exclusive_description,
                                          {{"existing", other.value},
                                           {"proposed", candidate.value},
                                           {"existing_label", lexicon_.label_of(other.category, other.key)},
                                           {"proposed_label", lexicon_.label_of(candidate.category, candidate.key)},
                                           {"group", groups[g].description}});
    return conflict;
  }
  return std::nullopt;
}

CheckResult ConflictDetector::check(const Specification& candidate, const std::vector<Specification>& current) const {
  std::vector<ExistingSpecification> existing;
  existing.reserve(current.size());
  for (std::size_t i = 0; i < current.size(); ++i)
    existing.push_back({current[i], {SpecificationRef::Source::kCurrent, i}});
  return check(candidate, existing);
}

CheckResult ConflictDetector::check(const Specification& candidate,
                                    const std::vector<ExistingSpecification>& existing) const {
  CheckResult result;
  for (const ExistingSpecification& e : existing) {
    if (e.specification.category == candidate.category && e.specification.key == candidate.key &&
        same_value(candidate.value, e.specification.value)) {
      result.outcome = CheckOutcome::kDuplicate;
      result.duplicate_of = e.ref;
      return result;
    }
  }
  // The candidate's place in each exclusive group, worked out once rather than per specification.
  std::vector<const ExclusiveChoice*> choices;
  choices.reserve(lexicon_.exclusive_groups().size());
  for (const ExclusiveGroup& group : lexicon_.exclusive_groups()) choices.push_back(choice_of(candidate, group));
  for (const ExistingSpecification& e : existing)
    if (auto conflict = compare(candidate, choices, e)) result.conflicts.push_back(std::move(*conflict));
  result.outcome = result.conflicts.empty() ? CheckOutcome::kNew : CheckOutcome::kConflict;
  return result;
}

void to_json(nlohmann::json& out, const Conflict& conflict) {
  out = {{"type", to_string(conflict.type)},
         {"severity", to_string(conflict.severity)},
         {"description", conflict.description},
         {"existing", conflict.existing}};
}

}  // namespace socrates::engine

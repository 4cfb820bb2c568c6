#pragma once
// What changed between two sets of requirements (two baselines, or a baseline and now), by ID:
// the ones added, the ones whose statement or value changed (both sides kept), and the ones
// removed. Pure: no data files, no state; safe from any thread.

#include <socrates/engine/requirement.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

struct RequirementChange {
  Requirement before;
  Requirement after;  // the same ID
};

struct RequirementDiff {
  std::vector<Requirement> added;          // in `after` only
  std::vector<RequirementChange> changed;  // in both, with another statement or value
  std::vector<Requirement> removed;        // in `before` only

  bool empty() const noexcept { return added.empty() && changed.empty() && removed.empty(); }
};

// Each list is in ID order (id_less). A requirement without an ID is not comparable and is left
// out; of two with one ID (a caller bug) the first counts.
RequirementDiff diff_requirements(const std::vector<Requirement>& before, const std::vector<Requirement>& after);

// IDs in reading order: by prefix, then by number ("PERF-2" < "PERF-010" < "SEC-001"); IDs that
// do not end in a number compare as text after the ones that do.
bool id_less(std::string_view a, std::string_view b) noexcept;

}  // namespace socrates::engine

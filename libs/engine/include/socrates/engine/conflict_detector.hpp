#pragma once
// Conflict detection (domain.md "Conflicts") of one candidate against the current specifications:
//  - same category and key, the same value restated (normalised, case-insensitive, aliases and
//    units resolved: "postgres" = "PostgreSQL", "2 s" = "2000 ms")  → duplicate, not a new version;
//  - same category and key, numbers that cannot both hold — two different limits of one metric
//    ("≤ 100 ms" and "≤ 2 s"), or an at-most below an at-least                 → inconsistency;
//  - same category and key, any other different value                           → contradiction;
//  - another slot holding a choice the candidate's choice excludes (an exclusive group of the
//    lexicon: "on-premises" against cloud provider "AWS", "web only" against "native mobile apps")
//                                                                               → contradiction.
// Severity: high when either side's category is high-severity (tech_stack, security,
// requirements), medium otherwise, low when either side's confidence is below 0.6.
//
// Borrows taxonomy and lexicon (they must outlive it). Thread-safe (const).

#include <socrates/engine/lexicon.hpp>
#include <socrates/engine/specification.hpp>
#include <socrates/engine/taxonomy.hpp>

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace socrates::engine {

enum class ConflictType { kContradiction, kInconsistency };
enum class Severity { kLow, kMedium, kHigh };

const char* to_string(ConflictType type) noexcept;
const char* to_string(Severity severity) noexcept;

// Which specification a candidate was compared with: one of the current ones the caller passed,
// or a candidate of the same answer accepted before it (see Engine::analyse).
struct SpecificationRef {
  enum class Source { kCurrent, kThisAnswer };
  Source source = Source::kCurrent;
  std::size_t index = 0;  // into the current list, or into AnswerAnalysis::findings
};

struct Conflict {
  ConflictType type = ConflictType::kContradiction;
  Severity severity = Severity::kMedium;
  SpecificationRef against;
  Specification existing;   // a copy of the specification it conflicts with
  std::string description;  // for people
};

enum class CheckOutcome {
  kNew,        // save it (a new key, or a value that conflicts with nothing)
  kDuplicate,  // already recorded: save nothing, make no new version
  kConflict,   // save nothing yet: each conflict keeps the candidate as its proposal
};

const char* to_string(CheckOutcome outcome) noexcept;

struct CheckResult {
  CheckOutcome outcome = CheckOutcome::kNew;
  std::optional<SpecificationRef> duplicate_of;  // set for kDuplicate
  std::vector<Conflict> conflicts;               // one per conflicting specification, for kConflict
};

// A specification to compare with, and how to refer back to it.
struct ExistingSpecification {
  Specification specification;
  SpecificationRef ref;
};

class ConflictDetector {
 public:
  ConflictDetector(const Taxonomy& taxonomy, const Lexicon& lexicon) : taxonomy_(taxonomy), lexicon_(lexicon) {}

  // Against the current specifications; refs are kCurrent indices into `current`.
  CheckResult check(const Specification& candidate, const std::vector<Specification>& current) const;
  CheckResult check(const Specification& candidate, const std::vector<ExistingSpecification>& existing) const;

  // True when both values say the same thing for their slot.
  bool same_value(std::string_view a, std::string_view b) const;

 private:
  std::optional<Conflict> compare(const Specification& candidate,
                                  const std::vector<const ExclusiveChoice*>& candidate_choices,
                                  const ExistingSpecification& existing) const;
  // The choice of `group` that `spec` makes, or null.
  const ExclusiveChoice* choice_of(const Specification& spec, const ExclusiveGroup& group) const;
  Severity severity(const Specification& a, const Specification& b) const;

  const Taxonomy& taxonomy_;
  const Lexicon& lexicon_;
};

// {"type","severity","description","existing":{"category","key","value","confidence"}}
void to_json(nlohmann::json& out, const Conflict& conflict);

}  // namespace socrates::engine

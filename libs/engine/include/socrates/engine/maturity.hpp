#pragma once
// Maturity, coverage and phase gates (domain.md "Maturity", "Phases and gates", "Clarity and open
// items").
//
//   covered_c  = min(Σ_s confidence_s × w_s, max(0, target_c − gap × open_items_c))
//                w_s = 1 for a clear specification, unclear_factor (0.5) for one with findings
//   maturity   = round(100 × Σ_c covered_c / Σ_c target_c)
//   coverage_c = covered_c / target_c
//
// Without a clarity adjustment (no checker, no open items) every w_s is 1 and nothing is taken off.
//
// Specifications of categories the taxonomy does not know (a deployment replaced it) count nowhere.
// Pure functions of their arguments: thread-safe.

#include <socrates/engine/clarity.hpp>
#include <socrates/engine/specification.hpp>
#include <socrates/engine/taxonomy.hpp>

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

// Open items ("I don't know") per category.
using OpenItemCounts = std::map<std::string, int, std::less<>>;

// What clarity takes off coverage: the checker that finds unclear specifications (none: all count
// in full) and the open items of each category.
struct ClarityAdjustment {
  const ClarityChecker* checker = nullptr;
  OpenItemCounts open_items;
};

struct CategoryCoverage {
  const Category* category = nullptr;  // into the taxonomy
  double confidence_sum = 0;           // Σ confidence × w, uncapped
  double covered = 0;                  // min(Σ confidence × w, target − gap × open items)
  double coverage = 0;                 // covered / target, 0..1
  int specifications = 0;
  int unclear = 0;     // specifications with clarity findings
  int open_items = 0;  // "I don't know" not yet resolved or assumed
};

// One entry per taxonomy category, in taxonomy order.
std::vector<CategoryCoverage> compute_coverage(const Taxonomy& taxonomy, const std::vector<Specification>& current,
                                               const ClarityAdjustment& clarity = {});

// The least-covered category; ties go to taxonomy order, so a new project starts with the first.
const Category& least_covered_category(const Taxonomy& taxonomy, const std::vector<Specification>& current,
                                       const ClarityAdjustment& clarity = {});

struct CategoryMaturity {
  std::string category;
  double target = 0;
  double covered = 0;  // min(Σ confidence, target)
  int score = 0;       // round(100 × covered / target): how complete this category is
  int specifications = 0;
  int clarity = 100;   // round(100 × clear specifications / (specifications + open items)); 100 when empty
  int unclear_specifications = 0;
  int open_items = 0;
};

// Why a phase cannot be entered yet.
struct Blocker {
  std::string code;     // "maturity_below_required" or "open_conflicts"
  std::string message;  // for people: "maturity is 42; the analysis phase needs at least 60"
  double current = 0;   // the maturity score, or the number of open conflicts
  double required = 0;  // the gate's score, or the most open conflicts allowed
};

struct GateStatus {
  std::string name;  // the phase to enter
  int required_score = 0;
  bool ready = false;
  std::vector<Blocker> blockers;
};

struct Maturity {
  int score = 0;
  std::string phase;
  std::vector<CategoryMaturity> categories;
  int open_conflicts = 0;
  int open_items = 0;
  std::optional<GateStatus> next_phase;  // nullopt in the last phase
};

int maturity_score(const Taxonomy& taxonomy, const std::vector<Specification>& current,
                   const ClarityAdjustment& clarity = {});

// The gate of entering `target_phase` for a project at `score` with `open_conflicts`.
GateStatus evaluate_gate(const Taxonomy& taxonomy, std::string_view target_phase, int score, int open_conflicts);

// The whole explanation of GET .../maturity. Throws std::invalid_argument for an unknown phase.
Maturity compute_maturity(const Taxonomy& taxonomy, const std::vector<Specification>& current, std::string_view phase,
                          int open_conflicts, const ClarityAdjustment& clarity = {});

// api.md's shapes: {"score","phase","categories":[{"category","target","covered","score","specifications",
// "clarity","unclear_specifications","open_items"}],"open_conflicts","open_items","next_phase":{"name","required_score","ready","blockers":[{"code","message","current","required"}]}|null}
void to_json(nlohmann::json& out, const Blocker& blocker);
void to_json(nlohmann::json& out, const GateStatus& gate);
void to_json(nlohmann::json& out, const Maturity& maturity);

}  // namespace socrates::engine

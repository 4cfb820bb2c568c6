#include <socrates/engine/maturity.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace socrates::engine {
namespace {

// Confidences such as 0.7 are not exact in binary: 3 × 0.7 sums to 2.0999999999999996, and a
// score of exactly x.5 must still round up. The epsilon is far below any meaningful difference.
constexpr double kEpsilon = 1e-9;

int round_percent(double part, double whole) {
  if (whole <= 0) return 0;
  return static_cast<int>(std::floor(100.0 * part / whole + 0.5 + kEpsilon));
}

double round2(double value) { return std::round(value * 100.0) / 100.0; }

nlohmann::json number(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15) return static_cast<long long>(value);
  return value;
}

}  // namespace

std::vector<CategoryCoverage> compute_coverage(const Taxonomy& taxonomy, const std::vector<Specification>& current,
                                               const ClarityAdjustment& clarity) {
  const ClarityWeights weights = clarity.checker ? clarity.checker->rules().weights() : ClarityWeights{};
  std::vector<CategoryCoverage> out;
  out.reserve(taxonomy.categories().size());
  for (const Category& category : taxonomy.categories()) {
    CategoryCoverage c;
    c.category = &category;
    if (const auto it = clarity.open_items.find(category.name); it != clarity.open_items.end())
      c.open_items = std::max(it->second, 0);
    out.push_back(c);
  }
  const std::vector<bool> clear = clarity.checker ? clarity.checker->are_clear(current) : std::vector<bool>();
  for (std::size_t i = 0; i < current.size(); ++i) {
    const Specification& specification = current[i];
    const std::size_t index = taxonomy.index_of(specification.category);
    if (index >= out.size()) continue;
    const bool unclear = clarity.checker && !clear[i];
    out[index].confidence_sum += specification.confidence * (unclear ? weights.unclear_factor : 1.0);
    out[index].unclear += unclear;
    ++out[index].specifications;
  }
  for (CategoryCoverage& c : out) {
    // An open item is a known gap: the category cannot be complete while it stays open.
    const double reachable = std::max(0.0, c.category->target - weights.open_item_gap * c.open_items);
    c.covered = std::min(c.confidence_sum, reachable);
    c.coverage = std::min(c.covered / c.category->target, 1.0);
  }
  return out;
}

const Category& least_covered_category(const Taxonomy& taxonomy, const std::vector<Specification>& current,
                                       const ClarityAdjustment& clarity) {
  const auto coverage = compute_coverage(taxonomy, current, clarity);
  const CategoryCoverage* best = &coverage.front();
  for (const CategoryCoverage& c : coverage)
    if (c.coverage < best->coverage - kEpsilon) best = &c;  // strictly less: ties keep taxonomy order
  return *best->category;
}

int maturity_score(const Taxonomy& taxonomy, const std::vector<Specification>& current,
                   const ClarityAdjustment& clarity) {
  double covered = 0;
  for (const CategoryCoverage& c : compute_coverage(taxonomy, current, clarity)) covered += c.covered;
  return round_percent(covered, taxonomy.total_target());
}

GateStatus evaluate_gate(const Taxonomy& taxonomy, std::string_view target_phase, int score, int open_conflicts) {
  GateStatus status;
  status.name = std::string(target_phase);
  const Gate* gate = taxonomy.gate(target_phase);
  status.required_score = gate ? gate->required_score : 0;
  const int max_open = gate ? gate->max_open_conflicts : 0;
  if (score < status.required_score) {
    status.blockers.push_back({"maturity_below_required",
                               "maturity is " + std::to_string(score) + "; the " + status.name +
                                   " phase needs at least " + std::to_string(status.required_score),
                               static_cast<double>(score), static_cast<double>(status.required_score)});
  }
  if (open_conflicts > max_open) {
    std::string message = open_conflicts == 1 ? "1 open conflict" : std::to_string(open_conflicts) + " open conflicts";
    message += max_open == 0 ? " must be resolved or ignored first"
                             : "; at most " + std::to_string(max_open) + " may stay open";
    status.blockers.push_back(
        {"open_conflicts", message, static_cast<double>(open_conflicts), static_cast<double>(max_open)});
  }
  status.ready = status.blockers.empty();
  return status;
}

Maturity compute_maturity(const Taxonomy& taxonomy, const std::vector<Specification>& current, std::string_view phase,
                          int open_conflicts, const ClarityAdjustment& clarity) {
  Maturity maturity;
  maturity.phase = std::string(phase);
  maturity.open_conflicts = open_conflicts;
  double covered = 0;
  for (const CategoryCoverage& c : compute_coverage(taxonomy, current, clarity)) {
    covered += c.covered;
    const int held = c.specifications + c.open_items;
    maturity.open_items += c.open_items;
    maturity.categories.push_back({c.category->name, c.category->target, c.covered,
                                   round_percent(c.covered, c.category->target), c.specifications,
                                   held == 0 ? 100 : round_percent(c.specifications - c.unclear, held), c.unclear,
                                   c.open_items});
  }
  maturity.score = round_percent(covered, taxonomy.total_target());
  if (const auto next = taxonomy.next_phase(phase))  // throws for an unknown phase
    maturity.next_phase = evaluate_gate(taxonomy, *next, maturity.score, open_conflicts);
  return maturity;
}

void to_json(nlohmann::json& out, const Blocker& blocker) {
  out = {{"code", blocker.code},
         {"message", blocker.message},
         {"current", number(blocker.current)},
         {"required", number(blocker.required)}};
}

void to_json(nlohmann::json& out, const GateStatus& gate) {
  out = {
      {"name", gate.name}, {"required_score", gate.required_score}, {"ready", gate.ready}, {"blockers", gate.blockers}};
}

void to_json(nlohmann::json& out, const Maturity& maturity) {
  nlohmann::json categories = nlohmann::json::array();
  for (const CategoryMaturity& c : maturity.categories) {
    categories.push_back({{"category", c.category},
                          {"target", number(c.target)},
                          {"covered", number(round2(c.covered))},
                          {"score", c.score},
                          {"specifications", c.specifications},
                          {"clarity", c.clarity},
                          {"unclear_specifications", c.unclear_specifications},
                          {"open_items", c.open_items}});
  }
  out = {{"score", maturity.score},
         {"phase", maturity.phase},
         {"categories", std::move(categories)},
         {"open_conflicts", maturity.open_conflicts},
         {"open_items", maturity.open_items},
         {"next_phase", maturity.next_phase ? nlohmann::json(*maturity.next_phase) : nlohmann::json(nullptr)}};
}

}  // namespace socrates::engine

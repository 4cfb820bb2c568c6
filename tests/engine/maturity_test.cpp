// Maturity, coverage, next category and phase gates, with the numbers worked out by hand.
// Default targets: goals 10, requirements 15, tech_stack 12, scalability 8, security 10,
// performance 8, testing 8, monitoring 6, data_retention 5, disaster_recovery 8 — Σ 90.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::spec;

const CategoryMaturity& category(const Maturity& maturity, const std::string& name) {
  for (const auto& c : maturity.categories)
    if (c.category == name) return c;
  throw std::out_of_range(name);
}

// n specifications of `confidence` in `category_name`.
void add(std::vector<Specification>& specs, const std::string& category_name, int n, double confidence) {
  for (int i = 0; i < n; ++i) specs.push_back(spec(category_name, "k" + std::to_string(specs.size()), "v", confidence));
}

TEST(MaturityTest, NewProjectIsZeroEverywhere) {
  const Maturity m = shipped().maturity({}, "discovery", 0);
  EXPECT_EQ(m.score, 0);
  ASSERT_EQ(m.categories.size(), 10u);
  for (const auto& c : m.categories) {
    EXPECT_EQ(c.covered, 0);
    EXPECT_EQ(c.score, 0);
    EXPECT_EQ(c.specifications, 0);
  }
}

TEST(MaturityTest, WorkedExample) {
  // goals: 0.9 + 0.7 + 0.5 = 2.1 of 10        → category score round(21.0)  = 21
  // tech_stack: 0.9 + 0.9 = 1.8 of 12         → round(15.0)                  = 15
  // performance: 0.7 of 8                     → round(8.75)                  = 9
  // overall: round(100 × (2.1 + 1.8 + 0.7) / 90) = round(5.11)               = 5
  std::vector<Specification> specs = {spec("goals", "a", "x", 0.9),
                                      spec("goals", "b", "x", 0.7),
                                      spec("goals", "c", "x", 0.5),
                                      spec("tech_stack", "database", "PostgreSQL", 0.9),
                                      spec("tech_stack", "cache", "Redis", 0.9),
                                      spec("performance", "p95_latency", "≤ 200 ms", 0.7)};
  const Maturity m = shipped().maturity(specs, "discovery", 0);
  EXPECT_EQ(m.score, 5);
  EXPECT_NEAR(category(m, "goals").covered, 2.1, 1e-9);
  EXPECT_EQ(category(m, "goals").score, 21);
  EXPECT_EQ(category(m, "goals").specifications, 3);
  EXPECT_EQ(category(m, "goals").target, 10);
  EXPECT_NEAR(category(m, "tech_stack").covered, 1.8, 1e-9);
  EXPECT_EQ(category(m, "tech_stack").score, 15);
  EXPECT_EQ(category(m, "performance").score, 9);
  EXPECT_EQ(category(m, "security").score, 0);
}

TEST(MaturityTest, ACategoryCountsAtMostItsTarget) {
  // data_retention: 8 × 0.9 = 7.2, capped at its target 5 → category 100; overall round(100 × 5 / 90) = round(5.56)
  // = 6.
  std::vector<Specification> specs;
  add(specs, "data_retention", 8, 0.9);
  const Maturity m = shipped().maturity(specs, "discovery", 0);
  EXPECT_EQ(category(m, "data_retention").covered, 5);
  EXPECT_EQ(category(m, "data_retention").score, 100);
  EXPECT_EQ(category(m, "data_retention").specifications, 8);
  EXPECT_EQ(m.score, 6);
  EXPECT_EQ(maturity_score(shipped().taxonomy(), specs), 6);
}

TEST(MaturityTest, HalfRoundsUpAndFloatingPointNoiseDoesNotCount) {
  // 0.45 of 90 is exactly 0.5 %: rounds up to 1.
  EXPECT_EQ(maturity_score(shipped().taxonomy(), {spec("goals", "a", "x", 0.45)}), 1);
  // 10 × 0.9 sums to 8.999999999999998 in binary, which must still read as 9: with goals,
  // requirements, tech_stack and scalability full (45), security at 9 gives 54 of 90 = exactly 60.
  std::vector<Specification> specs;
  add(specs, "goals", 10, 1.0);
  add(specs, "requirements", 15, 1.0);
  add(specs, "tech_stack", 12, 1.0);
  add(specs, "scalability", 8, 1.0);
  add(specs, "security", 10, 0.9);
  EXPECT_EQ(maturity_score(shipped().taxonomy(), specs), 60);
}

TEST(MaturityTest, UnknownCategoriesCountNowhere) {
  // A deployment replaced the taxonomy; old specifications of a removed category are ignored.
  const Maturity m =
      shipped().maturity({spec("legacy_stuff", "a", "x", 0.9), spec("goals", "b", "x", 0.9)}, "discovery", 0);
  EXPECT_EQ(m.score, 1);  // round(100 × 0.9 / 90) = 1
  int counted = 0;
  for (const auto& c : m.categories) counted += c.specifications;
  EXPECT_EQ(counted, 1);
}

std::vector<Specification> specs_worth(double covered_of_90) {
  // Fills categories in taxonomy order with confidence-1 specifications (and one partial one).
  std::vector<Specification> specs;
  double left = covered_of_90;
  for (const Category& c : shipped().taxonomy().categories()) {
    for (int i = 0; i < static_cast<int>(c.target) && left > 0; ++i) {
      specs.push_back(spec(c.name, "k" + std::to_string(specs.size()), "v", std::min(1.0, left)));
      left -= 1.0;
    }
  }
  return specs;
}

TEST(PhaseGateTest, AnalysisNeedsSixtyAndNoOpenConflict) {
  // 54 of 90 = 60 → ready.
  Maturity m = shipped().maturity(specs_worth(54), "discovery", 0);
  EXPECT_EQ(m.score, 60);
  ASSERT_TRUE(m.next_phase.has_value());
  EXPECT_EQ(m.next_phase->name, "analysis");
  EXPECT_EQ(m.next_phase->required_score, 60);
  EXPECT_TRUE(m.next_phase->ready);
  EXPECT_TRUE(m.next_phase->blockers.empty());

  // 53.5 of 90 = 59.44 → 59: blocked by maturity.
  m = shipped().maturity(specs_worth(53.5), "discovery", 0);
  EXPECT_EQ(m.score, 59);
  EXPECT_FALSE(m.next_phase->ready);
  ASSERT_EQ(m.next_phase->blockers.size(), 1u);
  EXPECT_EQ(m.next_phase->blockers[0].code, "maturity_below_required");
  EXPECT_EQ(m.next_phase->blockers[0].current, 59);
  EXPECT_EQ(m.next_phase->blockers[0].required, 60);
  EXPECT_EQ(m.next_phase->blockers[0].message, "maturity is 59; the analysis phase needs at least 60");

  // Mature enough, but one open conflict.
  m = shipped().maturity(specs_worth(54), "discovery", 1);
  EXPECT_FALSE(m.next_phase->ready);
  ASSERT_EQ(m.next_phase->blockers.size(), 1u);
  EXPECT_EQ(m.next_phase->blockers[0].code, "open_conflicts");
  EXPECT_EQ(m.next_phase->blockers[0].current, 1);
  EXPECT_EQ(m.next_phase->blockers[0].required, 0);
  EXPECT_EQ(m.next_phase->blockers[0].message, "1 open conflict must be resolved or ignored first");

  // Both at once, maturity first.
  m = shipped().maturity({}, "discovery", 3);
  ASSERT_EQ(m.next_phase->blockers.size(), 2u);
  EXPECT_EQ(m.next_phase->blockers[0].code, "maturity_below_required");
  EXPECT_EQ(m.next_phase->blockers[1].code, "open_conflicts");
  EXPECT_EQ(m.next_phase->blockers[1].message, "3 open conflicts must be resolved or ignored first");
}

TEST(PhaseGateTest, DesignNeedsEightyAndImplementationNinetyFive) {
  // 72 of 90 = 80; 71.5 of 90 = 79.44 → 79; 85.5 of 90 = 95; 85 of 90 = 94.44 → 94.
  EXPECT_TRUE(shipped().maturity(specs_worth(72), "analysis", 0).next_phase->ready);
  const Maturity not_yet = shipped().maturity(specs_worth(71.5), "analysis", 0);
  EXPECT_EQ(not_yet.next_phase->name, "design");
  EXPECT_EQ(not_yet.next_phase->required_score, 80);
  EXPECT_FALSE(not_yet.next_phase->ready);
  EXPECT_TRUE(shipped().maturity(specs_worth(85.5), "design", 0).next_phase->ready);
  const Maturity almost = shipped().maturity(specs_worth(85), "design", 0);
  EXPECT_EQ(almost.score, 94);
  EXPECT_EQ(almost.next_phase->name, "implementation");
  EXPECT_FALSE(almost.next_phase->ready);
}

TEST(PhaseGateTest, TheLastPhaseHasNoNextAndAnUnknownPhaseIsACallerBug) {
  EXPECT_FALSE(shipped().maturity(specs_worth(90), "implementation", 0).next_phase.has_value());
  EXPECT_THROW(shipped().maturity({}, "production", 0), std::invalid_argument);
}

TEST(PhaseGateTest, EvaluateGateForAdvance) {
  const GateStatus gate = evaluate_gate(shipped().taxonomy(), "analysis", 75, 0);
  EXPECT_TRUE(gate.ready);
  EXPECT_EQ(gate.required_score, 60);
}

TEST(MaturityJsonTest, HasTheApiFieldNames) {
  const nlohmann::json j = shipped().maturity({spec("goals", "a", "x", 0.7)}, "discovery", 2);
  EXPECT_EQ(j.at("score"), 1);
  EXPECT_EQ(j.at("phase"), "discovery");
  EXPECT_EQ(j.at("open_conflicts"), 2);
  ASSERT_EQ(j.at("categories").size(), 10u);
  const nlohmann::json& goals = j.at("categories")[0];
  EXPECT_EQ(goals, (nlohmann::json{{"category", "goals"},
                                   {"target", 10},
                                   {"covered", 0.7},
                                   {"score", 7},
                                   {"specifications", 1},
                                   {"clarity", 100},
                                   {"unclear_specifications", 0},
                                   {"open_items", 0}}));
  EXPECT_EQ(j.at("open_items"), 0);
  const nlohmann::json& next = j.at("next_phase");
  EXPECT_EQ(next.at("name"), "analysis");
  EXPECT_EQ(next.at("required_score"), 60);
  EXPECT_EQ(next.at("ready"), false);
  ASSERT_EQ(next.at("blockers").size(), 2u);
  EXPECT_EQ(next.at("blockers")[0].at("code"), "maturity_below_required");
  EXPECT_EQ(next.at("blockers")[1].at("current"), 2);

  const nlohmann::json last = shipped().maturity({}, "implementation", 0);
  EXPECT_TRUE(last.at("next_phase").is_null());
}

TEST(CoverageTest, NextCategoryIsTheLeastCoveredWithTiesInTaxonomyOrder) {
  // New project: everything at 0, the first category wins.
  EXPECT_EQ(shipped().next_category({}).name, "goals");

  // goals 2 × 0.5 = 1.0 of 10 = 0.10 and requirements 3 × 0.5 = 1.5 of 15 = 0.10 tie; every other
  // category is at 1.8 of its target (≥ 0.15): goals wins the tie by taxonomy order.
  std::vector<Specification> specs;
  add(specs, "goals", 2, 0.5);
  add(specs, "requirements", 3, 0.5);
  for (const char* name : {"tech_stack", "scalability", "security", "performance", "testing", "monitoring",
                           "data_retention", "disaster_recovery"})
    add(specs, name, 2, 0.9);
  EXPECT_EQ(shipped().next_category(specs).name, "goals");

  // One more goals specification (1.5 of 10 = 0.15): requirements is now the least covered alone.
  add(specs, "goals", 1, 0.5);
  EXPECT_EQ(shipped().next_category(specs).name, "requirements");
}

TEST(CoverageTest, ATieLaterInTheTaxonomy) {
  // All categories at 1.0 coverage except security (1.0 of 10 = 0.1) and testing (0.8 of 8 = 0.1):
  // security comes first in taxonomy order.
  std::vector<Specification> specs;
  for (const Category& c : shipped().taxonomy().categories())
    if (c.name != "security" && c.name != "testing") add(specs, c.name, static_cast<int>(c.target), 1.0);
  add(specs, "security", 2, 0.5);
  add(specs, "testing", 1, 0.8);
  const auto coverage = shipped().coverage(specs);
  EXPECT_NEAR(coverage[4].coverage, 0.1, 1e-12);
  EXPECT_NEAR(coverage[6].coverage, 0.1, 1e-12);
  EXPECT_EQ(shipped().next_category(specs).name, "security");
}

TEST(CoverageTest, CoverageIsCappedAtOne) {
  std::vector<Specification> specs;
  add(specs, "monitoring", 10, 0.9);  // 9 of 6
  const auto coverage = shipped().coverage(specs);
  EXPECT_EQ(coverage[7].category->name, "monitoring");
  EXPECT_EQ(coverage[7].coverage, 1.0);
  EXPECT_NEAR(coverage[7].confidence_sum, 9.0, 1e-9);
  EXPECT_EQ(coverage[7].covered, 6);
}

}  // namespace
}  // namespace socrates::engine

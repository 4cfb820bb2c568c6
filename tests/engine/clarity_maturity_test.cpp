// How clarity counts (domain.md "Clarity and open items"): unclear specifications count
// confidence × 0.5, open items take 1 each off what their category can cover, and the planner asks
// to sharpen the vaguest specification of a category before asking more — once per value.

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

TEST(ClarityMaturityTest, WorkedExample) {
  // performance (target 8): "≤ 200 ms" at 0.9 is clear; "Search must be fast" at 0.9 has a finding
  // and counts 0.45; one open item takes 1 off the reachable 8 (7 left, not reached):
  //   covered = min(0.9 + 0.45, 8 − 1) = 1.35 → score round(100 × 1.35 / 8) = round(16.875) = 17
  //   clarity = round(100 × 1 clear / (2 specifications + 1 open item)) = 33
  //   overall = round(100 × 1.35 / 90) = round(1.5) = 2
  const std::vector<Specification> specs = {spec("performance", "p95_latency", "≤ 200 ms", 0.9),
                                            spec("performance", "search_fast", "Search must be fast", 0.9)};
  const Maturity m = shipped().maturity(specs, "discovery", 0, {{"performance", 1}});
  const CategoryMaturity& performance = category(m, "performance");
  EXPECT_NEAR(performance.covered, 1.35, 1e-9);
  EXPECT_EQ(performance.score, 17);
  EXPECT_EQ(performance.clarity, 33);
  EXPECT_EQ(performance.unclear_specifications, 1);
  EXPECT_EQ(performance.open_items, 1);
  EXPECT_EQ(performance.specifications, 2);
  EXPECT_EQ(m.open_items, 1);
  EXPECT_EQ(m.score, 2);
  EXPECT_EQ(shipped().maturity_score(specs, {{"performance", 1}}), 2);

  // The same specifications without the clarity adjustment: 1.8 of 8 → 23.
  const Maturity plain = compute_maturity(shipped().taxonomy(), specs, "discovery", 0);
  EXPECT_EQ(category(plain, "performance").score, 23);
  EXPECT_EQ(category(plain, "performance").clarity, 100);
}

TEST(ClarityMaturityTest, AnUnclearSpecificationCountsHalf) {
  EXPECT_NEAR(shipped().coverage({spec("goals", "best", "The best shop in town", 0.8)})[0].covered, 0.4, 1e-9);
  EXPECT_NEAR(shipped().coverage({spec("goals", "shop", "A shop for used books", 0.8)})[0].covered, 0.8, 1e-9);
}

TEST(ClarityMaturityTest, OpenItemsAreGapsACategoryCannotCoverWhileOpen) {
  // data_retention (target 5): 6 × 0.9 = 5.4 would fill it; 2 open items leave 3 reachable → 60.
  std::vector<Specification> specs;
  for (int i = 0; i < 6; ++i) specs.push_back(spec("data_retention", "k" + std::to_string(i), "30 days", 0.9));
  EXPECT_EQ(category(shipped().maturity(specs, "discovery", 0), "data_retention").score, 100);
  const Maturity m = shipped().maturity(specs, "discovery", 0, {{"data_retention", 2}});
  EXPECT_EQ(category(m, "data_retention").covered, 3);
  EXPECT_EQ(category(m, "data_retention").score, 60);
  EXPECT_EQ(category(m, "data_retention").clarity, 75);  // 6 clear of 6 + 2
}

TEST(ClarityMaturityTest, AnEmptyCategoryIsClearAndOpenItemsAloneMakeItUnclear) {
  const Maturity m = shipped().maturity({}, "discovery", 0, {{"security", 1}});
  EXPECT_EQ(category(m, "goals").clarity, 100);
  EXPECT_EQ(category(m, "security").clarity, 0);
  EXPECT_EQ(category(m, "security").score, 0);
  EXPECT_EQ(m.score, 0);
}

TEST(ClarityMaturityTest, OpenItemsOfUnknownCategoriesCountNowhere) {
  const Maturity m = shipped().maturity({}, "discovery", 0, {{"astrology", 3}});
  EXPECT_EQ(m.open_items, 0);
}

TEST(ClarityMaturityTest, MaturityJsonShowsClarityNextToCoverage) {
  const nlohmann::json out =
      shipped().maturity({spec("goals", "best", "The best shop in town", 1.0)}, "discovery", 0, {{"goals", 1}});
  EXPECT_EQ(out["open_items"], 1);
  const nlohmann::json& goals = out["categories"][0];
  EXPECT_EQ(goals["category"], "goals");
  EXPECT_EQ(goals["covered"], 0.5);
  EXPECT_EQ(goals["clarity"], 0);
  EXPECT_EQ(goals["unclear_specifications"], 1);
  EXPECT_EQ(goals["open_items"], 1);
}

// ---- the planner's sharpening question

// Every category but `left` covered in full by clear specifications, so that `left` is the
// least-covered category and the planner turns to it.
std::vector<Specification> all_covered_but(const std::string& left) {
  std::vector<Specification> out;
  for (const Category& c : shipped().taxonomy().categories()) {
    if (c.name == left) continue;
    for (int i = 0; i < static_cast<int>(c.target); ++i) out.push_back(spec(c.name, "k" + std::to_string(i), "v", 1.0));
  }
  return out;
}

TEST(SharpeningTest, AVagueSpecificationIsSharpenedBeforeMoreIsAsked) {
  std::vector<Specification> current = all_covered_but("performance");
  current.push_back(spec("performance", "search_fast", "search must be fast", 0.9));
  const Question q = shipped().next_question(current, {});
  EXPECT_EQ(q.source, QuestionSource::kSharpen);
  EXPECT_EQ(q.category, "performance");
  EXPECT_EQ(q.text, "You said search must be 'fast' — how fast, at which percentile, under what load?");
  EXPECT_EQ(q.context, "sharpen: performance/search_fast has vague_term ('fast')");
  EXPECT_TRUE(q.bias.acceptable);
}

TEST(SharpeningTest, EachValueIsSharpenedOnceSoTheInterviewCannotLoop) {
  std::vector<Specification> current = all_covered_but("performance");
  current.push_back(spec("performance", "search_fast", "search must be fast", 0.9));
  const Question first = shipped().next_question(current, {});
  const Question second = shipped().next_question(current, {first.text});
  EXPECT_EQ(second.source, QuestionSource::kBank);
  EXPECT_EQ(second.category, "performance");
  // An edited value is a new value: it may be sharpened again.
  current.back().value = "search must be fast and scalable";
  const Question third = shipped().next_question(current, {first.text, second.text});
  EXPECT_EQ(third.source, QuestionSource::kSharpen);
  EXPECT_NE(third.text, first.text);
}

TEST(SharpeningTest, TheVaguestThenTheFirmestIsSharpenedFirst) {
  std::vector<Specification> current = all_covered_but("goals");
  current.push_back(spec("goals", "cheap", "Books are cheaper", 0.9));                   // 1 word
  current.push_back(spec("goals", "shop", "The best shop for many readers", 0.5));      // 2 words
  current.push_back(spec("goals", "friendly", "A user-friendly and robust shop", 0.9));  // 2 words, firmer
  const Question q = shipped().next_question(current, {});
  EXPECT_EQ(q.source, QuestionSource::kSharpen);
  EXPECT_NE(q.text.find("'user-friendly'"), std::string::npos) << q.text;
  const Question next = shipped().next_question(current, {q.text});
  EXPECT_NE(next.text.find("'best'"), std::string::npos) << next.text;
  const Question last = shipped().next_question(current, {q.text, next.text});
  EXPECT_NE(last.text.find("'cheaper'"), std::string::npos) << last.text;
  const Question done = shipped().next_question(current, {q.text, next.text, last.text});
  EXPECT_EQ(done.source, QuestionSource::kBank);
}

TEST(SharpeningTest, ClearSpecificationsAndOtherCategoriesAreNotSharpened) {
  std::vector<Specification> current = all_covered_but("performance");
  current.push_back(spec("performance", "p95_latency", "≤ 200 ms", 0.9));
  EXPECT_EQ(shipped().next_question(current, {}).source, QuestionSource::kBank);
  // A vague goal does not interrupt questions about another category.
  std::vector<Specification> fresh = {spec("goals", "best", "The best shop", 0.9)};
  const Question q = shipped().next_question(fresh, {});
  EXPECT_EQ(q.category, "requirements");
  EXPECT_EQ(q.source, QuestionSource::kBank);
}

TEST(SharpeningTest, ASharpeningQuestionAsJsonIsAnOrdinaryQuestion) {
  std::vector<Specification> current = all_covered_but("performance");
  current.push_back(spec("performance", "p95_latency", "200", 0.9));
  const nlohmann::json q = shipped().next_question(current, {});
  EXPECT_EQ(q["text"], "You said p95 latency: '200' — 200 what: milliseconds, seconds, minutes, days?");
  EXPECT_EQ(q["category"], "performance");
  EXPECT_EQ(std::string(to_string(QuestionSource::kSharpen)), "sharpen");
}

}  // namespace
}  // namespace socrates::engine

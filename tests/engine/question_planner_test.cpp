// Question choice: least-covered category, first bank question not asked yet, follow-ups once the
// bank is used up, and the bias check on every text.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::shipped_json;
using test_support::spec;

// Every category but `except` comfortably covered (2 × 0.9 each), so `except` is the least covered.
std::vector<Specification> others_covered(const std::string& except) {
  std::vector<Specification> specs;
  for (const Category& c : shipped().taxonomy().categories()) {
    if (c.name == except) continue;
    specs.push_back(spec(c.name, "a_" + c.name, "first", 0.9));
    specs.push_back(spec(c.name, "b_" + c.name, "second", 0.9));
  }
  return specs;
}

TEST(QuestionPlannerTest, NewProjectStartsWithTheFirstGoalsQuestion) {
  const Question q = shipped().next_question({}, {});
  EXPECT_EQ(q.category, "goals");
  EXPECT_EQ(q.text, shipped().question_bank().questions("goals").front());
  EXPECT_EQ(q.source, QuestionSource::kBank);
  EXPECT_EQ(q.bias.quality_score, 1.0);
  EXPECT_FALSE(q.repeated);
  EXPECT_EQ(q.context, "least-covered category: goals (0 of 10 covered)");
}

TEST(QuestionPlannerTest, SkipsQuestionsAlreadyAskedComparingWordsOnly) {
  const auto& bank = shipped().question_bank().questions("goals");
  // Asked before with other case and spacing: still the same question.
  const Question q = shipped().next_question({}, {"  what problem should THIS software solve,   and for whom"});
  EXPECT_EQ(q.text, bank[1]);
  const Question third = shipped().next_question({}, {bank[0], bank[1]});
  EXPECT_EQ(third.text, bank[2]);
}

TEST(QuestionPlannerTest, AimsAtTheLeastCoveredCategory) {
  const Question q = shipped().next_question(others_covered("security"), {});
  EXPECT_EQ(q.category, "security");
  EXPECT_EQ(q.text, shipped().question_bank().questions("security").front());
}

TEST(QuestionPlannerTest, ExhaustedBankFollowsUpOnTheLatestSpecification) {
  auto specs = others_covered("goals");
  specs.push_back(spec("goals", "help_bakeries", "We want to help small bakeries take orders online", 0.5));
  specs.push_back(spec("goals", "customers_gyms", "Our customers are independent gyms", 0.5));
  const auto& asked = shipped().question_bank().questions("goals");
  const Question q = shipped().next_question(specs, asked);
  EXPECT_EQ(q.category, "goals");
  EXPECT_EQ(q.source, QuestionSource::kSpecificationFollowUp);
  // The most recent goals specification is the last one in the list.
  EXPECT_EQ(q.text,
            "You said 'Our customers are independent gyms'. What is the reason behind it, and what would change if it "
            "were different?");
  EXPECT_TRUE(q.bias.acceptable);

  // That follow-up asked too: the next template.
  std::vector<std::string> more = asked;
  more.push_back(q.text);
  EXPECT_EQ(shipped().next_question(specs, more).text,
            "You said 'Our customers are independent gyms'. What else about goals depends on it?");
}

TEST(QuestionPlannerTest, FollowUpQuotesASlotWithItsLabel) {
  auto specs = others_covered("tech_stack");
  specs.push_back(spec("tech_stack", "database", "PostgreSQL", 0.9));
  const Question q = shipped().next_question(specs, shipped().question_bank().questions("tech_stack"));
  EXPECT_EQ(q.category, "tech_stack");
  EXPECT_EQ(
      q.text,
      "You said 'database: PostgreSQL'. What is the reason behind it, and what would change if it were different?");
  auto metric = others_covered("performance");
  metric.push_back(spec("performance", "p95_latency", "\xE2\x89\xA4 200 ms", 0.9));
  EXPECT_EQ(
      shipped().next_question(metric, shipped().question_bank().questions("performance")).text,
      "You said 'p95 latency: \xE2\x89\xA4 200 ms'. What is the reason behind it, and what would change if it were "
      "different?");
}

TEST(QuestionPlannerTest, LongQuotesAreCutAtAWord) {
  const std::string value =
      "We want to help small independent bakeries in the whole region take orders online so that they bake exactly "
      "what is sold";
  const QuestionPlanner planner(shipped().taxonomy(), shipped().question_bank(), shipped().lexicon());
  const std::string quote = planner.quote(spec("goals", "help", value, 0.7));
  EXPECT_LE(quote.size(), 80u + 3u);  // 80 characters and "…"
  // "… take orders online" would be 81 characters: the cut falls before "online".
  EXPECT_EQ(quote, "We want to help small independent bakeries in the whole region take orders\xE2\x80\xA6");
}

TEST(QuestionPlannerTest, ExhaustedBankWithoutSpecificationsAsksAboutTheCategory) {
  const Question q = shipped().next_question({}, shipped().question_bank().questions("goals"));
  EXPECT_EQ(q.category, "goals");
  EXPECT_EQ(q.source, QuestionSource::kCategoryFollowUp);
  EXPECT_EQ(q.text, "What matters most to you about goals in this project, and why?");
  // Category labels are for people: "data retention", not "data_retention".
  const Question dr =
      shipped().next_question(others_covered("data_retention"), shipped().question_bank().questions("data_retention"));
  EXPECT_EQ(dr.source, QuestionSource::kCategoryFollowUp);
  EXPECT_EQ(dr.text, "What matters most to you about data retention in this project, and why?");
}

TEST(QuestionPlannerTest, EverythingAskedRepeatsTheFirstFollowUp) {
  std::vector<std::string> asked = shipped().question_bank().questions("goals");
  for (const std::string& pattern : shipped().question_bank().category_follow_ups())
    asked.push_back(pattern.substr(0, pattern.find("{category}")) + "goals" +
                    pattern.substr(pattern.find("{category}") + std::string("{category}").size()));
  const Question q = shipped().next_question({}, asked);
  EXPECT_TRUE(q.repeated);
  EXPECT_EQ(q.text, "What matters most to you about goals in this project, and why?");
}

TEST(QuestionPlannerTest, ABiasedBankQuestionIsSkipped) {
  nlohmann::json bank = shipped_json(kQuestionBankFile);
  auto& goals = bank["questions"]["goals"];
  goals.insert(goals.begin(), "Obviously you need a mobile app, so which one is the most popular?");
  goals.insert(goals.begin() + 1, "Should we use the industry standard, of course?");
  const Engine engine(shipped().taxonomy(), QuestionBank::parse(bank, "biased_bank.json"), shipped().lexicon(),
                      shipped().requirements().templates());
  const Question q = engine.next_question({}, {});
  EXPECT_EQ(q.text, "What problem should this software solve, and for whom?");
  EXPECT_TRUE(q.bias.acceptable);
}

TEST(QuestionPlannerTest, JsonHasTheQuestionFields) {
  const nlohmann::json j = shipped().next_question({}, {});
  EXPECT_EQ(j.at("text"), "What problem should this software solve, and for whom?");
  EXPECT_EQ(j.at("category"), "goals");
  EXPECT_EQ(j.at("quality_score"), 1.0);
  EXPECT_TRUE(j.at("context").is_string());
}

}  // namespace
}  // namespace socrates::engine

// What issue 18 made the engine understand, one behaviour per test: lemma matching, protection
// rules, usability, functional requirements with actor and action, figures with their roles, and a
// planner that follows the person. (The sentences are not those of tests/data/eval: the evaluation
// set must stay unseen by the tests, tests/quality/eval_set_check.py.)

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::spec;

const Candidate* find(const std::vector<Candidate>& candidates, const std::string& category, const std::string& key) {
  const auto it = std::find_if(candidates.begin(), candidates.end(), [&](const Candidate& c) {
    return c.specification.category == category && c.specification.key == key;
  });
  return it == candidates.end() ? nullptr : &*it;
}

bool any_in(const std::vector<Candidate>& candidates, const std::string& category) {
  return std::any_of(candidates.begin(), candidates.end(),
                     [&](const Candidate& c) { return c.specification.category == category; });
}

TEST(UnderstandingTest, LoggedInIsAnAccessRuleNotALoggingTerm) {
  const auto found = shipped().extract("Only logged-in members of the club may reserve a court.", "requirements");
  EXPECT_TRUE(any_in(found, "security"));
  EXPECT_FALSE(any_in(found, "monitoring"));
}

TEST(UnderstandingTest, KeywordsMatchTheirInflections) {
  // "encrypting" is the keyword "encrypt"; in direct chat only the keywords decide.
  const auto found = shipped().extract("Encrypting the archive happens on the client.", "");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].specification.category, "security");
}

TEST(UnderstandingTest, NegatedStorageIsASecurityRuleWhateverTheQuestion) {
  const auto found = shipped().extract("Passport scans must never be saved after check-in.", "data_retention");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].specification.category, "security");
}

TEST(UnderstandingTest, ActorAndActionMakeAFunctionalRequirementWithAReadableKey) {
  const auto found = shipped().extract("Tenants pay their rent online; landlords can send a reminder.", "requirements");
  const Candidate* pay = find(found, "requirements", "fr_pay_rent_online");
  ASSERT_NE(pay, nullptr);
  EXPECT_EQ(pay->actor, "tenants");
  EXPECT_EQ(pay->action, "pay");
  EXPECT_EQ(pay->specification.value, "Tenants pay their rent online");
  const Candidate* remind = find(found, "requirements", "fr_send_reminder");
  ASSERT_NE(remind, nullptr);
  EXPECT_EQ(remind->actor, "landlords");
}

TEST(UnderstandingTest, AStatusQuoInAGoalsAnswerStaysAGoal) {
  // No modal, answering about goals: how things are today, not a feature.
  const auto found = shipped().extract("Tenants pay their rent by cheque and it gets lost.", "goals");
  ASSERT_FALSE(found.empty());
  EXPECT_FALSE(any_in(found, "requirements"));
}

TEST(UnderstandingTest, QualityWordsAreUsability) {
  const auto found = shipped().extract("The kiosk should be intuitive for first-time visitors.", "tech_stack");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].specification.category, "requirements");
  EXPECT_EQ(found[0].specification.key, "usability_intuitive");
}

TEST(UnderstandingTest, AUsabilityRequirementIsFlaggedForClarityWithAMeasurableCriterion) {
  struct Case {
    const char* answer;
    const char* key;
    const char* word;
    const char* criterion;  // what the suggested question asks for
  };
  const Case cases[] = {
      {"Shift managers say the planner has to be easy to learn.", "usability_easy_to_learn", "easy to learn",
       "training time"},
      {"The booking form must be accessible for blind guests.", "usability_accessible", "accessible", "WCAG"},
      {"Volunteers need the app to be user-friendly.", "usability_user_friendly", "user-friendly",
       "task completed in how many minutes"},
      {"Ideally the kiosk is intuitive.", "usability_intuitive", "intuitive", "without training"},
  };
  for (const Case& c : cases) {
    const auto found = shipped().extract(c.answer, "requirements");
    const Candidate* usability = find(found, "requirements", c.key);
    ASSERT_NE(usability, nullptr) << c.answer;
    const auto findings = shipped().check_clarity(usability->specification);
    const auto vague = std::find_if(findings.begin(), findings.end(),
                                    [](const ClarityFinding& f) { return f.rule == "vague_term"; });
    ASSERT_NE(vague, findings.end()) << c.answer;
    EXPECT_EQ(vague->words, std::vector<std::string>{c.word}) << c.answer;
    EXPECT_NE(vague->question.find(c.criterion), std::string::npos) << vague->question;
  }
  // Said with a measure, it is clear.
  EXPECT_TRUE(shipped().clarity().is_clear(spec("requirements", "usability_easy_to_use",
                                                "Easy to use: a first-time guest books a room in under 2 minutes", 0.9)));
}

TEST(UnderstandingTest, AGrowthFigureKeepsItsRole) {
  const auto found = shipped().extract("About 500 riders this spring, perhaps 5,000 later.", "scalability");
  const Candidate* now = find(found, "scalability", "total_users");
  const Candidate* later = find(found, "scalability", "total_users_later");
  ASSERT_NE(now, nullptr);
  ASSERT_NE(later, nullptr);
  EXPECT_EQ(now->bound->amount, 500);
  EXPECT_EQ(later->bound->amount, 5000);
}

TEST(UnderstandingTest, APeakBesideAnOrdinaryRate) {
  const auto found =
      shipped().extract("Usually 20 requests per second, and 300 requests per second at the peak.", "scalability");
  const Candidate* usual = find(found, "scalability", "requests_per_second");
  const Candidate* peak = find(found, "scalability", "requests_per_second_peak");
  ASSERT_NE(usual, nullptr);
  ASSERT_NE(peak, nullptr);
  EXPECT_EQ(usual->bound->amount, 20);
  EXPECT_EQ(peak->bound->amount, 300);
}

TEST(UnderstandingTest, EachPercentileTakesTheFigureItsBoundIsNextTo) {
  const auto found = shipped().extract("Search p95 below 250 ms and p99 below 2 seconds.", "performance");
  const Candidate* p95 = find(found, "performance", "p95_latency");
  const Candidate* p99 = find(found, "performance", "p99_latency");
  ASSERT_NE(p95, nullptr);
  ASSERT_NE(p99, nullptr);
  EXPECT_EQ(p95->bound->amount, 250);
  EXPECT_EQ(p99->bound->amount, 2);
}

// --- the planner follows the person

AskedQuestion asked(const std::string& category, std::vector<std::string> recorded) {
  return {shipped().question_bank().questions(category).front(), category, true, std::move(recorded)};
}

TEST(FollowThePersonTest, AfterARichAnswerItAsksTheSameCategoryAgain) {
  // A goals question answered with three features: the next question is about features, although
  // goals and everything else are less covered.
  const std::vector<Specification> current = {spec("requirements", "fr_a", "a", 0.7),
                                              spec("requirements", "fr_b", "b", 0.7),
                                              spec("requirements", "fr_c", "c", 0.7)};
  const Question q = shipped().next_question_after(
      current, {asked("goals", {"requirements", "requirements", "requirements"})});
  EXPECT_EQ(q.category, "requirements");
  EXPECT_EQ(q.context.rfind("following the person: ", 0), 0u) << q.context;
}

TEST(FollowThePersonTest, NeverAsksAgainWhereThePersonHadNothing) {
  // Goals is the least covered, but its last question got nothing: ask elsewhere.
  std::vector<Specification> current;
  for (const Category& c : shipped().taxonomy().categories())
    if (c.name != "goals" && c.name != "requirements") current.push_back(spec(c.name, "x_" + c.name, "x", 0.9));
  const Question q = shipped().next_question_after(current, {asked("goals", {})});
  EXPECT_EQ(q.category, "requirements");
  // Without knowing what the answers recorded, goals again.
  EXPECT_EQ(shipped().next_question(current, {shipped().question_bank().questions("goals").front()}).category, "goals");
}

TEST(FollowThePersonTest, NoThreeQuestionsInARowWithoutAnswers) {
  // Silent about everything: each category in turn, never the same one three times in a row.
  std::vector<AskedQuestion> history;
  for (int turn = 0; turn < 25; ++turn) {
    const Question q = shipped().next_question_after({}, history);
    if (history.size() >= 2) {
      const bool third = history[history.size() - 1].category == q.category &&
                         history[history.size() - 2].category == q.category;
      EXPECT_FALSE(third) << "turn " << turn << ": " << q.category;
    }
    history.push_back({q.text, q.category, true, {}});
  }
}

}  // namespace
}  // namespace socrates::engine

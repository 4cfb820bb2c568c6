// The bias check with its numbers worked out by hand:
//   bias = min(Σ weight × hits / max(1, words / 50), 1),  quality = 1 − bias,  asked only if bias ≤ 0.5.
// Weights: solution-leading 0.3, technology-leading 0.4, leading 0.5.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace socrates::engine {
namespace {

using test_support::shipped;

TEST(BiasCheckerTest, AnOpenQuestionHasNoBias) {
  const BiasReport r = shipped().check_bias("What problem should this software solve, and for whom?");
  EXPECT_EQ(r.bias, 0.0);
  EXPECT_EQ(r.quality_score, 1.0);
  EXPECT_EQ(r.words, 9);
  EXPECT_TRUE(r.acceptable);
  EXPECT_TRUE(r.hits.empty());
}

TEST(BiasCheckerTest, SolutionLeading) {
  // "should we use": 0.3 × 1; 6 words → max(1, 6/50) = 1 → bias 0.3, quality 0.7, acceptable.
  const BiasReport r = shipped().check_bias("What should we use for storage?");
  EXPECT_EQ(r.words, 6);
  EXPECT_NEAR(r.bias, 0.3, 1e-12);
  EXPECT_NEAR(r.quality_score, 0.7, 1e-12);
  EXPECT_TRUE(r.acceptable);
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].kind, "solution_leading");
  EXPECT_EQ(r.hits[0].phrase, "should we use");
  EXPECT_EQ(r.hits[0].count, 1);
}

TEST(BiasCheckerTest, TwoLeadingPhrasesAreRejected) {
  // "obviously" 0.5 + "you need" 0.5 = 1.0 → bias 1.0, quality 0, not asked.
  const BiasReport r = shipped().check_bias("Obviously you need a database, so which one?");
  EXPECT_NEAR(r.bias, 1.0, 1e-12);
  EXPECT_NEAR(r.quality_score, 0.0, 1e-12);
  EXPECT_FALSE(r.acceptable);
  EXPECT_EQ(r.hits.size(), 2u);
}

TEST(BiasCheckerTest, LeadingAndTechnologyLeading) {
  // "clearly" 0.5 + "industry standard" 0.4 = 0.9 → rejected.
  const BiasReport r = shipped().check_bias("Clearly, what is the industry standard here?");
  EXPECT_NEAR(r.bias, 0.9, 1e-12);
  EXPECT_FALSE(r.acceptable);
}

TEST(BiasCheckerTest, RepeatedPhraseCountsEachHit) {
  // "most popular" twice: 0.4 × 2 = 0.8 → rejected.
  const BiasReport r = shipped().check_bias("Which is the most popular framework, and the most popular database?");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].count, 2);
  EXPECT_NEAR(r.bias, 0.8, 1e-12);
  EXPECT_FALSE(r.acceptable);
}

TEST(BiasCheckerTest, ExactlyTheLimitIsStillAsked) {
  // "of course" 0.5 → bias 0.5: only bias above 0.5 is refused.
  const BiasReport r = shipped().check_bias("Of course, what do your users want?");
  EXPECT_NEAR(r.bias, 0.5, 1e-12);
  EXPECT_TRUE(r.acceptable);
}

TEST(BiasCheckerTest, LongQuestionsDiluteTheWeight) {
  // 100 words with one "of course": 0.5 / (100 / 50) = 0.25 → quality 0.75.
  std::string question = "Of course";
  for (int i = 0; i < 98; ++i) question += " word";
  question += "?";
  const BiasReport r = shipped().check_bias(question);
  EXPECT_EQ(r.words, 100);
  EXPECT_NEAR(r.bias, 0.25, 1e-12);
  EXPECT_NEAR(r.quality_score, 0.75, 1e-12);
  // 75 words: 0.5 / 1.5 = 0.3333…
  std::string shorter = "Of course";
  for (int i = 0; i < 73; ++i) shorter += " word";
  EXPECT_NEAR(shipped().check_bias(shorter).bias, 0.5 / 1.5, 1e-12);
}

TEST(BiasCheckerTest, CapsAtOne) {
  // 0.5 × 3 + 0.4 = 1.9 → 1.
  const BiasReport r = shipped().check_bias("Obviously, clearly, of course the industry standard?");
  EXPECT_EQ(r.bias, 1.0);
  EXPECT_EQ(r.quality_score, 0.0);
}

TEST(BiasCheckerTest, MatchesWholeWordsIgnoringCaseAndTypographicQuotes) {
  // "LET’S USE" (typographic apostrophe, upper case) is "let's use": 0.3.
  EXPECT_NEAR(shipped().check_bias("LET\xE2\x80\x99S USE a queue, then?").bias, 0.3, 1e-12);
  // "unclearly" contains "clearly" but is another word.
  EXPECT_EQ(shipped().check_bias("What was explained unclearly before?").bias, 0.0);
}

}  // namespace
}  // namespace socrates::engine

// Extraction details the case table does not isolate: statement keys, confidence markers,
// negation, bounds and their round trip through a stored value.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::shipped_json;

std::string key_of(const std::string& clause) {
  return Extractor(shipped().taxonomy(), shipped().lexicon()).derive_key(clause);
}

// docs/domain.md: a statement's key is snake_case and "derived from the clause's salient words".
// Which words is the word picker's choice, so that is all a test holds it to: lower-case words of
// the clause (`-` read as a space), joined by `_`, with the lexicon's negation word allowed.
::testing::AssertionResult IsKeyFromWordsOf(const std::string& key, std::string clause) {
  if (key.empty()) return ::testing::AssertionFailure() << "no key for \"" << clause << "\"";
  for (char& c : clause) c = c == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string words = " " + clause + " ";
  const std::string negation = shipped_json("lexicon.json").at("keys").at("negation_word");
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = std::min(key.find('_', start), key.size());
    const std::string word = key.substr(start, end - start);
    if (word.empty() || (word != negation && words.find(" " + word + " ") == std::string::npos))
      return ::testing::AssertionFailure() << "'" << word << "' of key '" << key << "' is no word of \"" << clause << "\"";
    if (end == key.size()) return ::testing::AssertionSuccess();
    start = end + 1;
  }
}

TEST(ExtractorTest, StatementKeysAreTheSalientWords) {
  for (const std::string clause : {"Passwords must be hashed", "We want to help small bakeries take orders online",
                                   "Every release must pass the end-to-end tests",
                                   "Wir brauchen eine App f\xC3\xBCr B\xC3\xA4" "ckereien"})
    EXPECT_TRUE(IsKeyFromWordsOf(key_of(clause), clause));
  // A refusal is marked in its key, so it cannot take the key of the statement it refuses.
  const std::string refused = key_of("We don't want MongoDB");
  EXPECT_TRUE(IsKeyFromWordsOf(refused, "We want MongoDB"));
  EXPECT_NE(refused.find(shipped_json("lexicon.json").at("keys").at("negation_word").get<std::string>()),
            std::string::npos)
      << refused;
  EXPECT_NE(refused, key_of("We want MongoDB"));
  // Nothing salient, no key.
  EXPECT_EQ(key_of("It is what it is"), "");
}

TEST(ExtractorTest, AKeyIsAtMost64BytesOfWholeWords) {
  // fuzz/corpus/engine/finding-key-of-one-long-word: one long word once made a key as long as
  // itself (3,000 letters no longer fit the specifications' unique index).
  const std::string word(3000, 'j');
  EXPECT_EQ(key_of("requires " + word), "requires") << "a word that does not fit is left out";
  EXPECT_EQ(key_of(word + " is required"), word.substr(0, 64)) << "a first word longer than a key is cut";
  const std::string key = key_of("Bakers require " + std::string(40, 'a') + " and " + std::string(30, 'b') + " ovens");
  EXPECT_LE(key.size(), 64u) << key;
  EXPECT_EQ(key, "bakers_require_" + std::string(40, 'a')) << "whole words where they fit";
}

double confidence_of(const std::string& answer) {
  const auto candidates = shipped().extract(answer, "goals");
  return candidates.empty() ? -1 : candidates[0].specification.confidence;
}

TEST(ExtractorTest, ConfidenceFromMarkers) {
  EXPECT_EQ(confidence_of("Bakers must see the orders of the day."), 0.9);
  EXPECT_EQ(confidence_of("Bakers will see the orders of the day."), 0.9);
  EXPECT_EQ(confidence_of("We need a daily order overview for bakers."), 0.9);
  EXPECT_EQ(confidence_of("The overview has to be printable."), 0.9);
  EXPECT_EQ(confidence_of("Bakers see the orders of the day."), 0.7);
  EXPECT_EQ(confidence_of("Maybe bakers see the orders of the day."), 0.5);
  EXPECT_EQ(confidence_of("Bakers probably see the orders of the day."), 0.5);
  EXPECT_EQ(confidence_of("Bakers might see the orders of the day."), 0.5);
  // Hedging wins over firmness: "I think we must" is still a guess.
  EXPECT_EQ(confidence_of("I think bakers must see the orders of the day."), 0.5);
}

TEST(ExtractorTest, NegatedAndRefusedTermsFillNoSlot) {
  auto values = [](const std::string& answer) {
    std::vector<std::string> out;
    for (const auto& c : shipped().extract(answer, "tech_stack"))
      if (c.origin == Origin::kTerm) out.push_back(c.specification.value);
    return out;
  };
  EXPECT_EQ(values("PostgreSQL, not MySQL."), std::vector<std::string>{"PostgreSQL"});
  EXPECT_EQ(values("Rust instead of C++."), std::vector<std::string>{"Rust"});
  EXPECT_EQ(values("We are moving from Angular to React."), std::vector<std::string>{"React"});
  EXPECT_EQ(values("No Kubernetes, just Docker."), std::vector<std::string>{"Docker"});
  EXPECT_EQ(values("Java is ruled out."), std::vector<std::string>{});
  // A barrier word ends the negation's reach.
  EXPECT_EQ(values("Not Java but Go."), std::vector<std::string>{"Go"});
}

TEST(ExtractorTest, OneSlotNamedTwiceInAClauseHoldsBothValues) {
  const auto candidates = shipped().extract("The API and the workers are written in Python and Go.", "tech_stack");
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].specification.key, "backend_language");
  EXPECT_EQ(candidates[0].specification.value, "Python, Go");
}

TEST(ExtractorTest, OneSlotNamedInTwoClausesIsAChoiceForTheUser) {
  const AnswerAnalysis a = shipped().analyse("Maybe MongoDB, but I think we might stay with MySQL.", "tech_stack", {});
  ASSERT_EQ(a.findings.size(), 2u);
  EXPECT_EQ(a.findings[0].candidate.specification.value, "MongoDB");
  EXPECT_EQ(a.findings[0].check.outcome, CheckOutcome::kNew);
  EXPECT_EQ(a.findings[1].candidate.specification.value, "MySQL");
  ASSERT_EQ(a.findings[1].check.conflicts.size(), 1u);
  EXPECT_EQ(a.findings[1].check.conflicts[0].type, ConflictType::kContradiction);
  EXPECT_EQ(a.findings[1].check.conflicts[0].severity, Severity::kLow);  // both hedged
}

TEST(ExtractorTest, SomethingSaidTwiceCountsOnceAsFirmlyAsSaid) {
  const auto candidates = shipped().extract("Maybe PostgreSQL. Yes, we must use Postgres.", "tech_stack");
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].specification.value, "PostgreSQL");
  EXPECT_EQ(candidates[0].specification.confidence, 0.9);
}

TEST(ExtractorTest, CandidatesCarryTheirClauseLabelAndBound) {
  const auto candidates = shipped().extract("Pages must load in under 2 seconds.", "performance");
  ASSERT_EQ(candidates.size(), 1u);
  const Candidate& c = candidates[0];
  EXPECT_EQ(c.origin, Origin::kMetric);
  EXPECT_EQ(c.label, "p95 latency");
  EXPECT_EQ(c.clause, "Pages must load in under 2 seconds");
  ASSERT_TRUE(c.bound.has_value());
  EXPECT_EQ(c.bound->amount, 2);
  EXPECT_EQ(c.bound->unit, "s");
  EXPECT_EQ(c.bound->family, "duration");
  EXPECT_EQ(c.bound->base_amount, 2000);
  EXPECT_EQ(c.bound->direction, BoundDirection::kAtMost);
  const nlohmann::json j = c;
  EXPECT_EQ(j.at("bound").at("direction"), "at_most");
  EXPECT_EQ(j.at("origin"), "metric");
}

TEST(ExtractorTest, BoundDirectionsFromWords) {
  auto value = [](const std::string& answer) {
    const auto candidates = shipped().extract(answer, "performance");
    return candidates.empty() ? std::string() : candidates[0].specification.value;
  };
  EXPECT_EQ(value("At most 300 ms."), "\xE2\x89\xA4 300 ms");
  EXPECT_EQ(value("Responses within 300ms."), "\xE2\x89\xA4 300 ms");
  EXPECT_EQ(value("300 ms or less."), "\xE2\x89\xA4 300 ms");
  EXPECT_EQ(value("No more than 300 ms."), "\xE2\x89\xA4 300 ms");
  EXPECT_EQ(value("It should never exceed 300 ms."), "\xE2\x89\xA4 300 ms");
  EXPECT_EQ(value("Latency <= 300 ms."), "\xE2\x89\xA4 300 ms");
  EXPECT_EQ(value("At least 99.95% uptime."), "\xE2\x89\xA5 99.95%");
  EXPECT_EQ(value("About 300 ms."), "300 ms");
  EXPECT_EQ(value("Two seconds."), "2 s");
  EXPECT_EQ(value("Less than a second."), "\xE2\x89\xA4 1 s");
}

TEST(ExtractorTest, StoredValuesReadBackAsBounds) {
  const Lexicon& lx = shipped().lexicon();
  for (const char* value :
       {"\xE2\x89\xA4 200 ms", "\xE2\x89\xA5 99.9%", "10000", "30 days", "1 day", "\xE2\x89\xA4 20 MB"}) {
    const auto bound = lx.parse_bound(value);
    ASSERT_TRUE(bound.has_value()) << value;
    EXPECT_EQ(lx.format_bound(*bound), value);
  }
  EXPECT_FALSE(lx.parse_bound("200 ms on a slow phone").has_value());
  EXPECT_FALSE(lx.parse_bound("PostgreSQL").has_value());
  EXPECT_FALSE(lx.parse_bound("between 2 and 3 s").has_value());
  EXPECT_EQ(lx.parse_bound("nightly")->base_amount, 86400000);
}

TEST(ExtractorTest, NumbersWithUnitsAndMultipliers) {
  auto value = [](const std::string& answer, const std::string& category) {
    const auto candidates = shipped().extract(answer, category);
    return candidates.empty() ? std::string()
                              : candidates[0].specification.key + "=" + candidates[0].specification.value;
  };
  EXPECT_EQ(value("10k concurrent users.", "scalability"), "peak_concurrent_users=10000");
  EXPECT_EQ(value("1.5 million users in total.", "scalability"), "total_users=1500000");
  EXPECT_EQ(value("Two thousand users at once.", "scalability"), "peak_concurrent_users=2000");
  EXPECT_EQ(value("About 300 rps.", "scalability"), "requests_per_second=300");
  EXPECT_EQ(value("50,000 orders a day.", "scalability"), "requests_per_day=50000");
  EXPECT_EQ(value("Files up to 2 GB.", "requirements"), "max_upload_size=\xE2\x89\xA4 2 GB");
  EXPECT_EQ(value("An RTO of 4h.", "disaster_recovery"), "rto=4 h");
  // Numbers that are no quantity: versions, years, ordinals, "2FA".
  EXPECT_TRUE(shipped().extract("We use Java 17.", "tech_stack").size() == 1);
  const auto year = shipped().extract("By 2026 we want to be profitable.", "goals");
  ASSERT_EQ(year.size(), 1u);
  EXPECT_NE(year[0].origin, Origin::kMetric) << "a year is no quantity";
  EXPECT_EQ(year[0].specification.category, "goals");
  EXPECT_EQ(year[0].specification.value, "By 2026 we want to be profitable");
}

}  // namespace
}  // namespace socrates::engine

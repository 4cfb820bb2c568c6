// The clarity check on the shipped rules (libs/engine/data/clarity_rules.json): every rule with
// cases that trigger it and cases that must not, whole-word matching, the suggested questions, the
// "I don't know" clauses, and loading errors that name the file and the place.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::spec;

struct ClarityCase {
  const char* rule;
  const char* category;
  const char* key;
  const char* value;
  bool triggers;
  std::vector<std::string> words;  // expected when it triggers
};

void PrintTo(const ClarityCase& c, std::ostream* os) {
  *os << c.rule << (c.triggers ? " triggers on " : " stays silent on ") << "'" << c.value << "'";
}

const ClarityFinding* finding_of(const std::vector<ClarityFinding>& findings, const std::string& rule) {
  const auto it =
      std::find_if(findings.begin(), findings.end(), [&](const ClarityFinding& f) { return f.rule == rule; });
  return it == findings.end() ? nullptr : &*it;
}

class ClarityRuleTest : public ::testing::TestWithParam<ClarityCase> {};

TEST_P(ClarityRuleTest, TriggersOrNot) {
  const ClarityCase& c = GetParam();
  const auto findings = shipped().check_clarity(spec(c.category, c.key, c.value, 0.9));
  const ClarityFinding* found = finding_of(findings, c.rule);
  if (!c.triggers) {
    EXPECT_EQ(found, nullptr) << "words: " << (found ? found->words.front() : "");
    return;
  }
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->words, c.words);
  EXPECT_FALSE(found->question.empty());
}

const ClarityCase kCases[] = {
    // vague_term
    {"vague_term", "performance", "search_fast", "Search must be fast", true, {"fast"}},
    {"vague_term", "goals", "app_user_friendly", "The app must be user-friendly", true, {"user-friendly"}},
    {"vague_term", "scalability", "scalable_backend", "The backend has to be scalable and robust", true,
     {"scalable", "robust"}},
    {"vague_term", "requirements", "easy_checkout", "Checkout should be easy to use", true, {"easy to use"}},
    {"vague_term", "requirements", "usability_accessible", "The portal must be accessible", true, {"accessible"}},
    {"vague_term", "requirements", "usability_accessible", "Accessible at WCAG 2.1 level AA", false, {}},
    {"vague_term", "performance", "pages_load_quickly", "Pages load quickly", true, {"quickly"}},
    {"vague_term", "goals", "breakfast_orders", "Customers order breakfast online", false, {}},
    {"vague_term", "performance", "search_fast", "Search must be fast: p95 under 200 ms", false, {}},
    {"vague_term", "goals", "steadfast", "A steadfast partner for small shops", false, {}},
    {"vague_term", "scalability", "robustness_tests", "Robustness is tested weekly", false, {}},
    // superlative
    {"superlative", "goals", "best_bookshop", "We want the best bookshop in town", true, {"best"}},
    {"superlative", "performance", "fastest", "It must be the fastest option", true, {"fastest"}},
    {"superlative", "tech_stack", "optimal", "An optimal database layout", true, {"optimal"}},
    {"superlative", "goals", "bestseller_list", "Show a bestseller list", false, {}},
    {"superlative", "goals", "sell_used_books", "Sell used books online", false, {}},
    // comparative_without_reference
    {"comparative_without_reference", "performance", "faster_search", "Search must be faster", true, {"faster"}},
    {"comparative_without_reference", "security", "more_secure_logins", "Logins need to be more secure", true,
     {"more secure"}},
    {"comparative_without_reference", "goals", "lower_costs", "We want lower costs", true, {"lower"}},
    {"comparative_without_reference", "performance", "faster_than_legacy", "Search must be faster than the old shop",
     false, {}},
    {"comparative_without_reference", "performance", "better_compared", "Better compared to the current tool", false,
     {}},
    {"comparative_without_reference", "goals", "lowercase_tags", "Tags are stored in lowercase", false, {}},
    // loophole
    {"loophole", "security", "mfa", "Offer two-factor login if possible", true, {"if possible"}},
    {"loophole", "monitoring", "alerts", "Send alerts as appropriate", true, {"as appropriate"}},
    {"loophole", "data_retention", "archive", "Archive old orders where applicable", true, {"where applicable"}},
    {"loophole", "security", "mfa", "Two-factor login is possible for every admin", false, {}},
    {"loophole", "goals", "appropriate_prices", "Prices appropriate for students", false, {}},
    // open_ended
    {"open_ended", "requirements", "payments", "Accept cards, PayPal, etc.", true, {"etc"}},
    {"open_ended", "requirements", "formats", "Export to PDF, CSV and so on", true, {"and so on"}},
    {"open_ended", "security", "roles", "Roles including but not limited to admin and clerk", true,
     {"including but not limited to"}},
    {"open_ended", "requirements", "formats", "Export to PDF and CSV", false, {}},
    {"open_ended", "requirements", "etching", "Customers can order etchings", false, {}},
    // unbounded_quantity
    {"unbounded_quantity", "scalability", "many_users", "Many users at once", true, {"Many"}},
    {"unbounded_quantity", "scalability", "lot_orders", "We expect a lot of orders", true, {"a lot of"}},
    {"unbounded_quantity", "requirements", "several_languages", "Support several languages", true, {"several"}},
    {"unbounded_quantity", "scalability", "users", "Many users: up to 10000 at once", false, {}},
    {"unbounded_quantity", "goals", "manyfold", "A manyfold increase in sales", false, {}},
    {"unbounded_quantity", "goals", "most_important", "The most important goal is trust", false, {}},
    // missing_unit
    {"missing_unit", "performance", "p95_latency", "200", true, {"200"}},
    {"missing_unit", "performance", "response_time", "Pages must respond within 300", true, {"300"}},
    {"missing_unit", "monitoring", "uptime", "Uptime of 99.9", true, {"99.9"}},
    {"missing_unit", "data_retention", "logs_retention_period", "Logs are retained for 30", true, {"30"}},
    {"missing_unit", "performance", "p95_latency", "≤ 200 ms", false, {}},
    {"missing_unit", "performance", "p95_latency", "200ms", false, {}},
    {"missing_unit", "monitoring", "uptime", "Uptime of 99.9%", false, {}},
    {"missing_unit", "scalability", "peak_concurrent_users", "10000", false, {}},
    {"missing_unit", "performance", "p95_latency", "fast", false, {}},
    // tbd
    {"tbd", "tech_stack", "database", "TBD", true, {"TBD"}},
    {"tbd", "disaster_recovery", "rto", "To be determined with the host", true, {"To be determined"}},
    {"tbd", "security", "auth", "Login method TBC", true, {"TBC"}},
    {"tbd", "tech_stack", "database", "PostgreSQL", false, {}},
    {"tbd", "goals", "tbdx", "The TBDX index is our benchmark", false, {}},
};

INSTANTIATE_TEST_SUITE_P(ShippedRules, ClarityRuleTest, ::testing::ValuesIn(kCases));

TEST(ClarityTest, EveryShippedRuleHasACaseThatTriggersItAndOneThatMustNot) {
  for (const ClarityRule& rule : shipped().clarity().rules().rules()) {
    const bool triggers = std::any_of(std::begin(kCases), std::end(kCases),
                                      [&](const ClarityCase& c) { return c.rule == rule.id && c.triggers; });
    const bool silent = std::any_of(std::begin(kCases), std::end(kCases),
                                    [&](const ClarityCase& c) { return c.rule == rule.id && !c.triggers; });
    EXPECT_TRUE(triggers && silent) << rule.id;
  }
}

TEST(ClarityTest, TheSuggestedQuestionQuotesTheWordsInTheStatement) {
  const auto findings = shipped().check_clarity(spec("performance", "search_fast", "search must be fast", 0.9));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "vague_term");
  EXPECT_EQ(findings[0].question, "You said search must be 'fast' — how fast, at which percentile, under what load?");
}

TEST(ClarityTest, ABareValueIsQuotedWithItsSlot) {
  const auto findings = shipped().check_clarity(spec("performance", "p95_latency", "200", 0.9));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].question, "You said p95 latency: '200' — 200 what: milliseconds, seconds, minutes, days?");
}

TEST(ClarityTest, AValueCanBreakSeveralRulesInRuleOrder) {
  const auto findings =
      shipped().check_clarity(spec("goals", "shop", "The best, user-friendly shop for many readers, etc.", 0.9));
  std::vector<std::string> rules;
  for (const auto& f : findings) rules.push_back(f.rule);
  EXPECT_EQ(rules, (std::vector<std::string>{"vague_term", "superlative", "open_ended", "unbounded_quantity"}));
}

TEST(ClarityTest, AClearSpecificationHasNoFinding) {
  EXPECT_TRUE(shipped().clarity().is_clear(spec("tech_stack", "database", "PostgreSQL", 0.9)));
  EXPECT_TRUE(shipped().clarity().is_clear(spec("performance", "p95_latency", "≤ 200 ms", 0.9)));
  EXPECT_TRUE(
      shipped().clarity().is_clear(spec("security", "passwords_hashed", "Passwords are hashed with argon2id", 0.9)));
}

// The whole project's check at each turn (compute_coverage): the same answer as one at a time,
// for values seen before, values not seen before and the same value twice in one call.
TEST(ClarityTest, AreClearAnswersAsIsClearForEachSpecification) {
  const std::vector<Specification> specifications = {
      spec("performance", "search", "Search must be fast", 0.7),
      spec("tech_stack", "database", "PostgreSQL", 0.9),
      spec("usability", "ui", "The interface should be user-friendly, etc.", 0.7),
      spec("performance", "search", "Search must be fast", 0.7),
      spec("performance", "p95_latency", "≤ 200 ms at the 95th percentile", 0.9),
      spec("scalability", "users", "Many users at launch, maybe a lot more later (are_clear)", 0.6)};
  const std::vector<bool> first = shipped().clarity().are_clear(specifications);
  const std::vector<bool> again = shipped().clarity().are_clear(specifications);
  ASSERT_EQ(first.size(), specifications.size());
  for (std::size_t i = 0; i < specifications.size(); ++i) {
    EXPECT_EQ(first[i], shipped().clarity().is_clear(specifications[i])) << specifications[i].value;
    EXPECT_EQ(again[i], first[i]) << specifications[i].value;
  }
  EXPECT_EQ(first, (std::vector<bool>{false, true, false, false, true, false}));
  EXPECT_TRUE(shipped().clarity().are_clear({}).empty());
}

TEST(ClarityTest, FindingsAsJson) {
  const nlohmann::json out = shipped().check_clarity(spec("tech_stack", "database", "TBD", 0.9));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["rule"], "tbd");
  EXPECT_EQ(out[0]["words"], nlohmann::json::array({"TBD"}));
  EXPECT_TRUE(out[0]["question"].is_string());
}

struct UnknownCase {
  const char* answer;
  std::vector<std::string> clauses;
};

class UnknownClausesTest : public ::testing::TestWithParam<UnknownCase> {};

TEST_P(UnknownClausesTest, Found) { EXPECT_EQ(shipped().unknowns(GetParam().answer), GetParam().clauses); }

INSTANTIATE_TEST_SUITE_P(Answers, UnknownClausesTest,
                         ::testing::Values(UnknownCase{"I don't know", {"I don't know"}},
                                           UnknownCase{"Not sure yet.", {"Not sure yet"}},
                                           UnknownCase{"No idea, honestly", {"No idea, honestly"}},
                                           UnknownCase{"We haven't decided", {"We haven't decided"}},
                                           UnknownCase{"PostgreSQL. Hosting is to be decided.",
                                                       {"Hosting is to be decided"}},
                                           UnknownCase{"We know exactly: PostgreSQL", {}},
                                           UnknownCase{"Customers know what they want", {}},
                                           UnknownCase{"", {}}));

// ---- loading

std::string load_error(const nlohmann::json& rules) {
  test_support::TempDir dir;
  dir.copy_shipped();
  dir.write(kClarityRulesFile, rules);
  try {
    Engine::load(dir.path());
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

nlohmann::json shipped_rules() { return test_support::shipped_json(kClarityRulesFile); }

TEST(ClarityLoadingTest, ErrorsNameTheFileAndThePlace) {
  struct Broken {
    const char* pointer;
    nlohmann::json value;
    const char* message;
  };
  const Broken cases[] = {
      {"/maturity/unclear_factor", 1.5, "maturity.unclear_factor: expected a number from 0 to 1, got 1.5"},
      {"/rules/0/id", "Vague Term", "rules[0].id: a rule id must be snake_case"},
      {"/rules/1/id", "vague_term", "rules[1].id: rule 'vague_term' appears twice"},
      {"/rules/0/question", "You said {quote}", "rules[0].question: unknown placeholder {quote}"},
      {"/rules/6/needs_unit/0/family", "speed", "needs_unit: unknown unit family 'speed'"},
      {"/rules/2/phrases/0", "  ", "rules[2].phrases[0]: expected"},
      {"/sharpen/context", "{nope}", "sharpen.context: unknown placeholder {nope}"},
  };
  for (const Broken& c : cases) {
    nlohmann::json rules = shipped_rules();
    rules[nlohmann::json::json_pointer(c.pointer)] = c.value;
    const std::string error = load_error(rules);
    EXPECT_NE(error.find(kClarityRulesFile), std::string::npos) << error;
    EXPECT_NE(error.find(c.message), std::string::npos) << c.pointer << ": " << error;
  }
}

TEST(ClarityLoadingTest, ARuleNeedsPhrasesOrUnits) {
  nlohmann::json rules = shipped_rules();
  rules["rules"][0].erase("phrases");
  EXPECT_NE(load_error(rules).find("rules[0]: a rule needs 'phrases' or 'needs_unit'"), std::string::npos);
}

TEST(ClarityLoadingTest, AMissingFileStopsTheLoad) {
  test_support::TempDir dir;
  dir.copy_shipped();
  std::filesystem::remove(dir.path() / kClarityRulesFile);
  try {
    Engine::load(dir.path());
    FAIL() << "loaded without clarity_rules.json";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(kClarityRulesFile), std::string::npos);
  }
}

}  // namespace
}  // namespace socrates::engine

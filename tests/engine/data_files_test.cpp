// The shipped data files (libs/engine/data) against domain.md: the taxonomy table and gates, a bank of
// open, unbiased, solution-free questions, and the lexicon entries the domain names.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;

TEST(TaxonomyDataTest, MatchesTheDomainTable) {
  struct Row {
    const char* name;
    double target;
    const char* phase;
  };
  const std::vector<Row> expected = {{"goals", 10, "discovery"},      {"requirements", 15, "discovery"},
                                     {"tech_stack", 12, "analysis"},  {"scalability", 8, "analysis"},
                                     {"security", 10, "analysis"},    {"performance", 8, "analysis"},
                                     {"testing", 8, "design"},        {"monitoring", 6, "design"},
                                     {"data_retention", 5, "design"}, {"disaster_recovery", 8, "design"}};
  const auto& categories = shipped().taxonomy().categories();
  ASSERT_EQ(categories.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(categories[i].name, expected[i].name);
    EXPECT_EQ(categories[i].target, expected[i].target) << categories[i].name;
    EXPECT_EQ(categories[i].phase, expected[i].phase) << categories[i].name;
    EXPECT_FALSE(categories[i].description.empty());
  }
  EXPECT_EQ(shipped().taxonomy().total_target(), 90);
}

TEST(TaxonomyDataTest, DescriptionsAreOneSentence) {
  for (const Category& category : shipped().taxonomy().categories()) {
    const std::string& d = category.description;
    EXPECT_EQ(std::count(d.begin(), d.end(), '.'), 1) << category.name << ": " << d;
    EXPECT_EQ(d.back(), '.') << category.name;
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(d.front()))) << category.name;
  }
}

TEST(TaxonomyDataTest, PhasesAndGatesAreTheDomainDefaults) {
  const Taxonomy& taxonomy = shipped().taxonomy();
  EXPECT_EQ(taxonomy.phases(), (std::vector<std::string>{"discovery", "analysis", "design", "implementation"}));
  const std::vector<std::pair<std::string, int>> gates = {{"analysis", 60}, {"design", 80}, {"implementation", 95}};
  for (const auto& [phase, score] : gates) {
    const Gate* gate = taxonomy.gate(phase);
    ASSERT_NE(gate, nullptr) << phase;
    EXPECT_EQ(gate->required_score, score) << phase;
    EXPECT_EQ(gate->max_open_conflicts, 0) << phase;
  }
  EXPECT_EQ(taxonomy.gate("discovery"), nullptr);
}

// Sentences end with '.', '!' or '?' followed by a blank or the end of the text.
int sentence_count(const std::string& text) {
  int n = 0;
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((text[i] == '.' || text[i] == '!' || text[i] == '?') && (i + 1 == text.size() || text[i + 1] == ' ')) ++n;
  return n;
}

std::string first_word(const std::string& text) { return text.substr(0, text.find_first_of(" ,")); }

TEST(QuestionBankDataTest, EveryCategoryHasAtLeastSixOpenUnbiasedQuestions) {
  // Open questions ask what, which, who, where, why (or frame one: "If…, which…", "At what…");
  // closed ones start with an auxiliary, and DOMAIN wants WHAT and WHY, not HOW.
  const std::vector<std::string> open_starts = {"What", "Which", "Who",   "Where", "Why",
                                                "If",   "At",    "Under", "On",    "In"};
  for (const Category& category : shipped().taxonomy().categories()) {
    const auto& questions = shipped().question_bank().questions(category.name);
    EXPECT_GE(questions.size(), 6u) << category.name;
    for (const std::string& question : questions) {
      SCOPED_TRACE(category.name + ": " + question);
      EXPECT_EQ(question.back(), '?');
      EXPECT_EQ(sentence_count(question), 1) << "a bank question is one sentence";
      EXPECT_NE(std::find(open_starts.begin(), open_starts.end(), first_word(question)), open_starts.end())
          << "not an open WHAT/WHY question";
      const BiasReport bias = shipped().check_bias(question);
      EXPECT_EQ(bias.bias, 0.0);
      EXPECT_TRUE(bias.hits.empty());
      // Never proposes a technology: no term of the lexicon appears in it.
      for (const Candidate& candidate : shipped().extract(question, category.name))
        EXPECT_NE(candidate.origin, Origin::kTerm) << "names " << candidate.specification.value;
    }
  }
}

TEST(QuestionBankDataTest, FollowUpsQuoteTheSpecificationAndAskWhatOrWhy) {
  const QuestionBank& bank = shipped().question_bank();
  ASSERT_FALSE(bank.specification_follow_ups().empty());
  for (const std::string& pattern : bank.specification_follow_ups()) {
    EXPECT_EQ(pattern.rfind("You said '{quote}'. What ", 0), 0u) << pattern;
    EXPECT_EQ(pattern.back(), '?');
  }
  for (const std::string& pattern : bank.category_follow_ups()) {
    EXPECT_TRUE(pattern.rfind("What ", 0) == 0 || pattern.rfind("Why ", 0) == 0) << pattern;
    EXPECT_EQ(sentence_count(pattern), 1) << pattern;
  }
}

TEST(LexiconDataTest, KnowsTheDomainsTechnologiesUnderTheirAliases) {
  struct Row {
    const char* said;
    const char* key;
    const char* value;
  };
  const std::vector<Row> rows = {
      {"postgres", "database", "PostgreSQL"},
      {"PostgreSQL", "database", "PostgreSQL"},
      {"psql", "database", "PostgreSQL"},
      {"MySQL", "database", "MySQL"},
      {"mongo", "database", "MongoDB"},
      {"MongoDB", "database", "MongoDB"},
      {"SQLite", "database", "SQLite"},
      {"Redis", "cache", "Redis"},
      {"React", "frontend_framework", "React"},
      {"reactjs", "frontend_framework", "React"},
      {"Vue", "frontend_framework", "Vue.js"},
      {"Angular", "frontend_framework", "Angular"},
      {"Django", "backend_framework", "Django"},
      {"Spring", "backend_framework", "Spring Boot"},
      {"C++", "backend_language", "C++"},
      {"cpp", "backend_language", "C++"},
      {"Python", "backend_language", "Python"},
      {"Go", "backend_language", "Go"},
      {"golang", "backend_language", "Go"},
      {"Rust", "backend_language", "Rust"},
      {"Java", "backend_language", "Java"},
      {"Node", "backend_language", "Node.js"},
      {"AWS", "cloud_provider", "AWS"},
      {"Amazon Web Services", "cloud_provider", "AWS"},
      {"GCP", "cloud_provider", "Google Cloud"},
      {"Google Cloud", "cloud_provider", "Google Cloud"},
      {"Azure", "cloud_provider", "Azure"},
      {"Kubernetes", "container_orchestration", "Kubernetes"},
      {"k8s", "container_orchestration", "Kubernetes"},
      {"Docker", "containerization", "Docker"},
      {"TypeScript", "frontend_language", "TypeScript"},
  };
  for (const Row& row : rows) {
    const auto candidates = shipped().extract(std::string("We use ") + row.said + ".", "tech_stack");
    ASSERT_EQ(candidates.size(), 1u) << row.said;
    EXPECT_EQ(candidates[0].specification.category, "tech_stack") << row.said;
    EXPECT_EQ(candidates[0].specification.key, row.key) << row.said;
    EXPECT_EQ(candidates[0].specification.value, row.value) << row.said;
    EXPECT_EQ(candidates[0].origin, Origin::kTerm) << row.said;
  }
}

TEST(LexiconDataTest, KeywordsMoveClausesToTheirCategory) {
  struct Row {
    const char* answer;
    const char* category;
  };
  // Answered in direct chat, so that only the keywords decide.
  const std::vector<Row> rows = {
      {"Everything needs encryption.", "security"},
      {"Authentication goes through the company directory.", "security"},
      {"A restore is rehearsed by the ops team.", "disaster_recovery"},
      {"Failover to the standby site is manual.", "disaster_recovery"},
      {"We retain contracts forever.", "data_retention"},
      {"Closed tickets are archived.", "data_retention"},
      {"Integration tests run on every merge.", "testing"},
      {"Unit tests are written by the developers.", "testing"},
      {"Metrics and alerts go to the ops channel.", "monitoring"},
      {"The dashboards show sales by region.", "monitoring"},
      {"The app has to feel fast on old phones.", "performance"},
      {"The system must scale with the seasons.", "scalability"},
  };
  for (const Row& row : rows) {
    const auto candidates = shipped().extract(row.answer, "");
    ASSERT_EQ(candidates.size(), 1u) << row.answer;
    EXPECT_EQ(candidates[0].specification.category, row.category) << row.answer;
    EXPECT_EQ(candidates[0].origin, Origin::kKeyword) << row.answer;
  }
}

TEST(LexiconDataTest, ConfidenceMarkersAndNoInformationPhrasesOfTheDomain) {
  const ConfidenceRules& confidence = shipped().lexicon().confidence();
  EXPECT_EQ(confidence.firm_value, 0.9);
  EXPECT_EQ(confidence.default_value, 0.7);
  EXPECT_EQ(confidence.hedged_value, 0.5);
  for (const char* marker : {"must", "will", "we need", "has to"})
    EXPECT_NE(std::find(confidence.firm_markers.begin(), confidence.firm_markers.end(), marker),
              confidence.firm_markers.end())
        << marker;
  for (const char* marker : {"maybe", "probably", "might", "i think"})
    EXPECT_NE(std::find(confidence.hedged_markers.begin(), confidence.hedged_markers.end(), marker),
              confidence.hedged_markers.end())
        << marker;
  for (const char* answer : {"I don't know", "Not sure yet.", "No idea!", "I do not know, sorry."})
    EXPECT_TRUE(shipped().extract(answer, "goals").empty()) << answer;
}

TEST(LexiconDataTest, BiasPatternsAreTheDomainsWeights) {
  const BiasRules& bias = shipped().lexicon().bias();
  EXPECT_EQ(bias.max_bias, 0.5);
  EXPECT_EQ(bias.words_per_unit, 50);
  auto weight_of = [&](const std::string& phrase) {
    for (const BiasPattern& pattern : bias.patterns)
      if (std::find(pattern.phrases.begin(), pattern.phrases.end(), phrase) != pattern.phrases.end())
        return pattern.weight;
    return -1.0;
  };
  for (const char* phrase : {"should we use", "let's use", "must use"}) EXPECT_EQ(weight_of(phrase), 0.3) << phrase;
  for (const char* phrase : {"best framework", "industry standard", "most popular"})
    EXPECT_EQ(weight_of(phrase), 0.4) << phrase;
  for (const char* phrase : {"obviously", "clearly", "you need", "of course"})
    EXPECT_EQ(weight_of(phrase), 0.5) << phrase;
}

TEST(LexiconDataTest, MutuallyExclusiveChoicesOfTheDomain) {
  const std::vector<Specification> cloud = {{"tech_stack", "cloud_provider", "AWS", 0.9}};
  const auto on_premises = shipped().check({"tech_stack", "hosting", "on-premises", 0.9}, cloud);
  EXPECT_EQ(on_premises.outcome, CheckOutcome::kConflict);
  const std::vector<Specification> web = {{"requirements", "platform_web_only", "web only", 0.9}};
  const auto native = shipped().check({"requirements", "platform_native_mobile_apps", "native mobile apps", 0.9}, web);
  EXPECT_EQ(native.outcome, CheckOutcome::kConflict);
}

}  // namespace
}  // namespace socrates::engine

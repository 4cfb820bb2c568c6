// Loading errors: a missing or broken data file stops start-up with a message naming the file and
// the place of the problem.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace socrates::engine {
namespace {

using test_support::shipped_json;
using test_support::TempDir;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\"\ndoes not contain \"" << part << "\"";
}

// The message of the DataError `load` throws, or "" when it loads.
template <typename Fn>
std::string load_error(Fn&& load) {
  try {
    load();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

std::string engine_error(const TempDir& dir) {
  return load_error([&] { Engine::load(dir.path()); });
}

TEST(LoadingTest, TheShippedDataLoads) {
  EXPECT_EQ(load_error([] { Engine::load(SOCRATES_ENGINE_DATA_DIR); }), "");
}

TEST(LoadingTest, MissingDirectoryNamesTheFileItLookedFor) {
  const std::string error = load_error([] { Engine::load("/nonexistent/socrates/data"); });
  EXPECT_TRUE(Contains(error, "/nonexistent/socrates/data/taxonomy.json"));
  EXPECT_TRUE(Contains(error, "does not exist"));
}

TEST(LoadingTest, MissingFile) {
  TempDir dir;
  dir.copy_shipped();
  std::filesystem::remove(dir.path() / kLexiconFile);
  const std::string error = engine_error(dir);
  EXPECT_TRUE(Contains(error, (dir.path() / kLexiconFile).string()));
  EXPECT_TRUE(Contains(error, "does not exist"));
}

TEST(LoadingTest, MalformedJsonGivesLineAndColumn) {
  TempDir dir;
  dir.copy_shipped();
  dir.write(kQuestionBankFile, std::string("{\n  \"format\": 1,\n  \"questions\": [,]\n}\n"));
  const std::string error = engine_error(dir);
  EXPECT_TRUE(Contains(error, (dir.path() / kQuestionBankFile).string() + ": invalid JSON"));
  EXPECT_TRUE(Contains(error, "line 3"));
  EXPECT_FALSE(Contains(error, "[json.exception"));
}

struct BrokenCase {
  const char* file;
  const char* json_pointer;  // what to replace
  nlohmann::json value;      // with what (null: remove it)
  const char* expected;      // part of the message
};

TEST(LoadingTest, BrokenDocumentsNameThePlace) {
  const std::vector<BrokenCase> cases = {
      {kTaxonomyFile, "/format", 2, "format: format 2 is not supported; this engine reads format 1"},
      {kTaxonomyFile, "/categories/0/target", "ten", "categories[0].target: expected a number"},
      {kTaxonomyFile, "/categories/2/target", 0, "categories[2].target: expected a number from 0.1 to 10000, got 0"},
      {kTaxonomyFile, "/categories/1/name", "Requirements", "categories[1].name: a category name must be snake_case"},
      {kTaxonomyFile, "/categories/3/phase", "production", "categories[3].phase: unknown phase 'production'"},
      {kTaxonomyFile, "/categories/4/description", nullptr, "categories[4]: missing member 'description'"},
      {kTaxonomyFile, "/gates/0/phase", "release", "gates[0].phase: unknown phase 'release'"},
      {kTaxonomyFile, "/gates/1/required_score", 120, "gates[1].required_score: expected an integer from 0 to 100"},
      {kQuestionBankFile, "/questions/goals/1", "", "questions.goals[1]: expected a non-empty string"},
      {kQuestionBankFile, "/follow_ups/about_specification/0", "You said '{qoute}'. Why?",
       "follow_ups.about_specification[0]: unknown placeholder {qoute}; this template may use {quote}, {category}"},
      {kQuestionBankFile, "/replies/next", nullptr, "replies: missing member 'next'"},
      {kLexiconFile, "/terms/0/slot", "db", "terms[0].slot: unknown slot 'db' (declare it in 'slots')"},
      {kLexiconFile, "/terms/1/aliases/0", "postgres",
       "terms[1]: alias 'postgres' of 'MySQL' already names 'PostgreSQL'"},
      {kLexiconFile, "/slots/0/cardinality", "many", "slots[0].cardinality: expected \"single\" or \"multi\""},
      {kLexiconFile, "/metrics/0/family", "speed", "metrics[0].family: unknown unit family 'speed'"},
      {kLexiconFile, "/confidence/firm/value", 1.5, "confidence.firm.value: expected a number from 0.01 to 1, got 1.5"},
      {kLexiconFile, "/bias/patterns/0/phrases", "should we use", "bias.patterns[0].phrases: expected an array"},
      {kLexiconFile, "/exclusive_groups/0/choices/0/slot", "hostname",
       "exclusive_groups[0].choices[0].slot: unknown slot"},
  };
  for (const BrokenCase& c : cases) {
    SCOPED_TRACE(std::string(c.file) + c.json_pointer);
    TempDir dir;
    dir.copy_shipped();
    nlohmann::json document = shipped_json(c.file);
    const nlohmann::json::json_pointer pointer(c.json_pointer);
    if (c.value.is_null()) {
      document[pointer.parent_pointer()].erase(pointer.back());
    } else {
      document[pointer] = c.value;
    }
    dir.write(c.file, document);
    const std::string error = engine_error(dir);
    EXPECT_TRUE(Contains(error, (dir.path() / c.file).string() + ": "));
    EXPECT_TRUE(Contains(error, c.expected));
  }
}

TEST(LoadingTest, FilesThatDisagreeNameTheOffendingFile) {
  {
    // A question bank for a category the taxonomy does not have.
    TempDir dir;
    dir.copy_shipped();
    nlohmann::json bank = shipped_json(kQuestionBankFile);
    bank["questions"]["budget"] = {"What may the project cost, and why that amount?"};
    dir.write(kQuestionBankFile, bank);
    const std::string error = engine_error(dir);
    EXPECT_TRUE(Contains(error, (dir.path() / kQuestionBankFile).string() + ": questions: unknown category 'budget'"));
  }
  {
    // A taxonomy without a category the lexicon's slots use.
    TempDir dir;
    dir.copy_shipped();
    nlohmann::json taxonomy = shipped_json(kTaxonomyFile);
    taxonomy["categories"].erase(9);  // disaster_recovery
    dir.write(kTaxonomyFile, taxonomy);
    const std::string error = engine_error(dir);
    EXPECT_TRUE(Contains(error, (dir.path() / kLexiconFile).string() + ": "));
    EXPECT_TRUE(Contains(error, "unknown category 'disaster_recovery'"));
  }
  {
    // A biased category follow-up would leave a category without an askable question.
    TempDir dir;
    dir.copy_shipped();
    nlohmann::json bank = shipped_json(kQuestionBankFile);
    bank["follow_ups"]["about_category"] = {"Obviously you need {category}, of course?"};
    dir.write(kQuestionBankFile, bank);
    EXPECT_TRUE(Contains(engine_error(dir), "fails the bias check"));
  }
}

TEST(LoadingTest, ADeploymentMayShipItsOwnTaxonomy) {
  TempDir dir;
  dir.copy_shipped();
  nlohmann::json taxonomy = shipped_json(kTaxonomyFile);
  taxonomy["categories"][0]["target"] = 20;  // goals count double
  taxonomy["gates"][0]["required_score"] = 50;
  dir.write(kTaxonomyFile, taxonomy);
  const Engine engine = Engine::load(dir.path());
  EXPECT_EQ(engine.taxonomy().total_target(), 100);
  EXPECT_EQ(engine.taxonomy().gate("analysis")->required_score, 50);
  // 10 of 100 → 10.
  std::vector<Specification> specs;
  for (int i = 0; i < 10; ++i) specs.push_back({"goals", "k" + std::to_string(i), "v", 1.0});
  EXPECT_EQ(engine.maturity(specs, "discovery", 0).score, 10);
}

}  // namespace
}  // namespace socrates::engine

// The table-driven extraction suite: every case of tests/data/extraction_cases.json is one test
// (unit.Cases/ExtractionCaseTest.Run/<case name>). A case gives an answer, the category of the
// question it answers ("" for direct chat) and the specifications already recorded; it expects
// every candidate extracted, the conflicts they raise and the duplicates they restate. An expected
// specification names its key only where docs/domain.md gives it a slot (a slot or metric of the
// lexicon); a statement's key is made up by the extractor's word picker, so such a case checks its
// category, value and confidence and leaves the key to the engine. A failure
// prints the whole expected and actual outcome, so the case file can be corrected or the engine
// fixed without a debugger.

#include <socrates/engine/engine.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using json = nlohmann::json;

const Engine& engine() {
  static const Engine instance = Engine::load(SOCRATES_ENGINE_DATA_DIR);
  return instance;
}

struct Case {
  std::string name;
  json body;
  std::string load_error;  // set when the case file itself could not be read
};

// gtest prints a failing parameter; the case name says more than its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

// Reads the cases while the test binary starts; a broken file becomes one failing test that says
// why, instead of an exception before main().
std::vector<Case> load_cases() {
  const std::string path = std::string(SOCRATES_ENGINE_CASES_DIR) + "/extraction_cases.json";
  try {
    std::ifstream in(path);
    if (!in) return {{"CaseFileMissing", {}, "cannot open " + path}};
    const json document = json::parse(in);
    std::vector<Case> cases;
    for (const json& body : document.at("cases")) cases.push_back({body.at("name").get<std::string>(), body, ""});
    return cases;
  } catch (const std::exception& e) {
    return {{"CaseFileInvalid", {}, path + ": " + e.what()}};
  }
}

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = load_cases();
  return cases;
}

std::string spec_text(const std::string& category, const std::string& key, const std::string& value,
                      double confidence) {
  std::ostringstream out;
  out << category << "/" << key << " = '" << value << "' (" << confidence << ")";
  return out.str();
}

struct ExpectedSpec {
  std::string category, key, value;  // key "": any (a statement, no slot)
  double confidence = 0;
  std::string direction;       // optional: the bound's direction
  std::optional<double> base;  // optional: the bound's amount in base units
};

std::string describe(const ExpectedSpec& s) {
  return spec_text(s.category, s.key.empty() ? "(any key)" : s.key, s.value, s.confidence);
}
std::string describe(const Candidate& c) {
  const auto& s = c.specification;
  std::string text = spec_text(s.category, s.key, s.value, s.confidence);
  if (c.bound)
    text += std::string(" [") + to_string(c.bound->direction) + " " + std::to_string(c.bound->base_amount) + "]";
  return text;
}

bool matches(const ExpectedSpec& e, const Candidate& c) {
  const auto& s = c.specification;
  if (e.category != s.category || (!e.key.empty() && e.key != s.key) || e.value != s.value) return false;
  if (std::fabs(e.confidence - s.confidence) > 1e-9) return false;
  if (!e.direction.empty() && (!c.bound || e.direction != to_string(c.bound->direction))) return false;
  if (e.base && (!c.bound || std::fabs(*e.base - c.bound->base_amount) > 1e-6 * std::max(1.0, *e.base))) return false;
  return true;
}

// "candidate key -> type/severity against existing key"
std::string conflict_text(const std::string& key, const std::string& type, const std::string& severity,
                          const std::string& against) {
  return key + " -> " + type + "/" + severity + " against " + against;
}

class ExtractionCaseTest : public ::testing::TestWithParam<Case> {};

TEST_P(ExtractionCaseTest, Run) {
  const Case& c = GetParam();
  ASSERT_TRUE(c.load_error.empty()) << c.load_error;
  const json& body = c.body;

  std::vector<Specification> existing;
  for (const json& s : body.value("existing", json::array()))
    existing.push_back({s.at("category"), s.at("key"), s.at("value"), s.value("confidence", 0.7)});
  const std::string answer = body.at("answer");
  const std::string question_category = body.value("question_category", "");
  const AnswerAnalysis analysis = engine().analyse(answer, question_category, existing);

  const json& expect = body.at("expect");
  std::vector<ExpectedSpec> expected_specs;
  for (const json& s : expect.value("specifications", json::array())) {
    ExpectedSpec e{s.at("category"), s.value("key", ""), s.at("value"), s.value("confidence", 0.7), "", std::nullopt};
    if (s.contains("bound")) {
      e.direction = s["bound"].value("direction", "");
      if (s["bound"].contains("base_amount")) e.base = s["bound"]["base_amount"].get<double>();
    }
    expected_specs.push_back(std::move(e));
  }
  std::multiset<std::string> expected_conflicts, actual_conflicts, expected_duplicates, actual_duplicates;
  for (const json& k : expect.value("conflicts", json::array()))
    expected_conflicts.insert(conflict_text(k.at("key"), k.at("type"), k.at("severity"), k.at("against")));
  for (const json& d : expect.value("duplicates", json::array())) expected_duplicates.insert(d.get<std::string>());

  for (const Finding& f : analysis.findings) {
    const std::string key = f.candidate.specification.category + "/" + f.candidate.specification.key;
    if (f.check.outcome == CheckOutcome::kDuplicate) actual_duplicates.insert(key);
    for (const Conflict& k : f.check.conflicts)
      actual_conflicts.insert(
          conflict_text(key, to_string(k.type), to_string(k.severity), k.existing.category + "/" + k.existing.key));
  }

  // Specifications: in any order, each expected one exactly once.
  std::vector<bool> used(analysis.findings.size(), false);
  std::vector<std::string> missing;
  for (const ExpectedSpec& e : expected_specs) {
    bool found = false;
    for (std::size_t i = 0; i < analysis.findings.size() && !found; ++i) {
      if (!used[i] && matches(e, analysis.findings[i].candidate)) used[i] = found = true;
    }
    if (!found) missing.push_back(describe(e));
  }
  std::vector<std::string> unexpected;
  for (std::size_t i = 0; i < analysis.findings.size(); ++i)
    if (!used[i]) unexpected.push_back(describe(analysis.findings[i].candidate));

  std::ostringstream report;
  report << "answer: \"" << answer << "\" (question category: '" << question_category << "')\nclauses:";
  for (const auto& clause : engine().split_clauses(answer)) report << " [" << clause << "]";
  report << "\nextracted:";
  for (const Finding& f : analysis.findings)
    report << "\n  " << describe(f.candidate) << " -> " << to_string(f.check.outcome);
  if (analysis.findings.empty()) report << " nothing";
  for (const auto& m : missing) report << "\nMISSING specification:    " << m;
  for (const auto& u : unexpected) report << "\nUNEXPECTED specification: " << u;
  for (const auto& k : expected_conflicts)
    if (!actual_conflicts.count(k)) report << "\nMISSING conflict:    " << k;
  for (const auto& k : actual_conflicts)
    if (!expected_conflicts.count(k)) report << "\nUNEXPECTED conflict: " << k;
  for (const auto& d : expected_duplicates)
    if (!actual_duplicates.count(d)) report << "\nMISSING duplicate:    " << d;
  for (const auto& d : actual_duplicates)
    if (!expected_duplicates.count(d)) report << "\nUNEXPECTED duplicate: " << d;

  const bool ok = missing.empty() && unexpected.empty() && expected_conflicts == actual_conflicts &&
                  expected_duplicates == actual_duplicates;
  EXPECT_TRUE(ok) << report.str();
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.name;
  for (char& ch : name)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, ExtractionCaseTest, ::testing::ValuesIn(all_cases()), case_name);

// The keys the domain names: the lexicon's slots (a multi slot's values as `slot_value`), its
// metrics and their qualified keys (`logs_retention_period`).
bool is_domain_key(const std::string& key) {
  static const json lexicon = [] {
    std::ifstream in(std::string(SOCRATES_ENGINE_DATA_DIR) + "/lexicon.json");
    return json::parse(in);
  }();
  static const std::set<std::string> exact = [] {
    std::set<std::string> keys;
    for (const json& slot : lexicon.at("slots"))
      if (slot.value("cardinality", "single") == "single") keys.insert(slot.at("name").get<std::string>());
    for (const json& metric : lexicon.at("metrics")) {
      // A metric key with a figure's role: "requests_per_second_peak", "total_users_later".
      for (const char* role : {"", "_later", "_peak"}) keys.insert(metric.at("key").get<std::string>() + role);
      for (const json& qualifier : metric.value("qualifiers", json::array())) {
        std::string qualified = metric.at("qualified_key");
        qualified.replace(qualified.find("{qualifier}"), 11, qualifier.at("name").get<std::string>());
        keys.insert(qualified);
      }
    }
    return keys;
  }();
  static const std::vector<std::string> multi = [] {
    std::vector<std::string> prefixes;
    for (const json& slot : lexicon.at("slots"))
      if (slot.value("cardinality", "single") == "multi") prefixes.push_back(slot.at("name").get<std::string>() + "_");
    return prefixes;
  }();
  if (exact.count(key)) return true;
  return std::any_of(multi.begin(), multi.end(), [&](const std::string& p) { return key.rfind(p, 0) == 0; });
}

TEST(ExtractionCaseSuiteTest, ExpectedKeysAreTheDomainsSlotsNotTheWordPickers) {
  for (const Case& c : all_cases()) {
    if (!c.load_error.empty()) continue;
    for (const json& s : c.body.at("expect").value("specifications", json::array())) {
      if (!s.contains("key")) continue;
      EXPECT_TRUE(is_domain_key(s.at("key"))) << c.name << ": '" << s.at("key").get<std::string>()
                                              << "' is no slot of the lexicon: expect the category and value only";
    }
  }
}

// The suite itself: big enough, about every category, with unique names, and exercising the
// kinds of answers the issue names.
TEST(ExtractionCaseSuiteTest, CoversEveryCategoryWithAtLeastSixtyCases) {
  const auto& cases = all_cases();
  ASSERT_FALSE(cases.empty());
  ASSERT_TRUE(cases.front().load_error.empty()) << cases.front().load_error;
  EXPECT_GE(cases.size(), 60u);
  std::set<std::string> names, categories;
  int hedged = 0, nothing = 0, conflicts = 0, multi_clause = 0, with_bound = 0;
  for (const Case& c : cases) {
    EXPECT_TRUE(names.insert(case_name({c, 0})).second) << "duplicate case name " << c.name;
    const json& expect = c.body.at("expect");
    for (const json& s : expect.value("specifications", json::array())) {
      categories.insert(s.at("category").get<std::string>());
      if (s.value("confidence", 0.7) == 0.5) ++hedged;
      if (s.contains("bound")) ++with_bound;
    }
    if (expect.value("specifications", json::array()).empty()) ++nothing;
    if (!expect.value("conflicts", json::array()).empty()) ++conflicts;
    if (engine().split_clauses(c.body.at("answer").get<std::string>()).size() > 1) ++multi_clause;
  }
  for (const Category& category : engine().taxonomy().categories())
    EXPECT_TRUE(categories.count(category.name)) << "no case expects a specification in " << category.name;
  EXPECT_GE(hedged, 5);
  EXPECT_GE(nothing, 5);
  EXPECT_GE(conflicts, 8);
  EXPECT_GE(multi_clause, 10);
  EXPECT_GE(with_bound, 5);
}

}  // namespace
}  // namespace socrates::engine

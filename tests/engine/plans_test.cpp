// Baselines and plans in the engine: the diff of two sets of requirements by ID, the design
// outline and task list the shipped plan_rules.json derives from requirements, their order and
// dependencies, the checks of an edited plan, the coverage check, and refusals of broken rules.

#include "engine_test_support.hpp"

#include <socrates/engine/plans.hpp>
#include <socrates/engine/requirement_diff.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::shipped_json;
using test_support::TempDir;

Requirement req(std::string id, std::string category, std::string key, std::string value,
                std::vector<AcceptanceCriterion> acceptance = {}) {
  Requirement r;
  r.id = std::move(id);
  r.category = std::move(category);
  r.key = std::move(key);
  r.value = std::move(value);
  r.statement = "The system shall " + r.key + ": " + r.value + ".";
  r.acceptance = std::move(acceptance);
  return r;
}

std::vector<std::string> ids_of(const std::vector<Requirement>& list) {
  std::vector<std::string> out;
  for (const auto& r : list) out.push_back(r.id);
  return out;
}

const PlanRules& rules() {
  static const PlanRules loaded = PlanRules::load(SOCRATES_ENGINE_DATA_DIR, shipped().taxonomy());
  return loaded;
}

// A bakery's requirements, one or more per category.
std::vector<Requirement> bakery() {
  return {req("GOAL-001", "goals", "purpose", "help small bakeries take orders online"),
          req("REQ-001", "requirements", "place_order", "customers place an order"),
          req("REQ-002", "requirements", "platform_web", "web"),
          req("TECH-001", "tech_stack", "database", "PostgreSQL"),
          req("TECH-002", "tech_stack", "backend_language", "Python"),
          req("TECH-003", "tech_stack", "cloud_provider", "AWS"),
          req("TECH-004", "tech_stack", "payment_provider", "Stripe"),
          req("TECH-005", "tech_stack", "frontend_framework", "React"),
          req("PERF-001", "performance", "p95_latency", "300 ms",
              {{"the system serves its usual load", "a page is requested", "95% of answers arrive within 300 ms"}}),
          req("SEC-001", "security", "compliance_gdpr", "GDPR"),
          req("SCAL-001", "scalability", "peak_concurrent_users", "500 users"),
          req("TEST-001", "testing", "coverage_target", "80%"),
          req("MON-001", "monitoring", "alerts", "alerts reach the on-call developer"),
          req("DATA-001", "data_retention", "retention_period", "10 years"),
          req("DR-001", "disaster_recovery", "rpo", "1 hour")};
}

const OutlineSection* section(const DesignOutline& outline, const std::string& id) {
  for (const auto& s : outline.sections)
    if (s.id == id) return &s;
  return nullptr;
}

const PlanTask* task_citing(const TaskList& list, const std::string& requirement_id) {
  for (const auto& t : list.tasks)
    if (std::find(t.requirement_ids.begin(), t.requirement_ids.end(), requirement_id) != t.requirement_ids.end())
      return &t;
  return nullptr;
}

// ---- the diff

TEST(RequirementDiffTest, NothingChangedIsAnEmptyDiff) {
  EXPECT_TRUE(diff_requirements(bakery(), bakery()).empty());
  EXPECT_TRUE(diff_requirements({}, {}).empty());
}

TEST(RequirementDiffTest, AddedChangedAndRemovedByIdEachInIdOrder) {
  std::vector<Requirement> before = {req("PERF-001", "performance", "p95_latency", "300 ms"),
                                     req("SEC-002", "security", "tls", "TLS 1.2"),
                                     req("SEC-001", "security", "mfa", "staff use two factors")};
  std::vector<Requirement> after = {req("SEC-002", "security", "tls", "TLS 1.3"),
                                    req("PERF-001", "performance", "p95_latency", "300 ms"),
                                    req("PERF-010", "performance", "p99_latency", "1 s"),
                                    req("PERF-002", "performance", "availability", "99.9%")};
  const RequirementDiff diff = diff_requirements(before, after);
  EXPECT_EQ(ids_of(diff.added), (std::vector<std::string>{"PERF-002", "PERF-010"}));
  ASSERT_EQ(diff.changed.size(), 1u);
  EXPECT_EQ(diff.changed[0].before.id, "SEC-002");
  EXPECT_EQ(diff.changed[0].before.statement, "The system shall tls: TLS 1.2.");
  EXPECT_EQ(diff.changed[0].after.statement, "The system shall tls: TLS 1.3.");
  EXPECT_EQ(ids_of(diff.removed), (std::vector<std::string>{"SEC-001"}));
}

TEST(RequirementDiffTest, ARewordedStatementWithTheSameValueIsAChange) {
  Requirement old = req("REQ-001", "requirements", "place_order", "customers place an order");
  Requirement reworded = old;
  reworded.statement = "When a customer checks out, the system shall place the order.";
  const auto diff = diff_requirements({old}, {reworded});
  ASSERT_EQ(diff.changed.size(), 1u);
  EXPECT_EQ(diff.changed[0].after.statement, reworded.statement);
}

TEST(RequirementDiffTest, AnIdWhoseSlotMovedIsComparedByIdNotBySlot) {
  // IDs are the identity: the same slot under a new ID is one removed and one added.
  const auto diff = diff_requirements({req("SEC-001", "security", "tls", "TLS")}, {req("SEC-002", "security", "tls", "TLS")});
  EXPECT_EQ(ids_of(diff.added), (std::vector<std::string>{"SEC-002"}));
  EXPECT_EQ(ids_of(diff.removed), (std::vector<std::string>{"SEC-001"}));
  EXPECT_TRUE(diff.changed.empty());
}

TEST(RequirementDiffTest, RequirementsWithoutAnIdAreLeftOut) {
  const auto diff = diff_requirements({}, {req("", "security", "tls", "TLS")});
  EXPECT_TRUE(diff.empty());
}

TEST(RequirementDiffTest, EverythingNewIsAddedAndEverythingGoneIsRemoved) {
  EXPECT_EQ(diff_requirements({}, bakery()).added.size(), bakery().size());
  EXPECT_EQ(diff_requirements(bakery(), {}).removed.size(), bakery().size());
}

struct IdOrderCase {
  const char* a;
  const char* b;
  bool less;
};

class IdOrderTest : public ::testing::TestWithParam<IdOrderCase> {};

TEST_P(IdOrderTest, ComparesByPrefixThenNumber) {
  EXPECT_EQ(id_less(GetParam().a, GetParam().b), GetParam().less) << GetParam().a << " < " << GetParam().b;
}

INSTANTIATE_TEST_SUITE_P(Cases, IdOrderTest,
                         ::testing::Values(IdOrderCase{"PERF-2", "PERF-010", true},
                                           IdOrderCase{"PERF-010", "PERF-2", false},
                                           IdOrderCase{"PERF-999", "SEC-001", true},
                                           IdOrderCase{"SEC-001", "SEC-001", false},
                                           IdOrderCase{"SEC-001", "NOTE", true},
                                           IdOrderCase{"ALPHA", "BETA", true},
                                           IdOrderCase{"REQ-100", "REQ-99", false}));

// ---- the design outline

TEST(DesignOutlineTest, EveryRequirementIsCitedByExactlyOneSection) {
  const auto outline = rules().design_outline(bakery());
  std::map<std::string, int> cited;
  for (const auto& s : outline.sections) {
    EXPECT_FALSE(s.requirement_ids.empty()) << s.id;
    for (const auto& id : s.requirement_ids) ++cited[id];
  }
  for (const auto& r : bakery()) EXPECT_EQ(cited[r.id], 1) << r.id;
  EXPECT_TRUE(coverage(outline, ids_of(bakery())).complete());
}

TEST(DesignOutlineTest, SlotsPlaceRequirementsInComponentsDataInterfacesAndConstraints) {
  const auto outline = rules().design_outline(bakery());
  struct Expect {
    const char* requirement;
    const char* section;
    SectionKind kind;
  };
  for (const Expect& e : {Expect{"TECH-001", "data_store", SectionKind::kData},
                          Expect{"TECH-002", "backend", SectionKind::kComponent},
                          Expect{"TECH-003", "platform", SectionKind::kComponent},
                          Expect{"TECH-005", "user_interface", SectionKind::kInterface},
                          Expect{"REQ-002", "user_interface", SectionKind::kInterface},
                          Expect{"REQ-001", "features", SectionKind::kComponent},
                          Expect{"PERF-001", "performance", SectionKind::kConstraint},
                          Expect{"SEC-001", "security", SectionKind::kConstraint},
                          Expect{"DATA-001", "data_lifecycle", SectionKind::kData},
                          Expect{"DR-001", "recovery", SectionKind::kComponent}}) {
    const OutlineSection* s = section(outline, e.section);
    ASSERT_NE(s, nullptr) << e.section;
    EXPECT_EQ(s->kind, e.kind) << e.section;
    EXPECT_NE(std::find(s->requirement_ids.begin(), s->requirement_ids.end(), e.requirement), s->requirement_ids.end())
        << e.requirement << " is not in " << e.section;
  }
}

TEST(DesignOutlineTest, ASlotTheRulesDoNotNameFallsToItsCategorysGeneralSection) {
  const auto outline = rules().design_outline(bakery());
  const OutlineSection* technology = section(outline, "technology");
  ASSERT_NE(technology, nullptr);
  EXPECT_EQ(technology->requirement_ids, (std::vector<std::string>{"TECH-004"}));  // the payment provider
}

TEST(DesignOutlineTest, SectionsWithoutRequirementsAreLeftOutAndTheOrderIsTheRules) {
  const auto outline = rules().design_outline({req("SEC-001", "security", "tls", "TLS"),
                                               req("TECH-001", "tech_stack", "database", "PostgreSQL")});
  ASSERT_EQ(outline.sections.size(), 2u);
  EXPECT_EQ(outline.sections[0].id, "data_store");
  EXPECT_EQ(outline.sections[1].id, "security");
  EXPECT_TRUE(rules().design_outline({}).sections.empty());
}

TEST(DesignOutlineTest, CitationsAreInIdOrderAndRequirementsWithoutAnIdAreSkipped) {
  const auto outline = rules().design_outline({req("SEC-010", "security", "a", "x"), req("SEC-002", "security", "b", "y"),
                                               req("", "security", "c", "z")});
  ASSERT_EQ(outline.sections.size(), 1u);
  EXPECT_EQ(outline.sections[0].requirement_ids, (std::vector<std::string>{"SEC-002", "SEC-010"}));
}

TEST(DesignOutlineTest, AsJsonEverySectionHasItsKindTitleAndCitations) {
  const auto json = outline_json(rules().design_outline(bakery()));
  ASSERT_TRUE(json["sections"].is_array());
  for (const auto& s : json["sections"]) {
    EXPECT_TRUE(s["kind"] == "component" || s["kind"] == "data" || s["kind"] == "interface" || s["kind"] == "constraint");
    EXPECT_FALSE(s["title"].get<std::string>().empty());
    EXPECT_FALSE(s["requirement_ids"].empty());
  }
  DesignOutline back;
  EXPECT_TRUE(read_outline(json, ids_of(bakery()), back).empty());
  EXPECT_EQ(outline_json(back), json) << "an outline reads back as it was written";
}

// ---- the task list

TEST(TaskListTest, EveryRequirementIsCoveredByATask) {
  const auto list = rules().task_list(bakery());
  const auto covered = coverage(list, ids_of(bakery()));
  EXPECT_TRUE(covered.complete()) << covered.uncovered.size();
  EXPECT_EQ(covered.requirements, bakery().size());
  EXPECT_EQ(covered.covered, bakery().size());
}

TEST(TaskListTest, EveryTaskComesAfterTheTasksItDependsOn) {
  const auto list = rules().task_list(bakery());
  std::set<std::string> done;
  for (const auto& task : list.tasks) {
    for (const auto& dependency : task.depends_on) EXPECT_TRUE(done.count(dependency)) << task.id << " needs " << dependency;
    done.insert(task.id);
  }
}

TEST(TaskListTest, DependenciesFollowTheRules) {
  const auto list = rules().task_list(bakery());
  const PlanTask* data = task_citing(list, "TECH-001");
  const PlanTask* backend = task_citing(list, "TECH-002");
  const PlanTask* features = task_citing(list, "REQ-001");
  const PlanTask* ui = task_citing(list, "TECH-005");
  ASSERT_TRUE(data && backend && features && ui);
  auto depends = [](const PlanTask* t, const PlanTask* on) {
    return std::find(t->depends_on.begin(), t->depends_on.end(), on->id) != t->depends_on.end();
  };
  EXPECT_TRUE(depends(backend, data));
  EXPECT_TRUE(depends(features, backend));
  EXPECT_TRUE(depends(ui, features));
  EXPECT_FALSE(depends(data, features));
}

TEST(TaskListTest, AnAbsentSectionPassesOnWhatItBuildsOn) {
  // No backend and no API: the features build on the data store directly (backend's own "after").
  const auto list = rules().task_list({req("TECH-001", "tech_stack", "database", "PostgreSQL"),
                                       req("REQ-001", "requirements", "place_order", "customers order")});
  ASSERT_EQ(list.tasks.size(), 2u);
  EXPECT_EQ(list.tasks[0].requirement_ids, (std::vector<std::string>{"TECH-001"}));
  EXPECT_EQ(list.tasks[1].depends_on, (std::vector<std::string>{list.tasks[0].id}));
}

TEST(TaskListTest, TasksAreNumberedInOrder) {
  const auto list = rules().task_list(bakery());
  for (std::size_t i = 0; i < list.tasks.size(); ++i) {
    const std::string number = std::to_string(i + 1);
    EXPECT_EQ(list.tasks[i].id, "T-" + std::string(2 - std::min<std::size_t>(2, number.size()), '0') + number);
  }
  EXPECT_EQ(list.tasks.front().requirement_ids, (std::vector<std::string>{"GOAL-001"})) << "scope comes first";
}

TEST(TaskListTest, AMeasurableRequirementIsProvedByItsGivenWhenThen) {
  const auto list = rules().task_list(bakery());
  const PlanTask* performance = task_citing(list, "PERF-001");
  ASSERT_NE(performance, nullptr);
  ASSERT_EQ(performance->acceptance.size(), 1u);
  EXPECT_EQ(performance->acceptance[0].requirement_id, "PERF-001");
  EXPECT_EQ(performance->acceptance[0].text,
            "Given the system serves its usual load, when a page is requested, then 95% of answers arrive within 300 ms");
}

TEST(TaskListTest, CriteriaThatSayTheirKeywordsAreNotDoubled) {
  const auto list = rules().task_list(
      {req("PERF-001", "performance", "p95_latency", "300 ms", {{"Given a load", "when asked", "then within 300 ms"}})});
  ASSERT_EQ(list.tasks.size(), 1u);
  EXPECT_EQ(list.tasks[0].acceptance[0].text, "Given a load, when asked, then within 300 ms");
}

TEST(TaskListTest, ARequirementWithoutCriteriaIsProvedByItsStatement) {
  const auto list = rules().task_list({req("SEC-001", "security", "tls", "TLS 1.3")});
  ASSERT_EQ(list.tasks.size(), 1u);
  ASSERT_EQ(list.tasks[0].acceptance.size(), 1u);
  EXPECT_EQ(list.tasks[0].acceptance[0].text, "Holds as written: The system shall tls: TLS 1.3.");
}

TEST(TaskListTest, AsJsonItReadsBackAsItWasWritten) {
  const auto json = tasks_json(rules().task_list(bakery()));
  TaskList back;
  EXPECT_TRUE(read_tasks(json, ids_of(bakery()), back).empty());
  EXPECT_EQ(tasks_json(back), json);
}

TEST(TaskListTest, TheWorkedExampleOfTheDomainDocument) {
  const std::vector<Requirement> example = {
      req("TECH-001", "tech_stack", "database", "PostgreSQL"), req("TECH-002", "tech_stack", "backend_language", "Python"),
      req("REQ-001", "requirements", "place_order", "customers place an order"),
      req("REQ-002", "requirements", "platform_web", "web"),
      req("PERF-001", "performance", "p95_latency", "300 ms",
          {{"the usual load", "a page is requested", "95% of answers arrive within 300 ms"}})};
  std::vector<std::string> sections;
  for (const auto& s : rules().design_outline(example).sections) sections.push_back(s.title);
  EXPECT_EQ(sections, (std::vector<std::string>{"Data stores", "Backend service", "Core features", "User interfaces",
                                                "Performance and availability"}));
  const auto list = rules().task_list(example);
  ASSERT_EQ(list.tasks.size(), 5u);
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"Set up the data stores and their schema", {}},
      {"Build the backend service skeleton", {"T-01"}},
      {"Implement the core features", {"T-02"}},
      {"Build the user interfaces", {"T-03"}},
      {"Meet the performance and availability targets", {"T-03"}}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(list.tasks[i].title, expected[i].first);
    EXPECT_EQ(list.tasks[i].depends_on, expected[i].second) << list.tasks[i].title;
  }
  EXPECT_TRUE(coverage(list, ids_of(example)).complete());
}

// ---- checks of an edited (or generated) plan

TEST(PlanCheckTest, AnOutlineCitingAnUnknownIdIsRefusedNamingThePlace) {
  const nlohmann::json plan = {{"sections",
                                {{{"kind", "data"}, {"title", "Store"}, {"requirement_ids", {"TECH-001"}}},
                                 {{"kind", "component"}, {"title", "Ghost"}, {"requirement_ids", {"REQ-001", "GHOST-9"}}}}}};
  DesignOutline out;
  const auto problems = read_outline(plan, ids_of(bakery()), out);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "sections/1/requirement_ids/1");
  EXPECT_NE(problems[0].message.find("GHOST-9"), std::string::npos);
}

struct BadOutline {
  const char* name;
  nlohmann::json plan;
  const char* field;
};

class BadOutlineTest : public ::testing::TestWithParam<BadOutline> {};

TEST_P(BadOutlineTest, IsRefused) {
  DesignOutline out;
  const auto problems = read_outline(GetParam().plan, ids_of(bakery()), out);
  ASSERT_FALSE(problems.empty()) << GetParam().name;
  EXPECT_EQ(problems[0].field, GetParam().field) << GetParam().name << ": " << problems[0].message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadOutlineTest,
    ::testing::Values(
        BadOutline{"not_an_object", nlohmann::json::array(), ""},
        BadOutline{"no_sections", nlohmann::json::object(), "sections"},
        BadOutline{"unknown_kind", {{"sections", {{{"kind", "widget"}, {"title", "A"}, {"requirement_ids", {"SEC-001"}}}}}},
                   "sections/0/kind"},
        BadOutline{"no_title", {{"sections", {{{"kind", "data"}, {"requirement_ids", {"SEC-001"}}}}}}, "sections/0/title"},
        BadOutline{"cites_nothing", {{"sections", {{{"kind", "data"}, {"title", "A"}, {"requirement_ids", nlohmann::json::array()}}}}},
                   "sections/0/requirement_ids"},
        BadOutline{"id_not_a_string", {{"sections", {{{"kind", "data"}, {"title", "A"}, {"requirement_ids", {7}}}}}},
                   "sections/0/requirement_ids/0"},
        BadOutline{"duplicate_section",
                   {{"sections",
                     {{{"id", "a"}, {"kind", "data"}, {"title", "A"}, {"requirement_ids", {"SEC-001"}}},
                      {{"id", "a"}, {"kind", "data"}, {"title", "B"}, {"requirement_ids", {"SEC-001"}}}}}},
                   "sections/1/id"}),
    [](const auto& param) { return std::string(param.param.name); });

struct BadTasks {
  const char* name;
  nlohmann::json plan;
  const char* field;
};

class BadTasksTest : public ::testing::TestWithParam<BadTasks> {};

TEST_P(BadTasksTest, IsRefused) {
  TaskList out;
  const auto problems = read_tasks(GetParam().plan, ids_of(bakery()), out);
  ASSERT_FALSE(problems.empty()) << GetParam().name;
  EXPECT_EQ(problems[0].field, GetParam().field) << GetParam().name << ": " << problems[0].message;
}

nlohmann::json task(const char* id, std::vector<std::string> cites, std::vector<std::string> after = {}) {
  return {{"id", id}, {"title", std::string("Task ") + id}, {"requirement_ids", cites}, {"depends_on", after}};
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadTasksTest,
    ::testing::Values(
        BadTasks{"unknown_requirement", {{"tasks", {task("T-1", {"SEC-404"})}}}, "tasks/0/requirement_ids/0"},
        BadTasks{"depends_on_a_later_task", {{"tasks", {task("T-1", {"SEC-001"}, {"T-2"}), task("T-2", {"SEC-001"})}}},
                 "tasks/0/depends_on/0"},
        BadTasks{"depends_on_itself", {{"tasks", {task("T-1", {"SEC-001"}, {"T-1"})}}}, "tasks/0/depends_on/0"},
        BadTasks{"duplicate_task", {{"tasks", {task("T-1", {"SEC-001"}), task("T-1", {"SEC-001"})}}}, "tasks/1/id"},
        BadTasks{"no_id", {{"tasks", {{{"title", "A"}, {"requirement_ids", {"SEC-001"}}}}}}, "tasks/0/id"},
        BadTasks{"criterion_for_an_unknown_requirement",
                 {{"tasks",
                   {{{"id", "T-1"},
                     {"title", "A"},
                     {"requirement_ids", {"SEC-001"}},
                     {"acceptance", {{{"requirement_id", "NOPE-1"}, {"text", "it works"}}}}}}}},
                 "tasks/0/acceptance/0/requirement_id"},
        BadTasks{"tasks_not_an_array", {{"tasks", "T-1"}}, "tasks"}),
    [](const auto& param) { return std::string(param.param.name); });

TEST(PlanCheckTest, AGoodEditedTaskListIsReadInItsOrder) {
  const nlohmann::json plan = {{"tasks", {task("setup", {"TECH-001"}), task("build", {"REQ-001", "REQ-002"}, {"setup"})}}};
  TaskList out;
  EXPECT_TRUE(read_tasks(plan, ids_of(bakery()), out).empty());
  ASSERT_EQ(out.tasks.size(), 2u);
  EXPECT_EQ(out.tasks[1].depends_on, (std::vector<std::string>{"setup"}));
}

// ---- the coverage check

TEST(CoverageTest, NamesTheRequirementsNoTaskCitesInIdOrder) {
  TaskList list;
  list.tasks.push_back({"T-01", "A", "", {"SEC-001"}, {}, {}});
  const auto covered = coverage(list, {"SEC-010", "SEC-001", "PERF-002"});
  EXPECT_FALSE(covered.complete());
  EXPECT_EQ(covered.requirements, 3u);
  EXPECT_EQ(covered.covered, 1u);
  EXPECT_EQ(covered.uncovered, (std::vector<std::string>{"PERF-002", "SEC-010"}));
  const auto json = coverage_json(covered);
  EXPECT_EQ(json["complete"], false);
  EXPECT_EQ(json["uncovered"], nlohmann::json({"PERF-002", "SEC-010"}));
}

TEST(CoverageTest, AnEmptyProjectIsCompletelyCovered) {
  EXPECT_TRUE(coverage(TaskList{}, {}).complete());
  EXPECT_FALSE(coverage(TaskList{}, {"SEC-001"}).complete());
}

TEST(CoverageTest, ACitationOfARequirementThatIsGoneCoversNothing) {
  TaskList list;
  list.tasks.push_back({"T-01", "A", "", {"SEC-001", "OLD-001"}, {}, {}});
  const auto covered = coverage(list, {"SEC-001"});
  EXPECT_TRUE(covered.complete());
  EXPECT_EQ(covered.covered, 1u);
}

// ---- the rules file

TEST(PlanRulesDataTest, EveryCategoryOfTheTaxonomyHasASection) {
  std::vector<Requirement> one_each;
  for (const auto& category : shipped().taxonomy().categories())
    one_each.push_back(req(category.name + "-1", category.name, "something_else", "x"));
  for (const auto& s : rules().design_outline(one_each).sections)
    EXPECT_EQ(s.id.rfind("other_", 0), std::string::npos) << s.id << ": a shipped category has no section rule";
}

TEST(PlanRulesDataTest, ACategoryNoRuleNamesGetsASectionOfItsOwn) {
  nlohmann::json document = shipped_json(kPlanRulesFile);
  auto& sections = document["sections"];
  sections.erase(std::remove_if(sections.begin(), sections.end(), [](const nlohmann::json& s) { return s["id"] == "recovery"; }),
                 sections.end());
  const PlanRules reduced = PlanRules::parse(document, "plan_rules.json", shipped().taxonomy());
  const auto outline = reduced.design_outline({req("DR-001", "disaster_recovery", "rpo", "1 hour")});
  ASSERT_EQ(outline.sections.size(), 1u);
  EXPECT_EQ(outline.sections[0].id, "other_disaster_recovery");
  EXPECT_EQ(outline.sections[0].requirement_ids, (std::vector<std::string>{"DR-001"}));
  const auto list = reduced.task_list({req("DR-001", "disaster_recovery", "rpo", "1 hour")});
  ASSERT_EQ(list.tasks.size(), 1u);
  EXPECT_TRUE(coverage(list, {"DR-001"}).complete());
}

struct BrokenRules {
  const char* name;
  const char* patch;  // JSON merged into the first section
  const char* says;
};

class BrokenRulesTest : public ::testing::TestWithParam<BrokenRules> {};

TEST_P(BrokenRulesTest, StopLoadingWithAMessageNamingTheFileAndPlace) {
  nlohmann::json document = shipped_json(kPlanRulesFile);
  document["sections"][0].merge_patch(nlohmann::json::parse(GetParam().patch));
  TempDir dir;
  dir.write(kPlanRulesFile, document.dump());
  try {
    PlanRules::load(dir.path(), shipped().taxonomy());
    ADD_FAILURE() << GetParam().name << " was accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("plan_rules.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(GetParam().says), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BrokenRulesTest,
    ::testing::Values(BrokenRules{"unknown_category", R"({"match":[{"category":"astrology"}]})", "unknown category 'astrology'"},
                      BrokenRules{"unknown_kind", R"({"kind":"widget"})", "expected one of component"},
                      BrokenRules{"unknown_after", R"({"after":["nowhere"]})", "unknown section 'nowhere'"},
                      BrokenRules{"cycle", R"({"after":["verification"]})", "build on each other"},
                      BrokenRules{"duplicate_id", R"({"id":"platform"})", "appears twice"},
                      BrokenRules{"no_match", R"({"match":[]})", "at least one category"}),
    [](const auto& param) { return std::string(param.param.name); });

TEST(PlanRulesDataTest, AMissingFileIsADataError) {
  TempDir dir;
  EXPECT_THROW(PlanRules::load(dir.path(), shipped().taxonomy()), DataError);
}

}  // namespace
}  // namespace socrates::engine

#pragma once
// Plans behind the gates: the design outline a project gets on entering design (the components,
// data, interfaces and constraints its requirements imply) and the task list it gets on entering
// implementation (ordered tasks with dependencies, each citing the requirements it satisfies and
// the acceptance criteria that prove it), with the checks every plan passes before it is kept:
// each cited requirement ID exists, task dependencies point at earlier tasks, and the coverage
// check (which requirements no task cites).
//
// The built-in plans come from plan_rules.json (beside the taxonomy; a deployment may replace
// it): each section rule matches requirements by category and slot, names its kind and the
// sections it builds on; a task is a section's work in dependency order.
//
// Ownership and threading: PlanRules is immutable after loading; every member is const and pure,
// so one instance serves every thread. Loading throws DataError; nothing else throws.

#include <socrates/engine/requirement.hpp>
#include <socrates/engine/taxonomy.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

inline constexpr const char* kPlanRulesFile = "plan_rules.json";

enum class SectionKind { kComponent, kData, kInterface, kConstraint };

std::string_view to_string(SectionKind kind) noexcept;
std::optional<SectionKind> section_kind_from(std::string_view text) noexcept;

struct OutlineSection {
  std::string id;  // the rule's id ("data_store"), or one the model or an editor chose
  SectionKind kind = SectionKind::kComponent;
  std::string title;
  std::string summary;
  std::vector<std::string> requirement_ids;  // the requirements the section serves, never empty
};

struct DesignOutline {
  std::vector<OutlineSection> sections;
};

// One acceptance criterion of a task: a requirement it satisfies and what proves it (the
// requirement's Given/When/Then, or its statement checked as written).
struct TaskCriterion {
  std::string requirement_id;
  std::string text;
};

struct PlanTask {
  std::string id;  // "T-01"
  std::string title;
  std::string description;
  std::vector<std::string> requirement_ids;
  std::vector<TaskCriterion> acceptance;
  std::vector<std::string> depends_on;  // ids of earlier tasks
};

struct TaskList {
  std::vector<PlanTask> tasks;  // in order: every task after the tasks it depends on
};

// Which requirements a plan cites: `uncovered` are current requirement IDs no section or task
// cites (in ID order).
struct PlanCoverage {
  std::size_t requirements = 0;
  std::size_t covered = 0;
  std::vector<std::string> uncovered;
  bool complete() const noexcept { return uncovered.empty(); }
};

// A problem of a plan as JSON: `field` is a JSON pointer into it ("sections/0/requirement_ids/1").
struct PlanProblem {
  std::string field;
  std::string message;
};

class PlanRules {
 public:
  // Reads plan_rules.json from `data_dir`; its categories must be the taxonomy's.
  static PlanRules load(const std::filesystem::path& data_dir, const Taxonomy& taxonomy);
  // `source` names the document in error messages.
  static PlanRules parse(const nlohmann::json& document, std::string source, const Taxonomy& taxonomy);

  // One section per rule that matches at least one requirement, in rule order, and one per
  // category whose requirements no rule matched; every requirement with an ID is cited once.
  DesignOutline design_outline(const std::vector<Requirement>& requirements) const;
  // One task per section of design_outline, ordered so that each comes after the tasks of the
  // sections its rule builds on (the nearest present ones when a section is absent).
  TaskList task_list(const std::vector<Requirement>& requirements) const;

 private:
  struct Match {
    std::string category;
    std::vector<std::string> keys;  // empty: the whole category; a key also matches "<key>_…"
  };
  struct Rule {
    std::string id;
    SectionKind kind = SectionKind::kComponent;
    std::string title, summary, task;
    std::vector<Match> matches;
    std::vector<std::string> after;  // rule ids
  };
  const Rule* rule_for(const Requirement& requirement) const;
  std::vector<std::string> present_after(const std::string& rule_id, const std::vector<std::string>& present) const;

  std::vector<Rule> rules_;
  const Taxonomy* taxonomy_ = nullptr;  // for category labels of fallback sections
  std::vector<std::string> category_labels_;
  std::vector<std::string> category_names_;
  std::string source_;
};

// ---- plans as JSON: {"sections":[{"id","kind","title","summary","requirement_ids"}]} and
// {"tasks":[{"id","title","description","requirement_ids","acceptance":[{"requirement_id","text"}],
// "depends_on"}]}.
nlohmann::json outline_json(const DesignOutline& outline);
nlohmann::json tasks_json(const TaskList& tasks);

// Reads a plan sent by an editor or a model, checked against the current requirements' IDs:
// the shape, non-empty ids and titles, unique ids, known kinds, every cited ID one of
// `requirement_ids`, every section citing at least one, every dependency an earlier task.
// Answers the problems (the first ones found; empty when the plan is good) and fills `out`.
std::vector<PlanProblem> read_outline(const nlohmann::json& plan, const std::vector<std::string>& requirement_ids,
                                      DesignOutline& out);
std::vector<PlanProblem> read_tasks(const nlohmann::json& plan, const std::vector<std::string>& requirement_ids,
                                    TaskList& out);

// The coverage check: which of `requirement_ids` no section (task) cites.
PlanCoverage coverage(const DesignOutline& outline, const std::vector<std::string>& requirement_ids);
PlanCoverage coverage(const TaskList& tasks, const std::vector<std::string>& requirement_ids);
nlohmann::json coverage_json(const PlanCoverage& coverage);

}  // namespace socrates::engine

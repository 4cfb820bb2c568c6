// The documents a project gets behind its gates (docs/domain.md "Baselines", "Plans"): the
// baselines each advance freezes, their diff, and the plans — design outline and task list —
// made on entering design and implementation, regenerated on request and edited through the API,
// with the task list's export for trackers.
#include "project_manager_agent.hpp"

#include <socrates/dialogue/plans.hpp>
#include <socrates/dialogue/llm_plans.hpp>
#include <socrates/dialogue/requirements.hpp>
#include <socrates/dialogue/store.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace socrates::agents {
namespace {

namespace validate = sdk::validate;
using sdk::Result;

// A whole number from the path ("2", a string) or a JSON body (2).
long long number_param(const nlohmann::json& params, const char* name, long long max) {
  const auto it = params.find(name);
  if (it != params.end() && it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    const bool digits = !text.empty() && text.size() <= 9 && std::all_of(text.begin(), text.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    if (!digits) validate::fail(name, std::string("'") + name + "' must be a whole number");
    nlohmann::json as_number = {{name, std::stoll(text)}};
    return validate::integer(as_number, name, 1, max, 1);
  }
  if (it == params.end() || it->is_null()) validate::fail(name, std::string("'") + name + "' is required");
  return validate::integer(params, name, 1, max, 1);
}

std::string plan_kind(const nlohmann::json& params) {
  const std::string kind = validate::one_of(params, "kind", {"design", "tasks"}, "");
  if (kind.empty()) validate::fail("kind", "'kind' must be one of: design, tasks");
  return kind;
}

// PHASE_GATE unless the project has entered the phase a plan of `kind` belongs to.
void require_plan_phase(const engine::Taxonomy& taxonomy, const sdk::Row& project, const std::string& kind) {
  const auto& phases = taxonomy.phases();
  const std::string needed = dialogue::plan_phase(kind);
  const auto at = std::find(phases.begin(), phases.end(), project.str("current_phase"));
  const auto want = std::find(phases.begin(), phases.end(), needed);
  if (at < want)
    dialogue::fail(sdk::errc::kPhaseGate,
                   "a " + std::string(kind == "tasks" ? "task list" : "design outline") + " comes with the " + needed +
                       " phase; the project is in " + project.str("current_phase"),
                   {{"phase", project.str("current_phase")},
                    {"required_phase", needed},
                    {"blockers", nlohmann::json::array({{{"code", "phase_not_reached"},
                                                         {"message", "advance the project to " + needed + " first"}}})}});
}

// The outline as the engine wrote it, or the model's re-checked against the requirements current
// now (they may have changed while the model thought): a citation that no longer holds is the
// model's outline no longer fitting, LLM_ERROR, and nothing is saved.
nlohmann::json outline_content(const engine::PlanRules& rules, const std::vector<engine::Requirement>& requirements,
                               const std::optional<engine::DesignOutline>& llm_outline) {
  if (!llm_outline) return engine::outline_json(rules.design_outline(requirements));
  const nlohmann::json content = engine::outline_json(*llm_outline);
  engine::DesignOutline checked;
  const auto problems = engine::read_outline(content, dialogue::ids_of(requirements), checked);
  if (!problems.empty())
    dialogue::fail(sdk::errc::kLlmError,
                   "the LLM's design outline is unusable: " + problems[0].field + ": " + problems[0].message,
                   {{"task", "design outline"}});
  return content;
}

nlohmann::json with_coverage(nlohmann::json plan, const std::vector<std::string>& requirement_ids) {
  plan["coverage"] = engine::coverage_json(dialogue::plan_coverage(plan["kind"], plan["content"], requirement_ids));
  return plan;
}

llm_dialogue::ProjectFacts facts_of(const sdk::Row& project) {
  return {project.str("name"), project.str("description"), project.str("current_phase"),
          static_cast<int>(project.i64("maturity_score"))};
}

}  // namespace

std::optional<engine::DesignOutline> ProjectManagerAgent::outline_before_advance(sdk::Services& services,
                                                                                  const std::string& project_id,
                                                                                  const dialogue::Access& caller) {
  llm_dialogue::OutlineContext context;
  {
    sdk::Db db(services, sdk::Database::kSpecs);
    db.begin();  // one snapshot; no lock: the advance's transaction decides
    const sdk::Row project = dialogue::project_row(db, project_id, caller, /*lock=*/false);
    dialogue::require_writable(project_id, project.str("status"));
    const auto next = engine_->taxonomy().next_phase(project.str("current_phase"));
    if (!next || *next != dialogue::plan_phase("design")) return std::nullopt;
    const int score = engine::maturity_score(engine_->taxonomy(), dialogue::current_specs(db, project_id).specs);
    if (!engine::evaluate_gate(engine_->taxonomy(), *next, score, dialogue::open_conflicts(db, project_id)).ready)
      return std::nullopt;
    context.project = facts_of(project);
    context.requirements = dialogue::requirements_of(dialogue::current_requirements(db, *engine_, project_id));
    context.project_id = project_id;
    db.commit();
  }
  return llm_dialogue::design_outline(*services.llm(), services, context);
}

void ProjectManagerAgent::enter_phase(sdk::Db& db, const std::string& project_id, const std::string& phase,
                                      const std::optional<engine::DesignOutline>& llm_outline,
                                      const std::string& advanced_by) {
  const auto traced = dialogue::current_requirements(db, *engine_, project_id);
  dialogue::store_baseline(db, project_id, phase, traced, advanced_by);
  const auto requirements = dialogue::requirements_of(traced);
  if (phase == dialogue::plan_phase("design"))
    dialogue::store_plan(db, project_id, "design", llm_outline ? "llm" : "builtin", phase,
                         outline_content(*plan_rules_, requirements, llm_outline));
  if (phase == dialogue::plan_phase("tasks"))
    dialogue::store_plan(db, project_id, "tasks", "builtin", phase, engine::tasks_json(plan_rules_->task_list(requirements)));
}

Result ProjectManagerAgent::baselines(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const dialogue::Page page = dialogue::page_of(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  dialogue::project_row(db, id, caller, false);
  return dialogue::list_page(db, {dialogue::kBaselineColumns, "FROM baselines WHERE project_id = $1::uuid", "ORDER BY number"},
                             {id}, page, dialogue::baseline_json);
}

Result ProjectManagerAgent::baseline(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const long long number = number_param(request.params, "number", 1000000);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  dialogue::project_row(db, id, caller, false);
  nlohmann::json out = dialogue::baseline_json(dialogue::baseline_row(db, id, number));
  db.commit();
  return Result::ok(std::move(out));
}

Result ProjectManagerAgent::baseline_diff(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const long long number = number_param(request.params, "number", 1000000);
  // `against`: another baseline's number, or "current" (the default): the requirements now.
  const bool current = !request.params.contains("against") || request.params["against"] == "current";
  const long long against = current ? 0 : number_param(request.params, "against", 1000000);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();  // one snapshot for both sides
  dialogue::project_row(db, id, caller, false);
  const sdk::Row from = dialogue::baseline_row(db, id, number);
  const auto before = dialogue::thawed(nlohmann::json::parse(from.str("requirements")));
  const auto after =
      current ? dialogue::requirements_of(dialogue::current_requirements(db, *engine_, id))
              : dialogue::thawed(nlohmann::json::parse(dialogue::baseline_row(db, id, against).str("requirements")));
  db.commit();
  nlohmann::json out = dialogue::diff_json(engine::diff_requirements(before, after));
  out["from"] = number;
  out["against"] = current ? nlohmann::json("current") : nlohmann::json(against);
  return Result::ok(std::move(out));
}

Result ProjectManagerAgent::plans(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string kind = validate::one_of(request.params, "kind", {"design", "tasks", "all"}, "all");
  const dialogue::Page page = dialogue::page_of(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  dialogue::project_row(db, id, caller, false);
  return dialogue::list_page(db,
                             {dialogue::kPlanColumns,
                              "FROM plans WHERE project_id = $1::uuid AND ($2 = 'all' OR kind = $2)",
                              "ORDER BY plans.created_at DESC, plans.kind, plans.version DESC"},
                             {id, kind}, page, dialogue::plan_json);
}

Result ProjectManagerAgent::plan(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string kind = plan_kind(request.params);
  const std::optional<long long> version =
      request.params.contains("version") ? std::optional<long long>(number_param(request.params, "version", 1000000))
                                         : std::nullopt;
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  dialogue::project_row(db, id, caller, false);
  const auto row = dialogue::plan_row(db, id, kind, version);
  if (!row)
    dialogue::fail(sdk::errc::kNotFound,
                   version ? "the project has no " + kind + " plan version " + std::to_string(*version)
                           : "the project has no " + kind + " plan yet: it comes with the " + dialogue::plan_phase(kind) +
                                 " phase",
                   {{"project_id", id}, {"kind", kind}});
  const auto ids = dialogue::ids_of(dialogue::requirements_of(dialogue::current_requirements(db, *engine_, id)));
  db.commit();
  return Result::ok(with_coverage(dialogue::plan_json(*row), ids));
}

Result ProjectManagerAgent::regenerate_plan(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string kind = plan_kind(request.params);
  // With an LLM, the design outline is the model's: read, release, ask, then write below.
  std::optional<engine::DesignOutline> llm_outline;
  if (services.llm() && kind == "design") {
    llm_dialogue::OutlineContext context;
    {
      sdk::Db db(services, sdk::Database::kSpecs);
      db.begin();
      const sdk::Row project = dialogue::project_row(db, id, caller, false);
      dialogue::require_writable(id, project.str("status"));
      require_plan_phase(engine_->taxonomy(), project, kind);
      context.project = facts_of(project);
      context.requirements = dialogue::requirements_of(dialogue::current_requirements(db, *engine_, id));
      context.project_id = id;
      db.commit();
    }
    llm_outline = llm_dialogue::design_outline(*services.llm(), services, context);
  }
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row project = dialogue::writable_project_row(db, id, caller);
  require_plan_phase(engine_->taxonomy(), project, kind);
  const auto requirements = dialogue::requirements_of(dialogue::current_requirements(db, *engine_, id));
  const nlohmann::json content = kind == "design" ? outline_content(*plan_rules_, requirements, llm_outline)
                                                  : engine::tasks_json(plan_rules_->task_list(requirements));
  nlohmann::json plan =
      dialogue::store_plan(db, id, kind, llm_outline ? "llm" : "builtin", project.str("current_phase"), content);
  db.commit();
  return Result::created(with_coverage(std::move(plan), dialogue::ids_of(requirements)));
}

Result ProjectManagerAgent::edit_plan(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string kind = plan_kind(request.params);
  const char* member = kind == "design" ? "sections" : "tasks";
  const nlohmann::json edited = {{member, request.params.contains(member) ? request.params[member] : nlohmann::json()}};
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row project = dialogue::writable_project_row(db, id, caller);
  require_plan_phase(engine_->taxonomy(), project, kind);
  const auto ids = dialogue::ids_of(dialogue::requirements_of(dialogue::current_requirements(db, *engine_, id)));
  std::vector<engine::PlanProblem> problems;
  nlohmann::json content;
  if (kind == "design") {
    engine::DesignOutline outline;
    problems = engine::read_outline(edited, ids, outline);
    content = engine::outline_json(outline);
  } else {
    engine::TaskList tasks;
    problems = engine::read_tasks(edited, ids, tasks);
    content = engine::tasks_json(tasks);
  }
  if (!problems.empty()) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& p : problems) all.push_back({{"field", p.field}, {"message", p.message}});
    dialogue::fail(sdk::errc::kValidation, problems[0].message,
                   {{"field", problems[0].field.empty() ? std::string(member) : problems[0].field}, {"problems", all}});
  }
  nlohmann::json plan = dialogue::store_plan(db, id, kind, "edited", project.str("current_phase"), content);
  db.commit();
  return Result::ok(with_coverage(std::move(plan), ids));
}

Result ProjectManagerAgent::export_tasks(const sdk::Request& request, sdk::Services& services, const std::string& format) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row project = dialogue::project_row(db, id, caller, false);
  const auto row = dialogue::plan_row(db, id, "tasks", std::nullopt);
  if (!row)
    dialogue::fail(sdk::errc::kNotFound, "the project has no task list yet: it comes with the implementation phase",
                   {{"project_id", id}, {"kind", "tasks"}});
  const auto requirements = dialogue::requirements_of(dialogue::current_requirements(db, *engine_, id));
  db.commit();
  const nlohmann::json plan = with_coverage(dialogue::plan_json(*row), dialogue::ids_of(requirements));
  const nlohmann::json& coverage = plan["coverage"];
  std::map<std::string, std::string> category_of;
  for (const auto& r : requirements) category_of[r.id] = r.category;

  // One issue body per task, the same text in both forms.
  auto body_of = [&](const nlohmann::json& task) {
    std::string body;
    if (!task["description"].get<std::string>().empty()) body += task["description"].get<std::string>() + "\n\n";
    std::string after;
    for (const auto& d : task["depends_on"]) after += (after.empty() ? "" : ", ") + d.get<std::string>();
    body += "Depends on: " + (after.empty() ? std::string("nothing") : after) + "\n\nSatisfies:";
    for (const auto& r : task["requirement_ids"]) body += " " + r.get<std::string>();
    body += "\n\nAcceptance criteria:\n";
    for (const auto& c : task["acceptance"])
      body += "- [ ] " + c["requirement_id"].get<std::string>() + ": " + c["text"].get<std::string>() + "\n";
    return body;
  };
  std::string covered_line = "Coverage: " + std::to_string(coverage["covered"].get<long long>()) + " of " +
                             std::to_string(coverage["requirements"].get<long long>()) + " requirements cited by a task";
  if (!coverage["complete"].get<bool>()) {
    covered_line += "; not covered:";
    for (const auto& u : coverage["uncovered"]) covered_line += " " + u.get<std::string>();
  }

  if (format == "tasks-json") {
    nlohmann::json issues = nlohmann::json::array();
    for (const auto& task : plan["content"]["tasks"]) {
      std::set<std::string> labels = {"socrates"};
      for (const auto& r : task["requirement_ids"])
        if (auto it = category_of.find(r.get<std::string>()); it != category_of.end()) labels.insert(it->second);
      issues.push_back({{"key", task["id"]},
                        {"title", task["id"].get<std::string>() + " " + task["title"].get<std::string>()},
                        {"body", body_of(task)},
                        {"labels", labels},
                        {"dependencies", task["depends_on"]},
                        {"requirement_ids", task["requirement_ids"]}});
    }
    return Result::ok({{"format", "tasks-json"},
                       {"document",
                        {{"project", {{"id", id}, {"name", project.str("name")}}},
                         {"version", plan["version"]},
                         {"source", plan["source"]},
                         {"coverage", coverage},
                         {"issues", std::move(issues)}}}});
  }
  std::string md = "# " + project.str("name") + " — tasks\n\nTask list version " +
                   std::to_string(plan["version"].get<long long>()) + " (" + plan["source"].get<std::string>() + ", " +
                   plan["created_at"].get<std::string>() + ").\n" + covered_line + ".\n";
  for (const auto& task : plan["content"]["tasks"])
    md += "\n## " + task["id"].get<std::string>() + " " + task["title"].get<std::string>() + "\n\n" + body_of(task);
  return Result::ok({{"format", "tasks"}, {"markdown", std::move(md)}});
}

}  // namespace socrates::agents

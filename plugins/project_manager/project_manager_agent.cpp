#include "project_manager_agent.hpp"

#include <socrates/dialogue/attribution.hpp>
#include <socrates/dialogue/document.hpp>
#include <socrates/dialogue/llm.hpp>
#include <socrates/dialogue/requirements.hpp>
#include <socrates/dialogue/plans.hpp>
#include <socrates/dialogue/store.hpp>

#include <map>

namespace socrates::agents {
namespace {

namespace validate = sdk::validate;
using sdk::Result;

using dialogue::kProjectColumns;
using dialogue::member_project_json;

Result not_found(const std::string& id) {
  return Result::fail(sdk::errc::kProjectNotFound, "project " + id + " does not exist", {{"project_id", id}});
}

}  // namespace

ProjectManagerAgent::ProjectManagerAgent(sdk::AgentInfo info) : BaseAgent(std::move(info)) {
  register_action("create", create);
  register_action("get", get);
  register_action("list", list);
  register_action("update", update);
  register_action("archive", archive);
  register_action("restore", restore);
  register_action("maturity", &ProjectManagerAgent::maturity);
  register_action("advance", &ProjectManagerAgent::advance);
  register_action("categories", &ProjectManagerAgent::categories);
  register_action("export", &ProjectManagerAgent::export_document);
  register_action("requirements", &ProjectManagerAgent::requirements);
  register_action("reword_requirements", &ProjectManagerAgent::reword_requirements);
  register_action("baselines", &ProjectManagerAgent::baselines);
  register_action("baseline", &ProjectManagerAgent::baseline);
  register_action("baseline_diff", &ProjectManagerAgent::baseline_diff);
  register_action("plans", &ProjectManagerAgent::plans);
  register_action("plan", &ProjectManagerAgent::plan);
  register_action("regenerate_plan", &ProjectManagerAgent::regenerate_plan);
  register_action("edit_plan", &ProjectManagerAgent::edit_plan);
  register_member_actions();
  // Internal: this agent's figures for GET /api/v1/admin/stats, every owner's (the host adds up
  // every agent's).
  register_action(
      "stats",
      [](const sdk::Request&, sdk::Services& services) {
        return dialogue::count_figures(services, {{"projects_total", "SELECT count(*) FROM projects"}});
      },
      sdk::ActionVisibility::kInternal);
}

void ProjectManagerAgent::on_start(sdk::Services& services) {
  dialogue::require_schema(services);
  engine_ = dialogue::load_engine(services);
  plan_rules_ = dialogue::load_plan_rules(services, *engine_);
  // 0 makes every invitation expire at once (the end-to-end tests use it; nobody waits for a clock).
  const std::string ttl = services.setting("INVITATION_TTL_HOURS").value_or("168");
  try {
    std::size_t used = 0;
    invitation_ttl_hours_ = std::stoi(ttl, &used);
    if (used != ttl.size() || invitation_ttl_hours_ < 0 || invitation_ttl_hours_ > 24 * 365) throw std::out_of_range(ttl);
  } catch (const std::logic_error&) {
    throw std::runtime_error("INVITATION_TTL_HOURS must be a whole number of hours from 0 to 8760, not '" + ttl + "'");
  }
}

Result ProjectManagerAgent::create(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = dialogue::owner(request);
  const std::string name = validate::required_string(request.params, "name", 1, 255);
  const std::string description = validate::optional_string(request.params, "description", 0, 10000).value_or("");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  // The project and its creator as its first owner, in one statement.
  auto row = db.query_one(std::string("WITH made AS (INSERT INTO projects (owner_id, name, description) VALUES "
                                      "($1::uuid, $2, $3) RETURNING *), member AS (INSERT INTO project_members "
                                      "(project_id, user_id, role) SELECT id, owner_id, 'owner' FROM made) SELECT ") +
                              kProjectColumns + ", 'owner' AS member_role FROM made",
                          {owner_id, name, description});
  dialogue::remember_caller(db, request);
  db.commit();
  return Result::created(member_project_json(*row));
}

Result ProjectManagerAgent::get(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  auto row = dialogue::find_project(db, id, caller, /*lock=*/false);
  if (!row) return not_found(id);
  return Result::ok(member_project_json(*row));
}

Result ProjectManagerAgent::list(const sdk::Request& request, sdk::Services& services) {
  const std::string user_id = dialogue::owner(request);
  const std::string status = validate::one_of(request.params, "status", {"active", "archived", "all"}, "active");
  sdk::Db db(services, sdk::Database::kSpecs);
  // The caller's memberships (project_members_user_idx, with their role in it), each with its
  // project by primary key. OFFSET 0 keeps the project a lookup per membership: flattened into a
  // join, a projects table of a few thousand rows is read in full (measured: 0.7 ms against 0.35).
  return dialogue::list_page(db,
                             {std::string(kProjectColumns) + ", member_role",
                              "FROM (SELECT project_id, role AS member_role FROM project_members WHERE user_id = "
                              "$1::uuid) m CROSS JOIN LATERAL (SELECT * FROM projects p WHERE p.id = m.project_id "
                              "OFFSET 0) projects WHERE ($2 = 'all' OR status = $2)",
                              "ORDER BY projects.created_at DESC, projects.id DESC"},
                             {user_id, status}, dialogue::page_of(request.params), member_project_json);
}

Result ProjectManagerAgent::update(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const auto name = validate::optional_string(request.params, "name", 1, 255);
  const auto description = validate::optional_string(request.params, "description", 0, 10000);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const std::string role = dialogue::writable_project_row(db, id, caller).str("member_role");
  auto row = db.query_one(std::string("UPDATE projects SET name = COALESCE($3, name), "
                                      "description = COALESCE($4, description), updated_at = clock_timestamp() "
                                      "WHERE id = $1::uuid RETURNING ") +
                              kProjectColumns + ", $2 AS member_role",
                          {id, role, name, description});
  db.commit();
  return Result::ok(member_project_json(*row));
}

Result ProjectManagerAgent::archive(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto row = dialogue::find_project(db, id, caller, /*lock=*/true);
  if (!row) return not_found(id);
  if (row->str("status") != "archived")
    db.execute("UPDATE projects SET status = 'archived', updated_at = clock_timestamp() WHERE id = $1::uuid", {id});
  db.commit();
  return Result::no_content();
}

Result ProjectManagerAgent::restore(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto found = dialogue::find_project(db, id, caller, /*lock=*/true);
  if (!found) return not_found(id);
  auto row = db.query_one(std::string("UPDATE projects SET status = 'active', updated_at = clock_timestamp() "
                                      "WHERE id = $1::uuid RETURNING ") +
                              kProjectColumns + ", $2 AS member_role",
                          {id, found->str("member_role")});
  db.commit();
  return Result::ok(member_project_json(*row));
}

Result ProjectManagerAgent::maturity(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();  // one snapshot for the specifications and the conflicts
  const sdk::Row project = dialogue::project_row(db, id, caller, false);
  const auto current = dialogue::current_specs(db, id);
  const int open = dialogue::open_conflicts(db, id);
  nlohmann::json out =
      engine_->maturity(current.specs, project.str("current_phase"), open, dialogue::open_item_counts(db, id));
  db.commit();
  return Result::ok(std::move(out));
}

Result ProjectManagerAgent::advance(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::optional<engine::DesignOutline> outline =
      services.llm() ? outline_before_advance(services, id, caller) : std::nullopt;
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row project = dialogue::writable_project_row(db, id, caller);
  const std::string phase = project.str("current_phase");
  const auto next = engine_->taxonomy().next_phase(phase);
  if (!next)
    return Result::fail(sdk::errc::kPhaseGate, "the project is already in its last phase, " + phase,
                        {{"phase", phase},
                         {"blockers", nlohmann::json::array({{{"code", "last_phase"},
                                                              {"message", "there is no phase after " + phase}}})}});
  // The stored score is kept current by every specification change; recompute to be exact.
  const int score = dialogue::recompute_maturity(db, *engine_, id);
  const int open = dialogue::open_conflicts(db, id);
  const engine::GateStatus gate = engine::evaluate_gate(engine_->taxonomy(), *next, score, open);
  if (!gate.ready) {
    db.commit();
    nlohmann::json blockers = gate.blockers;
    return Result::fail(sdk::errc::kPhaseGate, "the project cannot enter " + *next + " yet",
                        {{"phase", phase}, {"next_phase", *next}, {"blockers", blockers}});
  }
  auto row = db.query_one(std::string("UPDATE projects SET current_phase = $2, updated_at = clock_timestamp() "
                                      "WHERE id = $1::uuid RETURNING ") +
                              kProjectColumns + ", $3 AS member_role",
                          {id, *next, project.str("member_role")});
  enter_phase(db, id, *next, outline, caller.user_id);
  dialogue::remember_caller(db, request);
  db.commit();
  return Result::ok(member_project_json(*row));
}

Result ProjectManagerAgent::categories(const sdk::Request&, sdk::Services&) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& category : engine_->taxonomy().categories()) items.push_back(nlohmann::json(category));
  return Result::ok({{"items", std::move(items)}});
}

Result ProjectManagerAgent::requirements(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const auto category = validate::optional_string(request.params, "category", 0, 64);
  const dialogue::Page page = dialogue::page_of(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();  // the project and its requirements from one snapshot
  dialogue::project_row(db, id, caller, false);
  const auto all = dialogue::current_requirements(db, *engine_, id);
  db.commit();
  // Paged in memory: the statements are written here, not stored, and a project has at most a few
  // hundred requirements.
  nlohmann::json items = nlohmann::json::array();
  long long total = 0;
  for (const auto& requirement : all) {
    if (category && !category->empty() && requirement.requirement.category != *category) continue;
    if (total >= page.offset && total < page.offset + page.limit) items.push_back(dialogue::requirement_json(requirement));
    ++total;
  }
  return Result::ok({{"items", std::move(items)}, {"total", total}, {"limit", page.limit}, {"offset", page.offset}});
}

Result ProjectManagerAgent::reword_requirements(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::LlmClient* llm = services.llm();
  std::vector<dialogue::TracedRequirement> before;
  {
    sdk::Db db(services, sdk::Database::kSpecs);
    db.begin();
    dialogue::require_writable(id, dialogue::project_row(db, id, caller, false).str("status"));
    before = dialogue::current_requirements(db, *engine_, id);
    db.commit();
  }
  if (!llm)
    return Result::fail(sdk::errc::kLlmUnavailable,
                        "no LLM provider is configured: the requirements keep the built-in templates' statements",
                        {{"project_id", id}});
  // The model rewords the templates' statements (not an earlier rewording), so every check compares
  // with what the engine wrote. No connection is held while it thinks.
  std::vector<engine::Requirement> templates;
  for (const auto& r : before) {
    templates.push_back(r.requirement);
    templates.back().statement = r.template_statement;
  }
  std::map<std::string, std::string> reworded;
  if (!templates.empty()) reworded = llm_dialogue::reword(*llm, services, *engine_, templates, id);

  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  dialogue::writable_project_row(db, id, caller);
  // Stored per specification version: one edited in the meantime is current no more and keeps none.
  std::vector<std::pair<std::string, std::string>> statements;
  for (const auto& r : before)
    if (auto it = reworded.find(r.requirement.id); it != reworded.end())
      statements.emplace_back(r.trace.specification_id, it->second);
  const std::size_t stored = dialogue::store_rewordings(db, id, statements);
  const auto after = dialogue::current_requirements(db, *engine_, id);
  db.commit();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : after) items.push_back(dialogue::requirement_json(r));
  return Result::ok({{"reworded", stored}, {"items", std::move(items)}});
}

Result ProjectManagerAgent::export_document(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string format =
      validate::one_of(request.params, "format", {"markdown", "json", "spec-kit", "kiro", "tasks", "tasks-json"},
                         "markdown");
  if (format == "tasks" || format == "tasks-json") return export_tasks(request, services, format);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();  // one snapshot for the whole document
  dialogue::Document document = dialogue::build_document(db, *engine_, id, caller);
  db.commit();
  if (format == "json") return Result::ok({{"format", "json"}, {"document", std::move(document.json)}});
  std::string text = format == "spec-kit" ? dialogue::render_spec_kit(document)
                     : format == "kiro"   ? dialogue::render_kiro(document)
                                          : dialogue::render_markdown(document);
  return Result::ok({{"format", format}, {"markdown", std::move(text)}});
}

}  // namespace socrates::agents

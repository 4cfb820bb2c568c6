#include "project_manager_agent.hpp"

#include <socrates/dialogue/store.hpp>

#include <map>

namespace socrates::agents {
namespace {

namespace validate = sdk::validate;
using sdk::Result;

using dialogue::kProjectColumns;
using dialogue::project_json;

// A section of the exported document that a part of the domain adds: `name` is its member in the
// JSON document, `markdown` its text (a "## " heading and what follows) in the markdown one.
struct ExportSection {
  std::string name;
  nlohmann::json json;
  std::string markdown;
};

// "Open items and assumptions": what the user did not know yet, and what they accepted instead.
ExportSection open_items_section(sdk::Db& db, const std::string& project_id) {
  const auto rows = db.query(std::string("SELECT ") + dialogue::kOpenItemColumns +
                                 " FROM open_items WHERE project_id = $1::uuid AND status <> 'resolved' "
                                 "ORDER BY created_at, id",
                             {project_id});
  ExportSection section{"open_items", {{"open", nlohmann::json::array()}, {"assumptions", nlohmann::json::array()}}, ""};
  std::string open_md, assumed_md;
  for (const auto& row : rows) {
    const bool open = row.str("status") == "open";
    section.json[open ? "open" : "assumptions"].push_back(dialogue::open_item_json(row));
    if (open)
      open_md += "- **" + row.str("category") + "**: " + row.str("question") + " — _" + row.str("said") + "_\n";
    else
      assumed_md += "- **" + row.str("category") + "**: " + row.str("question") + " — assumed: " +
                    row.str("assumption") + "\n";
  }
  section.markdown = "\n## Open items and assumptions\n\n### Open items\n\n" + (open_md.empty() ? "None.\n" : open_md) +
                     "\n### Assumptions\n\n" + (assumed_md.empty() ? "None.\n" : assumed_md);
  return section;
}

// "Clarity findings": each current specification that breaks a requirement-language rule, with the
// question that would sharpen it.
ExportSection clarity_section(sdk::Db& db, const engine::Engine& engine, const std::string& project_id) {
  const auto current = dialogue::current_specs(db, project_id);
  ExportSection section{"clarity_findings", nlohmann::json::array(), ""};
  for (std::size_t i = 0; i < current.specs.size(); ++i) {
    const engine::Specification& spec = current.specs[i];
    const auto findings = engine.check_clarity(spec);
    if (findings.empty()) continue;
    section.json.push_back({{"specification_id", current.ids[i]},
                            {"category", spec.category},
                            {"key", spec.key},
                            {"value", spec.value},
                            {"findings", findings}});
    for (const auto& finding : findings) {
      std::string words;
      for (const auto& word : finding.words) words += (words.empty() ? "'" : ", '") + word + "'";
      section.markdown += "- **" + spec.category + "/" + spec.key + "** (" + finding.rule + ": " + words +
                          "): " + finding.question + "\n";
    }
  }
  section.markdown = "\n## Clarity findings\n\n" + (section.markdown.empty() ? "None.\n" : section.markdown);
  return section;
}

Result not_found(const std::string& id) {
  return Result::fail(sdk::errc::kProjectNotFound, "project " + id + " does not exist", {{"project_id", id}});
}

std::string owner(const sdk::Request& request) {
  if (!validate::is_uuid(request.caller.user_id))
    throw sdk::AgentException(sdk::errc::kUnauthenticated, "this action needs an authenticated caller");
  return request.caller.user_id;
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
}

Result ProjectManagerAgent::create(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string name = validate::required_string(request.params, "name", 1, 255);
  const std::string description = validate::optional_string(request.params, "description", 0, 10000).value_or("");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto row = db.query_one(std::string("INSERT INTO projects (owner_id, name, description) VALUES ($1::uuid, $2, $3) "
                                      "RETURNING ") +
                              kProjectColumns,
                          {owner_id, name, description});
  db.commit();
  return Result::created(project_json(*row));
}

Result ProjectManagerAgent::get(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  auto row = dialogue::find_project(db, id, owner_id, /*lock=*/false);
  if (!row) return not_found(id);
  return Result::ok(project_json(*row));
}

Result ProjectManagerAgent::list(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string status = validate::one_of(request.params, "status", {"active", "archived", "all"}, "active");
  sdk::Db db(services, sdk::Database::kSpecs);
  return dialogue::list_page(db,
                             {kProjectColumns, "FROM projects WHERE owner_id = $1::uuid AND ($2 = 'all' OR status = $2)",
                              "ORDER BY projects.created_at DESC, projects.id DESC"},
                             {owner_id, status}, dialogue::page_of(request.params), project_json);
}

Result ProjectManagerAgent::update(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const auto name = validate::optional_string(request.params, "name", 1, 255);
  const auto description = validate::optional_string(request.params, "description", 0, 10000);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto row = db.query_one(std::string("UPDATE projects SET name = COALESCE($3, name), "
                                      "description = COALESCE($4, description), updated_at = clock_timestamp() "
                                      "WHERE id = $1::uuid AND owner_id = $2::uuid RETURNING ") +
                              kProjectColumns,
                          {id, owner_id, name, description});
  if (!row) return not_found(id);
  db.commit();
  return Result::ok(project_json(*row));
}

Result ProjectManagerAgent::archive(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto row = dialogue::find_project(db, id, owner_id, /*lock=*/true);
  if (!row) return not_found(id);
  if (row->str("status") != "archived")
    db.execute("UPDATE projects SET status = 'archived', updated_at = clock_timestamp() WHERE id = $1::uuid", {id});
  db.commit();
  return Result::no_content();
}

Result ProjectManagerAgent::restore(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto row = db.query_one(std::string("UPDATE projects SET status = 'active', updated_at = clock_timestamp() "
                                      "WHERE id = $1::uuid AND owner_id = $2::uuid RETURNING ") +
                              kProjectColumns,
                          {id, owner_id});
  if (!row) return not_found(id);
  db.commit();
  return Result::ok(project_json(*row));
}

Result ProjectManagerAgent::maturity(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();  // one snapshot for the specifications and the conflicts
  const sdk::Row project = dialogue::project_row(db, id, owner_id, false);
  const auto current = dialogue::current_specs(db, id);
  const int open = dialogue::open_conflicts(db, id);
  nlohmann::json out =
      engine_->maturity(current.specs, project.str("current_phase"), open, dialogue::open_item_counts(db, id));
  db.commit();
  return Result::ok(std::move(out));
}

Result ProjectManagerAgent::advance(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row project = dialogue::project_row(db, id, owner_id, /*lock=*/true);
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
                              kProjectColumns,
                          {id, *next});
  db.commit();
  return Result::ok(project_json(*row));
}

Result ProjectManagerAgent::categories(const sdk::Request&, sdk::Services&) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& category : engine_->taxonomy().categories()) items.push_back(nlohmann::json(category));
  return Result::ok({{"items", std::move(items)}});
}

Result ProjectManagerAgent::export_document(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string format = validate::one_of(request.params, "format", {"markdown", "json"}, "markdown");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row project = dialogue::project_row(db, id, owner_id, false);
  auto specs = db.query(std::string("SELECT s.id::text AS id, s.project_id::text AS project_id, s.category, s.key, "
                                    "s.value, s.source, s.confidence, s.question_id::text AS question_id, "
                                    "s.session_id::text AS session_id, s.version, s.is_current, "
                                    "rfc3339(s.created_at) AS created_at, q.text AS question_text "
                                    "FROM specifications s LEFT JOIN questions q ON q.id = s.question_id "
                                    "WHERE s.project_id = $1::uuid AND s.is_current ORDER BY s.category, s.key"),
                        {id});
  auto conflicts = db.query(std::string("SELECT ") + dialogue::kConflictColumns +
                                " FROM conflicts WHERE project_id = $1::uuid AND status = 'open' "
                                "ORDER BY detected_at, id",
                            {id});
  nlohmann::json open = nlohmann::json::array();
  for (const auto& row : conflicts) open.push_back(dialogue::conflict_json(row));
  const nlohmann::json project_doc = project_json(*dialogue::find_project(db, id, owner_id, /*lock=*/false));
  const std::vector<ExportSection> sections = {open_items_section(db, id), clarity_section(db, *engine_, id)};
  db.commit();

  std::map<std::string, nlohmann::json> by_category;
  for (const auto& row : specs) {
    nlohmann::json spec = dialogue::spec_json(row);
    spec["question"] = dialogue::nullable(row, "question_text");
    by_category[row.str("category")].push_back(std::move(spec));
  }
  nlohmann::json categories = nlohmann::json::array();
  for (const auto& category : engine_->taxonomy().categories()) {
    auto it = by_category.find(category.name);
    categories.push_back({{"name", category.name},
                          {"label", category.label},
                          {"description", category.description},
                          {"specifications", it == by_category.end() ? nlohmann::json::array() : it->second}});
  }
  nlohmann::json document = {{"project", project_doc},
                             {"categories", categories},
                             {"open_conflicts", open}};
  for (const ExportSection& section : sections) document[section.name] = section.json;
  if (format == "json") return Result::ok({{"format", "json"}, {"document", std::move(document)}});

  std::string md = "# " + project.str("name") + "\n\n";
  if (!project.str("description").empty()) md += project.str("description") + "\n\n";
  md += "Phase: " + project.str("current_phase") + " · maturity " + std::to_string(project.i64("maturity_score")) +
        "/100\n";
  for (const auto& category : categories) {
    md += "\n## " + category["name"].get<std::string>() + "\n\n";
    if (category["specifications"].empty()) {
      md += "_Nothing recorded yet._\n";
      continue;
    }
    for (const auto& spec : category["specifications"]) {
      md += "- **" + spec["key"].get<std::string>() + "**: " + spec["value"].get<std::string>() + " (v" +
            std::to_string(spec["version"].get<long long>()) + ", " + spec["source"].get<std::string>() + ")\n";
      if (spec["question"].is_string()) md += "  - asked: " + spec["question"].get<std::string>() + "\n";
    }
  }
  md += "\n## Open conflicts\n\n";
  if (open.empty()) md += "None.\n";
  for (const auto& conflict : open) {
    md += "- " + conflict["type"].get<std::string>() + " (" + conflict["severity"].get<std::string>() +
          "): " + conflict["description"].get<std::string>() + "\n";
  }
  for (const ExportSection& section : sections) md += section.markdown;
  return Result::ok({{"format", "markdown"}, {"markdown", std::move(md)}});
}

}  // namespace socrates::agents

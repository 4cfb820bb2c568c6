#include <socrates/dialogue/plans.hpp>

#include <socrates/dialogue/store.hpp>

#include <stdexcept>

namespace socrates::agents::dialogue {
namespace {

engine::EarsForm form_from(const std::string& text) {
  for (auto form : {engine::EarsForm::kUbiquitous, engine::EarsForm::kEventDriven, engine::EarsForm::kStateDriven,
                    engine::EarsForm::kUnwanted, engine::EarsForm::kOptional})
    if (engine::to_string(form) == text) return form;
  return engine::EarsForm::kUbiquitous;
}

nlohmann::json requirement_value_json(const engine::Requirement& r) {
  nlohmann::json acceptance = nlohmann::json::array();
  for (const auto& c : r.acceptance) acceptance.push_back({{"given", c.given}, {"when", c.when}, {"then", c.then}});
  return {{"id", r.id},
          {"category", r.category},
          {"key", r.key},
          {"value", r.value},
          {"form", engine::to_string(r.form)},
          {"statement", r.statement},
          {"acceptance_criteria", std::move(acceptance)}};
}

// The requirement IDs a stored plan cites, as the engine's plan (only the citations matter).
std::vector<std::vector<std::string>> citations(const nlohmann::json& items) {
  std::vector<std::vector<std::string>> out;
  if (!items.is_array()) return out;
  for (const auto& item : items) {
    std::vector<std::string> ids;
    if (item.is_object() && item.contains("requirement_ids") && item["requirement_ids"].is_array())
      for (const auto& id : item["requirement_ids"])
        if (id.is_string()) ids.push_back(id.get<std::string>());
    out.push_back(std::move(ids));
  }
  return out;
}

bool has_column(const sdk::Row& row, std::string_view column) {
  try {
    row.index(column);
    return true;
  } catch (const std::out_of_range&) {
    return false;
  }
}

}  // namespace

std::shared_ptr<const engine::PlanRules> load_plan_rules(sdk::Services& services, const engine::Engine& engine) {
  const std::string dir = data_dir(services);
  try {
    return std::make_shared<const engine::PlanRules>(engine::PlanRules::load(dir, engine.taxonomy()));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot load the plan rules from DATA_DIR '" + dir + "': " + e.what());
  }
}

std::vector<engine::Requirement> requirements_of(const std::vector<TracedRequirement>& traced) {
  std::vector<engine::Requirement> out;
  out.reserve(traced.size());
  for (const auto& t : traced) out.push_back(t.requirement);
  return out;
}

std::vector<std::string> ids_of(const std::vector<engine::Requirement>& requirements) {
  std::vector<std::string> out;
  out.reserve(requirements.size());
  for (const auto& r : requirements) out.push_back(r.id);
  return out;
}

nlohmann::json frozen(const std::vector<TracedRequirement>& requirements) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : requirements) {
    nlohmann::json item = requirement_value_json(t.requirement);
    item["specification_id"] = t.trace.specification_id;
    item["version"] = t.trace.version;
    out.push_back(std::move(item));
  }
  return out;
}

std::vector<engine::Requirement> thawed(const nlohmann::json& frozen_requirements) {
  std::vector<engine::Requirement> out;
  for (const auto& item : frozen_requirements) {
    engine::Requirement r;
    r.id = item.value("id", "");
    r.category = item.value("category", "");
    r.key = item.value("key", "");
    r.value = item.value("value", "");
    r.form = form_from(item.value("form", ""));
    r.statement = item.value("statement", "");
    for (const auto& c : item.value("acceptance_criteria", nlohmann::json::array()))
      r.acceptance.push_back({c.value("given", ""), c.value("when", ""), c.value("then", "")});
    out.push_back(std::move(r));
  }
  return out;
}

nlohmann::json store_baseline(sdk::Db& db, const std::string& project_id, const std::string& phase,
                              const std::vector<TracedRequirement>& requirements, const std::string& advanced_by) {
  const auto row = db.query_one(
      std::string("INSERT INTO baselines (project_id, number, phase, requirements, advanced_by) VALUES ($1::uuid, "
                  "COALESCE((SELECT max(number) FROM baselines WHERE project_id = $1::uuid), 0) + 1, $2, $3::jsonb, "
                  "$4::uuid) RETURNING ") +
          kBaselineColumns + ", requirements::text AS requirements",
      {project_id, phase, frozen(requirements).dump(), advanced_by});
  return baseline_json(*row);
}

nlohmann::json baseline_json(const sdk::Row& row) {
  nlohmann::json out = {{"number", row.i64("number")},
                        {"phase", row.str("phase")},
                        {"created_at", row.str("created_at")},
                        {"requirement_count", row.i64("requirement_count")},
                        {"advanced_by", nullable(row, "advanced_by")},
                        {"advanced_by_email", nullable(row, "advanced_by_email")}};
  if (has_column(row, "requirements")) out["requirements"] = nlohmann::json::parse(row.str("requirements"));
  return out;
}

sdk::Row baseline_row(sdk::Db& db, const std::string& project_id, long long number) {
  auto row = db.query_one(std::string("SELECT ") + kBaselineColumns +
                              ", requirements::text AS requirements FROM baselines WHERE project_id = $1::uuid AND "
                              "number = $2",
                          {project_id, number});
  if (!row)
    fail(sdk::errc::kNotFound, "the project has no baseline " + std::to_string(number),
         {{"project_id", project_id}, {"number", number}});
  return *row;
}

nlohmann::json diff_json(const engine::RequirementDiff& diff) {
  nlohmann::json added = nlohmann::json::array(), changed = nlohmann::json::array(), removed = nlohmann::json::array();
  for (const auto& r : diff.added) added.push_back(requirement_value_json(r));
  for (const auto& c : diff.changed)
    changed.push_back({{"id", c.after.id},
                       {"before", requirement_value_json(c.before)},
                       {"after", requirement_value_json(c.after)}});
  for (const auto& r : diff.removed) removed.push_back(requirement_value_json(r));
  return {{"added", std::move(added)}, {"changed", std::move(changed)}, {"removed", std::move(removed)}};
}

void add_baselines(sdk::Db& db, const std::string& project_id, Document& document) {
  nlohmann::json baselines = nlohmann::json::array();
  for (const auto& row : db.query(std::string("SELECT ") + kBaselineColumns +
                                      " FROM baselines WHERE project_id = $1::uuid ORDER BY number",
                                  {project_id}))
    baselines.push_back(baseline_json(row));
  std::string md;
  if (baselines.empty()) md = "None yet: each phase advance freezes one.\n";
  else md = "| baseline | phase entered | when | requirements |\n|---|---|---|---|\n";
  for (const auto& b : baselines)
    md += "| " + std::to_string(b["number"].get<long long>()) + " | " + b["phase"].get<std::string>() + " | " +
          b["created_at"].get<std::string>() + " | " + std::to_string(b["requirement_count"].get<long long>()) + " |\n";
  document.json["baselines"] = std::move(baselines);
  document.sections.push_back({"Baselines", std::move(md)});
}

std::string plan_phase(const std::string& kind) { return kind == "tasks" ? "implementation" : "design"; }

nlohmann::json store_plan(sdk::Db& db, const std::string& project_id, const std::string& kind,
                          const std::string& source, const std::string& phase, const nlohmann::json& content) {
  const auto row = db.query_one(
      std::string("INSERT INTO plans (project_id, kind, version, source, phase, content) VALUES ($1::uuid, $2, "
                  "COALESCE((SELECT max(version) FROM plans WHERE project_id = $1::uuid AND kind = $2), 0) + 1, $3, "
                  "$4, $5::jsonb) RETURNING ") +
          kPlanColumns + ", content::text AS content",
      {project_id, kind, source, phase, content.dump()});
  return plan_json(*row);
}

nlohmann::json plan_json(const sdk::Row& row) {
  nlohmann::json out = {{"kind", row.str("kind")},
                        {"version", row.i64("version")},
                        {"source", row.str("source")},
                        {"phase", row.str("phase")},
                        {"created_at", row.str("created_at")}};
  if (has_column(row, "content")) out["content"] = nlohmann::json::parse(row.str("content"));
  return out;
}

std::optional<sdk::Row> plan_row(sdk::Db& db, const std::string& project_id, const std::string& kind,
                                 std::optional<long long> version) {
  return db.query_one(std::string("SELECT ") + kPlanColumns +
                          ", content::text AS content FROM plans WHERE project_id = $1::uuid AND kind = $2 AND "
                          "($3::integer IS NULL OR version = $3) ORDER BY version DESC LIMIT 1",
                      {project_id, kind, version});
}

engine::PlanCoverage plan_coverage(const std::string& kind, const nlohmann::json& content,
                                   const std::vector<std::string>& requirement_ids) {
  if (kind == "tasks") {
    engine::TaskList list;
    for (auto& ids : citations(content.value("tasks", nlohmann::json::array()))) {
      list.tasks.emplace_back();
      list.tasks.back().requirement_ids = std::move(ids);
    }
    return engine::coverage(list, requirement_ids);
  }
  engine::DesignOutline outline;
  for (auto& ids : citations(content.value("sections", nlohmann::json::array()))) {
    outline.sections.emplace_back();
    outline.sections.back().requirement_ids = std::move(ids);
  }
  return engine::coverage(outline, requirement_ids);
}

}  // namespace socrates::agents::dialogue

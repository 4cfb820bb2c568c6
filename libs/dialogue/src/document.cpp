#include <socrates/dialogue/document.hpp>

#include <socrates/dialogue/plans.hpp>
#include <socrates/dialogue/store.hpp>

#include <map>

namespace socrates::agents::dialogue {
namespace {

using nlohmann::json;

std::string text(const json& value) { return value.is_string() ? value.get<std::string>() : std::string(); }

// Markdown table cells: no line breaks, no column separators.
std::string cell(std::string value) {
  for (char& c : value)
    if (c == '\n' || c == '\r') c = ' ';
  std::string out;
  for (char c : value) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out.empty() ? "—" : out;
}

std::string criterion_line(const engine::AcceptanceCriterion& a) {
  return "**Given** " + a.given + ", **when** " + a.when + ", **then** " + a.then + ".";
}

// The conflicts of the project with the ID of the requirement each is about (its existing side's
// category and key), open and decided apart.
json conflicts_of(sdk::Db& db, const engine::Engine& engine, const std::string& project_id) {
  std::map<std::pair<std::string, std::string>, long long> numbers;
  for (const auto& row : db.query("SELECT category, key, number FROM requirement_ids WHERE project_id = $1::uuid",
                                  {project_id}))
    numbers[{row.str("category"), row.str("key")}] = row.i64("number");
  json open = json::array();
  json decided = json::array();
  for (const auto& row : db.query(std::string("SELECT ") + kConflictColumns +
                                      " FROM conflicts WHERE project_id = $1::uuid ORDER BY detected_at, id",
                                  {project_id})) {
    json conflict = conflict_json(row);
    const json& existing = conflict["existing"];
    const std::string category = existing.is_object() ? text(existing["category"]) : "";
    const auto it = numbers.find({category, existing.is_object() ? text(existing["key"]) : ""});
    const std::string id = it == numbers.end() ? "" : engine.requirements().id(category, static_cast<int>(it->second));
    conflict["requirement_id"] = id.empty() ? json(nullptr) : json(id);
    (conflict["status"] == "open" ? open : decided).push_back(std::move(conflict));
  }
  return {{"open", std::move(open)}, {"resolved", std::move(decided)}};
}

// Who a side of a conflict, or its decision, is from: the email, else the user id.
std::string person(const json& email, const json& id) {
  return email.is_string() ? text(email) : id.is_string() ? text(id) : "unknown";
}

std::string conflict_line(const json& c) {
  std::string line = "- ";
  if (c["requirement_id"].is_string()) line += "**" + text(c["requirement_id"]) + "** ";
  line += text(c["type"]) + " (" + text(c["severity"]) + "): " + text(c["description"]);
  const json& e = c["existing"];
  const std::string existing = e.is_object() ? text(e["value"]) : "";
  if (c.value("between_members", false)) {
    // Two people disagree: both are named with what each said.
    line += " — between members: " + (e.is_object() ? person(e["author_email"], e["author_id"]) : "unknown") +
            " said `" + existing + "`, " + person(c["proposed"]["author_email"], c["proposed"]["author_id"]) +
            " said `" + text(c["proposed"]["value"]) + "`";
  } else {
    line += " — recorded: `" + existing + "`, proposed: `" + text(c["proposed"]["value"]) + "`";
  }
  if (c["resolution"].is_string()) {
    static const std::map<std::string, std::string> how = {
        {"keep_existing", "kept the recorded value"},
        {"use_proposed", "took the proposed value"},
        {"merge", "merged into a new value"},
        {"ignore", "ignored: both stay"}};
    const auto it = how.find(text(c["resolution"]));
    line += "; resolved (" + text(c["resolution"]) + "): " + (it == how.end() ? text(c["resolution"]) : it->second);
    if (c["resolved_by"].is_string()) line += ", decided by " + person(c["resolved_by_email"], c["resolved_by"]);
    if (c["notes"].is_string() && !text(c["notes"]).empty()) line += " — " + text(c["notes"]);
  }
  return line + "\n";
}

// "When X, the system shall Y." in Kiro's capitalised EARS keywords: "WHEN X, THE system SHALL Y."
std::string kiro_ears(std::string statement) {
  auto replace_word = [&](const std::string& word, const std::string& with, bool only_first) {
    for (std::size_t at = 0; (at = statement.find(word, at)) != std::string::npos;) {
      const bool start = at == 0 || !std::isalnum(static_cast<unsigned char>(statement[at - 1]));
      const std::size_t end = at + word.size();
      const bool finish = end >= statement.size() || !std::isalnum(static_cast<unsigned char>(statement[end]));
      if (start && finish) {
        statement.replace(at, word.size(), with);
        if (only_first) return;
      }
      at = end;
    }
  };
  for (const char* opening : {"When", "While", "If", "Where", "The"})
    if (statement.rfind(std::string(opening) + " ", 0) == 0) {
      std::string upper = opening;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      statement.replace(0, upper.size(), upper);
      break;
    }
  replace_word("then", "THEN", true);
  replace_word("shall", "SHALL", false);
  return statement;
}

}  // namespace

Document build_document(sdk::Db& db, const engine::Engine& engine, const std::string& project_id,
                        const Access& caller) {
  Document document;
  const sdk::Row project = project_row(db, project_id, caller, /*lock=*/false);
  document.requirements = current_requirements(db, engine, project_id);

  json requirements = json::array();
  for (const auto& r : document.requirements) requirements.push_back(requirement_json(r));
  json categories = json::array();
  std::size_t covered = 0;
  for (const auto& category : engine.taxonomy().categories()) {
    json ids = json::array();
    for (const auto& r : document.requirements)
      if (r.requirement.category == category.name) ids.push_back(r.requirement.id);
    covered += !ids.empty();
    categories.push_back({{"name", category.name},
                          {"label", category.label},
                          {"description", category.description},
                          {"phase", category.phase},
                          {"requirement_ids", std::move(ids)}});
  }
  json conflicts = conflicts_of(db, engine, project_id);
  document.json = {{"format", "socrates.document"},
                   {"version", 1},
                   {"project", project_json(project)},
                   {"overview",
                    {{"phase", project.str("current_phase")},
                     {"maturity_score", project.i64("maturity_score")},
                     {"requirements_total", document.requirements.size()},
                     {"categories_total", engine.taxonomy().categories().size()},
                     {"categories_with_requirements", covered},
                     {"open_conflicts", conflicts["open"].size()}}},
                   {"categories", std::move(categories)},
                   {"requirements", std::move(requirements)},
                   {"conflicts", std::move(conflicts)}};

  // Sections of the other parts of issue 14, one call each.
  add_open_items(db, project_id, document);
  add_clarity_findings(db, engine, project_id, document);
  add_baselines(db, project_id, document);
  return document;
}

void add_open_items(sdk::Db& db, const std::string& project_id, Document& document) {
  const auto rows = db.query(std::string("SELECT ") + kOpenItemColumns +
                                 " FROM open_items WHERE project_id = $1::uuid AND status <> 'resolved' "
                                 "ORDER BY created_at, id",
                             {project_id});
  json items = {{"open", json::array()}, {"assumptions", json::array()}};
  std::string open_md, assumed_md;
  for (const auto& row : rows) {
    const bool open = row.str("status") == "open";
    items[open ? "open" : "assumptions"].push_back(open_item_json(row));
    if (open)
      open_md += "- **" + row.str("category") + "**: " + row.str("question") + " — _" + row.str("said") + "_\n";
    else
      assumed_md += "- **" + row.str("category") + "**: " + row.str("question") + " — assumed: " +
                    row.str("assumption") + "\n";
  }
  document.json["open_items"] = std::move(items);
  document.sections.push_back({"Open items and assumptions", "### Open items\n\n" + (open_md.empty() ? "None.\n" : open_md) +
                                                                 "\n### Assumptions\n\n" +
                                                                 (assumed_md.empty() ? "None.\n" : assumed_md)});
}

void add_clarity_findings(sdk::Db& db, const engine::Engine& engine, const std::string& project_id,
                          Document& document) {
  const auto current = current_specs(db, project_id);
  json findings_json = json::array();
  std::string md;
  for (std::size_t i = 0; i < current.specs.size(); ++i) {
    const engine::Specification& spec = current.specs[i];
    const auto findings = engine.check_clarity(spec);
    if (findings.empty()) continue;
    findings_json.push_back({{"specification_id", current.ids[i]},
                             {"category", spec.category},
                             {"key", spec.key},
                             {"value", spec.value},
                             {"findings", findings}});
    for (const auto& finding : findings) {
      std::string words;
      for (const auto& word : finding.words) words += (words.empty() ? "'" : ", '") + word + "'";
      md += "- **" + spec.category + "/" + spec.key + "** (" + finding.rule + ": " + words + "): " + finding.question +
            "\n";
    }
  }
  document.json["clarity_findings"] = std::move(findings_json);
  document.sections.push_back({"Clarity findings", md.empty() ? "None.\n" : md});
}

std::string render_markdown(const Document& document) {
  const json& d = document.json;
  const json& project = d["project"];
  const json& overview = d["overview"];
  std::string md = "# " + text(project["name"]) + "\n\n";
  if (!text(project["description"]).empty()) md += text(project["description"]) + "\n\n";

  md += "## Overview\n\n";
  md += "- Phase: " + text(overview["phase"]) + " · maturity " + std::to_string(overview["maturity_score"].get<long long>()) +
        "/100\n";
  md += "- Requirements: " + std::to_string(overview["requirements_total"].get<std::size_t>()) + " in " +
        std::to_string(overview["categories_with_requirements"].get<std::size_t>()) + " of " +
        std::to_string(overview["categories_total"].get<std::size_t>()) + " categories\n";
  md += "- Open conflicts: " + std::to_string(overview["open_conflicts"].get<std::size_t>()) + "\n";

  md += "\n## Requirements\n";
  for (const auto& category : d["categories"]) {
    md += "\n### " + text(category["label"]) + "\n\n";
    bool any = false;
    for (const auto& r : document.requirements) {
      if (r.requirement.category != text(category["name"])) continue;
      any = true;
      md += "#### " + r.requirement.id + " (" + std::string(engine::to_string(r.requirement.form)) + ")\n\n";
      md += r.requirement.statement + "\n\n";
      if (!r.requirement.acceptance.empty()) {
        md += "Acceptance criteria:\n";
        for (const auto& a : r.requirement.acceptance) md += "- " + criterion_line(a) + "\n";
        md += "\n";
      }
      md += "Recorded: `" + r.requirement.key + "` = " + r.requirement.value + " (v" + std::to_string(r.trace.version) +
            ", " + r.trace.source + ", by " + attributed_to(r.trace) + ")\n\n";
    }
    if (!any) md += "_Nothing recorded yet._\n";
  }

  md += "\n## Conflicts\n\n### Open conflicts\n\n";
  if (d["conflicts"]["open"].empty()) md += "None.\n";
  for (const auto& c : d["conflicts"]["open"]) md += conflict_line(c);
  md += "\n### Resolved conflicts\n\n";
  if (d["conflicts"]["resolved"].empty()) md += "None.\n";
  for (const auto& c : d["conflicts"]["resolved"]) md += conflict_line(c);

  md += "\n## Traceability\n\n";
  md += "| ID | specification | version | source | by | session | question | answer or message |\n";
  md += "|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : document.requirements) {
    const Traceability& t = r.trace;
    md += "| " + r.requirement.id + " | " + t.specification_id + " | " + std::to_string(t.version) + " | " + t.source +
          " | " + cell(attributed_to(t)) + " | " + cell(t.session_id.value_or("")) + " | " +
          cell(t.question.value_or("")) + " | " + cell(t.history_id ? *t.history_type + " " + *t.history_id : "") +
          " |\n";
  }

  for (const auto& section : document.sections) md += "\n## " + section.title + "\n\n" + section.markdown;
  return md;
}

std::string render_spec_kit(const Document& document) {
  const json& d = document.json;
  const json& project = d["project"];
  std::string md = "# Feature Specification: " + text(project["name"]) + "\n\n";
  md += "**Feature Branch**: `" + text(project["id"]) + "`  \n";
  md += "**Created**: " + text(project["created_at"]).substr(0, 10) + "  \n";
  md += "**Status**: Draft  \n";
  md += "**Input**: User description: \"" + text(project["description"]) + "\"\n\n";

  // Open conflicts and open items are what is still unclear: each gets its marker.
  std::map<std::string, std::vector<std::string>> unclear;  // requirement ID → questions
  for (const auto& c : d["conflicts"]["open"])
    if (c["requirement_id"].is_string())
      unclear[text(c["requirement_id"])].push_back(text(c["description"]) + " — keep `" +
                                                   (c["existing"].is_object() ? text(c["existing"]["value"]) : "") +
                                                   "` or take `" + text(c["proposed"]["value"]) + "`?");

  md += "## User Scenarios & Testing *(mandatory)*\n\n### Primary User Story\n\n";
  bool any_goal = false;
  for (const auto& r : document.requirements)
    if (r.requirement.category == "goals") {
      md += "- " + r.requirement.statement + " (" + r.requirement.id + ", from " + attributed_to(r.trace) + ")\n";
      any_goal = true;
    }
  if (!any_goal) md += "[NEEDS CLARIFICATION: what the software is for and whom it serves has not been recorded yet]\n";
  md += "\n### Acceptance Scenarios\n\n";
  int scenario = 0;
  for (const auto& r : document.requirements)
    for (const auto& a : r.requirement.acceptance)
      md += std::to_string(++scenario) + ". **Given** " + a.given + ", **When** " + a.when + ", **Then** " + a.then +
            " (" + r.requirement.id + ")\n";
  if (scenario == 0) md += "[NEEDS CLARIFICATION: no measurable requirement has been recorded yet]\n";
  md += "\n### Edge Cases\n\n";
  bool any_edge = false;
  for (const auto& r : document.requirements)
    if (r.requirement.form == engine::EarsForm::kUnwanted) {
      md += "- " + r.requirement.statement + " (" + r.requirement.id + ")\n";
      any_edge = true;
    }
  if (!any_edge) md += "- [NEEDS CLARIFICATION: what must happen when things go wrong has not been recorded yet]\n";

  md += "\n## Requirements *(mandatory)*\n\n### Functional Requirements\n\n";
  auto requirement_line = [&](const TracedRequirement& r) {
    std::string line = "- **" + r.requirement.id + "**: " + r.requirement.statement;
    if (auto it = unclear.find(r.requirement.id); it != unclear.end())
      for (const auto& question : it->second) line += " [NEEDS CLARIFICATION: " + question + "]";
    return line + " _(from " + attributed_to(r.trace) + ")_\n";
  };
  bool any_functional = false;
  for (const auto& r : document.requirements)
    if (r.requirement.category == "requirements") {
      md += requirement_line(r);
      any_functional = true;
    }
  if (!any_functional) md += "- [NEEDS CLARIFICATION: no functional requirement has been recorded yet]\n";
  md += "\n### Non-Functional Requirements\n\n";
  for (const auto& category : d["categories"]) {
    if (text(category["name"]) == "requirements" || text(category["name"]) == "goals") continue;
    bool any = false;
    for (const auto& r : document.requirements)
      if (r.requirement.category == text(category["name"])) {
        md += requirement_line(r);
        any = true;
      }
    if (!any) md += "- [NEEDS CLARIFICATION: nothing recorded about " + text(category["label"]) + " yet]\n";
  }
  for (const auto& item : d["open_items"]["open"])
    md += "- [NEEDS CLARIFICATION: " + text(item["question"]) + " (" + text(item["category"]) + ")]\n";
  if (!d["open_items"]["assumptions"].empty()) {
    md += "\n### Assumptions\n\n";
    for (const auto& item : d["open_items"]["assumptions"])
      md += "- " + text(item["question"]) + " — assumed: " + text(item["assumption"]) + " (" + text(item["category"]) + ")\n";
  }

  md += "\n### Key Entities\n\n";
  bool any_entity = false;
  for (const auto& r : document.requirements)
    if (r.requirement.category == "data_retention" || r.requirement.key == "database" ||
        r.requirement.key == "object_storage") {
      md += "- **" + r.requirement.key + "**: " + r.requirement.value + " (" + r.requirement.id + ")\n";
      any_entity = true;
    }
  if (!any_entity) md += "- [NEEDS CLARIFICATION: which data the software keeps, and for how long]\n";

  md += "\n## Review & Acceptance Checklist\n\n";
  const bool clear = md.find("[NEEDS CLARIFICATION") == std::string::npos;
  md += std::string("- [") + (clear ? "x" : " ") + "] No [NEEDS CLARIFICATION] markers remain\n";
  md += std::string("- [") + (scenario > 0 ? "x" : " ") + "] Requirements are testable and unambiguous\n";
  return md;
}

std::string render_kiro(const Document& document) {
  const json& d = document.json;
  const json& project = d["project"];
  std::string md = "# Requirements Document\n\n## Introduction\n\n";
  md += text(project["name"]);
  if (!text(project["description"]).empty()) md += ": " + text(project["description"]);
  md += "\n\n## Requirements\n";
  int number = 0;
  for (const auto& category : d["categories"]) {
    std::vector<const TracedRequirement*> in;
    for (const auto& r : document.requirements)
      if (r.requirement.category == text(category["name"])) in.push_back(&r);
    if (in.empty()) continue;
    md += "\n### Requirement " + std::to_string(++number) + ": " + text(category["label"]) + "\n\n";
    std::string purpose = text(category["description"]);
    if (!purpose.empty() && purpose.back() == '.') purpose.pop_back();
    if (!purpose.empty()) purpose[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(purpose[0])));
    md += "**User Story:** As a stakeholder of " + text(project["name"]) + ", I want its " + text(category["label"]) +
          " specified, so that " + purpose + ".\n\n#### Acceptance Criteria\n\n";
    int criterion = 0;
    for (const TracedRequirement* r : in) {
      md += std::to_string(++criterion) + ". " + kiro_ears(r->requirement.statement) + " (" + r->requirement.id +
            ", from " + attributed_to(r->trace) + ")\n";
      for (const auto& a : r->requirement.acceptance)
        md += std::to_string(++criterion) + ". GIVEN " + a.given + " WHEN " + a.when + " THEN " + a.then + " (" +
              r->requirement.id + ")\n";
    }
  }
  if (number == 0) md += "\nNo requirement has been recorded yet.\n";
  return md;
}

}  // namespace socrates::agents::dialogue

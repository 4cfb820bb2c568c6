#include "host/mcp/tools.hpp"

namespace socrates::host::mcp {
namespace {

using nlohmann::json;

// ---- schemas (JSON Schema 2020-12, standard keywords only: the client validates with them)

json str(const std::string& description) { return {{"type", "string"}, {"description", description}}; }
json id_of(const std::string& what) { return {{"type", "string"}, {"description", "the " + what + "'s id (a UUID)"}}; }
json integer(const std::string& description) { return {{"type", "integer"}, {"description", description}}; }
json words(std::initializer_list<const char*> allowed, const std::string& description) {
  return {{"type", "string"}, {"enum", json(std::vector<std::string>(allowed.begin(), allowed.end()))}, {"description", description}};
}
json input(json properties, std::vector<std::string> required = {}) {
  json schema = {{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}
json object(std::vector<std::string> required, json properties = json::object()) {
  for (const auto& name : required)
    if (!properties.contains(name)) properties[name] = json::object();
  return {{"type", "object"}, {"required", required}, {"properties", std::move(properties)}};
}
json nullable(json schema) { return {{"anyOf", {std::move(schema), {{"type", "null"}}}}}; }
json array_of(json items) { return {{"type", "array"}, {"items", std::move(items)}}; }
json list_of(json items) {
  return object({"items", "total", "limit", "offset"},
                {{"items", array_of(std::move(items))}, {"total", {{"type", "integer"}}}});
}

json project_schema() {
  return object({"id", "name", "current_phase", "maturity_score", "status"},
                {{"current_phase", words({"discovery", "analysis", "design", "implementation"}, "the phase")},
                 {"maturity_score", {{"type", "number"}}}});
}
json session_schema() { return object({"id", "project_id", "mode", "status"}); }
json question_schema() { return object({"id", "session_id", "project_id", "text", "category"}); }
json specification_schema() { return object({"id", "project_id", "category", "key", "value", "source"}); }
json conflict_schema() { return object({"id", "project_id", "type", "severity", "status", "description"}); }

const json kPaging = {{"limit", integer("page size, 1..200 (default 50)")}, {"offset", integer("items to skip (default 0)")}};

json with_paging(json properties) {
  for (const auto& [name, schema] : kPaging.items()) properties[name] = schema;
  return properties;
}

// ---- calls: the REST route's action or flow, with the caller's email for attribution as REST
// adds it (host/rest/api.cpp params_route)

auto action(std::string agent, std::string name) {
  return [agent = std::move(agent), name = std::move(name)](Orchestrator& orchestrator, json arguments,
                                                             const auth::AuthContext& auth) {
    arguments["caller_email"] = auth.email;
    return orchestrator.route(agent, name, std::move(arguments), auth.caller);
  };
}

auto flow(std::string name) {
  return [name = std::move(name)](Orchestrator& orchestrator, json arguments, const auth::AuthContext& auth) {
    arguments["caller_email"] = auth.email;
    return orchestrator.run_flow(name, std::move(arguments), auth.caller);
  };
}

// The project a turn's result touched: what it saved, the conflicts it opened, the items it
// opened or resolved. A turn that recorded nothing changed neither the document nor the maturity.
std::optional<std::string> turn_project(const json&, const json& value) {
  for (const char* list : {"specifications", "conflicts", "open_items"}) {
    if (!value.contains(list) || !value[list].is_array()) continue;
    for (const auto& item : value[list])
      if (item.is_object() && item.contains("project_id") && item["project_id"].is_string())
        return item["project_id"].get<std::string>();
  }
  return std::nullopt;
}

std::optional<std::string> project_of_value(const char* field, const json& value) {
  if (value.is_object() && value.contains(field) && value[field].is_string()) return value[field].get<std::string>();
  return std::nullopt;
}

}  // namespace

std::vector<Tool> interview_tools() {
  std::vector<Tool> tools;
  const json turn_output =
      object({"specifications", "conflicts", "maturity"},
             {{"specifications", array_of(specification_schema())},
              {"conflicts", array_of(conflict_schema())},
              {"maturity", object({"score"})}});

  tools.push_back({"list_projects", "List projects",
                   "Lists the Socrates projects the user is a member of (newest first), each with its id, name, "
                   "phase (discovery, analysis, design, implementation), maturity score (0..100) and the user's "
                   "role. Start here to find the project_id the other tools take.",
                   input(with_paging({{"status", words({"active", "archived", "all"}, "which projects (default active)")}})),
                   list_of(project_schema()), true, action("project_manager", "list"), nullptr, nullptr});

  tools.push_back({"create_project", "Create a project",
                   "Creates a project for a software idea to be specified through a Socratic interview. It "
                   "starts in the discovery phase with maturity 0; the user becomes its owner. Answers the project "
                   "(use its id with start_session).",
                   input({{"name", str("a short name, 1..255 characters")},
                          {"description", str("the idea in the user's words (optional)")}},
                         {"name"}),
                   project_schema(), false, action("project_manager", "create"), nullptr, nullptr});

  tools.push_back({"start_session", "Start an interview session",
                   "Starts a session on a project. mode 'socratic' (the default) is the interview: ask with "
                   "next_question, record the user's reply with answer. mode 'direct_chat' takes free text with "
                   "send_message instead. Answers the session (use its id with the other tools).",
                   input({{"project_id", id_of("project")},
                          {"mode", words({"socratic", "direct_chat"}, "the kind of session (default socratic)")}},
                         {"project_id"}),
                   session_schema(), false, action("socratic", "create_session"), nullptr, nullptr});

  tools.push_back({"next_question", "Next question",
                   "The question to put to the user now: the session's unanswered one if there is one, else a new "
                   "question aimed at the least-covered category of the specification. Ask the user exactly this "
                   "question, one at a time, and pass their reply to answer.",
                   input({{"session_id", id_of("session")}}, {"session_id"}), question_schema(), false,
                   action("socratic", "next_question"), nullptr, nullptr});

  tools.push_back({"answer", "Record the user's answer",
                   "Records the user's answer to the session's pending question (or to question_id): the "
                   "specifications it states are extracted and saved, contradictions with earlier ones are "
                   "reported as conflicts (never silently overwritten), the maturity is recomputed, and the next "
                   "question comes back (next_question, or null). Pass the user's own words; 'I don't know' is a "
                   "valid answer and opens an item to come back to.",
                   input({{"session_id", id_of("session")},
                          {"answer", str("the user's answer, in their words")},
                          {"question_id", id_of("question (default: the pending one)")}},
                         {"session_id", "answer"}),
                   [&] {
                     json schema = turn_output;
                     schema["properties"]["next_question"] = nullable(question_schema());
                     schema["properties"]["open_items"] = array_of(json::object());
                     return schema;
                   }(),
                   false, flow("answer"), turn_project, nullptr});

  tools.push_back({"send_message", "Send a direct-chat message",
                   "In a direct_chat session: records what the user says (specifications are extracted and "
                   "conflict-checked as for an answer) and answers a reply that restates what was recorded.",
                   input({{"session_id", id_of("session")}, {"message", str("the user's message")}},
                         {"session_id", "message"}),
                   [&] {
                     json schema = turn_output;
                     schema["required"].push_back("reply");
                     schema["properties"]["reply"] = {{"type", "string"}};
                     return schema;
                   }(),
                   false, flow("message"), turn_project, nullptr});

  tools.push_back({"specifications", "Current specifications",
                   "The project's current specifications (category, key, value, source, confidence), optionally "
                   "of one category; with history=true also the versions they replaced.",
                   input(with_paging({{"project_id", id_of("project")},
                                      {"category", str("only this category (see maturity for the categories)")},
                                      {"history", {{"type", "boolean"}, {"description", "include superseded versions"}}}}),
                         {"project_id"}),
                   list_of(specification_schema()), true,
                   action("context", "list_specifications"), nullptr, nullptr});

  tools.push_back({"maturity", "Maturity and phase gate",
                   "How complete the specification is: the overall score (0..100), each category's coverage and "
                   "clarity, open conflicts and open items, and whether the project can advance to its next phase "
                   "(next_phase.ready, with the blockers when not). Use it to decide what to ask about next and "
                   "when to call advance_phase.",
                   input({{"project_id", id_of("project")}}, {"project_id"}),
                   object({"score", "phase", "categories", "next_phase"},
                          {{"score", {{"type", "number"}}}, {"categories", array_of(object({"category", "score"}))}}),
                   true, action("project_manager", "maturity"), nullptr, nullptr});

  tools.push_back({"conflicts", "Conflicts",
                   "The project's conflicts: a new statement that contradicts a recorded specification is kept as "
                   "the proposed side of a conflict for the user to settle with resolve_conflict. status open "
                   "(the default), resolved, ignored or all.",
                   input(with_paging({{"project_id", id_of("project")},
                                      {"status", words({"open", "resolved", "ignored", "all"}, "which conflicts (default open)")}}),
                         {"project_id"}),
                   list_of(conflict_schema()), true,
                   action("context", "list_conflicts"), nullptr, nullptr});

  tools.push_back({"resolve_conflict", "Resolve a conflict",
                   "Settles a conflict the way the user decides: keep_existing, use_proposed, merge (then value "
                   "is the merged statement, required) or ignore. Ask the user; never choose for them.",
                   input({{"conflict_id", id_of("conflict")},
                          {"resolution", words({"keep_existing", "use_proposed", "merge", "ignore"}, "the user's decision")},
                          {"value", str("the merged value (for merge)")},
                          {"notes", str("why (optional)")}},
                         {"conflict_id", "resolution"}),
                   conflict_schema(), false, action("context", "resolve_conflict"),
                   [](const json&, const json& value) { return project_of_value("project_id", value); }, nullptr});

  tools.push_back({"advance_phase", "Advance to the next phase",
                   "Moves the project to its next phase (discovery → analysis → design → implementation) when its "
                   "gate allows (see maturity.next_phase); freezes a baseline of the requirements. Refused with "
                   "PHASE_GATE and the blockers otherwise. Only the project's owner may advance.",
                   input({{"project_id", id_of("project")}}, {"project_id"}), project_schema(), false,
                   action("project_manager", "advance"),
                   [](const json&, const json& value) { return project_of_value("id", value); }, nullptr});

  tools.push_back({"export", "Export the specification",
                   "The project's specification document. format markdown (the default: requirements with IDs, "
                   "EARS statements and acceptance criteria, conflicts, traceability), json (the same as data), "
                   "spec-kit (a spec.md), kiro (a requirements.md), tasks (the task list as markdown, once the "
                   "project has one) or tasks-json (the task list as tracker issues).",
                   input({{"project_id", id_of("project")},
                          {"format", words({"markdown", "json", "spec-kit", "kiro", "tasks", "tasks-json"},
                                           "the document's format (default markdown)")}},
                         {"project_id"}),
                   object({"format"}, {{"format", {{"type", "string"}}},
                                       {"markdown", {{"type", "string"}}},
                                       {"document", {{"type", "object"}}}}),
                   true, action("project_manager", "export"), nullptr,
                   [](const json& value) {
                     if (value.contains("markdown") && value["markdown"].is_string()) return value["markdown"].get<std::string>();
                     return value.value("document", json::object()).dump(2);
                   }});
  return tools;
}

Tool plugin_tool(const std::string& agent_id, const std::string& action_name, const std::string& description,
                 const nlohmann::json& input_schema) {
  Tool tool;
  tool.name = agent_id + "." + action_name;
  tool.title = agent_id + " " + action_name;
  tool.description = description;
  tool.input_schema = input_schema.is_object() ? input_schema : input({});
  tool.output_schema = nullptr;
  tool.call = [agent_id, action_name](Orchestrator& orchestrator, json arguments, const auth::AuthContext& auth) {
    // As POST /api/v1/agents/{agent}/{action}: the caller is who the token says, never the arguments.
    arguments["user_id"] = auth.caller.user_id;
    arguments["caller_email"] = auth.email;
    return orchestrator.route_public(agent_id, action_name, std::move(arguments), auth.caller);
  };
  return tool;
}

}  // namespace socrates::host::mcp

// Sessions, the Socratic dialogue, specifications and conflicts, and the project's maturity,
// phase and export: each route authenticates and calls an agent action or a flow through the
// orchestrator.
#include "host/rest/api.hpp"

namespace socrates::host::rest {

void add_dialogue_routes(Router& router, ApiContext& api) {
  // Sessions (socratic). {project_id} / {session_id} arrive as params of those names.
  router.add("POST", "/api/v1/projects/{project_id}/sessions", agent_route(api, "socratic", "create_session", Body::kOptional));
  router.add("GET", "/api/v1/projects/{project_id}/sessions",
             agent_route(api, "socratic", "list_sessions", Body::kNone, query_params({"limit", "offset", "status"})));
  router.add("GET", "/api/v1/sessions/{session_id}", agent_route(api, "socratic", "get_session", Body::kNone));
  router.add("PUT", "/api/v1/sessions/{session_id}/mode", agent_route(api, "socratic", "set_mode", Body::kOptional));
  router.add("POST", "/api/v1/sessions/{session_id}/pause", agent_route(api, "socratic", "pause", Body::kNone));
  router.add("POST", "/api/v1/sessions/{session_id}/resume", agent_route(api, "socratic", "resume", Body::kNone));
  router.add("POST", "/api/v1/sessions/{session_id}/end", agent_route(api, "socratic", "end", Body::kNone));
  router.add("GET", "/api/v1/sessions/{session_id}/history",
             agent_route(api, "socratic", "history", Body::kNone, query_params({"limit", "offset"})));
  router.add("POST", "/api/v1/sessions/{session_id}/next-question", agent_route(api, "socratic", "next_question", Body::kNone));

  // The dialogue's two turns, each a flow of the orchestrator (host/orchestrator/flows.hpp): an
  // answer is recorded by context, then socratic asks the next question; a direct-chat message is
  // recorded by context, then socratic replies.
  router.add("POST", "/api/v1/sessions/{session_id}/answer", flow_route(api, "answer", Body::kRequired));
  router.add("POST", "/api/v1/sessions/{session_id}/message", flow_route(api, "message", Body::kRequired));

  // Specifications and conflicts (context).
  router.add("GET", "/api/v1/projects/{project_id}/specifications",
             agent_route(api, "context", "list_specifications", Body::kNone, query_params({"category", "history", "limit", "offset"})));
  router.add("POST", "/api/v1/projects/{project_id}/specifications",
             agent_route(api, "context", "create_specification", Body::kOptional));
  router.add("PUT", "/api/v1/specifications/{specification_id}", agent_route(api, "context", "update_specification", Body::kOptional));
  router.add("DELETE", "/api/v1/specifications/{specification_id}",
             agent_route(api, "context", "delete_specification", Body::kNone));
  router.add("GET", "/api/v1/projects/{project_id}/conflicts",
             agent_route(api, "context", "list_conflicts", Body::kNone,
                         query_params({"status", "between_members", "limit", "offset"})));
  router.add("GET", "/api/v1/conflicts/{conflict_id}", agent_route(api, "context", "get_conflict", Body::kNone));
  router.add("POST", "/api/v1/conflicts/{conflict_id}/resolve", agent_route(api, "context", "resolve_conflict", Body::kOptional));

  // Clarity: findings of the current specifications, open items ("I don't know") and assumptions (context).
  router.add("GET", "/api/v1/projects/{project_id}/clarity", agent_route(api, "context", "clarity", Body::kNone));
  router.add("GET", "/api/v1/projects/{project_id}/open-items",
             agent_route(api, "context", "list_open_items", Body::kNone, query_params({"status", "limit", "offset"})));
  router.add("POST", "/api/v1/open-items/{open_item_id}/assume",
             agent_route(api, "context", "assume_open_item", Body::kRequired));

  // The project's maturity, phase and document (project_manager).
  router.add("GET", "/api/v1/projects/{project_id}/maturity", agent_route(api, "project_manager", "maturity", Body::kNone));
  router.add("POST", "/api/v1/projects/{project_id}/advance", agent_route(api, "project_manager", "advance", Body::kNone));
  router.add("GET", "/api/v1/categories", agent_route(api, "project_manager", "categories", Body::kNone));
  router.add("GET", "/api/v1/projects/{project_id}/requirements",
             agent_route(api, "project_manager", "requirements", Body::kNone, query_params({"category", "limit", "offset"})));
  router.add("POST", "/api/v1/projects/{project_id}/requirements/reword",
             agent_route(api, "project_manager", "reword_requirements", Body::kNone));

  // The specification document: markdown (the default), JSON, spec-kit's spec.md or Kiro's requirements.md.
  // The task list: tasks (markdown) and tasks-json (issues for a tracker).
  router.add("GET", "/api/v1/projects/{project_id}/export", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      nlohmann::json params = {{"project_id", request.path_param("project_id")}};
      copy_query_param(request, "format", params);
      sdk::Result result = api.orchestrator.route("project_manager", "export", std::move(params), auth.caller);
      if (!result.is_ok()) return respond(result, request);
      const nlohmann::json& document = result.value();
      // markdown, spec-kit (its spec.md), kiro (its requirements.md) and tasks are markdown documents.
      if (document.contains("markdown")) {
        HttpResponse response;
        response.status = 200;
        response.content_type = "text/markdown; charset=utf-8";
        response.body = document.value("markdown", "");
        return response;
      }
      return HttpResponse::json(200, document.value("document", nlohmann::json::object()));
    });
  });
}

}  // namespace socrates::host::rest

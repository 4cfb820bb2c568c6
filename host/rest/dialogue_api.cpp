// Sessions, the Socratic dialogue, specifications and conflicts, and the project's maturity,
// phase and export: each route authenticates and calls an agent action through the orchestrator.
#include "host/rest/api.hpp"

namespace socrates::host::rest {
namespace {

using Fill = std::function<void(const HttpRequest&, nlohmann::json&)>;

// Routes to `agent`/`action` with the body (when `takes_body`) and the path's ids as params.
Handler to_agent(ApiContext& api, std::string agent, std::string action, bool takes_body, Fill fill = nullptr) {
  return [&api, agent = std::move(agent), action = std::move(action), takes_body, fill = std::move(fill)](
             HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      nlohmann::json params = nlohmann::json::object();
      if (takes_body) {
        auto body = json_body(request, /*allow_empty=*/true);
        if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
        params = std::move(std::get<nlohmann::json>(body));
      }
      for (const auto& [name, value] : request.path_params) params[name] = value;
      if (fill) fill(request, params);
      return respond(api.container.orchestrator().route(agent, action, std::move(params), auth.caller), request);
    });
  };
}

Fill query(std::initializer_list<const char*> names) {
  std::vector<std::string> list(names.begin(), names.end());
  return [list](const HttpRequest& request, nlohmann::json& params) {
    for (const auto& name : list) copy_query_param(request, name, params);
  };
}

}  // namespace

void add_dialogue_routes(Router& router, ApiContext& api) {
  // Sessions (socratic). {project_id} / {session_id} arrive as params of those names.
  router.add("POST", "/api/v1/projects/{project_id}/sessions", to_agent(api, "socratic", "create_session", true));
  router.add("GET", "/api/v1/projects/{project_id}/sessions",
             to_agent(api, "socratic", "list_sessions", false, query({"limit", "offset", "status"})));
  router.add("GET", "/api/v1/sessions/{session_id}", to_agent(api, "socratic", "get_session", false));
  router.add("PUT", "/api/v1/sessions/{session_id}/mode", to_agent(api, "socratic", "set_mode", true));
  router.add("POST", "/api/v1/sessions/{session_id}/pause", to_agent(api, "socratic", "pause", false));
  router.add("POST", "/api/v1/sessions/{session_id}/resume", to_agent(api, "socratic", "resume", false));
  router.add("POST", "/api/v1/sessions/{session_id}/end", to_agent(api, "socratic", "end", false));
  router.add("GET", "/api/v1/sessions/{session_id}/history",
             to_agent(api, "socratic", "history", false, query({"limit", "offset"})));
  router.add("POST", "/api/v1/sessions/{session_id}/next-question", to_agent(api, "socratic", "next_question", false));

  // An answer: the context agent records it (extraction, conflicts, maturity — one transaction),
  // then the socratic agent asks the next question.
  router.add("POST", "/api/v1/sessions/{session_id}/answer", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      auto body = json_body(request);
      if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
      nlohmann::json params = std::move(std::get<nlohmann::json>(body));
      params["session_id"] = request.path_param("session_id");
      auto& orchestrator = api.container.orchestrator();
      sdk::Result recorded = orchestrator.route("context", "record_answer", params, auth.caller);
      if (!recorded.is_ok()) return respond(recorded, request);
      nlohmann::json answer = recorded.value();
      sdk::Result next = orchestrator.route("socratic", "next_question",
                                            {{"session_id", request.path_param("session_id")}}, auth.caller);
      // The answer is committed whatever happens next; a question that cannot be asked now is
      // null here and the client asks again with next-question (which reports why).
      answer["next_question"] = next.is_ok() ? next.value() : nlohmann::json(nullptr);
      return HttpResponse::json(200, answer);
    });
  });

  // A direct-chat turn: the context agent records the message; the socratic agent replies.
  router.add("POST", "/api/v1/sessions/{session_id}/message", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      auto body = json_body(request);
      if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
      nlohmann::json params = std::move(std::get<nlohmann::json>(body));
      params["session_id"] = request.path_param("session_id");
      auto& orchestrator = api.container.orchestrator();
      sdk::Result recorded = orchestrator.route("context", "record_message", params, auth.caller);
      if (!recorded.is_ok()) return respond(recorded, request);
      nlohmann::json turn = recorded.value();
      sdk::Result reply = orchestrator.route(
          "socratic", "reply",
          {{"session_id", request.path_param("session_id")},
           {"recorded", turn.value("specifications", nlohmann::json::array())},
           {"conflicts", turn.value("conflicts", nlohmann::json::array()).size()},
           {"duplicates", turn.value("duplicates", 0)}},
          auth.caller);
      if (!reply.is_ok()) return respond(reply, request);
      turn.erase("duplicates");
      turn["reply"] = reply.value().value("reply", "");
      return HttpResponse::json(200, turn);
    });
  });

  // Specifications and conflicts (context).
  router.add("GET", "/api/v1/projects/{project_id}/specifications",
             to_agent(api, "context", "list_specifications", false, query({"category", "history", "limit", "offset"})));
  router.add("POST", "/api/v1/projects/{project_id}/specifications",
             to_agent(api, "context", "create_specification", true));
  router.add("PUT", "/api/v1/specifications/{specification_id}", to_agent(api, "context", "update_specification", true));
  router.add("DELETE", "/api/v1/specifications/{specification_id}",
             to_agent(api, "context", "delete_specification", false));
  router.add("GET", "/api/v1/projects/{project_id}/conflicts",
             to_agent(api, "context", "list_conflicts", false, query({"status", "limit", "offset"})));
  router.add("GET", "/api/v1/conflicts/{conflict_id}", to_agent(api, "context", "get_conflict", false));
  router.add("POST", "/api/v1/conflicts/{conflict_id}/resolve", to_agent(api, "context", "resolve_conflict", true));

  // The project's maturity, phase and document (project_manager).
  router.add("GET", "/api/v1/projects/{project_id}/maturity", to_agent(api, "project_manager", "maturity", false));
  router.add("POST", "/api/v1/projects/{project_id}/advance", to_agent(api, "project_manager", "advance", false));
  router.add("GET", "/api/v1/categories", to_agent(api, "project_manager", "categories", false));

  // The specification document: markdown (the default) or JSON.
  router.add("GET", "/api/v1/projects/{project_id}/export", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      nlohmann::json params = {{"project_id", request.path_param("project_id")}};
      copy_query_param(request, "format", params);
      sdk::Result result = api.container.orchestrator().route("project_manager", "export", params, auth.caller);
      if (!result.is_ok()) return respond(result, request);
      const nlohmann::json& document = result.value();
      if (document.value("format", "") == "markdown") {
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

// Sessions, the Socratic dialogue, specifications and conflicts, and the project's maturity,
// phase and export: each route authenticates and calls an agent action through the orchestrator.
#include "host/rest/api.hpp"

#include "host/log/json_log.hpp"

namespace socrates::host::rest {
namespace {

constexpr std::size_t kReplyRestatesAtMost = 200;

// A dialogue turn: the body with the path's session, recorded by the context agent's `action`;
// `then` (given the turn's text, what was recorded and the caller) answers once the recording is
// committed. A recording that fails answers its error. The body moves into the agent's params
// (never copied: a request's JSON is not walked again on the way in).
template <typename Then>
HttpResponse record_turn(ApiContext& api, HttpRequest& request, const char* action, Then then) {
  return with_user(api, request, [&](const auth::AuthContext& auth) {
    auto body = json_body(request);
    if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
    nlohmann::json params = std::move(std::get<nlohmann::json>(body));
    params["session_id"] = request.path_param("session_id");
    const auto message = params.find("message");
    std::string text = message != params.end() && message->is_string() ? message->get<std::string>() : "";
    sdk::Result recorded = api.container.orchestrator().route("context", action, std::move(params), auth.caller);
    if (!recorded.is_ok()) return respond(recorded, request);
    return then(text, recorded.value(), auth.caller);
  });
}

}  // namespace

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

  // An answer: the context agent records it (extraction, conflicts, maturity — one transaction),
  // then the socratic agent asks the next question.
  router.add("POST", "/api/v1/sessions/{session_id}/answer", [&api](HttpRequest& request) {
    return record_turn(api, request, "record_answer", [&](const std::string&, nlohmann::json answer,
                                                          const sdk::Caller& caller) {
      sdk::Result next = api.container.orchestrator().route(
          "socratic", "next_question", {{"session_id", request.path_param("session_id")}}, caller);
      // The answer is committed whatever happens next; a question that cannot be asked now is
      // null here and the client asks again with next-question (which reports why).
      if (!next.is_ok())
        log::warn("the answer is recorded; its follow-up question could not be asked",
                  {{"code", next.error().code}, {"error", next.error().message}});
      answer["next_question"] = next.is_ok() ? next.value() : nlohmann::json(nullptr);
      return HttpResponse::json(200, answer);
    });
  });

  // A direct-chat turn: the context agent records the message; the socratic agent replies.
  router.add("POST", "/api/v1/sessions/{session_id}/message", [&api](HttpRequest& request) {
    return record_turn(api, request, "record_message", [&](const std::string& message, nlohmann::json turn,
                                                           const sdk::Caller& caller) {
      // socratic/reply (internal) takes at most 200 recorded specifications: it restates them, and
      // more than that is not a reply's worth.
      nlohmann::json recorded = turn.value("specifications", nlohmann::json::array());
      if (recorded.is_array() && recorded.size() > kReplyRestatesAtMost)
        recorded.erase(recorded.begin() + static_cast<std::ptrdiff_t>(kReplyRestatesAtMost), recorded.end());
      sdk::Result reply = api.container.orchestrator().route(
          "socratic", "reply",
          {{"session_id", request.path_param("session_id")},
           {"message", message},
           {"recorded", std::move(recorded)},
           {"conflicts", turn.value("conflicts", nlohmann::json::array()).size()},
           {"duplicates", turn.value("duplicates", 0)}},
          caller);
      if (!reply.is_ok()) return respond(reply, request);
      turn.erase("duplicates");
      turn["reply"] = reply.value().value("reply", "");
      return HttpResponse::json(200, turn);
    });
  });

  // Specifications and conflicts (context).
  router.add("GET", "/api/v1/projects/{project_id}/specifications",
             agent_route(api, "context", "list_specifications", Body::kNone, query_params({"category", "history", "limit", "offset"})));
  router.add("POST", "/api/v1/projects/{project_id}/specifications",
             agent_route(api, "context", "create_specification", Body::kOptional));
  router.add("PUT", "/api/v1/specifications/{specification_id}", agent_route(api, "context", "update_specification", Body::kOptional));
  router.add("DELETE", "/api/v1/specifications/{specification_id}",
             agent_route(api, "context", "delete_specification", Body::kNone));
  router.add("GET", "/api/v1/projects/{project_id}/conflicts",
             agent_route(api, "context", "list_conflicts", Body::kNone, query_params({"status", "limit", "offset"})));
  router.add("GET", "/api/v1/conflicts/{conflict_id}", agent_route(api, "context", "get_conflict", Body::kNone));
  router.add("POST", "/api/v1/conflicts/{conflict_id}/resolve", agent_route(api, "context", "resolve_conflict", Body::kOptional));

  // The project's maturity, phase and document (project_manager).
  router.add("GET", "/api/v1/projects/{project_id}/maturity", agent_route(api, "project_manager", "maturity", Body::kNone));
  router.add("POST", "/api/v1/projects/{project_id}/advance", agent_route(api, "project_manager", "advance", Body::kNone));
  router.add("GET", "/api/v1/categories", agent_route(api, "project_manager", "categories", Body::kNone));

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

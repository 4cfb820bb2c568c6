// /mcp: the MCP server (host/mcp) over Streamable HTTP (MCP 2025-11-25, "Transports").
//  - POST carries one JSON-RPC message. initialize opens a session and answers its id in
//    Mcp-Session-Id; every later message must carry it (400 without, 404 for one that is unknown,
//    ended, or another account's). A notification or a response is accepted with 202 and no body.
//    A request is answered with application/json, or, when notifications are queued for the
//    session (notifications/resources/updated after a turn) and the client's Accept allows it,
//    with text/event-stream: the notifications, then the response, as one body (Pistache 0.0.5
//    has no safe streaming writer; the events are all known when the request ends).
//  - GET is 405 (the protocol allows it): this server opens no standalone SSE stream; a session's
//    notifications ride on its next POST.
//  - DELETE ends the session (204).
// Authenticated like REST (401 in the API's error shape, WWW-Authenticate: Bearer), by an access
// token or a personal access token. The body limit, JSON depth and NUL rules are REST's.
#include "host/mcp/mcp_server.hpp"
#include "host/rest/api.hpp"


namespace socrates::host::rest {
namespace {

using nlohmann::json;

// A JSON-RPC message as an HTTP answer.
HttpResponse rpc_answer(int status, const json& message) { return HttpResponse::json(status, message); }

HttpResponse rpc_refusal(int status, int code, const std::string& message, const json& id = nullptr) {
  return rpc_answer(status, mcp::McpServer::error_response(id, code, message));
}

bool accepts_event_stream(const HttpRequest& request) {
  return request.header("accept").value_or("").find("text/event-stream") != std::string::npos;
}

HttpResponse accepted() {
  HttpResponse response;
  response.status = 202;
  response.content_type.clear();
  return response;
}

// The server-sent events of `notifications` and then `reply`, as one body.
HttpResponse event_stream(const std::vector<json>& notifications, const json& reply) {
  HttpResponse response;
  response.status = 200;
  response.content_type = "text/event-stream";
  for (const auto& note : notifications) response.body += "event: message\ndata: " + note.dump() + "\n\n";
  response.body += "event: message\ndata: " + reply.dump() + "\n\n";
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

HttpResponse post(mcp::McpServer& server, const HttpRequest& request, const auth::AuthContext& auth) {
  if (!is_json_media_type(request.header("content-type").value_or("")))
    return unsupported_media_type(request, "application/json");
  if (auto version = request.header("mcp-protocol-version"); version && !mcp::is_supported_protocol_version(*version))
    return rpc_refusal(400, mcp::rpc::kInvalidRequest, "Bad Request: unsupported MCP-Protocol-Version " + *version);

  auto parsed = mcp::McpServer::parse(request.body);
  if (auto* refused = std::get_if<json>(&parsed)) return rpc_answer(400, *refused);
  const mcp::Message& message = std::get<mcp::Message>(parsed);
  const auto session_id = request.header("mcp-session-id");

  std::shared_ptr<mcp::Session> session;
  if (message.method == "initialize") {
    if (session_id)
      return rpc_refusal(400, mcp::rpc::kInvalidRequest,
                         "Bad Request: initialize opens a new session; send it without Mcp-Session-Id", message.id);
    session = server.open_session(auth.caller.user_id);
    auto reply = server.handle(*session, message, auth);
    if (!reply || reply->contains("error")) {
      server.close_session(session->id, auth.caller.user_id);
      return reply ? rpc_answer(200, *reply) : accepted();
    }
    HttpResponse response = rpc_answer(200, *reply);
    response.headers.emplace_back("Mcp-Session-Id", session->id);
    return response;
  }
  if (!session_id)
    return rpc_refusal(400, mcp::rpc::kInvalidRequest, "Bad Request: Mcp-Session-Id is required (initialize first)",
                       message.id);
  session = server.find_session(*session_id, auth.caller.user_id);
  if (!session)
    return rpc_refusal(404, mcp::rpc::kSessionNotFound, "Session not found: initialize a new session", message.id);

  auto reply = server.handle(*session, message, auth);
  if (!reply) return accepted();
  // Queued notifications ride on this answer when the client reads an event stream; otherwise they
  // wait for a request that does.
  if (accepts_event_stream(request)) {
    auto notifications = server.take_notifications(*session);
    if (!notifications.empty()) return event_stream(notifications, *reply);
  }
  return rpc_answer(200, *reply);
}

}  // namespace

void add_mcp_routes(Router& router, ApiContext& api) {
  // Lives as long as the router's handlers, which hold it.
  auto server = std::make_shared<mcp::McpServer>(api.orchestrator, SOCRATES_VERSION);
  router.add("POST", "/mcp", [&api, server](HttpRequest& request) {
    return with_user(
        api, request, [&](const auth::AuthContext& auth) { return post(*server, request, auth); },
        auth::Credentials::kAccessOrPersonalToken);
  });
  router.add("DELETE", "/mcp", [&api, server](HttpRequest& request) {
    return with_user(
        api, request,
        [&](const auth::AuthContext& auth) {
          const auto session_id = request.header("mcp-session-id");
          if (!session_id) return rpc_refusal(400, mcp::rpc::kInvalidRequest, "Bad Request: Mcp-Session-Id is required");
          if (!server->close_session(*session_id, auth.caller.user_id))
            return rpc_refusal(404, mcp::rpc::kSessionNotFound, "Session not found");
          return HttpResponse::no_content();
        },
        auth::Credentials::kAccessOrPersonalToken);
  });
}

}  // namespace socrates::host::rest

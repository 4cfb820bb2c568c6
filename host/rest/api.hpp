#pragma once
// The REST API of api.md: every route, wired to the account service and, through the
// orchestrator, to the agents' actions and flows. REST holds only the narrow parts it uses
// (ApiContext): it opens no database and reads no agent's data itself.

#include "host/auth/account_service.hpp"
#include "host/orchestrator/agent_admin.hpp"
#include "host/orchestrator/orchestrator.hpp"
#include "host/rest/router.hpp"
#include "host/rest/system_status.hpp"

#include <filesystem>
#include <functional>
#include <memory>

namespace socrates::host::notify {
class WebhookSender;
}

namespace socrates::host::rest {

// What the routes reach, each outliving the router (the composition root, host/app, owns them).
struct ApiContext {
  Orchestrator& orchestrator;      // agent actions and flows
  auth::AccountService& accounts;  // sign-in, tokens, the caller of every request
  AgentAdmin& agents;              // the admin routes: list and reload agents
  SystemStatus& system;            // health and stats: databases, uptime, LLM usage
  notify::WebhookSender* invitation_hook = nullptr;  // INVITATION_HOOK_URL, when set
  std::filesystem::path web_dir = {};  // the web client's files (WEB_DIR), served at `/`
  std::filesystem::path docs_dir = {};          // openapi.json and reference.html (DOCS_DIR)
  std::filesystem::path node_modules_dir = {};  // Redoc's bundle for /docs (NODE_MODULES_DIR)
};

std::shared_ptr<Router> build_router(ApiContext& api);

void add_health_routes(Router& router, ApiContext& api);
void add_account_routes(Router& router, ApiContext& api);
void add_project_routes(Router& router, ApiContext& api);
void add_agent_routes(Router& router, ApiContext& api);
// Sessions, answers, specifications, conflicts, maturity, advance, export, categories.
void add_dialogue_routes(Router& router, ApiContext& api);
// GET /openapi.json, GET /docs (Redoc) and its script.
void add_reference_routes(Router& router, ApiContext& api);
// GET /metrics (Prometheus text format), GET /health/live, GET /health/ready.
void add_operator_routes(Router& router, ApiContext& api);
// The MCP server's Streamable HTTP transport: POST and DELETE /mcp (host/mcp).
void add_mcp_routes(Router& router, ApiContext& api);

// ---- shared by the route files

// The request body as a JSON object ({} when empty and `allow_empty`). A body that is not sent as
// JSON (Content-Type application/json or application/...+json) is 415 UNSUPPORTED_MEDIA_TYPE; one
// that is not a JSON object, nests deeper than 64 levels (checked while parsing) or has a NUL
// character in a string or key (details.field is its JSON pointer) is 400 VALIDATION_ERROR.
std::variant<nlohmann::json, HttpResponse> json_body(const HttpRequest& request, bool allow_empty = false);
// The same checks on text already known to be JSON (no Content-Type check).
std::variant<nlohmann::json, HttpResponse> parse_json_object(const std::string& text, const std::string& request_id);
// Whether a Content-Type names JSON: application/json or application/<anything>+json.
bool is_json_media_type(const std::string& content_type);
// 415 UNSUPPORTED_MEDIA_TYPE naming what the route accepts.
HttpResponse unsupported_media_type(const HttpRequest& request, const std::string& accepted);

// Authenticates, then runs `fn` with the caller; every exception becomes the API's error shape.
// REST routes take access tokens only; /mcp takes personal access tokens too.
HttpResponse with_user(ApiContext& api, HttpRequest& request,
                       const std::function<HttpResponse(const auth::AuthContext&)>& fn,
                       auth::Credentials accepted = auth::Credentials::kAccessToken);
HttpResponse with_admin(ApiContext& api, HttpRequest& request,
                        const std::function<HttpResponse(const auth::AuthContext&)>& fn);

// A result as REST, with Retry-After for TOO_MANY_ATTEMPTS and RATE_LIMITED (details.retry_after_s).
HttpResponse respond(const sdk::Result& result, const HttpRequest& request);

// Runs `fn` (which may throw AgentException/DatabaseError) and answers with its result.
HttpResponse guarded_response(const HttpRequest& request, const std::function<sdk::Result()>& fn);

// What a route takes from the request body for its agent.
enum class Body { kNone, kOptional, kRequired };
using FillParams = std::function<void(const HttpRequest&, nlohmann::json&)>;

// A route that authenticates and calls `agent`/`action` through the orchestrator with the body
// (per `body`), every path capture under its own name, and whatever `fill` adds from the query.
Handler agent_route(ApiContext& api, std::string agent, std::string action, Body body, FillParams fill = nullptr);

// The same for the orchestrator's flow `flow` (host/orchestrator/flows.hpp).
Handler flow_route(ApiContext& api, std::string flow, Body body, FillParams fill = nullptr);

// A FillParams copying the named query parameters (see copy_query_param).
FillParams query_params(std::initializer_list<const char*> names);

// A query parameter as JSON for an agent: a number when it is one, else the text (so the agent's
// validation names the field).
void copy_query_param(const HttpRequest& request, const std::string& name, nlohmann::json& params);

}  // namespace socrates::host::rest

// /api/v1/projects* — each route is a call of the project_manager agent through the orchestrator.
#include "host/rest/api.hpp"

namespace socrates::host::rest {
namespace {

constexpr const char* kAgent = "project_manager";

// A route that authenticates, builds the agent's params from the request, and routes.
Handler agent_route(ApiContext& api, std::string action, bool takes_body,
                    std::function<void(const HttpRequest&, nlohmann::json&)> fill) {
  return [&api, action = std::move(action), takes_body, fill = std::move(fill)](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      nlohmann::json params = nlohmann::json::object();
      if (takes_body) {
        auto body = json_body(request);
        if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
        params = std::move(std::get<nlohmann::json>(body));
      }
      if (fill) fill(request, params);
      return respond(api.container.orchestrator().route(kAgent, action, std::move(params), auth.caller), request);
    });
  };
}

void project_id(const HttpRequest& request, nlohmann::json& params) { params["project_id"] = request.path_param("id"); }

}  // namespace

void add_project_routes(Router& router, ApiContext& api) {
  router.add("POST", "/api/v1/projects", agent_route(api, "create", true, nullptr));
  router.add("GET", "/api/v1/projects", agent_route(api, "list", false, [](const HttpRequest& r, nlohmann::json& p) {
               copy_query_param(r, "limit", p);
               copy_query_param(r, "offset", p);
               if (auto status = r.query_param("status")) p["status"] = *status;
             }));
  router.add("GET", "/api/v1/projects/{id}", agent_route(api, "get", false, project_id));
  router.add("PATCH", "/api/v1/projects/{id}", agent_route(api, "update", true, project_id));
  router.add("DELETE", "/api/v1/projects/{id}", agent_route(api, "archive", false, project_id));
  router.add("POST", "/api/v1/projects/{id}/restore", agent_route(api, "restore", false, project_id));
}

}  // namespace socrates::host::rest

// /api/v1/projects* — each route is a call of the project_manager agent through the orchestrator.
#include "host/rest/api.hpp"

namespace socrates::host::rest {
void add_project_routes(Router& router, ApiContext& api) {
  const std::string agent = "project_manager";
  router.add("POST", "/api/v1/projects", agent_route(api, agent, "create", Body::kRequired));
  router.add("GET", "/api/v1/projects",
             agent_route(api, agent, "list", Body::kNone, query_params({"limit", "offset", "status"})));
  router.add("GET", "/api/v1/projects/{project_id}", agent_route(api, agent, "get", Body::kNone));
  router.add("PATCH", "/api/v1/projects/{project_id}", agent_route(api, agent, "update", Body::kRequired));
  router.add("DELETE", "/api/v1/projects/{project_id}", agent_route(api, agent, "archive", Body::kNone));
  router.add("POST", "/api/v1/projects/{project_id}/restore", agent_route(api, agent, "restore", Body::kNone));
}

}  // namespace socrates::host::rest

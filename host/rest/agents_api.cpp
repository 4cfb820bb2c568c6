// POST /api/v1/agents/{agent}/{action}: any public agent action, for REST consumers and third-party agents.
#include "host/rest/api.hpp"

namespace socrates::host::rest {

void add_agent_routes(Router& router, ApiContext& api) {
  router.add("POST", "/api/v1/agents/{agent}/{action}", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      auto body = json_body(request, /*allow_empty=*/true);
      if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
      nlohmann::json params = std::move(std::get<nlohmann::json>(body));
      // The caller is who the token says; a body cannot speak for someone else.
      params["user_id"] = auth.caller.user_id;
      params["caller_email"] = auth.email;
      // Public actions only: an agent's internal actions are for the host's own routes.
      sdk::Result result = api.orchestrator.route_public(
          request.path_param("agent"), request.path_param("action"), std::move(params), auth.caller);
      if (!result.is_ok()) return respond(result, request);
      return result_envelope(result);
    });
  });
}

}  // namespace socrates::host::rest

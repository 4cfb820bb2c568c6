// /api/v1/projects* — each route is a call of the project_manager agent through the orchestrator.
#include "host/rest/api.hpp"

#include "host/notify/webhook.hpp"

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

  // The documents a project gets behind its gates: the baselines each advance freezes, and the
  // plans (design outline, task list) with their versions.
  router.add("GET", "/api/v1/projects/{project_id}/baselines",
             agent_route(api, agent, "baselines", Body::kNone, query_params({"limit", "offset"})));
  router.add("GET", "/api/v1/projects/{project_id}/baselines/{number}", agent_route(api, agent, "baseline", Body::kNone));
  router.add("GET", "/api/v1/projects/{project_id}/baselines/{number}/diff",
             agent_route(api, agent, "baseline_diff", Body::kNone, query_params({"against"})));
  router.add("GET", "/api/v1/projects/{project_id}/plans",
             agent_route(api, agent, "plans", Body::kNone, query_params({"kind", "limit", "offset"})));
  router.add("GET", "/api/v1/projects/{project_id}/plans/{kind}",
             agent_route(api, agent, "plan", Body::kNone, query_params({"version"})));
  router.add("PUT", "/api/v1/projects/{project_id}/plans/{kind}", agent_route(api, agent, "edit_plan", Body::kRequired));
  router.add("POST", "/api/v1/projects/{project_id}/plans/{kind}/regenerate",
             agent_route(api, agent, "regenerate_plan", Body::kNone));

  // Members and invitations (docs/domain.md "Members and roles").
  router.add("GET", "/api/v1/projects/{project_id}/members",
             agent_route(api, agent, "members", Body::kNone, query_params({"limit", "offset"})));
  router.add("PATCH", "/api/v1/projects/{project_id}/members/{member_id}",
             agent_route(api, agent, "set_member_role", Body::kRequired));
  router.add("DELETE", "/api/v1/projects/{project_id}/members/{member_id}",
             agent_route(api, agent, "remove_member", Body::kNone));
  router.add("POST", "/api/v1/projects/{project_id}/leave", agent_route(api, agent, "leave", Body::kNone));
  // A new invitation also goes to INVITATION_HOOK_URL when set: queued after the answer is made,
  // so the hook never delays or fails the invitation.
  router.add("POST", "/api/v1/projects/{project_id}/invitations",
             [&api, invite = agent_route(api, agent, "invite", Body::kRequired)](HttpRequest& request) {
               HttpResponse response = invite(request);
               if (api.invitation_hook && response.status == 201)
                 api.invitation_hook->send("invitation.created",
                                           {{"invitation", nlohmann::json::parse(response.body, nullptr, false)}});
               return response;
             });
  router.add("GET", "/api/v1/projects/{project_id}/invitations",
             agent_route(api, agent, "invitations", Body::kNone, query_params({"status", "limit", "offset"})));
  router.add("DELETE", "/api/v1/projects/{project_id}/invitations/{invitation_id}",
             agent_route(api, agent, "revoke_invitation", Body::kNone));
  // The invited account accepts with the token: its email (from the access token, never the
  // body) must be the invitation's.
  router.add("POST", "/api/v1/invitations/accept", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      auto body = json_body(request);
      if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
      nlohmann::json params = std::move(std::get<nlohmann::json>(body));
      params["caller_email"] = auth.email;
      return respond(api.orchestrator.route("project_manager", "accept_invitation", std::move(params), auth.caller), request);
    });
  });
}

}  // namespace socrates::host::rest

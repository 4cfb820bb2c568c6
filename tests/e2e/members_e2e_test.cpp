// Members, roles and invitations over real HTTP with several accounts: an invitation is accepted
// once by the invited account, and answers clearly when reused, revoked or expired; the last owner
// cannot leave, be removed or be demoted; and every route of the router's table applies the roles:
// a non-member gets the 404 of a project that does not exist, a member below the route's role gets
// 403 FORBIDDEN, and a member with it is let through. A route added to the router without a role
// in kRoleOf fails EveryRouteOfTheTableAppliesItsRole.
#include "e2e/host_suite.hpp"
#include "e2e/route_table.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace socrates::test::e2e {
namespace {

using nlohmann::json;

enum class Need { kNoProject, kViewer, kContributor, kOwner };

struct RouteRole {
  Need need;
  const char* body;  // a valid JSON body (placeholders filled in), or nullptr for none
};

// The contract of roles (docs/api.md "Members and invitations"), one entry per route of the table.
// kNoProject: the route touches no one project (accounts, administration, the caller's list, the
// generic agent route: its actions follow the roles as their own routes do, see below).
const std::map<std::string, RouteRole> kRoleOf = {
    {"GET /health", {Need::kNoProject, nullptr}},
    {"GET /", {Need::kNoProject, nullptr}},
    {"HEAD /", {Need::kNoProject, nullptr}},
    {"GET /web/{file}", {Need::kNoProject, nullptr}},
    {"HEAD /web/{file}", {Need::kNoProject, nullptr}},
    {"GET /openapi.json", {Need::kNoProject, nullptr}},
    {"HEAD /openapi.json", {Need::kNoProject, nullptr}},
    {"GET /docs", {Need::kNoProject, nullptr}},
    {"HEAD /docs", {Need::kNoProject, nullptr}},
    {"GET /docs/redoc.standalone.js", {Need::kNoProject, nullptr}},
    {"HEAD /docs/redoc.standalone.js", {Need::kNoProject, nullptr}},
    {"GET /health/live", {Need::kNoProject, nullptr}},
    {"GET /health/ready", {Need::kNoProject, nullptr}},
    {"GET /metrics", {Need::kNoProject, nullptr}},
    {"GET /api/v1/admin/health", {Need::kNoProject, nullptr}},
    {"GET /api/v1/admin/stats", {Need::kNoProject, nullptr}},
    {"GET /api/v1/admin/agents", {Need::kNoProject, nullptr}},
    {"POST /api/v1/admin/agents/{id}/reload", {Need::kNoProject, nullptr}},
    {"POST /api/v1/auth/register", {Need::kNoProject, nullptr}},
    {"POST /api/v1/auth/login", {Need::kNoProject, nullptr}},
    {"POST /api/v1/auth/refresh", {Need::kNoProject, nullptr}},
    {"POST /api/v1/auth/logout", {Need::kNoProject, nullptr}},
    {"GET /api/v1/auth/me", {Need::kNoProject, nullptr}},
    {"POST /api/v1/auth/change-password", {Need::kNoProject, nullptr}},
    {"POST /api/v1/projects", {Need::kNoProject, nullptr}},
    {"GET /api/v1/projects", {Need::kNoProject, nullptr}},
    {"GET /api/v1/categories", {Need::kNoProject, nullptr}},
    {"POST /api/v1/agents/{agent}/{action}", {Need::kNoProject, nullptr}},
    {"POST /api/v1/invitations/accept", {Need::kNoProject, nullptr}},
    {"POST /api/v1/auth/tokens", {Need::kNoProject, nullptr}},
    {"GET /api/v1/auth/tokens", {Need::kNoProject, nullptr}},
    {"DELETE /api/v1/auth/tokens/{token_id}", {Need::kNoProject, nullptr}},
    // The MCP server: its tools call the actions of the routes above, which apply their roles.
    {"POST /mcp", {Need::kNoProject, nullptr}},
    {"DELETE /mcp", {Need::kNoProject, nullptr}},
    // Reads and exports: any member.
    {"GET /api/v1/projects/{project_id}", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/maturity", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/export", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/requirements", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/baselines", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/baselines/{number}", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/baselines/{number}/diff", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/plans", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/plans/{kind}", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/sessions", {Need::kViewer, nullptr}},
    {"GET /api/v1/sessions/{session_id}", {Need::kViewer, nullptr}},
    {"GET /api/v1/sessions/{session_id}/history", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/specifications", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/conflicts", {Need::kViewer, nullptr}},
    {"GET /api/v1/conflicts/{conflict_id}", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/clarity", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/open-items", {Need::kViewer, nullptr}},
    {"GET /api/v1/projects/{project_id}/members", {Need::kViewer, nullptr}},
    {"POST /api/v1/projects/{project_id}/leave", {Need::kViewer, nullptr}},
    // Writes to the specification: contributors.
    {"POST /api/v1/projects/{project_id}/sessions", {Need::kContributor, R"({"mode":"socratic"})"}},
    {"PUT /api/v1/sessions/{session_id}/mode", {Need::kContributor, R"({"mode":"direct_chat"})"}},
    {"POST /api/v1/sessions/{session_id}/pause", {Need::kContributor, nullptr}},
    {"POST /api/v1/sessions/{session_id}/resume", {Need::kContributor, nullptr}},
    {"POST /api/v1/sessions/{session_id}/end", {Need::kContributor, nullptr}},
    {"POST /api/v1/sessions/{session_id}/next-question", {Need::kContributor, nullptr}},
    {"POST /api/v1/sessions/{session_id}/answer", {Need::kContributor, R"({"answer":"We will use Redis for caching."})"}},
    {"POST /api/v1/sessions/{session_id}/message", {Need::kContributor, R"({"message":"We will use Redis."})"}},
    {"POST /api/v1/projects/{project_id}/specifications",
     {Need::kContributor, R"({"category":"security","key":"tls","value":"TLS 1.3"})"}},
    {"PUT /api/v1/specifications/{specification_id}", {Need::kContributor, R"({"value":"MySQL"})"}},
    {"DELETE /api/v1/specifications/{specification_id}", {Need::kContributor, nullptr}},
    {"POST /api/v1/conflicts/{conflict_id}/resolve", {Need::kContributor, R"({"resolution":"keep_existing"})"}},
    {"POST /api/v1/open-items/{open_item_id}/assume", {Need::kContributor, R"({"value":"Students who sell books"})"}},
    {"POST /api/v1/projects/{project_id}/requirements/reword", {Need::kContributor, nullptr}},
    {"PUT /api/v1/projects/{project_id}/plans/{kind}", {Need::kContributor, R"({"sections":[]})"}},
    {"POST /api/v1/projects/{project_id}/plans/{kind}/regenerate", {Need::kContributor, nullptr}},
    // The project itself, its phase, members and invitations: owners.
    {"PATCH /api/v1/projects/{project_id}", {Need::kOwner, R"({"name":"Renamed"})"}},
    {"DELETE /api/v1/projects/{project_id}", {Need::kOwner, nullptr}},
    {"POST /api/v1/projects/{project_id}/restore", {Need::kOwner, nullptr}},
    {"POST /api/v1/projects/{project_id}/advance", {Need::kOwner, nullptr}},
    {"PATCH /api/v1/projects/{project_id}/members/{member_id}", {Need::kOwner, R"({"role":"contributor"})"}},
    {"DELETE /api/v1/projects/{project_id}/members/{member_id}", {Need::kOwner, nullptr}},
    {"POST /api/v1/projects/{project_id}/invitations", {Need::kOwner, R"({"email":"new@example.com"})"}},
    {"GET /api/v1/projects/{project_id}/invitations", {Need::kOwner, nullptr}},
    {"DELETE /api/v1/projects/{project_id}/invitations/{invitation_id}", {Need::kOwner, nullptr}},
};

std::string filled(std::string text, const std::map<std::string, std::string>& ids) {
  for (const auto& [name, id] : ids)
    for (std::size_t at; (at = text.find("{" + name + "}")) != std::string::npos;)
      text.replace(at, name.size() + 2, id);
  return text;
}

std::string error_code(const Response& response) {
  const auto body = response.json();
  return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
}

class MembersE2eTest : public HostSuite {
 protected:
  MembersE2eTest() : HostSuite("owner") {}

  Response as(const TestUser& who, const std::string& method, const std::string& path,
              const std::string& body = "") const {
    return client().request(method, path, body, bearer(who.access_token));
  }
  // An invitation of the caller's project for `email`: its answer (with the token).
  json invite(const std::string& project, const std::string& email, const std::string& role) const {
    return made("POST", "/api/v1/projects/" + project + "/invitations", {{"email", email}, {"role", role}});
  }
  // `who` joins the caller's project with `role`.
  void join(const std::string& project, const TestUser& who, const std::string& role) const {
    const std::string token = invite(project, who.email, role)["token"];
    const auto accepted = as(who, "POST", "/api/v1/invitations/accept", json{{"token", token}}.dump());
    ASSERT_EQ(accepted.status, 200) << describe(accepted);
    ASSERT_EQ(accepted.json()["role"], role);
  }
};

TEST_F(MembersE2eTest, AnInvitationIsAcceptedOnceByTheInvitedAccount) {
  const std::string project = new_project({{"name", "Shared"}});
  const TestUser bob = new_user(client(), "bob");
  const TestUser carol = new_user(client(), "carol");
  const json invitation = made("POST", "/api/v1/projects/" + project + "/invitations",
                               {{"email", bob.email}, {"role", "contributor"}, {"domain_role", "operations"}});
  EXPECT_EQ(invitation["status"], "pending");
  EXPECT_EQ(invitation["role"], "contributor");
  EXPECT_TRUE(is_rfc3339_utc(invitation["expires_at"]));
  const std::string token = invitation["token"];
  ASSERT_GE(token.size(), 32u);
  // The token is answered once: the list never shows it.
  const json listed = made("GET", "/api/v1/projects/" + project + "/invitations");
  ASSERT_EQ(listed["total"], 1);
  EXPECT_FALSE(listed["items"][0].contains("token"));

  // Before accepting, bob is no member: the project does not exist for him.
  EXPECT_TRUE(IsApiError(as(bob, "GET", "/api/v1/projects/" + project), 404, "PROJECT_NOT_FOUND"));
  // Another account cannot use bob's invitation, even through the generic route with a made-up email.
  const std::string body = json{{"token", token}}.dump();
  EXPECT_TRUE(IsApiError(as(carol, "POST", "/api/v1/invitations/accept", body), 403, "FORBIDDEN"));
  EXPECT_TRUE(IsApiError(as(carol, "POST", "/api/v1/agents/project_manager/accept_invitation",
                            json{{"token", token}, {"caller_email", bob.email}}.dump()),
                         403, "FORBIDDEN"));
  EXPECT_TRUE(IsApiError(as(bob, "POST", "/api/v1/invitations/accept", json{{"token", "not-a-token"}}.dump()), 404,
                         "NOT_FOUND"));

  const auto accepted = as(bob, "POST", "/api/v1/invitations/accept", body);
  ASSERT_EQ(accepted.status, 200) << describe(accepted);
  EXPECT_EQ(accepted.json()["id"], project);
  EXPECT_EQ(accepted.json()["role"], "contributor");
  // Single use.
  EXPECT_TRUE(IsApiError(as(bob, "POST", "/api/v1/invitations/accept", body), 409, "INVITATION_USED"));

  // Bob's projects list shows it with his role; the owner's with theirs.
  const json bobs = as(bob, "GET", "/api/v1/projects").json();
  ASSERT_EQ(bobs["total"], 1) << bobs.dump();
  EXPECT_EQ(bobs["items"][0]["id"], project);
  EXPECT_EQ(bobs["items"][0]["role"], "contributor");
  EXPECT_EQ(made("GET", "/api/v1/projects")["items"][0]["role"], "owner");
  EXPECT_EQ(as(carol, "GET", "/api/v1/projects").json()["total"], 0);

  const json members = made("GET", "/api/v1/projects/" + project + "/members");
  ASSERT_EQ(members["total"], 2) << members.dump();
  EXPECT_EQ(members["items"][0]["user_id"], user_.id);
  EXPECT_EQ(members["items"][0]["role"], "owner");
  EXPECT_EQ(members["items"][1]["user_id"], bob.id);
  EXPECT_EQ(members["items"][1]["email"], bob.email);
  EXPECT_EQ(members["items"][1]["domain_role"], "operations");
  const json after = made("GET", "/api/v1/projects/" + project + "/invitations?status=accepted");
  ASSERT_EQ(after["total"], 1);
  EXPECT_EQ(after["items"][0]["accepted_by"], bob.id);
  // An accepted invitation is no longer revocable.
  EXPECT_TRUE(IsApiError(call("DELETE", "/api/v1/projects/" + project + "/invitations/" + invitation["id"].get<std::string>()),
                         409, "INVITATION_USED"));
}

TEST_F(MembersE2eTest, ARevokedInvitationIs410InvitationRevoked) {
  const std::string project = new_project({{"name", "Revoked"}});
  const TestUser bob = new_user(client(), "bob");
  const json invitation = invite(project, bob.email, "viewer");
  const json revoked =
      made("DELETE", "/api/v1/projects/" + project + "/invitations/" + invitation["id"].get<std::string>());
  EXPECT_EQ(revoked["status"], "revoked");
  EXPECT_TRUE(is_rfc3339_utc(revoked["revoked_at"]));
  EXPECT_TRUE(IsApiError(as(bob, "POST", "/api/v1/invitations/accept", json{{"token", invitation["token"]}}.dump()),
                         410, "INVITATION_REVOKED"));
  EXPECT_TRUE(IsApiError(as(bob, "GET", "/api/v1/projects/" + project), 404, "PROJECT_NOT_FOUND"));
}

TEST_F(MembersE2eTest, TheLastOwnerCannotLeaveBeRemovedOrDemoted) {
  const std::string project = new_project({{"name", "Owned"}});
  const TestUser bob = new_user(client(), "bob");
  join(project, bob, "contributor");
  const std::string me = "/api/v1/projects/" + project + "/members/" + user_.id;
  EXPECT_TRUE(IsApiError(call("POST", "/api/v1/projects/" + project + "/leave"), 409, "LAST_OWNER"));
  EXPECT_TRUE(IsApiError(call("DELETE", me), 409, "LAST_OWNER"));
  EXPECT_TRUE(IsApiError(call("PATCH", me, {{"role", "viewer"}}), 409, "LAST_OWNER"));
  EXPECT_EQ(made("GET", "/api/v1/projects/" + project)["role"], "owner");

  // With a second owner the first may go, and the project stays the second's.
  EXPECT_EQ(made("PATCH", "/api/v1/projects/" + project + "/members/" + bob.id, {{"role", "owner"}})["role"], "owner");
  EXPECT_EQ(call("POST", "/api/v1/projects/" + project + "/leave").status, 204);
  EXPECT_TRUE(IsApiError(call("GET", "/api/v1/projects/" + project), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(as(bob, "POST", "/api/v1/projects/" + project + "/leave"), 409, "LAST_OWNER"));
  EXPECT_EQ(as(bob, "GET", "/api/v1/projects/" + project + "/members").json()["total"], 1);
  EXPECT_TRUE(IsApiError(as(bob, "DELETE", "/api/v1/projects/" + project + "/members/" + user_.id), 404, "NOT_FOUND"));
}

// For every route of the router's table: a non-member gets exactly the answer of a project that
// does not exist; each role below the route's gets 403 FORBIDDEN; the route's role is let through
// (any answer but 403 and that 404). A fresh project per route, so that what one route changes
// (an archive, a member removed) does not decide another's answer.
TEST_F(MembersE2eTest, EveryRouteOfTheTableAppliesItsRole) {
  const auto table = route_table(host_->env);
  ASSERT_GE(table.size(), 50u);
  const TestUser contributor = new_user(client(), "contributor");
  const TestUser viewer = new_user(client(), "viewer");
  const TestUser outsider = new_user(client(), "outsider");
  const std::map<Need, const TestUser*> member_with = {
      {Need::kViewer, &viewer}, {Need::kContributor, &contributor}, {Need::kOwner, &user_}};
  std::size_t checked = 0;
  for (const auto& [method, pattern] : table) {
    const std::string route = method + " " + pattern;
    SCOPED_TRACE(route);
    const auto rule = kRoleOf.find(route);
    ASSERT_NE(rule, kRoleOf.end()) << "a route without a role rule: add it to kRoleOf (and to docs/api.md)";
    if (rule->second.need == Need::kNoProject) continue;

    // The project under test, with one of everything a path can name.
    std::map<std::string, std::string> ids = {{"number", "1"}, {"kind", "design"}};
    ids["project_id"] = new_project({{"name", "Roles"}});
    const std::string p = "/api/v1/projects/" + ids["project_id"];
    join(ids["project_id"], contributor, "contributor");
    join(ids["project_id"], viewer, "viewer");
    ids["member_id"] = viewer.id;
    ids["invitation_id"] = invite(ids["project_id"], "someone@example.com", "viewer")["id"];
    ids["session_id"] = made("POST", p + "/sessions")["id"];
    made("POST", "/api/v1/sessions/" + ids["session_id"] + "/next-question");
    const json unsure = made("POST", "/api/v1/sessions/" + ids["session_id"] + "/answer", {{"answer", "I don't know"}});
    ASSERT_EQ(unsure["open_items"].size(), 1u) << unsure.dump();
    ids["open_item_id"] = unsure["open_items"][0]["id"];
    ids["specification_id"] =
        made("POST", p + "/specifications", {{"category", "tech_stack"}, {"key", "database"}, {"value", "PostgreSQL"}})["id"];
    const auto conflicting =
        call("POST", p + "/specifications", {{"category", "tech_stack"}, {"key", "database"}, {"value", "MongoDB"}});
    ASSERT_EQ(conflicting.status, 409) << describe(conflicting);
    ids["conflict_id"] = conflicting.json()["error"]["details"]["conflict"]["id"];

    const std::string body = rule->second.body ? filled(rule->second.body, ids) : "";
    const std::string path = filled(pattern, ids);
    // What a project that does not exist answers (every id replaced by a fresh one).
    std::map<std::string, std::string> missing = ids;
    for (auto& [name, id] : missing)
      if (name != "number" && name != "kind") id = "00000000-0000-4000-8000-00000000000" + std::to_string(name.size() % 10);
    const auto nowhere = as(user_, method, filled(pattern, missing), body);
    ASSERT_EQ(nowhere.status, 404) << describe(nowhere);

    const auto stranger = as(outsider, method, path, body);
    EXPECT_TRUE(IsApiError(stranger, 404, error_code(nowhere))) << "a non-member must not learn that it exists";
    for (Need below : {Need::kViewer, Need::kContributor}) {
      if (below >= rule->second.need) break;
      const auto refused = as(*member_with.at(below), method, path, body);
      EXPECT_TRUE(IsApiError(refused, 403, "FORBIDDEN")) << "as a member below the route's role";
    }
    const auto allowed = as(*member_with.at(rule->second.need), method, path, body);
    EXPECT_NE(allowed.status, 403) << describe(allowed);
    EXPECT_FALSE(allowed.status == 404 && error_code(allowed) == error_code(nowhere)) << describe(allowed);
    ++checked;
  }
  EXPECT_GE(checked, 40u);
  for (const auto& [route, rule] : kRoleOf) {
    bool served = false;
    for (const auto& [method, pattern] : table) served = served || method + " " + pattern == route;
    EXPECT_TRUE(served) << route << " is in kRoleOf but not served";
  }
}

// The generic agent route reaches the same actions and applies the same roles.
TEST_F(MembersE2eTest, TheGenericAgentRouteAppliesTheSameRoles) {
  const std::string project = new_project({{"name", "Generic"}});
  const TestUser viewer = new_user(client(), "viewer");
  const TestUser outsider = new_user(client(), "outsider");
  join(project, viewer, "viewer");
  const std::string create = json{{"project_id", project}, {"category", "security"}, {"key", "tls"}, {"value", "TLS 1.3"}}.dump();
  EXPECT_TRUE(IsApiError(as(viewer, "POST", "/api/v1/agents/context/create_specification", create), 403, "FORBIDDEN"));
  EXPECT_TRUE(IsApiError(as(outsider, "POST", "/api/v1/agents/context/create_specification", create), 404,
                         "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(as(viewer, "POST", "/api/v1/agents/project_manager/advance",
                            json{{"project_id", project}}.dump()),
                         403, "FORBIDDEN"));
  EXPECT_TRUE(IsApiError(as(viewer, "POST", "/api/v1/agents/socratic/create_session",
                            json{{"project_id", project}}.dump()),
                         403, "FORBIDDEN"));
  const auto read = as(viewer, "POST", "/api/v1/agents/project_manager/get", json{{"project_id", project}}.dump());
  ASSERT_EQ(read.status, 200) << describe(read);
  EXPECT_EQ(read.json()["result"]["role"], "viewer");
  EXPECT_EQ(as(user_, "POST", "/api/v1/agents/context/create_specification", create).status, 200);
}

// Invitations expire after INVITATION_TTL_HOURS; this host's 0 expires them at once, so no test waits.
class ExpiredInvitationE2eTest : public MembersE2eTest {
 protected:
  static void SetUpTestSuite() { host_ = new HostUnderTest(EnvMap{{"INVITATION_TTL_HOURS", "0"}}); }
};

TEST_F(ExpiredInvitationE2eTest, AnExpiredInvitationIs410InvitationExpired) {
  const std::string project = new_project({{"name", "Expiring"}});
  const TestUser bob = new_user(client(), "bob");
  const json invitation = invite(project, bob.email, "contributor");
  EXPECT_EQ(made("GET", "/api/v1/projects/" + project + "/invitations?status=expired")["total"], 1);
  EXPECT_TRUE(IsApiError(as(bob, "POST", "/api/v1/invitations/accept", json{{"token", invitation["token"]}}.dump()),
                         410, "INVITATION_EXPIRED"));
  EXPECT_TRUE(IsApiError(as(bob, "GET", "/api/v1/projects/" + project), 404, "PROJECT_NOT_FOUND"));
}

}  // namespace
}  // namespace socrates::test::e2e

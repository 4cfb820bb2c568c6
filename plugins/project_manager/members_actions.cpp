// A project's members and invitations (docs/domain.md "Members and roles"): list, change a role,
// remove, leave; invite by email, list and revoke invitations, accept one. Who may call each is
// dialogue::required_role's table; every change of members locks the project's row first, so that
// two owners demoting each other cannot leave it without one.
#include "project_manager_agent.hpp"

#include <socrates/dialogue/attribution.hpp>
#include <socrates/dialogue/members.hpp>
#include <socrates/dialogue/store.hpp>

#include <algorithm>
#include <cctype>

namespace socrates::agents {
namespace {

namespace validate = sdk::validate;
using dialogue::fail;
using sdk::Result;

constexpr const char* kMemberColumns =
    "m.user_id::text AS user_id, m.role, m.domain_role, rfc3339(m.added_at) AS added_at, "
    "COALESCE((SELECT p.email FROM people p WHERE p.user_id = m.user_id), (SELECT i.email FROM invitations i "
    "WHERE i.project_id = m.project_id AND i.accepted_by = m.user_id ORDER BY i.accepted_at DESC LIMIT 1)) AS email";

// What an invitation is now, from its columns (expired is a matter of the clock, never stored).
constexpr const char* kInvitationStatus =
    "CASE WHEN accepted_at IS NOT NULL THEN 'accepted' WHEN revoked_at IS NOT NULL THEN 'revoked' "
    "WHEN expires_at <= clock_timestamp() THEN 'expired' ELSE 'pending' END";

const std::string kInvitationColumns =
    std::string("id::text AS id, project_id::text AS project_id, email, role, domain_role, ") + kInvitationStatus +
    " AS status, created_by::text AS created_by, rfc3339(created_at) AS created_at, rfc3339(expires_at) AS expires_at, "
    "accepted_by::text AS accepted_by, rfc3339(accepted_at) AS accepted_at, rfc3339(revoked_at) AS revoked_at";

nlohmann::json member_json(const sdk::Row& row) {
  return dialogue::row_object(row, {"user_id", "role", "added_at"}, [&](auto& fields) {
    fields.emplace("domain_role", dialogue::nullable(row, "domain_role"));
    fields.emplace("email", dialogue::nullable(row, "email"));
  });
}

nlohmann::json invitation_json(const sdk::Row& row) {
  return dialogue::row_object(row, {"id", "project_id", "email", "role", "status", "created_by", "created_at", "expires_at"},
                              [&](auto& fields) {
                                for (const char* column : {"domain_role", "accepted_by", "accepted_at", "revoked_at"})
                                  fields.emplace(column, dialogue::nullable(row, column));
                              });
}

std::string access_role(const nlohmann::json& params, const char* fallback) {
  return validate::one_of(params, "role", {"owner", "contributor", "viewer"}, fallback);
}

// A domain role ("operations", "security", "product"): 1..64 characters; "" or null clears it.
std::optional<std::string> domain_role(const nlohmann::json& params) {
  auto value = validate::optional_string(params, "domain_role", 0, 64);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Refuses (409 LAST_OWNER) to take the owner role from `user_id` when they are the project's only
// owner. `row` has the member's `role` and the project's `owners`.
void keep_an_owner(const sdk::Row& member, const std::string& project_id, const std::string& user_id) {
  if (member.str("role") == "owner" && member.i64("owners") <= 1)
    fail(sdk::errc::kLastOwner, "a project always has an owner: make another member an owner first",
         {{"project_id", project_id}, {"user_id", user_id}});
}

// The member `user_id` of the project (its role, and how many owners the project has), or NOT_FOUND.
sdk::Row member_row(sdk::Db& db, const std::string& project_id, const std::string& user_id) {
  auto row = db.query_one("SELECT role, (SELECT count(*) FROM project_members o WHERE o.project_id = $1::uuid AND "
                          "o.role = 'owner') AS owners FROM project_members WHERE project_id = $1::uuid AND "
                          "user_id = $2::uuid",
                          {project_id, user_id});
  if (!row)
    fail(sdk::errc::kNotFound, "user " + user_id + " is no member of project " + project_id,
         {{"project_id", project_id}, {"user_id", user_id}});
  return *row;
}

void remove_member(sdk::Db& db, const std::string& project_id, const std::string& user_id) {
  keep_an_owner(member_row(db, project_id, user_id), project_id, user_id);
  db.execute("DELETE FROM project_members WHERE project_id = $1::uuid AND user_id = $2::uuid", {project_id, user_id});
}

}  // namespace

void ProjectManagerAgent::register_member_actions() {
  register_action("members", members);
  register_action("set_member_role", set_member_role);
  register_action("remove_member", remove_member_action);
  register_action("leave", leave);
  register_action("invite", &ProjectManagerAgent::invite);
  register_action("invitations", invitations);
  register_action("revoke_invitation", revoke_invitation);
  register_action("accept_invitation", accept_invitation);
}

Result ProjectManagerAgent::members(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const dialogue::Page page = dialogue::page_of(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  dialogue::project_row(db, id, caller, false);
  return dialogue::list_page(db, {kMemberColumns, "FROM project_members m WHERE m.project_id = $1::uuid",
                                  "ORDER BY m.added_at, m.user_id"},
                             {id}, page, member_json);
}

Result ProjectManagerAgent::set_member_role(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string user_id = validate::required_uuid(request.params, "member_id");
  const std::string role = access_role(request.params, "");
  const bool sets_domain = request.params.contains("domain_role");
  const auto domain = domain_role(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  dialogue::project_row(db, id, caller, /*lock=*/true);
  const sdk::Row member = member_row(db, id, user_id);
  if (!role.empty() && role != "owner") keep_an_owner(member, id, user_id);
  auto row = db.query_one(std::string("UPDATE project_members m SET role = COALESCE(NULLIF($3, ''), role), "
                                      "domain_role = CASE WHEN $4::boolean THEN $5 ELSE domain_role END "
                                      "WHERE project_id = $1::uuid AND user_id = $2::uuid RETURNING ") +
                              kMemberColumns,
                          {id, user_id, role, sets_domain, domain});
  db.commit();
  return Result::ok(member_json(*row));
}

Result ProjectManagerAgent::remove_member_action(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string user_id = validate::required_uuid(request.params, "member_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  dialogue::project_row(db, id, caller, /*lock=*/true);
  remove_member(db, id, user_id);
  db.commit();
  return Result::no_content();
}

Result ProjectManagerAgent::leave(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  dialogue::project_row(db, id, caller, /*lock=*/true);
  remove_member(db, id, caller.user_id);
  db.commit();
  return Result::no_content();
}

Result ProjectManagerAgent::invite(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string email = validate::required_string(request.params, "email", 3, 254);
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size() || email.find_first_of(" \t\r\n") != std::string::npos)
    validate::fail("email", "'" + email + "' is not an email address");
  const std::string role = access_role(request.params, "contributor");
  const auto domain = domain_role(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row project = dialogue::project_row(db, id, caller, false);
  // The token: two random UUIDs' hex digits (244 random bits from PostgreSQL's strong random
  // source). Only its SHA-256 is stored; the token itself is answered this once.
  auto row = db.query_one("WITH t AS (SELECT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') AS "
                          "token) INSERT INTO invitations (project_id, email, role, domain_role, token_hash, created_by, "
                          "expires_at) SELECT $1::uuid, $2, $3, $4, encode(sha256(convert_to(t.token, 'UTF8')), 'hex'), "
                          "$5::uuid, clock_timestamp() + make_interval(hours => $6::int) FROM t RETURNING " +
                              kInvitationColumns + ", (SELECT token FROM t) AS token",
                          {id, email, role, domain, caller.user_id, invitation_ttl_hours_});
  db.commit();
  nlohmann::json out = invitation_json(*row);
  out["token"] = row->str("token");
  // What a message to the invited person names: the project and who invites them.
  out["project_name"] = project.str("name");
  const auto inviter = request.params.find("caller_email");
  out["invited_by_email"] = inviter != request.params.end() ? *inviter : nlohmann::json();
  return Result::created(std::move(out));
}

Result ProjectManagerAgent::invitations(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string status =
      validate::one_of(request.params, "status", {"pending", "accepted", "revoked", "expired", "all"}, "all");
  const dialogue::Page page = dialogue::page_of(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  dialogue::project_row(db, id, caller, false);
  return dialogue::list_page(db, {kInvitationColumns,
                                  std::string("FROM invitations WHERE project_id = $1::uuid AND ($2 = 'all' OR ") +
                                      kInvitationStatus + " = $2)",
                                  "ORDER BY invitations.created_at DESC, invitations.id"},
                             {id, status}, page, invitation_json);
}

Result ProjectManagerAgent::revoke_invitation(const sdk::Request& request, sdk::Services& services) {
  const dialogue::Access caller = dialogue::access(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const std::string invitation = validate::required_uuid(request.params, "invitation_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  dialogue::project_row(db, id, caller, false);
  auto row = db.query_one("UPDATE invitations SET revoked_at = COALESCE(revoked_at, clock_timestamp()) WHERE id = "
                          "$2::uuid AND project_id = $1::uuid RETURNING " +
                              kInvitationColumns,
                          {id, invitation});
  if (!row)
    fail(sdk::errc::kNotFound, "invitation " + invitation + " does not exist", {{"invitation_id", invitation}});
  if (row->str("status") == "accepted")
    fail(sdk::errc::kInvitationUsed, "invitation " + invitation + " was accepted already; remove the member instead",
         {{"invitation_id", invitation}});
  db.commit();
  return Result::ok(invitation_json(*row));
}

Result ProjectManagerAgent::accept_invitation(const sdk::Request& request, sdk::Services& services) {
  const std::string user_id = dialogue::owner(request);
  const std::string token = validate::required_string(request.params, "token", 1, 200);
  // The host sets caller_email from the access token (never from the body).
  const std::string email = request.params.value("caller_email", "");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto row = db.query_one("SELECT " + kInvitationColumns +
                              " FROM invitations WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex') "
                              "FOR UPDATE",
                          {token});
  if (!row) fail(sdk::errc::kNotFound, "no invitation has this token", {{"field", "token"}});
  const std::string id = row->str("id");
  const std::string project_id = row->str("project_id");
  if (email.empty() || lower(email) != lower(row->str("email")))
    fail(sdk::errc::kForbidden, "this invitation is for another email address; log in with the invited account",
         {{"invitation_id", id}});
  const std::string status = row->str("status");
  if (status == "accepted")
    fail(sdk::errc::kInvitationUsed, "this invitation was accepted already; an invitation is single-use",
         {{"invitation_id", id}});
  if (status == "revoked")
    fail(sdk::errc::kInvitationRevoked, "this invitation was revoked", {{"invitation_id", id}});
  if (status == "expired")
    fail(sdk::errc::kInvitationExpired, "this invitation expired at " + row->str("expires_at") + "; ask for a new one",
         {{"invitation_id", id}, {"expires_at", row->str("expires_at")}});
  // A member already keeps the higher of their role and the invitation's.
  sdk::Batch writes;
  writes.add("INSERT INTO project_members AS m (project_id, user_id, role, domain_role) VALUES ($1::uuid, $2::uuid, $3, "
             "$4) ON CONFLICT (project_id, user_id) DO UPDATE SET role = CASE WHEN array_position(ARRAY['viewer', "
             "'contributor', 'owner'], EXCLUDED.role) > array_position(ARRAY['viewer', 'contributor', 'owner'], m.role) "
             "THEN EXCLUDED.role ELSE m.role END, domain_role = COALESCE(EXCLUDED.domain_role, m.domain_role)",
             {project_id, user_id, row->str("role"), row->opt("domain_role")});
  writes.add("UPDATE invitations SET accepted_by = $2::uuid, accepted_at = clock_timestamp() WHERE id = $1::uuid",
             {id, user_id});
  db.run(writes);
  dialogue::remember_caller(db, request);  // the new member's email, for attribution and the members list
  auto project = dialogue::find_project(db, project_id, {user_id, dialogue::Role::kViewer}, false);
  db.commit();
  return Result::ok(dialogue::member_project_json(*project));
}

}  // namespace socrates::agents

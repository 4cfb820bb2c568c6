#include "project_manager_agent.hpp"

namespace socrates::agents {
namespace {

namespace validate = sdk::validate;
using sdk::Result;

constexpr const char* kProjectColumns =
    "id::text AS id, name, description, owner_id::text AS owner_id, current_phase, maturity_score, status, "
    "rfc3339(created_at) AS created_at, rfc3339(updated_at) AS updated_at";

nlohmann::json project_json(const sdk::Row& row) {
  return {{"id", row.str("id")},
          {"name", row.str("name")},
          {"description", row.str("description")},
          {"owner_id", row.str("owner_id")},
          {"current_phase", row.str("current_phase")},
          {"maturity_score", row.i64("maturity_score")},
          {"status", row.str("status")},
          {"created_at", row.str("created_at")},
          {"updated_at", row.str("updated_at")}};
}

Result not_found(const std::string& id) {
  return Result::fail(sdk::errc::kProjectNotFound, "project " + id + " does not exist", {{"project_id", id}});
}

std::string owner(const sdk::Request& request) {
  if (!validate::is_uuid(request.caller.user_id))
    throw sdk::AgentException(sdk::errc::kUnauthenticated, "this action needs an authenticated caller");
  return request.caller.user_id;
}

// Loads one of the caller's projects (FOR UPDATE when `lock`), or nothing.
std::optional<sdk::Row> find(sdk::Db& db, const std::string& id, const std::string& owner_id, bool lock = false) {
  return db.query_one(std::string("SELECT ") + kProjectColumns +
                          " FROM projects WHERE id = $1::uuid AND owner_id = $2::uuid" + (lock ? " FOR UPDATE" : ""),
                      {id, owner_id});
}

}  // namespace

ProjectManagerAgent::ProjectManagerAgent(sdk::AgentInfo info) : BaseAgent(std::move(info)) {
  register_action("create", create);
  register_action("get", get);
  register_action("list", list);
  register_action("update", update);
  register_action("archive", archive);
  register_action("restore", restore);
}

Result ProjectManagerAgent::create(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string name = validate::required_string(request.params, "name", 1, 255);
  const std::string description = validate::optional_string(request.params, "description", 0, 10000).value_or("");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto row = db.query_one(std::string("INSERT INTO projects (owner_id, name, description) VALUES ($1::uuid, $2, $3) "
                                      "RETURNING ") +
                              kProjectColumns,
                          {owner_id, name, description});
  db.commit();
  return Result::created(project_json(*row));
}

Result ProjectManagerAgent::get(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  auto row = find(db, id, owner_id);
  if (!row) return not_found(id);
  return Result::ok(project_json(*row));
}

Result ProjectManagerAgent::list(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string status = validate::one_of(request.params, "status", {"active", "archived", "all"}, "active");
  const long long limit = validate::integer(request.params, "limit", 1, 200, 50);
  const long long offset = validate::integer(request.params, "offset", 0, 1000000000, 0);
  sdk::Db db(services, sdk::Database::kSpecs);
  // One statement: the page and the total, so they agree with each other.
  auto rows = db.query(std::string("SELECT ") + kProjectColumns +
                           ", count(*) OVER () AS total FROM projects "
                           "WHERE owner_id = $1::uuid AND ($2 = 'all' OR status = $2) "
                           "ORDER BY projects.created_at DESC, projects.id DESC LIMIT $3 OFFSET $4",
                       {owner_id, status, limit, offset});
  nlohmann::json items = nlohmann::json::array();
  for (const auto& row : rows) items.push_back(project_json(row));
  std::int64_t total = rows.empty() ? 0 : rows[0].i64("total");
  if (rows.empty() && offset > 0) {
    // Past the end of the list: the window function has no row to report the total on.
    total = db.query_one("SELECT count(*) AS n FROM projects WHERE owner_id = $1::uuid AND ($2 = 'all' OR status = $2)",
                         {owner_id, status})
                ->i64("n");
  }
  return Result::ok({{"items", items}, {"total", total}, {"limit", limit}, {"offset", offset}});
}

Result ProjectManagerAgent::update(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  const auto name = validate::optional_string(request.params, "name", 1, 255);
  const auto description = validate::optional_string(request.params, "description", 0, 10000);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto row = db.query_one(std::string("UPDATE projects SET name = COALESCE($3, name), "
                                      "description = COALESCE($4, description), updated_at = clock_timestamp() "
                                      "WHERE id = $1::uuid AND owner_id = $2::uuid RETURNING ") +
                              kProjectColumns,
                          {id, owner_id, name, description});
  if (!row) return not_found(id);
  db.commit();
  return Result::ok(project_json(*row));
}

Result ProjectManagerAgent::archive(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto row = find(db, id, owner_id, /*lock=*/true);
  if (!row) return not_found(id);
  if (row->str("status") != "archived")
    db.execute("UPDATE projects SET status = 'archived', updated_at = clock_timestamp() WHERE id = $1::uuid", {id});
  db.commit();
  return Result::no_content();
}

Result ProjectManagerAgent::restore(const sdk::Request& request, sdk::Services& services) {
  const std::string owner_id = owner(request);
  const std::string id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  auto row = db.query_one(std::string("UPDATE projects SET status = 'active', updated_at = clock_timestamp() "
                                      "WHERE id = $1::uuid AND owner_id = $2::uuid RETURNING ") +
                              kProjectColumns,
                          {id, owner_id});
  if (!row) return not_found(id);
  db.commit();
  return Result::ok(project_json(*row));
}

}  // namespace socrates::agents

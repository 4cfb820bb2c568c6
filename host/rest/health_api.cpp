// GET /health, GET /api/v1/admin/health, /admin/stats, /admin/agents.
#include "host/error_codes.hpp"
#include "host/rest/api.hpp"

#include <socrates/sdk/database.hpp>

#include <cmath>
#include <ctime>

namespace socrates::host::rest {
namespace {

std::string rfc3339(std::chrono::system_clock::time_point at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

nlohmann::json database_health(ConnectionPool& pool, bool* healthy) {
  const double latency = pool.ping_ms();
  const PoolStats stats = pool.stats();
  if (latency < 0) *healthy = false;
  return {{"status", latency < 0 ? "unavailable" : "ok"},
          {"latency_ms", latency < 0 ? nlohmann::json(nullptr) : nlohmann::json(std::round(latency * 100) / 100)},
          {"pool", {{"size", stats.size}, {"idle", stats.idle}}}};
}

// Counts rows of a table that a later migration may not have created yet on this database.
std::int64_t count_if_exists(sdk::Db& db, const std::string& table, const std::string& where = "") {
  auto exists = db.query_one("SELECT to_regclass($1) IS NOT NULL AS present", {"public." + table});
  if (!exists || !exists->boolean("present")) return 0;
  return db.query_one("SELECT count(*) AS n FROM " + table + (where.empty() ? "" : " WHERE " + where))->i64("n");
}

nlohmann::json agent_json(const AgentGeneration& g) {
  const auto& info = g.plugin.info;
  const AgentStats& s = *g.stats;
  const auto last = s.last_activity_ms.load();
  return {{"id", info.agent_id},
          {"name", info.agent_name},
          {"version", info.agent_version},
          {"capabilities", g.capabilities},
          {"internal_capabilities", g.internal_capabilities},
          {"library", g.plugin.library.string()},
          {"sdk_version", info.sdk_version()},
          {"generation", g.generation},
          {"loaded_at", rfc3339(g.plugin.loaded_at)},
          {"stats",
           {{"requests", s.requests.load()},
            {"errors", s.errors.load()},
            {"last_activity", last == 0 ? nlohmann::json(nullptr)
                                        : nlohmann::json(rfc3339(std::chrono::system_clock::time_point(
                                              std::chrono::milliseconds(last))))}}}};
}

}  // namespace

void add_health_routes(Router& router, ApiContext& api) {
  // Liveness only: touches no database, answered on the reactor thread.
  router.add("GET", "/health", [](HttpRequest&) { return HttpResponse::json(200, {{"status", "ok"}}); },
             Dispatch::kInline);

  router.add("GET", "/api/v1/admin/health", [&api](HttpRequest&) {
    ServiceContainer& c = api.container;
    bool healthy = true;
    nlohmann::json agents = nlohmann::json::array();
    for (const auto& g : c.registry().list()) agents.push_back({{"id", g->plugin.info.agent_id}, {"status", "ok"}});
    // Public: which agent failed, not why. The reason names files and carries the dynamic
    // loader's words; it goes to the log and to GET /api/v1/admin/agents.
    for (const auto& f : c.registry().failed()) {
      agents.push_back({{"id", f.id}, {"status", "failed"}});
      healthy = false;
    }
    nlohmann::json body = {
        {"version", SOCRATES_VERSION},
        {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - c.started_at())
                         .count()},
        {"databases",
         {{"auth", database_health(c.auth_pool(), &healthy)},
          {"specs", database_health(c.specs_pool(), &healthy)}}},
        {"agents", agents}};
    body["status"] = healthy ? "ok" : "degraded";
    return HttpResponse::json(healthy ? 200 : 503, body);
  });

  router.add("GET", "/api/v1/admin/stats", [&api](HttpRequest& request) {
    return with_admin(api, request, [&](const auth::AuthContext&) {
      return guarded_response(api, request, [&] {
        sdk::Db auth_db = api.container.auth_pool().open();
        const auto users = auth_db.query_one("SELECT count(*) AS n FROM users")->i64("n");
        sdk::Db specs(api.container, sdk::Database::kSpecs);
        return sdk::Result::ok({
            {"users_total", users},
            {"projects_total", count_if_exists(specs, "projects")},
            {"active_sessions", count_if_exists(specs, "sessions", "status = 'active'")},
            {"specifications_total", count_if_exists(specs, "specifications", "is_current")},
            {"questions_total", count_if_exists(specs, "questions")},
            {"open_conflicts", count_if_exists(specs, "conflicts", "status = 'open'")},
            {"llm_calls_today", count_if_exists(specs, "llm_usage", "created_at >= date_trunc('day', now())")},
        });
      });
    });
  });

  router.add("POST", "/api/v1/admin/agents/{id}/reload", [&api](HttpRequest& request) {
    return with_admin(api, request, [&](const auth::AuthContext&) {
      auto body = json_body(request, /*allow_empty=*/true);
      if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
      const auto& params = std::get<nlohmann::json>(body);
      std::optional<std::filesystem::path> library;
      if (params.contains("library") && !params["library"].is_null()) {
        if (!params["library"].is_string() || params["library"].get<std::string>().empty())
          return HttpResponse::error(sdk::validation_error("library", "'library' must be a path"), request.request_id);
        library = params["library"].get<std::string>();
      }
      const std::string& id = request.path_param("id");
      try {
        return HttpResponse::json(200, agent_json(*api.container.reload_agent(id, library)));
      } catch (const RegistryError& e) {
        return HttpResponse::error(host::errc::kUnknownAgent, e.what(), request.request_id, {{"agent", id}});
      } catch (const PluginError& e) {
        return HttpResponse::error(host::errc::kPluginIncompatible, e.what(), request.request_id, {{"agent", id}});
      }
    });
  });

  router.add("GET", "/api/v1/admin/agents", [&api](HttpRequest& request) {
    return with_admin(api, request, [&](const auth::AuthContext&) {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& g : api.container.registry().list()) items.push_back(agent_json(*g));
      nlohmann::json failed = nlohmann::json::array();
      for (const auto& f : api.container.registry().failed())
        failed.push_back({{"id", f.id}, {"library", f.library.string()}, {"error", f.error}});
      return HttpResponse::json(200, {{"items", items}, {"failed", failed}});
    });
  });
}

}  // namespace socrates::host::rest

// GET /health, GET /api/v1/admin/health, /admin/stats, /admin/agents, POST /admin/agents/{id}/reload.
#include "host/error_codes.hpp"
#include "host/log/json_log.hpp"
#include "host/log/time_text.hpp"
#include "host/rest/api.hpp"

#include <cmath>
#include <ctime>

namespace socrates::host::rest {
namespace {

nlohmann::json database_health(const DatabaseStatus& status, bool* healthy) {
  if (!status.available()) *healthy = false;
  return {{"status", status.available() ? "ok" : "unavailable"},
          {"latency_ms", status.available() ? nlohmann::json(std::round(status.latency_ms * 100) / 100)
                                            : nlohmann::json(nullptr)},
          {"pool", {{"size", status.pool_size}, {"idle", status.pool_idle}}}};
}

// "quarantined" (an isolated agent that crashed too often: refused until reloaded), "degraded"
// (keeps passing its deadline) or "ok".
std::string agent_status(const AgentGeneration& g, const AgentAdmin& admin) {
  if (g.plugin.isolation && g.plugin.isolation->quarantined.load()) return "quarantined";
  return admin.degraded(g) ? "degraded" : "ok";
}

nlohmann::json agent_json(const AgentGeneration& g, const AgentAdmin& admin) {
  const auto& info = g.plugin.info;
  const AgentStats& s = *g.stats;
  const auto last = s.last_activity_ms.load();
  nlohmann::json migrations = nlohmann::json::array();
  for (const auto& m : info.migrations) migrations.push_back(m.name);
  const auto refused = admin.refused_reload(info.agent_id);
  nlohmann::json agent = {{"id", info.agent_id},
          {"schema", info.migrations.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.agent_id)},
          {"migrations", std::move(migrations)},
          {"refused_reload", refused ? nlohmann::json{{"error", refused->error}, {"at", rfc3339(refused->at)}}
                                     : nlohmann::json(nullptr)},
          {"name", info.agent_name},
          {"version", info.agent_version},
          {"capabilities", g.capabilities},
          {"internal_capabilities", g.internal_capabilities},
          {"library", g.plugin.library.string()},
          {"sdk_version", info.abi_version()},
          {"generation", g.generation},
          {"loaded_at", rfc3339(g.plugin.loaded_at)},
          {"deadline_ms", g.deadline.count()},
          {"status", agent_status(g, admin)},
          {"isolated", g.plugin.isolation != nullptr},
          {"stats",
           {{"requests", s.requests.load()},
            {"errors", s.errors.load()},
            {"timeouts", s.timeouts.load()},
            {"last_activity", last == 0 ? nlohmann::json(nullptr)
                                        : nlohmann::json(rfc3339(std::chrono::system_clock::time_point(
                                              std::chrono::milliseconds(last))))}}}};
  if (g.plugin.isolation) agent["stats"]["crashes"] = g.plugin.isolation->crashes.load();
  return agent;
}

}  // namespace

void add_health_routes(Router& router, ApiContext& api) {
  // Liveness only: touches no database, answered on the reactor thread.
  router.add("GET", "/health", [](HttpRequest&) { return HttpResponse::json(200, {{"status", "ok"}}); },
             Dispatch::kInline);

  router.add("GET", "/api/v1/admin/health", [&api](HttpRequest&) {
    bool healthy = true;
    nlohmann::json agents = nlohmann::json::array();
    // An agent that keeps passing its deadline is degraded: it still serves, but its callers wait
    // in vain; the count says how often it happened since start-up.
    // An isolated agent that crashed too often is quarantined: refused until an operator reloads it.
    for (const auto& g : api.agents.list()) {
      const std::string status = agent_status(*g, api.agents);
      if (status != "ok") healthy = false;
      nlohmann::json agent = {{"id", g->plugin.info.agent_id}, {"status", status}, {"timeouts", g->stats->timeouts.load()}};
      if (g->plugin.isolation) agent["crashes"] = g->plugin.isolation->crashes.load();
      agents.push_back(std::move(agent));
    }
    // Public: which agent failed, not why. The reason names files and carries the dynamic
    // loader's words; it goes to the log and to GET /api/v1/admin/agents.
    for (const auto& f : api.agents.failed()) {
      agents.push_back({{"id", f.id}, {"status", "failed"}});
      healthy = false;
    }
    nlohmann::json body = {
        {"version", SOCRATES_VERSION},
        {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(api.system.uptime()).count()},
        {"databases",
         {{"auth", database_health(api.system.database(HostDatabase::kAuth), &healthy)},
          {"specs", database_health(api.system.database(HostDatabase::kSpecs), &healthy)}}},
        {"agents", agents}};
    body["status"] = healthy ? "ok" : "degraded";
    return HttpResponse::json(healthy ? 200 : 503, body);
  });

  router.add("GET", "/api/v1/admin/stats", [&api](HttpRequest& request) {
    return with_admin(api, request, [&](const auth::AuthContext& auth) {
      return guarded_response(request, [&] {
        const std::int64_t users = api.accounts.users_total();
        // The agents count what they keep (each through its internal `stats` action, added up by
        // the orchestrator's "stats" flow); a figure whose agent is not loaded is 0.
        sdk::Result figures = api.orchestrator.run_flow("stats", nlohmann::json::object(), auth.caller);
        if (!figures.is_ok()) return figures;
        nlohmann::json body = {{"projects_total", 0},  {"active_sessions", 0}, {"specifications_total", 0},
                               {"questions_total", 0}, {"open_conflicts", 0}};
        body.update(figures.value());
        body["users_total"] = users;
        body["llm_calls_today"] = api.system.llm_calls_today();
        return sdk::Result::ok(std::move(body));
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
        return HttpResponse::json(200, agent_json(*api.agents.reload(id, library), api.agents));
      } catch (const RegistryError& e) {
        return HttpResponse::error(host::errc::kUnknownAgent, e.what(), request.request_id, {{"agent", id}});
      } catch (const PluginError& e) {
        log::warn("reload refused; the previous generation keeps serving", {{"agent", id}, {"error", e.what()}});
        return HttpResponse::error(host::errc::kPluginIncompatible, e.what(), request.request_id, {{"agent", id}});
      }
    });
  });

  router.add("GET", "/api/v1/admin/agents", [&api](HttpRequest& request) {
    return with_admin(api, request, [&](const auth::AuthContext&) {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& g : api.agents.list()) items.push_back(agent_json(*g, api.agents));
      nlohmann::json failed = nlohmann::json::array();
      for (const auto& f : api.agents.failed())
        failed.push_back({{"id", f.id}, {"library", f.library.string()}, {"error", f.error}});
      return HttpResponse::json(200, {{"items", items}, {"failed", failed}});
    });
  });
}

}  // namespace socrates::host::rest

#include "host/app/service_container.hpp"

#include "host/db/migrator.hpp"

#include "host/llm/llm_client.hpp"
#include "host/llm/usage_recorder.hpp"
#include "host/log/json_log.hpp"

namespace socrates::host {

ServiceContainer::ServiceContainer(Config config)
    : config_(std::move(config)),
      started_at_(std::chrono::steady_clock::now()),
      auth_pool_(std::make_unique<ConnectionPool>("auth", config_.database_url_auth, config_.db_pool_size_auth,
                                                  std::chrono::milliseconds(config_.db_lease_timeout_ms))),
      specs_pool_(std::make_unique<ConnectionPool>("specs", config_.database_url_specs, config_.db_pool_size_specs,
                                                   std::chrono::milliseconds(config_.db_lease_timeout_ms))),
      usage_(std::make_shared<llm::PoolUsageRecorder>(*specs_pool_)),
      agents_(config_, *this, specs_pool_.get()),
      orchestrator_(agents_.registry(), *this) {
  // The provider LLM_PROVIDER names (null for builtin); it records every call's usage in specs.
  llm_ = llm::make_llm_client(config_, usage_);
  if (llm_) log::info("llm provider", {{"provider", llm_->provider()}, {"base_url", llm::options_from(config_).base_url},
                                       {"model", llm::options_from(config_).model}});
  metrics_source_ = metrics::process().add_source([this](metrics::Gauges& gauges) {
    for (const ConnectionPool* pool : {auth_pool_.get(), specs_pool_.get()}) {
      const PoolStats stats = pool->stats();
      gauges.set("socrates_db_connections", "Connections of the pool (DB_POOL_SIZE_*)", {{"pool", pool->name()}},
                 static_cast<double>(stats.size));
      gauges.set("socrates_db_connections_in_use", "Connections of the pool leased right now",
                 {{"pool", pool->name()}}, static_cast<double>(stats.size - stats.idle));
    }
    for (const auto& generation : agents_.list())
      gauges.set("socrates_agent_info", "The generation each agent serves now (it grows with every reload); always 1",
                 {{"agent", generation->plugin.info.agent_id},
                  {"version", generation->plugin.info.agent_version},
                  {"generation", std::to_string(generation->generation)}},
                 1);
  });
}

ServiceContainer::~ServiceContainer() = default;

std::unique_ptr<sdk::DatabaseSession> ServiceContainer::open_database(sdk::Database which,
                                                                      sdk::DbStatus* status) noexcept {
  // Agents get the specifications database only. The accounts database holds password hashes and
  // logins; the host's account service reaches it through auth_pool(), never through the SDK. A
  // plugin built for SDK 1.0-1.2 can still ask for it (Database::kAuth was 0) and is refused here.
  if (which != sdk::Database::kSpecs) {
    log::warn("agent refused a database", {{"database", static_cast<int>(which)}});
    if (status) {
      status->kind = sdk::DbStatus::Kind::kRefused;
      status->message = "agents may open only the specifications database (sdk::Database::kSpecs); "
                        "the accounts database belongs to the host";
    }
    return nullptr;
  }
  return specs_pool_->lease(status);
}

void ServiceContainer::log(sdk::LogLevel level, std::string_view message) noexcept { log::write(level, message); }

std::optional<std::string> ServiceContainer::setting(std::string_view name) const noexcept {
  try {
    auto it = config_.public_settings.find(std::string(name));
    if (it == config_.public_settings.end()) return std::nullopt;
    return it->second;
  } catch (...) {
    return std::nullopt;
  }
}

std::chrono::steady_clock::duration ServiceContainer::uptime() const noexcept {
  return std::chrono::steady_clock::now() - started_at_;
}

rest::DatabaseStatus ServiceContainer::database(rest::HostDatabase which) noexcept {
  ConnectionPool& p = which == rest::HostDatabase::kAuth ? *auth_pool_ : *specs_pool_;
  rest::DatabaseStatus status;
  status.latency_ms = p.ping_ms();
  const PoolStats stats = p.stats();
  status.pool_size = stats.size;
  status.pool_idle = stats.idle;
  return status;
}

std::int64_t ServiceContainer::llm_calls_today() { return usage_->calls_today_total(); }

std::vector<rest::ReadinessCheck> ServiceContainer::readiness() noexcept {
  std::vector<rest::ReadinessCheck> checks;
  try {
    for (ConnectionPool* pool : {auth_pool_.get(), specs_pool_.get()}) {
      const bool reachable = pool->ping_ms() >= 0;
      checks.push_back({pool->name() + "_database", reachable, reachable ? "" : "the database does not answer"});
      rest::ReadinessCheck migrations{pool->name() + "_migrations", false, "not checked: the database does not answer"};
      if (reachable) {
        try {
          const MigrationStatus status = Migrator(*pool, config_.migrations_dir / pool->name()).status();
          migrations.ok = status.up_to_date();
          migrations.detail = migrations.ok ? ""
                                            : std::to_string(status.pending.size()) + " pending and " +
                                                  std::to_string(status.changed.size()) +
                                                  " changed migration(s): run `socrates-host migrate`";
        } catch (const std::exception& e) {
          log::warn("readiness: the migrations could not be checked", {{"database", pool->name()}, {"error", e.what()}});
          migrations.detail = "the migrations could not be checked";
        }
      }
      checks.push_back(std::move(migrations));
    }
    const auto missing = agents_.missing_required();
    std::string names;
    for (const auto& id : missing) names += (names.empty() ? "" : ", ") + id;
    checks.push_back({"agents", missing.empty(), missing.empty() ? "" : "required agents not loaded: " + names});
  } catch (const std::exception& e) {
    log::error("readiness check failed", {{"error", e.what()}});
    checks.push_back({"host", false, "the checks could not be completed"});
  }
  return checks;
}

}  // namespace socrates::host

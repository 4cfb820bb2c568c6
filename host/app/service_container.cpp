#include "host/app/service_container.hpp"

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
      agents_(config_, *this),
      orchestrator_(agents_.registry(), *this) {
  // The provider LLM_PROVIDER names (null for builtin); it records every call's usage in specs.
  llm_ = llm::make_llm_client(config_, usage_);
  if (llm_) log::info("llm provider", {{"provider", llm_->provider()}, {"base_url", llm::options_from(config_).base_url},
                                       {"model", llm::options_from(config_).model}});
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

}  // namespace socrates::host

#pragma once
// The composition root: the ServiceContainer owns everything with process lifetime (configuration,
// the two database pools, the LLM client, the agents' administration and registry, the
// orchestrator) and wires them together. Agents see it only through the sdk::Services interface it
// implements; the REST routes only through the narrow parts they are handed (rest::ApiContext):
// the orchestrator, the agents' administration and rest::SystemStatus, which it also implements.

#include "host/config/config.hpp"
#include "host/db/connection_pool.hpp"
#include "host/metrics/metrics.hpp"
#include "host/orchestrator/agent_admin.hpp"
#include "host/orchestrator/orchestrator.hpp"
#include "host/rest/system_status.hpp"

#include <socrates/sdk/services.hpp>

#include <chrono>
#include <memory>

namespace socrates::host {

namespace llm {
class PoolUsageRecorder;
}

class ServiceContainer final : public sdk::Services, public rest::SystemStatus {
 public:
  // Opens both pools (throws sdk::DatabaseError when a database cannot be reached).
  explicit ServiceContainer(Config config);
  ~ServiceContainer() override;

  // sdk::Services
  std::unique_ptr<sdk::DatabaseSession> open_database(sdk::Database which, sdk::DbStatus* status) noexcept override;
  void log(sdk::LogLevel level, std::string_view message) noexcept override;
  std::optional<std::string> setting(std::string_view name) const noexcept override;
  sdk::LlmClient* llm() noexcept override { return llm_.get(); }

  // rest::SystemStatus
  std::chrono::steady_clock::duration uptime() const noexcept override;
  rest::DatabaseStatus database(rest::HostDatabase which) noexcept override;
  std::int64_t llm_calls_today() override;
  std::vector<rest::ReadinessCheck> readiness() noexcept override;
  const std::string& metrics_token() const noexcept override { return config_.metrics_token; }

  const Config& config() const noexcept { return config_; }
  // The accounts pool is the host's alone (open_database never hands it to an agent).
  ConnectionPool& auth_pool() noexcept { return *auth_pool_; }
  ConnectionPool& specs_pool() noexcept { return *specs_pool_; }
  AgentAdmin& agents() noexcept { return agents_; }
  Orchestrator& orchestrator() noexcept { return orchestrator_; }
  void set_llm(std::unique_ptr<sdk::LlmClient> llm) { llm_ = std::move(llm); }

 private:
  Config config_;
  std::chrono::steady_clock::time_point started_at_;
  std::unique_ptr<ConnectionPool> auth_pool_;
  std::unique_ptr<ConnectionPool> specs_pool_;
  std::shared_ptr<llm::PoolUsageRecorder> usage_;
  std::unique_ptr<sdk::LlmClient> llm_;
  // After what the agents use, so that they (and their libraries) go first.
  AgentAdmin agents_;
  Orchestrator orchestrator_;
  // Last: the pools' and agents' gauges stop being read before anything they read goes.
  metrics::SourceHandle metrics_source_;
};

}  // namespace socrates::host

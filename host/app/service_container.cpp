#include "host/app/service_container.hpp"

#include "host/llm/llm_client.hpp"
#include "host/log/json_log.hpp"

namespace socrates::host {

ServiceContainer::ServiceContainer(Config config)
    : config_(std::move(config)),
      started_at_(std::chrono::steady_clock::now()),
      auth_pool_(std::make_unique<ConnectionPool>("auth", config_.database_url_auth, config_.db_pool_size_auth,
                                                  std::chrono::milliseconds(config_.db_lease_timeout_ms))),
      specs_pool_(std::make_unique<ConnectionPool>("specs", config_.database_url_specs, config_.db_pool_size_specs,
                                                   std::chrono::milliseconds(config_.db_lease_timeout_ms))),
      loader_(config_.plugin_copy_dir),
      orchestrator_(registry_, *this) {
  // The provider LLM_PROVIDER names (null for builtin); it records every call's usage in specs.
  llm_ = llm::make_llm_client(config_, std::make_shared<llm::PoolUsageRecorder>(*specs_pool_));
  if (llm_) log::info("llm provider", {{"provider", llm_->provider()}, {"base_url", llm::options_from(config_).base_url},
                                       {"model", llm::options_from(config_).model}});
}

ServiceContainer::~ServiceContainer() = default;

LoadedPlugin ServiceContainer::start(LoadedPlugin plugin) {
  std::string error;
  if (!plugin.agent->start(*this, &error))
    throw PluginError("agent '" + plugin.info.agent_id + "' from " + plugin.library.string() +
                      " failed to start: " + error);
  return plugin;
}

void ServiceContainer::load_plugins() {
  for (const auto& spec : config_.plugins) {
    try {
      LoadedPlugin plugin = start(loader_.load(spec.library));
      const std::string id = plugin.info.agent_id, version = plugin.info.agent_version;
      registry_.add(std::move(plugin));
      log::info("agent loaded", {{"agent", id}, {"version", version}, {"library", spec.library.string()}});
    } catch (const std::exception& e) {
      if (spec.required) throw;
      log::warn("optional agent failed to load", {{"library", spec.library.string()}, {"error", e.what()}});
      registry_.add_failed(FailedAgent{spec.library.stem().string(), spec.library, e.what()});
    }
  }
}

bool ServiceContainer::is_configured(const std::filesystem::path& library) const {
  std::error_code ec;
  const std::filesystem::path wanted = std::filesystem::canonical(library, ec);
  if (ec) return false;
  for (const auto& spec : config_.plugins) {
    const std::filesystem::path configured = std::filesystem::canonical(spec.library, ec);
    if (!ec && configured == wanted) return true;
  }
  return false;
}

std::shared_ptr<const AgentGeneration> ServiceContainer::reload_agent(
    const std::string& id, const std::optional<std::filesystem::path>& library) {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  auto current = registry_.find(id);
  if (!current) throw RegistryError("no agent '" + id + "' is loaded");
  std::filesystem::path path = library ? *library : current->plugin.library;
  if (path.is_relative()) path = config_.plugin_dir / path;
  // A library listed in PLUGINS is the operator's own choice; anything else must come from
  // PLUGIN_DIR, so that an admin token alone cannot make the host load a file from anywhere.
  const std::optional<std::filesystem::path> inside =
      is_configured(path) ? std::nullopt : std::optional<std::filesystem::path>(config_.plugin_dir);
  LoadedPlugin plugin = loader_.load(path, inside);
  // Checked before start(), so another agent's start-up code never runs for a mistaken path.
  if (plugin.info.agent_id != id)
    throw PluginError("cannot reload agent '" + id + "' from " + path.string() + ": that library declares agent '" +
                      plugin.info.agent_id + "' — point the reload at a build of '" + id + "'");
  auto generation = registry_.replace(start(std::move(plugin)));
  log::info("agent reloaded", {{"agent", id},
                               {"version", generation->plugin.info.agent_version},
                               {"generation", generation->generation},
                               {"library", path.string()}});
  return generation;
}

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

void ServiceContainer::log(sdk::LogLevel level, std::string_view message) noexcept {
  switch (level) {
    case sdk::LogLevel::kDebug: log::debug(message); break;
    case sdk::LogLevel::kInfo: log::info(message); break;
    case sdk::LogLevel::kWarn: log::warn(message); break;
    case sdk::LogLevel::kError: log::error(message); break;
  }
}

std::optional<std::string> ServiceContainer::setting(std::string_view name) const noexcept {
  try {
    auto it = config_.public_settings.find(std::string(name));
    if (it == config_.public_settings.end()) return std::nullopt;
    return it->second;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace socrates::host

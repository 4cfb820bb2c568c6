#include "host/orchestrator/agent_admin.hpp"

#include "host/db/migrator.hpp"
#include "host/log/json_log.hpp"
#include "host/metrics/metrics.hpp"

namespace socrates::host {
namespace {

// The host's services for an agent with data of its own: every session of the specifications
// database it opens has its schema first on the search path (the pool sets it with the session's
// first statement, and no other session of that connection keeps it).
class AgentServices final : public sdk::Services {
 public:
  AgentServices(sdk::Services& host, ConnectionPool& specs, std::string search_path)
      : host_(host), specs_(specs), search_path_(std::move(search_path)) {}

  std::unique_ptr<sdk::DatabaseSession> open_database(sdk::Database which, sdk::DbStatus* status) noexcept override {
    if (which != sdk::Database::kSpecs) return host_.open_database(which, status);  // refused there
    try {
      return specs_.lease(status, search_path_);
    } catch (...) {  // the copy of the path could not be made
      if (status) status->kind = sdk::DbStatus::Kind::kUnavailable;
      return nullptr;
    }
  }
  void log(sdk::LogLevel level, std::string_view message) noexcept override { host_.log(level, message); }
  std::optional<std::string> setting(std::string_view name) const noexcept override { return host_.setting(name); }
  sdk::LlmClient* llm() noexcept override { return host_.llm(); }

 private:
  sdk::Services& host_;
  ConnectionPool& specs_;
  const std::string search_path_;
};

}  // namespace

AgentAdmin::AgentAdmin(const Config& config, sdk::Services& services, ConnectionPool* specs)
    : plugins_(config.plugins),
      plugin_dir_(config.plugin_dir),
      degraded_timeouts_(static_cast<std::size_t>(config.agent_degraded_timeouts)),
      failure_window_(config.agent_failure_window_s),
      services_(services),
      specs_(specs),
      loader_(config.plugin_copy_dir),
      isolation_(isolation::isolation_options(config)),
      registry_(std::chrono::milliseconds(config.agent_deadline_ms)) {}

LoadedPlugin AgentAdmin::load(const std::filesystem::path& library, const std::optional<std::filesystem::path>& inside,
                              bool isolated) const {
  return isolated ? isolation::load_isolated(library, isolation_, inside) : loader_.load(library, inside);
}

bool AgentAdmin::degraded(const AgentGeneration& generation) const {
  return generation.stats->recent_timeouts(std::chrono::steady_clock::now(), failure_window_) >= degraded_timeouts_;
}

void AgentAdmin::migrate(LoadedPlugin& plugin) {
  const PluginInfo& info = plugin.info;
  if (info.migrations.empty()) return;
  const std::string prefix = "agent '" + info.agent_id + "' from " + plugin.library.string() + ": ";
  if (!specs_) throw PluginError(prefix + "it has migrations, and this host has no database to apply them in");
  try {
    Migrator(*specs_, info.agent_id, info.migrations).apply();
  } catch (const MigrationError& e) {
    throw PluginError(prefix + "its migrations were not applied: " + e.what());
  } catch (const sdk::DatabaseError& e) {
    throw PluginError(prefix + "its migrations could not be applied (" + e.what() + ") — check the database");
  }
  plugin.services = std::make_shared<AgentServices>(services_, *specs_, agent_search_path(info.agent_id));
}

LoadedPlugin AgentAdmin::start(LoadedPlugin plugin) {
  migrate(plugin);
  std::string error;
  if (!plugin.agent->start(plugin.services ? *plugin.services : services_, &error))
    throw PluginError("agent '" + plugin.info.agent_id + "' from " + plugin.library.string() +
                      " failed to start: " + error);
  return plugin;
}

void AgentAdmin::load_configured() {
  for (const auto& spec : plugins_) {
    try {
      LoadedPlugin plugin = start(load(spec.library, std::nullopt, spec.isolated));
      const std::string id = plugin.info.agent_id, version = plugin.info.agent_version;
      registry_.add(std::move(plugin));
      if (spec.required) required_ids_.push_back(id);
      log::info("agent loaded", {{"agent", id}, {"version", version}, {"library", spec.library.string()},
                                 {"isolated", spec.isolated}});
    } catch (const std::exception& e) {
      if (spec.required) throw;
      log::warn("optional agent failed to load", {{"library", spec.library.string()}, {"error", e.what()}});
      registry_.add_failed(FailedAgent{spec.library.stem().string(), spec.library, e.what()});
    }
  }
}

std::vector<std::string> AgentAdmin::missing_required() const {
  std::vector<std::string> missing;
  for (const auto& id : required_ids_)
    if (!registry_.find(id)) missing.push_back(id);
  return missing;
}

bool AgentAdmin::is_configured(const std::filesystem::path& library) const {
  std::error_code ec;
  const std::filesystem::path wanted = std::filesystem::canonical(library, ec);
  if (ec) return false;
  for (const auto& spec : plugins_) {
    const std::filesystem::path configured = std::filesystem::canonical(spec.library, ec);
    if (!ec && configured == wanted) return true;
  }
  return false;
}

std::shared_ptr<const AgentGeneration> AgentAdmin::reload(const std::string& id,
                                                          const std::optional<std::filesystem::path>& library) {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  auto current = registry_.find(id);
  if (!current) throw RegistryError("no agent '" + id + "' is loaded");
  try {
    auto generation = swap_in(*current, library);
    metrics::process().plugin_reload(id, true);
    std::lock_guard<std::mutex> refused(refused_mutex_);
    refused_.erase(id);
    return generation;
  } catch (const std::exception& e) {
    metrics::process().plugin_reload(id, false);
    std::lock_guard<std::mutex> refused(refused_mutex_);
    refused_[id] = RefusedReload{e.what(), std::chrono::system_clock::now()};
    throw;
  } catch (...) {
    metrics::process().plugin_reload(id, false);
    throw;
  }
}

std::optional<AgentAdmin::RefusedReload> AgentAdmin::refused_reload(const std::string& id) const {
  std::lock_guard<std::mutex> lock(refused_mutex_);
  auto it = refused_.find(id);
  if (it == refused_.end()) return std::nullopt;
  return it->second;
}

std::shared_ptr<const AgentGeneration> AgentAdmin::swap_in(const AgentGeneration& current,
                                                           const std::optional<std::filesystem::path>& library) {
  const std::string& id = current.plugin.info.agent_id;
  std::filesystem::path path = library ? *library : current.plugin.library;
  if (path.is_relative()) path = plugin_dir_ / path;
  // A library listed in PLUGINS is the operator's own choice; anything else must come from
  // PLUGIN_DIR, so that an admin token alone cannot make the host load a file from anywhere.
  const std::optional<std::filesystem::path> inside =
      is_configured(path) ? std::nullopt : std::optional<std::filesystem::path>(plugin_dir_);
  LoadedPlugin plugin = load(path, inside, current.plugin.isolation != nullptr);
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

void AgentAdmin::reload_all() {
  for (const auto& generation : registry_.list()) {
    const std::string id = generation->plugin.info.agent_id;
    try {
      reload(id, std::nullopt);
    } catch (const std::exception& e) {
      log::error("reload on SIGHUP failed; the previous generation keeps serving", {{"agent", id}, {"error", e.what()}});
    }
  }
}

}  // namespace socrates::host

#include "host/orchestrator/agent_admin.hpp"

#include "host/log/json_log.hpp"
#include "host/metrics/metrics.hpp"

namespace socrates::host {

AgentAdmin::AgentAdmin(const Config& config, sdk::Services& services)
    : plugins_(config.plugins),
      plugin_dir_(config.plugin_dir),
      degraded_timeouts_(static_cast<std::size_t>(config.agent_degraded_timeouts)),
      failure_window_(config.agent_failure_window_s),
      services_(services),
      loader_(config.plugin_copy_dir),
      registry_(std::chrono::milliseconds(config.agent_deadline_ms)) {}

bool AgentAdmin::degraded(const AgentGeneration& generation) const {
  return generation.stats->recent_timeouts(std::chrono::steady_clock::now(), failure_window_) >= degraded_timeouts_;
}

LoadedPlugin AgentAdmin::start(LoadedPlugin plugin) {
  std::string error;
  if (!plugin.agent->start(services_, &error))
    throw PluginError("agent '" + plugin.info.agent_id + "' from " + plugin.library.string() +
                      " failed to start: " + error);
  return plugin;
}

void AgentAdmin::load_configured() {
  for (const auto& spec : plugins_) {
    try {
      LoadedPlugin plugin = start(loader_.load(spec.library));
      const std::string id = plugin.info.agent_id, version = plugin.info.agent_version;
      registry_.add(std::move(plugin));
      if (spec.required) required_ids_.push_back(id);
      log::info("agent loaded", {{"agent", id}, {"version", version}, {"library", spec.library.string()}});
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
    return generation;
  } catch (...) {
    metrics::process().plugin_reload(id, false);
    throw;
  }
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

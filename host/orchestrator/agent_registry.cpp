#include "host/orchestrator/agent_registry.hpp"

#include <algorithm>

namespace socrates::host {

void AgentStats::record_timeout(std::chrono::steady_clock::time_point now) {
  timeouts.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mutex_);
  recent_.push_back(now);
  // Enough for any threshold worth setting; older ones no longer count for `degraded` anyway.
  while (recent_.size() > 1024) recent_.pop_front();
}

std::size_t AgentStats::recent_timeouts(std::chrono::steady_clock::time_point now,
                                        std::chrono::steady_clock::duration window) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t count = 0;
  for (auto it = recent_.rbegin(); it != recent_.rend() && now - *it <= window; ++it) ++count;
  return count;
}

std::shared_ptr<const AgentGeneration> AgentRegistry::make(LoadedPlugin plugin, std::shared_ptr<AgentStats> stats) {
  auto generation = std::make_shared<AgentGeneration>();
  // Read once here: every request then checks the generation's lists, not the plugin's object.
  generation->capabilities = plugin.agent->public_capabilities();
  generation->internal_capabilities = plugin.agent->internal_capabilities();
  for (const auto& [action, spec] : plugin.agent->tools()) {
    // Only a public action is a tool, and only with a schema of type object (what MCP requires).
    const bool is_public = std::find(generation->capabilities.begin(), generation->capabilities.end(), action) !=
                           generation->capabilities.end();
    const bool object_schema = spec.input_schema.is_object() && spec.input_schema.value("type", "") == "object";
    if (is_public && object_schema) generation->tools.push_back(DeclaredTool{action, spec.description, spec.input_schema});
  }
  generation->deadline = plugin.info.deadline_within(deadline_);
  generation->plugin = std::move(plugin);
  generation->generation = next_generation_++;
  generation->stats = std::move(stats);
  return generation;
}

std::shared_ptr<const AgentGeneration> AgentRegistry::add(LoadedPlugin plugin) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string id = plugin.info.agent_id;
  auto it = agents_.find(id);
  if (it != agents_.end())
    throw RegistryError("duplicate agent id '" + id + "': " + plugin.library.string() + " declares the id that " +
                        it->second->plugin.library.string() +
                        " already serves — give one of them another id in SOCRATES_DECLARE_AGENT, or list only one "
                        "of them in PLUGINS");
  auto generation = make(std::move(plugin), std::make_shared<AgentStats>());
  agents_[id] = generation;
  return generation;
}

std::shared_ptr<const AgentGeneration> AgentRegistry::replace(LoadedPlugin plugin) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string id = plugin.info.agent_id;
  auto it = agents_.find(id);
  if (it == agents_.end()) throw RegistryError("no agent '" + id + "' is loaded, so there is nothing to replace");
  auto generation = make(std::move(plugin), it->second->stats);
  it->second = generation;
  return generation;
}

void AgentRegistry::add_failed(FailedAgent failed) {
  std::lock_guard<std::mutex> lock(mutex_);
  failed_.push_back(std::move(failed));
}

std::shared_ptr<const AgentGeneration> AgentRegistry::find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const AgentGeneration>> AgentRegistry::list() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::shared_ptr<const AgentGeneration>> result;
  result.reserve(agents_.size());
  for (const auto& entry : agents_) result.push_back(entry.second);
  return result;
}

std::vector<FailedAgent> AgentRegistry::failed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failed_;
}

}  // namespace socrates::host

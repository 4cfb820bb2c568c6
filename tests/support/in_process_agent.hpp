#pragma once
// An agent of the C++ SDK compiled into the test itself, served through the same C entry points
// (<socrates/abi.h>) the SDK gives every plugin: for tests of what sits on the host's side of the
// boundary (registry, orchestrator, flows, MCP) without building a library for each agent.

#include "host/plugins/plugin_agent.hpp"

#include <socrates/sdk/detail/abi_plugin.hpp>

#include <memory>

namespace socrates::test {

inline std::shared_ptr<host::PluginAgent> in_process(std::unique_ptr<sdk::BaseAgent> agent) {
  // No create: the agent is made here; the other entry points are the SDK's.
  static constexpr socrates_plugin_api kApi = sdk::detail::abi::plugin_api(nullptr);
  const std::string id = agent->id();
  return std::make_shared<host::PluginAgent>(id, &kApi, reinterpret_cast<socrates_agent*>(agent.release()));
}

}  // namespace socrates::test

#pragma once
// Declaring an agent plugin: one macro, used once, in one source file of the plugin library.
//
//   #include <socrates/sdk/plugin.hpp>
//   SOCRATES_DECLARE_AGENT(MyAgent, "my_agent", "My agent", "1.0.0")
//
// MyAgent derives from socrates::sdk::BaseAgent and is constructible from an AgentInfo.
// The macro exports two Boost.DLL aliases: a descriptor, which the host reads and checks before it
// calls any function of the library, and a factory that never throws.
//
// What the check cannot do: loading a library (dlopen) runs its static initialisers (constructors
// of namespace-scope objects, __attribute__((constructor)) functions) before the host can read the
// descriptor, so that code runs even in a library the host then refuses. Keep static initialisers
// trivial: no threads, no I/O, nothing that depends on the host; do such work in the agent's
// constructor or start(), which run only after the descriptor was accepted. The host only loads
// files that its own user or root can have written (see the README), for this reason.

#include <socrates/sdk/base_agent.hpp>
#include <socrates/sdk/version.hpp>

#include <boost/dll/alias.hpp>

#include <cstdint>
#include <exception>
#include <string>

namespace socrates::sdk {

inline constexpr std::uint32_t kDescriptorMagic = 0x534F4352;  // "SOCR"

// Plain C layout on purpose: it is read before the host knows whether the plugin's C++ ABI matches.
// Fields are only ever appended; `size` tells the host how many this plugin has.
struct PluginDescriptor {
  std::uint32_t magic;
  std::uint32_t size;
  std::int32_t sdk_major;
  std::int32_t sdk_minor;
  const char* compiler;  // SOCRATES_SDK_COMPILER_ID of the plugin's build
  const char* stdlib;    // SOCRATES_SDK_STDLIB_ID of the plugin's build
  const char* agent_id;
  const char* agent_name;
  const char* agent_version;
};

// Returns a new agent owned by the caller, or null with `error` set. Never throws.
using AgentFactory = BaseAgent* (*)(std::string* error) noexcept;

inline constexpr const char* kDescriptorSymbol = "socrates_agent_descriptor";
inline constexpr const char* kFactorySymbol = "socrates_create_agent";

}  // namespace socrates::sdk

#define SOCRATES_DECLARE_AGENT(AgentClass, AgentId, AgentName, AgentVersion)                               \
  namespace socrates_plugin_ {                                                                             \
  const ::socrates::sdk::PluginDescriptor descriptor = {                                                   \
      ::socrates::sdk::kDescriptorMagic, sizeof(::socrates::sdk::PluginDescriptor),                       \
      SOCRATES_SDK_VERSION_MAJOR,        SOCRATES_SDK_VERSION_MINOR,                                       \
      SOCRATES_SDK_COMPILER_ID,          SOCRATES_SDK_STDLIB_ID,                                           \
      AgentId,                           AgentName,                                                        \
      AgentVersion};                                                                                       \
  ::socrates::sdk::BaseAgent* create(std::string* error) noexcept {                                        \
    try {                                                                                                  \
      return new AgentClass(::socrates::sdk::AgentInfo{AgentId, AgentName, AgentVersion});                 \
    } catch (const std::exception& e) {                                                                    \
      if (error) *error = e.what();                                                                        \
    } catch (...) {                                                                                        \
      if (error) *error = "unknown exception";                                                             \
    }                                                                                                      \
    return nullptr;                                                                                        \
  }                                                                                                        \
  }                                                                                                        \
  BOOST_DLL_ALIAS(socrates_plugin_::descriptor, socrates_agent_descriptor)                                 \
  BOOST_DLL_ALIAS(socrates_plugin_::create, socrates_create_agent)

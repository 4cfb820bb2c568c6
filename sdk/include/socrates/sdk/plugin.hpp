#pragma once
// Declaring an agent plugin: one macro, used once, in one source file of the plugin library.
//
//   #include <socrates/sdk/plugin.hpp>
//   SOCRATES_DECLARE_AGENT(MyAgent, "my_agent", "My agent", "1.0.0")
//
// or, for an agent with tables of its own, SOCRATES_DECLARE_AGENT_WITH_MIGRATIONS (below).
//
// MyAgent derives from socrates::sdk::BaseAgent and is constructible from an AgentInfo.
// The macro exports the plugin's descriptor (<socrates/abi.h>), the one symbol the host reads: the
// ABI version, the agent's id, name and version, and the entry points, which the SDK implements for
// the agent (sdk/detail/abi_plugin.hpp). The host checks the descriptor before it calls any
// function of the library.
//
// What the check cannot do: loading a library (dlopen) runs its static initialisers (constructors
// of namespace-scope objects, __attribute__((constructor)) functions) before the host can read the
// descriptor, so that code runs even in a library the host then refuses. Keep static initialisers
// trivial: no threads, no I/O, nothing that depends on the host; do such work in the agent's
// constructor or start(), which run only after the descriptor was accepted. The host only loads
// files that its own user or root can have written (see the README), for this reason.

#include <socrates/abi.h>
#include <socrates/sdk/base_agent.hpp>
#include <socrates/sdk/detail/abi_plugin.hpp>
#include <socrates/sdk/version.hpp>

// The agent's default deadline for one action, in milliseconds (ABI 2.3): define it before including
// this header (`#define SOCRATES_AGENT_DEADLINE_MS 5000`); 0, the default, takes the host's
// (AGENT_DEADLINE_MS), which also caps it. See docs/plugins.md, "Deadlines".
#ifndef SOCRATES_AGENT_DEADLINE_MS
#define SOCRATES_AGENT_DEADLINE_MS 0
#endif

namespace socrates::sdk {
// One migration of the agent's own data (ABI 2.3): {"001_greetings", "CREATE TABLE ..."}. See
// SOCRATES_DECLARE_AGENT_WITH_MIGRATIONS and docs/plugins.md, "Migrations".
using Migration = socrates_migration;
}  // namespace socrates::sdk

// The fields after the entry points, as far as the ABI minor the plugin targets has them.
#if SOCRATES_ABI_TARGET_MINOR >= 3
#define SOCRATES_SDK_DESCRIPTOR_TAIL_(Migrations, MigrationCount) \
  , SOCRATES_SDK_BUILT_WITH, SOCRATES_AGENT_DEADLINE_MS, Migrations, MigrationCount
#elif SOCRATES_ABI_TARGET_MINOR >= 1
#define SOCRATES_SDK_DESCRIPTOR_TAIL_(Migrations, MigrationCount) , SOCRATES_SDK_BUILT_WITH
#else
#define SOCRATES_SDK_DESCRIPTOR_TAIL_(Migrations, MigrationCount)
#endif

#define SOCRATES_SDK_DECLARE_AGENT_(AgentClass, AgentId, AgentName, AgentVersion, Migrations, MigrationCount)  \
  namespace socrates_plugin_ {                                                                               \
  socrates_agent* create(socrates_buffer* error) noexcept {                                                  \
    return ::socrates::sdk::detail::abi::create<AgentClass>(error, AgentId, AgentName, AgentVersion);        \
  }                                                                                                          \
  constexpr socrates_plugin_api api = ::socrates::sdk::detail::abi::plugin_api(&create);                     \
  }                                                                                                          \
  extern "C" SOCRATES_ABI_EXPORT const socrates_plugin_descriptor socrates_plugin;                           \
  extern "C" SOCRATES_ABI_EXPORT const socrates_plugin_descriptor socrates_plugin = {                        \
      SOCRATES_ABI_MAGIC, sizeof(socrates_plugin_descriptor), SOCRATES_ABI_VERSION_MAJOR,                    \
      SOCRATES_ABI_TARGET_MINOR, AgentId, AgentName, AgentVersion, &socrates_plugin_::api                    \
      SOCRATES_SDK_DESCRIPTOR_TAIL_(Migrations, MigrationCount)};

#define SOCRATES_DECLARE_AGENT(AgentClass, AgentId, AgentName, AgentVersion) \
  SOCRATES_SDK_DECLARE_AGENT_(AgentClass, AgentId, AgentName, AgentVersion, nullptr, 0)

// An agent with data of its own (ABI 2.3): `Migrations` names a namespace-scope array of
// socrates::sdk::Migration, defined before the macro, e.g.
//
//   constexpr socrates::sdk::Migration kMigrations[] = {
//       {"001_greetings", "CREATE TABLE greetings (user_id uuid PRIMARY KEY, times bigint NOT NULL)"},
//   };
//   SOCRATES_DECLARE_AGENT_WITH_MIGRATIONS(HelloAgent, "hello", "Hello agent", "1.1.0", kMigrations)
//
// The host applies the pending ones at load and at reload in the schema named after the agent id,
// before the agent starts; never change one that was applied: append another.
#if SOCRATES_ABI_TARGET_MINOR >= 3
#define SOCRATES_DECLARE_AGENT_WITH_MIGRATIONS(AgentClass, AgentId, AgentName, AgentVersion, Migrations)      \
  SOCRATES_SDK_DECLARE_AGENT_(AgentClass, AgentId, AgentName, AgentVersion, Migrations,                      \
                              sizeof(Migrations) / sizeof((Migrations)[0]))
#else
#define SOCRATES_DECLARE_AGENT_WITH_MIGRATIONS(AgentClass, AgentId, AgentName, AgentVersion, Migrations) \
  static_assert(sizeof(Migrations) == 0, "migrations need ABI 2.3: raise SOCRATES_ABI_TARGET_MINOR to 3");
#endif

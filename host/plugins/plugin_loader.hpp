#pragma once
// Loads agent plugins: the library's file is checked (host/plugins/library_file.hpp), copied into a
// private directory and loaded from that copy's descriptor; its plugin descriptor
// (<socrates/abi.h>) is checked against this host's ABI version before the host calls any of its
// functions, then its `create` entry point is called and the agent describes its actions.
//
// What the descriptor check cannot prevent: dlopen itself runs the library's static initialisers
// (constructors of globals, __attribute__((constructor)) functions) before the host can read the
// descriptor. A library that is not a Socrates plugin, or one built against another ABI, has run
// that code by the time it is refused. This is why only files that the host's user or root wrote
// are loaded at all; the descriptor check keeps the host from calling into an incompatible
// library, it is not a sandbox.

#include "host/db/migration_file.hpp"
#include "host/plugins/plugin_agent.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace socrates::host {

// The host's copy of a plugin's descriptor (the plugin's own strings die with its library).
struct PluginInfo {
  std::string agent_id;
  std::string agent_name;
  std::string agent_version;
  int abi_major = 0;
  int abi_minor = 0;
  std::string built_with;  // what the plugin says it was built with (ABI 2.1); never checked
  std::uint32_t deadline_ms = 0;  // the agent's default deadline for one action (ABI 2.3); 0: none declared
  // The agent's own migrations (ABI 2.3), in the descriptor's order; checksums are left empty (the
  // Migrator computes them). Applied in the schema named after agent_id (host/db/migrator.hpp).
  std::vector<MigrationFile> migrations;
  std::string abi_version() const { return std::to_string(abi_major) + "." + std::to_string(abi_minor); }
  // One call's deadline: the declared one, capped by `cap` (AGENT_DEADLINE_MS), or `cap` if none.
  std::chrono::milliseconds deadline_within(std::chrono::milliseconds cap) const {
    return deadline_ms > 0 ? std::min(std::chrono::milliseconds(deadline_ms), cap) : cap;
  }
};

// An isolated agent's child processes, as health shows them (host/isolation/isolated_plugin.hpp).
struct IsolationStatus {
  std::atomic<std::uint64_t> crashes{0};  // children of this generation that crashed or were killed
  std::atomic<bool> quarantined{false};   // refused until reloaded
};

struct LoadedPlugin {
  PluginInfo info;
  std::filesystem::path library;      // the path that was asked for
  std::filesystem::path loaded_from;  // the private copy that was loaded
  // Destroying the agent runs plugin code, so it owns the library and releases it (and removes the
  // private copy) only after the agent is gone.
  std::shared_ptr<PluginAgent> agent;
  // What the agent is started and served with, when it has data of its own: the host's services,
  // with every database session on its schema (set by AgentAdmin once its migrations are applied).
  // Null: the host's services as they are.
  std::shared_ptr<sdk::Services> services;
  std::chrono::system_clock::time_point loaded_at;
  // Set for an agent that runs in a child process (PLUGINS=isolated:...), null in-process.
  std::shared_ptr<const IsolationStatus> isolation;
};

// A library that cannot be used, with a message that names the library, what the host expected,
// what the plugin has, and how to fix it.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PluginLoader {
 public:
  // The private copies go to a directory the loader makes at its first load inside `copy_parent`
  // (created, mode 0700, when missing): a new one with a random name and mode 0700, so that nobody
  // else can put or swap a file there and no other process's leftovers are in the way. dlopen
  // caches by path, and overwriting a mapped library crashes the process, so the host never maps
  // the operator's file itself.
  explicit PluginLoader(std::filesystem::path copy_parent);
  // Removes the private directory when no copy is left in it (agents still alive keep theirs).
  ~PluginLoader();
  PluginLoader(const PluginLoader&) = delete;
  PluginLoader& operator=(const PluginLoader&) = delete;

  // `inside`: a library named at run time must lie inside this directory (PLUGIN_DIR).
  // Throws PluginError. Thread-safe.
  LoadedPlugin load(const std::filesystem::path& library,
                    const std::optional<std::filesystem::path>& inside = std::nullopt) const;

  // The private copy directory; empty before the first load.
  std::filesystem::path private_dir() const;

 private:
  // Makes the private directory on first use; returns a descriptor of it.
  int private_dir_fd() const;

  std::filesystem::path copy_parent_;
  mutable std::mutex mutex_;
  mutable std::filesystem::path private_dir_;
  mutable int private_dir_fd_ = -1;
};

}  // namespace socrates::host

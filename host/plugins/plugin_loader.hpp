#pragma once
// Loads agent plugins: a private copy of the library is opened, its descriptor checked against this
// host's SDK and build identity before any of its code runs, then its factory is called.

#include <socrates/sdk/base_agent.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace socrates::host {

// The host's copy of a plugin's descriptor (the plugin's own strings die with its library).
struct PluginInfo {
  std::string agent_id;
  std::string agent_name;
  std::string agent_version;
  int sdk_major = 0;
  int sdk_minor = 0;
  std::string compiler;
  std::string stdlib;
  std::string sdk_version() const { return std::to_string(sdk_major) + "." + std::to_string(sdk_minor); }
};

struct LoadedPlugin {
  PluginInfo info;
  std::filesystem::path library;      // the path that was asked for
  std::filesystem::path loaded_from;  // the private copy that was opened
  // Deleting the agent runs plugin code, so its deleter owns the library and releases it (and
  // removes the private copy) only after the agent is gone.
  std::shared_ptr<sdk::BaseAgent> agent;
  std::chrono::system_clock::time_point loaded_at;
};

// A library that cannot be used, with a message that names the library, what the host expected,
// what the plugin has, and how to fix it.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PluginLoader {
 public:
  // `copy_dir` receives the private copies (dlopen caches by path, and overwriting a mapped
  // library crashes the process, so the host never maps the operator's file itself).
  explicit PluginLoader(std::filesystem::path copy_dir);
  ~PluginLoader();
  PluginLoader(const PluginLoader&) = delete;
  PluginLoader& operator=(const PluginLoader&) = delete;

  // Throws PluginError. Thread-safe.
  LoadedPlugin load(const std::filesystem::path& library) const;

 private:
  std::filesystem::path copy_dir_;
};

}  // namespace socrates::host

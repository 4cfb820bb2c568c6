#pragma once
// The real socrates-host executable as a child process, for end-to-end tests: `serve` on a free
// loopback port against given databases, or one of the other subcommands run to completion.
//
// Every child gets a clean, explicit environment (nothing leaks in from the test runner's shell or
// from a .env file in the working directory) and its own temporary directory, which holds its
// stdout/stderr and its private plugin copies and is removed when the HostProcess goes away.

#include "support/test_database.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace socrates::test {

using EnvMap = std::map<std::string, std::string>;

// A random secret of `length` characters (base64url alphabet).
std::string random_secret(std::size_t length = 48);

// The environment a host needs to run against `databases`: both URLs, a fresh SECRET_KEY, the
// build's plugin and migration directories, warn-level logs, loopback binding. Tests add or erase
// entries before handing it to HostProcess or run_command.
EnvMap host_environment(const TestDatabases& databases);

// A port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed).
std::uint16_t pick_free_port();

struct CommandResult {
  int exit_code = -1;  // the exit status, or 128 + signal when the child was killed
  std::string out;
  std::string err;
  bool timed_out = false;
};

// Runs `socrates-host args...` with exactly `env` (plus PATH and a private TMPDIR) and waits for it,
// killing it after `timeout`. Its standard input is `input` (a file, so not a terminal), or
// /dev/null. For migrate, create-admin, doctor, plugin-check, --help, and for `serve` invocations
// that are expected to fail at start-up.
CommandResult run_command(const std::vector<std::string>& args, const EnvMap& env,
                          std::chrono::seconds timeout = std::chrono::seconds(60),
                          const std::optional<std::string>& input = std::nullopt);

class HostProcess {
 public:
  // Does not start anything yet; `env` is used as is, PORT and PLUGIN_COPY_DIR are added by start().
  explicit HostProcess(EnvMap env, std::vector<std::string> extra_args = {});
  ~HostProcess();  // stop() if still running, then removes the temporary directory
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  // Starts `socrates-host serve` on a free port and waits until GET /health answers 200.
  // Retries with another port when the chosen one was taken meanwhile. Throws std::runtime_error
  // with the host's stderr when it exits or does not answer within `timeout`.
  void start(std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // SIGTERM and wait (SIGKILL after `grace`). Returns the exit status as run_command reports it.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL and wait: a crash, with no chance to clean up.
  void kill();

  bool running() const { return pid_ > 0; }
  // Whether the child is still there (reaps it, and reports its exit status, when it is not).
  bool alive(int* exit_code = nullptr);
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  std::string base_url() const;  // http://127.0.0.1:PORT
  const EnvMap& env() const { return env_; }

  // What the host wrote so far (for failure messages).
  std::string stderr_text() const;
  std::string stdout_text() const;

 private:
  bool try_start(std::chrono::milliseconds timeout, std::string* failure);
  // Reaps the child if it has exited; true when it is gone.
  bool reap_if_exited(int* exit_code);

  EnvMap env_;
  std::vector<std::string> extra_args_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;  // of the last child, once it is gone
  std::uint16_t port_ = 0;
};

}  // namespace socrates::test

#pragma once
// A child process joined to its parent by a Unix socket (one end of a socketpair), started with an
// optional limit on its address space (RLIMIT_AS): what runs an isolated agent
// (docs/plugins.md, "Isolation"). The child finds its end of the socket at descriptor 3; every
// other descriptor above 2 is closed in it, its signal mask is cleared (the host blocks its stop
// signals for sigwait) and it has a process group of its own (a terminal's Ctrl-C stops the host,
// which then ends its children).
//
// Threading: kill() and wait() from any thread; the rest is read-only after construction.

#include <sys/types.h>

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace socrates::host::isolation {

struct ChildOptions {
  std::vector<std::string> argv;        // argv[0] is the program's path
  std::size_t address_space_bytes = 0;  // RLIMIT_AS of the child; 0: the parent's
  // The child's whole environment ("NAME=value"); nullopt: the parent's.
  std::optional<std::vector<std::string>> environment;
};

class ChildProcess {
 public:
  // The descriptor the child finds its end of the socket at.
  static constexpr int kChildFd = 3;

  // Starts the child; throws std::system_error when it cannot (no process, no socket).
  explicit ChildProcess(const ChildOptions& options);
  // Kills the child if it still runs, and reaps it.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int fd() const noexcept { return fd_; }  // the parent's end of the socket
  pid_t pid() const noexcept { return pid_; }

  // SIGKILL, unless it has been reaped already (never signals a reused pid). Returns at once.
  void kill() noexcept;
  // SIGKILL, then waits until it is gone: how it ended ("exit status 1", "signal 11
  // (Segmentation fault)"). Idempotent.
  std::string wait() noexcept;
  // How it ended, or nullopt while it runs (reaps it when it has ended).
  std::optional<std::string> ended() noexcept;

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::mutex mutex_;  // reaping and signalling
  std::optional<std::string> ended_;
};

}  // namespace socrates::host::isolation

#include "host/isolation/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace socrates::host::isolation {
namespace {

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* name = ::strsignal(signal);
    return "signal " + std::to_string(signal) + (name ? " (" + std::string(name) + ")" : std::string());
  }
  return "status " + std::to_string(status);
}

// In the child, after fork: only async-signal-safe calls.
[[noreturn]] void become_child(int socket_fd, char* const* argv, char* const* envp, const rlimit* limit) {
  if (socket_fd == ChildProcess::kChildFd) {
    if (::fcntl(ChildProcess::kChildFd, F_SETFD, 0) != 0) ::_exit(126);
  } else if (::dup2(socket_fd, ChildProcess::kChildFd) < 0) {  // dup2 clears close-on-exec
    ::_exit(126);
  }
  // Whatever the host had open (its listening socket, other children's sockets), even a
  // descriptor a library opened without close-on-exec: not the child's business.
  if (::syscall(SYS_close_range, ChildProcess::kChildFd + 1, ~0U, 0) != 0)
    for (int fd = ChildProcess::kChildFd + 1; fd < 1024; ++fd) ::close(fd);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::setpgid(0, 0);
  if (limit && ::setrlimit(RLIMIT_AS, limit) != 0) ::_exit(126);
  if (envp) ::execve(argv[0], argv, envp);
  else ::execv(argv[0], argv);
  ::_exit(127);
}

}  // namespace

ChildProcess::ChildProcess(const ChildOptions& options) {
  if (options.argv.empty()) throw std::system_error(EINVAL, std::generic_category(), "no program to start");
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::system_error(errno, std::generic_category(), "socketpair");
  // Everything the child needs is made before fork(): after it, only async-signal-safe calls.
  std::vector<char*> argv;
  argv.reserve(options.argv.size() + 1);
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (options.environment) {
    for (const auto& entry : *options.environment) envp.push_back(const_cast<char*>(entry.c_str()));
    envp.push_back(nullptr);
  }
  rlimit limit{};
  if (options.address_space_bytes > 0) limit.rlim_cur = limit.rlim_max = static_cast<rlim_t>(options.address_space_bytes);

  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::system_error(error, std::generic_category(), "fork");
  }
  if (pid == 0)
    become_child(fds[1], argv.data(), options.environment ? envp.data() : nullptr,
                 options.address_space_bytes > 0 ? &limit : nullptr);
  ::close(fds[1]);
  pid_ = pid;
  fd_ = fds[0];
}

ChildProcess::~ChildProcess() {
  wait();
  if (fd_ >= 0) ::close(fd_);
}

void ChildProcess::kill() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (pid_ > 0 && !ended_) ::kill(pid_, SIGKILL);
}

std::string ChildProcess::wait() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (pid_ <= 0) return std::string();
  if (!ended_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    try {
      ended_ = describe_status(status);
    } catch (...) {
      ended_ = std::string();
    }
  }
  return *ended_;
}

std::optional<std::string> ChildProcess::ended() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ended_ || pid_ <= 0) return ended_;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    try {
      ended_ = describe_status(status);
    } catch (...) {
      ended_ = std::string();
    }
  }
  return ended_;
}

}  // namespace socrates::host::isolation

#include "support/host_process.hpp"

#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace socrates::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

fs::path make_temp_dir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  return pattern;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Everything the child needs, laid out before fork(): between fork and exec only
// async-signal-safe calls are allowed, so no allocation happens there.
struct Invocation {
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string in_path, out_path, err_path, cwd;
};

// `input`: a file to be the child's standard input (default /dev/null).
pid_t spawn(const std::vector<std::string>& args, const EnvMap& env, const fs::path& dir,
            const std::string& input = "/dev/null") {
  Invocation inv;
  inv.argv_storage.push_back(SOCRATES_HOST_BINARY);
  inv.argv_storage.insert(inv.argv_storage.end(), args.begin(), args.end());
  for (const auto& [name, value] : env) inv.env_storage.push_back(name + "=" + value);
  for (auto& s : inv.argv_storage) inv.argv.push_back(s.data());
  inv.argv.push_back(nullptr);
  for (auto& s : inv.env_storage) inv.envp.push_back(s.data());
  inv.envp.push_back(nullptr);
  inv.in_path = input;
  inv.out_path = (dir / "stdout.log").string();
  inv.err_path = (dir / "stderr.log").string();
  inv.cwd = dir.string();

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // A test process that dies (crash, timeout kill) must not leave hosts behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int s : {SIGTERM, SIGINT, SIGPIPE, SIGHUP}) ::sigaction(s, &default_action, nullptr);
    const int in = ::open(inv.in_path.c_str(), O_RDONLY);
    const int out = ::open(inv.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(inv.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    // The working directory is the private one, so a stray .env in the test's directory is never read.
    if (::chdir(inv.cwd.c_str()) != 0) ::_exit(127);
    ::execve(inv.argv[0], inv.argv.data(), inv.envp.data());
    ::_exit(127);
  }
  return pid;
}

// Waits up to `timeout` for `pid`; returns the decoded status, or nullopt if it is still running.
std::optional<int> wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode_status(status);
    if (r < 0) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// The last `max` characters, so a failure message stays readable.
std::string tail(const std::string& text, std::size_t max = 4000) {
  return text.size() <= max ? text : "…" + text.substr(text.size() - max);
}

EnvMap with_basics(EnvMap env, const fs::path& tmp) {
  env.emplace("PATH", "/usr/local/bin:/usr/bin:/bin");
  env.emplace("TMPDIR", tmp.string());
  // main() reads ENV_FILE (default ./.env); point it at nothing unless a test wants a file.
  env.emplace("ENV_FILE", "/dev/null");
  // A sanitized build (SANITIZE=... scripts/test.sh) keeps its sanitizers' settings in the host too.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
    if (const char* value = std::getenv(name)) env.emplace(name, value);
  // The private plugin copies default to the project's .data; a test's go to its own directory.
  env.emplace("PLUGIN_COPY_DIR", tmp.string());
  return env;
}

}  // namespace

std::string random_secret(std::size_t length) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device random;
  std::string secret;
  for (std::size_t i = 0; i < length; ++i) secret += kAlphabet[random() % 64];
  return secret;
}

EnvMap host_environment(const TestDatabases& databases) {
  return {
      {"DATABASE_URL_AUTH", databases.auth_url()},
      {"DATABASE_URL_SPECS", databases.specs_url()},
      {"SECRET_KEY", random_secret(48)},
      {"PLUGIN_DIR", SOCRATES_PLUGIN_DIR},
      {"MIGRATIONS_DIR", SOCRATES_MIGRATIONS_DIR},
      {"LOG_LEVEL", "warn"},
      {"BIND_ADDRESS", "127.0.0.1"},
      {"THREADS", "2"},
      {"WORKERS", "8"},
      {"DB_POOL_SIZE_AUTH", "4"},
      {"DB_POOL_SIZE_SPECS", "4"},
  };
}

std::uint16_t pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback socket to find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

CommandResult run_command(const std::vector<std::string>& args, const EnvMap& env, std::chrono::seconds timeout,
                          const std::optional<std::string>& input) {
  const fs::path dir = make_temp_dir("socrates-e2e-cmd-");
  fs::create_directories(dir / "tmp");
  std::string stdin_path = "/dev/null";
  if (input) {
    stdin_path = (dir / "stdin").string();
    std::ofstream(stdin_path, std::ios::binary) << *input;
  }
  CommandResult result;
  const pid_t pid = spawn(args, with_basics(env, dir / "tmp"), dir, stdin_path);
  auto status = wait_for(pid, timeout);
  if (!status) {
    result.timed_out = true;
    ::kill(pid, SIGKILL);
    status = wait_for(pid, std::chrono::seconds(10));
  }
  result.exit_code = status.value_or(-1);
  result.out = read_text(dir / "stdout.log");
  result.err = read_text(dir / "stderr.log");
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return result;
}

HostProcess::HostProcess(EnvMap env, std::vector<std::string> extra_args)
    : env_(std::move(env)), extra_args_(std::move(extra_args)), dir_(make_temp_dir("socrates-e2e-host-")) {}

HostProcess::~HostProcess() {
  if (running()) stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::string HostProcess::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string HostProcess::stderr_text() const { return read_text(dir_ / "stderr.log"); }
std::string HostProcess::stdout_text() const { return read_text(dir_ / "stdout.log"); }

bool HostProcess::alive(int* exit_code) { return !reap_if_exited(exit_code); }

bool HostProcess::reap_if_exited(int* exit_code) {
  if (pid_ > 0) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) return false;
    exit_code_ = r == pid_ ? decode_status(status) : -1;
    pid_ = -1;
  }
  if (exit_code) *exit_code = exit_code_;
  return true;
}

void HostProcess::start(std::chrono::milliseconds timeout) {
  if (running()) throw std::runtime_error("HostProcess::start: already running");
  std::string failure;
  // A port that was free when we looked can be taken before the host binds it (another test
  // process picks ports too); that is the one failure worth retrying.
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (try_start(timeout, &failure)) return;
    if (failure.find("cannot listen") == std::string::npos) break;
  }
  throw std::runtime_error("socrates-host did not start: " + failure);
}

bool HostProcess::try_start(std::chrono::milliseconds timeout, std::string* failure) {
  port_ = pick_free_port();
  EnvMap env = env_;
  env["PORT"] = std::to_string(port_);
  env.emplace("PLUGIN_COPY_DIR", (dir_ / "plugins").string());
  fs::create_directories(dir_ / "tmp");
  std::vector<std::string> args{"serve"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = spawn(args, with_basics(std::move(env), dir_ / "tmp"), dir_);
  exit_code_ = -1;

  const HttpClient client(base_url());
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    int exit_code = 0;
    if (reap_if_exited(&exit_code)) {
      *failure = "it exited with status " + std::to_string(exit_code) + "; stderr:\n" + tail(stderr_text());
      return false;
    }
    const auto response = client.try_request("GET", "/health", "", {}, std::chrono::milliseconds(500));
    if (response && response->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *failure = "GET /health did not answer within " + std::to_string(timeout.count()) + " ms; stderr:\n" +
             tail(stderr_text());
  kill();
  return false;
}

int HostProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  auto status = wait_for(pid_, grace);
  if (!status) {
    ::kill(pid_, SIGKILL);
    wait_for(pid_, std::chrono::seconds(10));
    pid_ = -1;
    exit_code_ = -1;  // did not stop on SIGTERM: report it as a failure to stop
    return exit_code_;
  }
  pid_ = -1;
  exit_code_ = *status;
  return exit_code_;
}

void HostProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  exit_code_ = wait_for(pid_, std::chrono::seconds(10)).value_or(-1);
  pid_ = -1;
}

}  // namespace socrates::test

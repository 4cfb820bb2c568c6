#include "support/pg_cluster.hpp"

#include "support/host_process.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace socrates::test {
namespace {

namespace fs = std::filesystem;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

PgCluster::PgCluster(Durability durability) : password_(random_secret(24)) {
  std::string pattern = (fs::temp_directory_path() / "socrates-e2e-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  wanted_dir_ = pattern;
  // The server's owner (`postgres` when we are root) must pass through to the cluster's folder.
  fs::permissions(wanted_dir_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  dir_ = trimmed(run("pg_usable_dir \"$DIR/cluster\""));
  port_ = trimmed(run("pg_free_port"));
  run(std::string("pg_init \"$DIR\" \"$PORT\" socrates \"$PASSWORD\" ") +
      (durability == Durability::kDurable ? "durable" : "fast"));
  start();
}

PgCluster::~PgCluster() {
  try {
    run("pg_stop \"$DIR\"");
  } catch (...) {
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
  fs::remove_all(wanted_dir_, ignored);
}

void PgCluster::start() { run("pg_start \"$DIR\""); }
void PgCluster::stop() { run("pg_stop \"$DIR\""); }
void PgCluster::crash() { run("pg_crash \"$DIR\""); }

std::string PgCluster::admin_url() const {
  return "postgresql://socrates:" + password_ + "@127.0.0.1:" + port_ + "/postgres";
}

std::string PgCluster::run(const std::string& script) const {
  // The password travels in the environment of the one script, never as an argument (`ps` shows those).
  std::vector<std::string> env_storage{"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                                       "PG_SH=" SOCRATES_SOURCE_DIR "/scripts/lib/pg.sh",
                                       "DIR=" + (dir_.empty() ? wanted_dir_.string() : dir_), "PORT=" + port_,
                                       "PASSWORD=" + password_};
  if (const char* pg_bin = std::getenv("PG_BIN")) env_storage.push_back(std::string("PG_BIN=") + pg_bin);
  const std::string full = "set -eu; source \"$PG_SH\"; " + script;
  std::vector<std::string> argv_storage{"/bin/bash", "-c", full};
  std::vector<char*> argv, envp;
  for (auto& s : argv_storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_storage) envp.push_back(s.data());
  envp.push_back(nullptr);
  const std::string out_path = (wanted_dir_ / "pg_sh.out").string();
  const std::string err_path = (wanted_dir_ / "pg_sh.err").string();

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string out = read(out_path);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("scripts/lib/pg.sh failed running '" + script + "': " + out + read(err_path));
  return out;
}

}  // namespace socrates::test

// Runs the web client's browser test against the real host: a fresh pair of databases on the test
// cluster (SOCRATES_TEST_PG_URL), `socrates-host serve` on a free loopback port serving the web/
// of the source tree, then `node SCRIPT BASE_URL SCREENSHOT_DIR`; exits with node's status.
//   socrates_web_runner SCRIPT SCREENSHOT_DIR
#include "support/host_process.hpp"
#include "support/test_database.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  using namespace socrates::test;
  if (argc != 3) {
    std::cerr << "usage: socrates_web_runner SCRIPT SCREENSHOT_DIR\n";
    return 2;
  }
  try {
    TestDatabases databases;
    EnvMap env = host_environment(databases);
    env["WEB_DIR"] = (std::filesystem::path(SOCRATES_SOURCE_DIR) / "web").string();
    HostProcess host(env);
    host.start();

    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork() failed");
    if (child == 0) {
      const std::string base = host.base_url();
      ::execlp("node", "node", argv[1], base.c_str(), argv[2], static_cast<char*>(nullptr));
      std::cerr << "cannot run node: " << std::strerror(errno) << "\n";
      ::_exit(127);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0) std::cerr << "the host's log:\n" << host.stderr_text() << "\n";
    host.stop();
    return code;
  } catch (const std::exception& e) {
    std::cerr << "socrates_web_runner: " << e.what() << "\n";
    return 1;
  }
}

// socrates-host: the only untested glue — everything it calls lives in socrates_host_core.
#include "host/app/commands.hpp"

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  const char* env_file = std::getenv("ENV_FILE");
  const auto env = socrates::host::Environment::from_process(std::filesystem::path(env_file ? env_file : ".env"));
  return socrates::host::run_command(args, env, std::cout, std::cerr);
}

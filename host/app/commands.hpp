#pragma once
// The subcommands of socrates-host. Each returns the process exit code; `out`/`err` receive what a
// person reads.

#include "host/config/config.hpp"

#include <iosfwd>
#include <string>
#include <vector>

namespace socrates::host {

int run_command(const std::vector<std::string>& args, const Environment& env, std::ostream& out, std::ostream& err);

int serve(const Environment& env, std::ostream& out, std::ostream& err);
int migrate(const Environment& env, std::ostream& out, std::ostream& err);
int create_admin(const Environment& env, const std::string& email, const std::string& password, std::ostream& out,
                 std::ostream& err);
int doctor(const Environment& env, std::ostream& out, std::ostream& err);
int plugin_check(const std::string& library, std::ostream& out, std::ostream& err);

}  // namespace socrates::host

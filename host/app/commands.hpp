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
// The MCP server on `in`/`out` (host/mcp/stdio_transport.hpp) for the account of SOCRATES_TOKEN.
int mcp_stdio(const Environment& env, std::istream& in, std::ostream& out, std::ostream& err);
// The password of a new account comes from `in`: one line, or, when `terminal`, typed twice at a
// prompt without echo. An existing account is refused unless `promote` (then no password is read).
int create_admin(const Environment& env, const std::string& email, bool promote, std::istream& in, bool terminal,
                 std::ostream& out, std::ostream& err);
int doctor(const Environment& env, std::ostream& out, std::ostream& err);
// `env` gives PLUGIN_DIR, to say whether a reload request could name the library.
int plugin_check(const std::string& library, const Environment& env, std::ostream& out, std::ostream& err);

}  // namespace socrates::host

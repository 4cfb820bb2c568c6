#pragma once
// The MCP stdio transport (`socrates-host mcp`): newline-delimited JSON-RPC messages on `in`, one
// answer per line on `out`, nothing else on `out` (logs go to standard error). Messages are
// handled one at a time, in order; a session's queued notifications are written just before the
// response of the request that queued them. Every message is authenticated again with
// `authenticate`, so a token revoked while the process runs is refused at its next message
// (JSON-RPC error -32003, data.code UNAUTHENTICATED).

#include "host/mcp/mcp_server.hpp"

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <variant>

namespace socrates::host::mcp {

using Authenticator = std::function<std::variant<auth::AuthContext, sdk::Error>()>;

// Serves one session for `first` (the caller authenticated at start) until `in` ends. A line
// longer than `max_message_bytes` is refused with invalid request -32600 and skipped.
// Returns the process exit code (0 at the end of input).
int run_stdio(McpServer& server, const auth::AuthContext& first, const Authenticator& authenticate, std::istream& in,
              std::ostream& out, std::size_t max_message_bytes);

}  // namespace socrates::host::mcp

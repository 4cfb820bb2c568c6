#pragma once
// The Model Context Protocol server (revision 2025-11-25; 2025-06-18 and 2025-03-26 negotiated
// too): JSON-RPC 2.0 messages of one MCP session in, responses out, independent of the transport.
// The Streamable HTTP transport (host/rest/mcp_api.cpp, POST/DELETE /mcp) and the stdio transport
// (stdio_transport.hpp, `socrates-host mcp`) both feed it; it reaches the agents only through the
// orchestrator, with the tools of tools.hpp, so an MCP tool call runs what the REST route runs.
//
// It serves: initialize (version negotiation), ping, tools/list and tools/call (the interview's
// tools and every plugin action declared a tool), resources/list, resources/templates/list,
// resources/read, resources/subscribe and resources/unsubscribe (a project's specification
// document and maturity), prompts/list and prompts/get (the Socratic interview). A tool call that
// changes a project's specification queues notifications/resources/updated for every session
// subscribed to that project's resources; each transport delivers a session's queue
// (take_notifications) before its next response.
//
// Threading: every member may be called from any thread. Calls for the same session may overlap
// (HTTP clients send requests concurrently); a session's own state has its lock.

#include "host/auth/account_service.hpp"
#include "host/mcp/tools.hpp"
#include "host/orchestrator/orchestrator.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace socrates::host::mcp {

inline constexpr const char* kLatestProtocolVersion = "2025-11-25";
// The revisions this server speaks, newest first.
const std::vector<std::string>& supported_protocol_versions();
bool is_supported_protocol_version(const std::string& version);

// JSON-RPC error codes: the standard ones, and the server's own (-32000..-32099).
namespace rpc {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kSessionNotFound = -32001;   // HTTP: an unknown or ended Mcp-Session-Id
inline constexpr int kResourceNotFound = -32002;  // as the specification names it
inline constexpr int kUnauthenticated = -32003;   // the credential was refused (data.code says how)
}  // namespace rpc

// One MCP session: one Mcp-Session-Id over HTTP, the whole process over stdio.
struct Session {
  Session(std::string session_id, std::string owner) : id(std::move(session_id)), user_id(std::move(owner)) {}
  const std::string id;
  const std::string user_id;  // the account that opened it; no other may use it

  std::mutex mutex;  // guards what follows
  std::string protocol_version;  // negotiated by initialize; empty before
  std::set<std::string> subscriptions;  // resource URIs
  std::deque<nlohmann::json> outbox;   // notifications not yet delivered
  std::chrono::steady_clock::time_point last_used = std::chrono::steady_clock::now();
};

// A message that passed the JSON-RPC checks.
struct Message {
  enum class Kind { kRequest, kNotification, kResponse };
  Kind kind = Kind::kRequest;
  nlohmann::json id;  // the request's id (a string or an integer); null otherwise
  std::string method;
  nlohmann::json params = nlohmann::json::object();
};

class McpServer {
 public:
  // `server_version` is what initialize names (serverInfo.version).
  McpServer(Orchestrator& orchestrator, std::string server_version);

  // ---- sessions
  // A new session for `user_id`, with an unguessable id. Beyond kMaxSessions the least recently
  // used one is dropped (its client gets 404 and initializes again, as the protocol expects).
  std::shared_ptr<Session> open_session(const std::string& user_id);
  // The session `id` when it exists and belongs to `user_id`; null otherwise (the two look alike).
  std::shared_ptr<Session> find_session(const std::string& id, const std::string& user_id);
  bool close_session(const std::string& id, const std::string& user_id);
  static constexpr std::size_t kMaxSessions = 10000;

  // ---- messages
  // `text` as a message, or the JSON-RPC error response to send (parse error -32700 for text that
  // is not JSON or nests deeper than 64 levels; invalid request -32600 for a batch, a non-object,
  // a wrong jsonrpc/method/id, or a NUL character outside params; invalid params -32602 for
  // params that are not an object or hold a NUL character, data.field naming it).
  static std::variant<Message, nlohmann::json> parse(std::string_view text);

  // Handles one message of `session` for `caller` (already authenticated by the transport as the
  // session's user). Answers the response of a request, nothing for a notification or a response.
  // Never throws.
  std::optional<nlohmann::json> handle(Session& session, const Message& message, const auth::AuthContext& caller) noexcept;

  // The notifications queued for `session`, oldest first; the queue is emptied.
  std::vector<nlohmann::json> take_notifications(Session& session);
  // A queue longer than this drops its oldest (a client that never takes them must not grow it).
  static constexpr std::size_t kMaxQueued = 64;

  // The interview's tools and every loaded agent's actions declared tools.
  std::vector<Tool> tools() const;

  static nlohmann::json error_response(const nlohmann::json& id, int code, const std::string& message,
                                       nlohmann::json data = nullptr);

 private:
  nlohmann::json dispatch(Session& session, const Message& message, const auth::AuthContext& caller);
  nlohmann::json initialize(Session& session, const Message& message);
  nlohmann::json call_tool(Session& session, const Message& message, const auth::AuthContext& caller);
  nlohmann::json list_resources(const Message& message, const auth::AuthContext& caller);
  nlohmann::json read_resource(const Message& message, const auth::AuthContext& caller);
  nlohmann::json subscribe(Session& session, const Message& message, const auth::AuthContext& caller, bool on);
  nlohmann::json get_prompt(const Message& message);
  // Queues notifications/resources/updated for the sessions subscribed to `project_id`'s resources.
  void notify_changed(const std::string& project_id);

  Orchestrator& orchestrator_;
  const std::string server_version_;
  const std::vector<Tool> interview_tools_;

  std::mutex sessions_mutex_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
};

}  // namespace socrates::host::mcp

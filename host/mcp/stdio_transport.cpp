#include "host/mcp/stdio_transport.hpp"

#include <istream>
#include <ostream>
#include <string>

namespace socrates::host::mcp {
namespace {

enum class Line { kRead, kTooLong, kEnd };

// Reads up to the next '\n' into `line`, keeping at most `limit` bytes (the rest of a longer line
// is read and dropped, so one huge line costs no memory).
Line read_line(std::istream& in, std::string& line, std::size_t limit) {
  line.clear();
  bool too_long = false;
  std::streambuf* buffer = in.rdbuf();
  for (;;) {
    const auto c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      if (line.empty() && !too_long) return Line::kEnd;
      break;
    }
    if (c == '\n') break;
    if (line.size() < limit) {
      line.push_back(static_cast<char>(c));
    } else {
      too_long = true;
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return too_long ? Line::kTooLong : Line::kRead;
}

void write(std::ostream& out, const nlohmann::json& message) {
  out << message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out.flush();
}

}  // namespace

int run_stdio(McpServer& server, const auth::AuthContext& first, const Authenticator& authenticate, std::istream& in,
              std::ostream& out, std::size_t max_message_bytes) {
  auto session = server.open_session(first.caller.user_id);
  std::string line;
  for (;;) {
    const Line read = read_line(in, line, max_message_bytes);
    if (read == Line::kEnd) break;
    if (read == Line::kTooLong) {
      write(out, McpServer::error_response(nullptr, rpc::kInvalidRequest,
                                           "Invalid Request: a message is larger than " +
                                               std::to_string(max_message_bytes) + " bytes",
                                           {{"code", "PAYLOAD_TOO_LARGE"}, {"max_bytes", max_message_bytes}}));
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto parsed = McpServer::parse(line);
    if (auto* refused = std::get_if<nlohmann::json>(&parsed)) {
      write(out, *refused);
      continue;
    }
    const Message& message = std::get<Message>(parsed);
    auto caller = authenticate();
    if (auto* error = std::get_if<sdk::Error>(&caller)) {
      if (message.kind == Message::Kind::kRequest)
        write(out, McpServer::error_response(message.id, rpc::kUnauthenticated, error->message,
                                             {{"code", error->code}, {"message", error->message}}));
      continue;
    }
    const auto& auth = std::get<auth::AuthContext>(caller);
    auto reply = server.handle(*session, message, auth);
    for (const auto& note : server.take_notifications(*session)) write(out, note);
    if (reply) write(out, *reply);
  }
  server.close_session(session->id, session->user_id);
  return 0;
}

}  // namespace socrates::host::mcp

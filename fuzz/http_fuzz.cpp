// The HTTP input path up to routing, as host/rest/server.cpp runs it: bytes kept as they arrive
// (in TCP-sized pieces, then again whole), each complete request cut out by frame_request (a
// chunked body decoded by unchunk), parsed alone by Pistache's RequestParser, read into an
// HttpRequest (method, resource, url-decoded query, the headers the host reads, body size against
// the limit), routed with Router::match on the real route table, and its body read the way its
// route would (the login form, or json_body). Refusals are built in the API's error shape.
// Input: the raw bytes a client sends on one connection.
// Checked: nothing escapes but std::exception (what dispatch catches); every answer built is one
// JSON error shape; the requests of a connection, and any refusal, are the same whether its bytes
// arrive at once or in pieces; a decoded chunked request frames as one request; decoding never
// grows a text.
//
// Pistache is Debian's build, not instrumented: the fuzzer steers by the host's code around it,
// and AddressSanitizer sees Pistache's memory errors only through the functions it intercepts.
//
// Transfer-Encoding: Pistache 0.0.5's chunked-body parser spins for ever on a malformed chunk
// that arrives in pieces (fuzz/findings/http/README.md). The host never lets it see one: the
// framing checks every chunk, and unchunk hands Pistache a Content-Length body instead.

#include "fuzz_check.hpp"
#include "route_table.hpp"

#include "host/error_codes.hpp"
#include "host/rest/api.hpp"
#include "host/rest/http.hpp"
#include "host/rest/pistache_headers.hpp"
#include "host/rest/request_framing.hpp"

#include <pistache/http.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace Pistache;
namespace rest = socrates::host::rest;

namespace {

// The server's two limits (MAX_BODY_BYTES, and the parser's buffer of the body limit plus room for
// the head), scaled down so that inputs of a few KiB reach both.
constexpr std::size_t kMaxBodyBytes = 512;
constexpr std::size_t kMaxHeadBytes = 1024;

void check_error_shape(const rest::HttpResponse& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  FUZZ_CHECK(!body.is_discarded(), "an answer that is not JSON: " + response.body);
  FUZZ_CHECK(body.contains("error") && body["error"].contains("code") && body["error"]["code"].is_string() &&
                 body.contains("request_id"),
             "an answer not in the error shape: " + response.body);
  FUZZ_CHECK(response.status >= 400 && response.status < 600, "an error answered " + std::to_string(response.status));
}

// What one request turned into, to compare the whole-input and the piecewise runs.
struct Seen {
  std::string method, resource, body;
  std::map<std::string, std::string> query, headers;
  std::string route;
  bool operator==(const Seen& o) const {
    return method == o.method && resource == o.resource && body == o.body && query == o.query &&
           headers == o.headers && route == o.route;
  }
};

// onRequest up to the handler: what the host reads from a parsed request and where it routes it.
Seen handle(const Http::Request& request) {
  rest::HttpRequest r;
  r.method = Http::methodString(request.method());
  r.path = request.resource();
  r.request_id = "fuzz";
  Seen seen{r.method, r.path, request.body(), {}, {}, ""};
  try {
    for (auto it = request.query().parameters_begin(); it != request.query().parameters_end(); ++it) {
      const std::string name = rest::url_decode(it->first), value = rest::url_decode(it->second);
      FUZZ_CHECK(name.size() <= it->first.size() && value.size() <= it->second.size(), "url_decode grew a text");
      if (name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
        seen.route = "400";  // server.cpp refuses a NUL in a query parameter
        return seen;
      }
      r.query[name] = value;
    }
    for (const char* name : {"authorization", "content-type", "user-agent", "x-request-id", "origin"})
      if (auto value = rest::header_value(request, name)) r.headers[name] = *value;
    if (request.body().size() > kMaxBodyBytes) {
      check_error_shape(rest::HttpResponse::error(socrates::host::errc::kPayloadTooLarge, "too large", r.request_id));
      seen.route = "413";
      return seen;
    }
    r.body = request.body();
  } catch (const std::exception&) {
    // server.cpp answers 400 "the request could not be read".
    seen.route = "400";
    return seen;
  }
  seen.query = r.query;
  seen.headers = r.headers;

  const auto match = socrates::fuzz::route_table().match(r.method, r.path);
  if (!match.route) {
    check_error_shape(rest::HttpResponse::error(
        match.allowed_methods.empty() ? socrates::sdk::errc::kNotFound : socrates::host::errc::kMethodNotAllowed,
        "no such endpoint: " + r.method + " " + r.path, r.request_id, {{"allowed_methods", match.allowed_methods}}));
    seen.route = match.allowed_methods.empty() ? "404" : "405";
    return seen;
  }
  seen.route = match.route->method + " " + match.route->pattern;
  r.path_params = match.params;

  // The body as its route reads it: the login form, or JSON.
  const std::string type = r.header("content-type").value_or("");
  if (match.route->pattern == "/api/v1/auth/login" && type.find("application/x-www-form-urlencoded") != std::string::npos) {
    for (const auto& [name, value] : rest::parse_form(r.body)) FUZZ_CHECK(name.size() + value.size() <= r.body.size(), "a form field grew");
  } else if (!r.body.empty()) {
    auto parsed = rest::json_body(r, /*allow_empty=*/true);
    if (auto* refused = std::get_if<rest::HttpResponse>(&parsed)) check_error_shape(*refused);
  }
  return seen;
}

// One connection, as server.cpp's pump() and dispatch() run it: `input` arrives in pieces of
// `piece` bytes (0: all at once) and is kept; each complete request is cut out by frame_request
// (a chunked one decoded by unchunk), parsed on its own by Pistache's parser and handled; a
// refusal (head or body too large, framing or parsing that fails) ends the connection.
std::vector<Seen> connection(const std::string& input, std::size_t piece) {
  const rest::FramingLimits limits{kMaxHeadBytes, kMaxBodyBytes};
  std::vector<Seen> seen;
  Http::RequestParser parser(kMaxHeadBytes * 2 + kMaxBodyBytes * 2 + 1024);
  std::string pending;
  std::size_t at = 0;
  while (at < input.size()) {
    const std::size_t n = piece == 0 ? input.size() : std::min(piece, input.size() - at);
    pending.append(input, at, n);
    at += n;
    for (;;) {
      const rest::Frame frame = rest::frame_request(pending, limits);
      if (frame.kind == rest::Frame::Kind::kIncomplete) break;
      if (frame.kind != rest::Frame::Kind::kComplete) {
        FUZZ_CHECK(frame.kind != rest::Frame::Kind::kMalformed || !frame.reason.empty(), "a refusal without a reason");
        seen.push_back({"refused", "", "", {}, {}, std::to_string(static_cast<int>(frame.kind))});
        return seen;
      }
      FUZZ_CHECK(frame.length > 0 && frame.length <= pending.size(), "a frame outside the bytes received");
      const std::string bytes = frame.chunked ? rest::unchunk(std::string_view(pending).substr(0, frame.length))
                                              : pending.substr(0, frame.length);
      pending.erase(0, frame.length);
      FUZZ_CHECK(!frame.chunked || rest::frame_request(bytes, limits).kind == rest::Frame::Kind::kComplete,
                 "a decoded chunked request does not frame as one request");
      parser.reset();
      Http::Private::State parsed = Http::Private::State::Again;
      try {
        if (parser.feed(bytes.data(), bytes.size())) parsed = parser.parse();
      } catch (const std::exception& e) {
        check_error_shape(rest::HttpResponse::error(socrates::sdk::errc::kValidation,
                                                    std::string("the request is not valid HTTP/1.1: ") + e.what(), "id"));
        parsed = Http::Private::State::Again;
      }
      if (parsed != Http::Private::State::Done) {
        seen.push_back({"refused", "", "", {}, {}, "400"});
        return seen;
      }
      seen.push_back(handle(parser.request));
    }
  }
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(socrates::fuzz::as_text(data, size));
  const auto whole = connection(input, 0);
  // Pieces of 1 to 31 bytes, chosen by the input so that every size gets its turn.
  const std::size_t piece = size % 31 + 1;
  const auto pieces = connection(input, piece);
  // Requests are cut out of what has arrived, so the pieces make no difference: the same
  // requests, read the same way, with the same refusal (if any) at the same place.
  FUZZ_CHECK(whole.size() == pieces.size(), "whole: " + std::to_string(whole.size()) + " requests, in pieces of " +
                                                std::to_string(piece) + ": " + std::to_string(pieces.size()));
  for (std::size_t i = 0; i < whole.size() && i < pieces.size(); ++i)
    FUZZ_CHECK(whole[i] == pieces[i], "request " + std::to_string(i) + " parses differently in pieces of " +
                                          std::to_string(piece) + ": " + whole[i].method + " " + whole[i].resource +
                                          " -> " + whole[i].route + " vs " + pieces[i].method + " " +
                                          pieces[i].resource + " -> " + pieces[i].route);
  return 0;
}

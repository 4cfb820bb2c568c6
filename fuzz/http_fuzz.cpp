// The HTTP input path up to routing, as host/rest/server.cpp's PistacheHandler runs it: bytes fed
// to Pistache's RequestParser (in TCP-sized pieces, then again whole), each complete request read
// into an HttpRequest (method, resource, url-decoded query, the headers the host reads, body size
// against the limit), routed with Router::match on the real route table, and its body read the way
// its route would (the login form, or json_body). Refusals are built in the API's error shape.
// Input: the raw bytes a client sends on one connection.
// Checked: nothing escapes but std::exception (what onInput catches); every answer built is one
// JSON error shape; a request parses the same whether its bytes arrive at once or in pieces;
// decoding never grows a text.
//
// Pistache is Debian's build, not instrumented: the fuzzer steers by the host's code around it,
// and AddressSanitizer sees Pistache's memory errors only through the functions it intercepts.
//
// Transfer-Encoding: Pistache 0.0.5's chunked-body parser spins for ever on a malformed chunk
// that arrives in pieces (fuzz/findings/http/README.md: two such requests of 219 bytes stop every
// reactor thread of the host). The host must refuse a request with Transfer-Encoding before
// Pistache parses its body; this harness refuses such a connection the same way, so that fuzzing
// goes on past it. When server.cpp's refusal is a function of its own, call it here instead.

#include "fuzz_check.hpp"
#include "route_table.hpp"

#include "host/rest/api.hpp"
#include "host/rest/http.hpp"

#include <pistache/http.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace Pistache;
namespace rest = socrates::host::rest;

namespace {

// The server's two limits (MAX_BODY_BYTES, and the parser's buffer of the body limit plus room for
// the head), scaled down so that inputs of a few KiB reach both.
constexpr std::size_t kMaxBodyBytes = 512;
constexpr std::size_t kHeaderRoom = 1024;

// server.cpp's header_value: a raw header, else a typed one written out.
std::optional<std::string> header_value(const Http::Request& request, const std::string& name) {
  const auto& headers = request.headers();
  if (auto raw = headers.tryGetRaw(name)) return raw->value();
  if (auto typed = headers.tryGet(name)) {
    std::ostringstream out;
    typed->write(out);
    return out.str();
  }
  return std::nullopt;
}

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
      r.query[name] = value;
    }
    for (const char* name : {"authorization", "content-type", "user-agent", "x-request-id", "origin"})
      if (auto value = header_value(request, name)) r.headers[name] = *value;
    if (request.body().size() > kMaxBodyBytes) {
      check_error_shape(rest::HttpResponse::error(socrates::sdk::errc::kPayloadTooLarge, "too large", r.request_id));
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
        match.allowed_methods.empty() ? socrates::sdk::errc::kNotFound : socrates::sdk::errc::kMethodNotAllowed,
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

bool names_transfer_encoding(const std::string& input) {
  static const std::string kName = "transfer-encoding";
  const auto it = std::search(input.begin(), input.end(), kName.begin(), kName.end(),
                              [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return it != input.end();
}

// One connection: `input` arrives in pieces of `piece` bytes (0: all at once). As onInput does, a
// complete request is handled and the parser reset; a refused request (too large, not HTTP/1.1)
// ends the connection.
std::vector<Seen> connection(const std::string& input, std::size_t piece) {
  std::vector<Seen> seen;
  if (names_transfer_encoding(input)) {
    seen.push_back({"refused", "", "", {}, {}, "400"});
    return seen;
  }
  Http::RequestParser parser(kMaxBodyBytes + kHeaderRoom);
  std::size_t at = 0;
  while (at < input.size()) {
    const std::size_t n = piece == 0 ? input.size() : std::min(piece, input.size() - at);
    bool fits = true;
    Http::Private::State parsed = Http::Private::State::Again;
    try {
      fits = parser.feed(input.data() + at, n);
      if (fits) parsed = parser.parse();
    } catch (const std::exception& e) {
      check_error_shape(rest::HttpResponse::error(socrates::sdk::errc::kValidation,
                                                  std::string("the request is not valid HTTP/1.1: ") + e.what(), "id"));
      seen.push_back({"refused", "", "", {}, {}, "400"});
      return seen;
    }
    at += n;
    if (!fits) {
      seen.push_back({"refused", "", "", {}, {}, "413"});
      return seen;
    }
    if (parsed != Http::Private::State::Done) continue;
    seen.push_back(handle(parser.request));
    parser.reset();
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
  // Arriving whole, bytes after the first complete request are dropped with the parser's buffer;
  // in pieces they are not, so only the first request can be compared. A whole input over the
  // buffer limit is refused before it is parsed, while its pieces may complete a request first.
  if (!whole.empty() && whole.front().route == "413") return 0;
  FUZZ_CHECK(whole.empty() == pieces.empty(), "a request completes only " +
                                                  std::string(whole.empty() ? "in pieces" : "whole") + " (pieces of " +
                                                  std::to_string(piece) + ")");
  if (!whole.empty())
    FUZZ_CHECK(whole.front() == pieces.front(),
               "the request parses differently in pieces of " + std::to_string(piece) + ": " +
                   whole.front().method + " " + whole.front().resource + " -> " + whole.front().route + " vs " +
                   pieces.front().method + " " + pieces.front().resource + " -> " + pieces.front().route);
  return 0;
}

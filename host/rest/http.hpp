#pragma once
// The host's own view of an HTTP exchange, independent of Pistache, so handlers are plain
// functions that tests can call directly.

#include <socrates/sdk/error.hpp>
#include <socrates/sdk/result.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace socrates::host::rest {

struct HttpRequest {
  std::string method;  // upper case
  std::string path;
  std::map<std::string, std::string> query;  // decoded
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string request_id;
  std::string remote_address;
  std::map<std::string, std::string> path_params;  // filled by the router
  // The matched route's pattern ("/api/v1/projects/{id}"), or a fixed word in angle brackets when
  // none matched; set by the server before the handler runs (metrics label routes by it). Points
  // into the router's table or at a constant, both outliving the request.
  const std::string* route = nullptr;

  std::optional<std::string> header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> query_param(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
  }
  const std::string& path_param(const std::string& name) const { return path_params.at(name); }
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse json(int status, const nlohmann::json& value);
  static HttpResponse no_content();
  // The API's one error shape, with the status its code maps to.
  static HttpResponse error(const sdk::Error& error, const std::string& request_id);
  static HttpResponse error(const std::string& code, const std::string& message, const std::string& request_id,
                            nlohmann::json details = nlohmann::json::object());
};

// The HTTP status an error code answers with (api.md). Codes an agent made up answer 422.
int status_for_error(const std::string& code);

// An agent's result as REST: 200/201/204 with its value, or the error shape.
HttpResponse from_result(const sdk::Result& result, const std::string& request_id);

// 200 {"result": value}, the generic agent route's answer to a result that is ok: an agent's checked
// text (sdk::Result::text) is written into it as it came, never parsed and written again.
HttpResponse result_envelope(const sdk::Result& result);

// Percent-decoding for query strings and form bodies ('+' is a space). Invalid escapes stay as they are.
std::string url_decode(const std::string& text);
std::map<std::string, std::string> parse_form(const std::string& body);

}  // namespace socrates::host::rest

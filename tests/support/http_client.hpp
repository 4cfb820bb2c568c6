#pragma once
// A small blocking HTTP/1.1 client on libcurl for end-to-end tests: one connection per request
// (no keep-alive, the way a plain curl talks to the host), headers returned with lower-case names.

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace socrates::test {

using Headers = std::map<std::string, std::string>;

struct Response {
  long status = 0;
  Headers headers;  // lower-case names; a repeated header keeps its last value
  std::string body;

  // The body as JSON; a discarded value (is_discarded()) when it is not JSON.
  nlohmann::json json() const;
  std::optional<std::string> header(const std::string& lower_name) const;
};

// An "Authorization: Bearer <token>" header set, optionally merged with others.
Headers bearer(const std::string& access_token, Headers others = {});

class HttpClient {
 public:
  explicit HttpClient(std::string base_url) : base_url_(std::move(base_url)) {}

  // Sends `method path` with `body`. When the body is not empty and `headers` has no content-type,
  // it is sent as application/json. Throws std::runtime_error when no HTTP answer arrives.
  Response request(const std::string& method, const std::string& path, const std::string& body = "",
                   const Headers& headers = {}, std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // The same, but nullopt instead of throwing (for polling a host that is starting).
  std::optional<Response> try_request(const std::string& method, const std::string& path, const std::string& body,
                                      const Headers& headers, std::chrono::milliseconds timeout) const;

  Response get(const std::string& path, const std::string& token = "") const;
  Response del(const std::string& path, const std::string& token = "") const;
  Response post(const std::string& path, const nlohmann::json& body, const std::string& token = "") const;
  Response patch(const std::string& path, const nlohmann::json& body, const std::string& token = "") const;

  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
};

// One connection kept open across requests (HTTP/1.1 keep-alive), as a browser keeps one: for
// tests of what a proxy does with kept-alive connections. `ca_file`: the PEM certificate(s) an
// https:// server must be signed by (a test's own self-signed one). Not thread-safe.
class KeepAliveClient {
 public:
  KeepAliveClient(std::string base_url, std::string ca_file = "");
  // Throws std::runtime_error when no HTTP answer arrives.
  Response request(const std::string& method, const std::string& path, const std::string& body = "",
                   const Headers& headers = {}, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Whether the last request went out on the connection an earlier one opened.
  bool reused_connection() const noexcept { return reused_; }

 private:
  std::string base_url_;
  std::unique_ptr<void, void (*)(void*)> handle_;  // the CURL easy handle, which owns the connection
  bool reused_ = false;
};

// Percent-encoding for form bodies and query strings.
std::string url_encode(const std::string& text);

}  // namespace socrates::test

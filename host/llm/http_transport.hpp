#pragma once
// One HTTP exchange with an LLM provider (a POST, or the GET of its model list), as a value: what
// came back, or which way the exchange failed. CurlTransport runs each call on its own libcurl easy
// handle, so any number of threads may send at once; init_http() (curl_global_init) must have run
// once before, at start-up.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace socrates::host::llm {

struct HttpCall {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; may hold credentials, so never logged
  std::string body;
  bool get = false;  // a GET without a body instead of a POST of `body`
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{60000};  // the whole exchange, connect included
};

struct HttpReply {
  enum class Outcome {
    kAnswered,     // a complete HTTP answer, whatever its status
    kUnreachable,  // no connection (refused, unresolvable, reset before any answer)
    kTimeout,      // connect or total timeout
    kTruncated,    // the connection ended before the body the server announced
    kTooLarge,     // the body exceeded max_body_bytes
    kFailed,       // any other transport failure (TLS, protocol)
  };
  Outcome outcome = Outcome::kFailed;
  long status = 0;
  std::string body;
  std::optional<long> retry_after_s;  // Retry-After (seconds, or an HTTP date as seconds from now)
  std::string error;                  // libcurl's description of a failure (holds no header)
};

const char* to_string(HttpReply::Outcome outcome) noexcept;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpReply send(const HttpCall& call) noexcept = 0;
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(std::size_t max_body_bytes = 8 * 1024 * 1024) : max_body_bytes_(max_body_bytes) {}
  HttpReply send(const HttpCall& call) noexcept override;

 private:
  std::size_t max_body_bytes_;
};

// curl_global_init, once per process; call at start-up before any thread sends.
void init_http();

}  // namespace socrates::host::llm

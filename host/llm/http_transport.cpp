#include "host/llm/http_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace socrates::host::llm {
namespace {

struct Received {
  std::string body;
  std::size_t max_body_bytes = 0;
  bool too_large = false;
  std::optional<long> retry_after_s;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* received = static_cast<Received*>(user);
  const std::size_t bytes = size * count;
  if (received->body.size() + bytes > received->max_body_bytes) {
    received->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  received->body.append(data, bytes);
  return bytes;
}

// Header lines arrive one by one, for every response of the exchange (a 100 Continue included).
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* received = static_cast<Received*>(user);
  const std::size_t bytes = size * count;
  const std::string line(data, bytes);
  if (line.rfind("HTTP/", 0) == 0) {
    received->retry_after_s.reset();  // a new response starts
    return bytes;
  }
  static const std::string kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kName.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    if (match) {
      // Delta-seconds ("120") or an HTTP-date ("Wed, 02 Dec 2026 10:00:00 GMT", RFC 9110 10.2.3);
      // a date already past means "now". Anything else is ignored: the caller's backoff applies.
      std::size_t i = kName.size();
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      std::size_t end = line.size();
      while (end > i && std::isspace(static_cast<unsigned char>(line[end - 1]))) --end;
      const std::string value = line.substr(i, end - i);
      std::size_t digits = 0;
      while (digits < value.size() && std::isdigit(static_cast<unsigned char>(value[digits]))) ++digits;
      if (digits > 0 && digits == value.size()) {
        if (digits <= 9) received->retry_after_s = std::strtol(value.c_str(), nullptr, 10);
      } else if (digits == 0 && !value.empty()) {
        const time_t when = curl_getdate(value.c_str(), nullptr);
        if (when >= 0) received->retry_after_s = std::max<long>(0, static_cast<long>(when - std::time(nullptr)));
      }
    }
  }
  return bytes;
}

HttpReply::Outcome classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return HttpReply::Outcome::kUnreachable;
    case CURLE_OPERATION_TIMEDOUT:
      return HttpReply::Outcome::kTimeout;
    case CURLE_PARTIAL_FILE:
      return HttpReply::Outcome::kTruncated;
    default:
      return HttpReply::Outcome::kFailed;
  }
}

}  // namespace

const char* to_string(HttpReply::Outcome outcome) noexcept {
  switch (outcome) {
    case HttpReply::Outcome::kAnswered: return "answered";
    case HttpReply::Outcome::kUnreachable: return "unreachable";
    case HttpReply::Outcome::kTimeout: return "timeout";
    case HttpReply::Outcome::kTruncated: return "truncated";
    case HttpReply::Outcome::kTooLarge: return "too_large";
    case HttpReply::Outcome::kFailed: return "failed";
  }
  return "failed";
}

void init_http() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("libcurl failed to initialise");
  });
}

HttpReply CurlTransport::send(const HttpCall& call) noexcept {
  HttpReply reply;
  try {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
      reply.error = "libcurl could not create a handle";
      return reply;
    }
    curl_slist* raw_headers = nullptr;
    for (const auto& header : call.headers) {
      curl_slist* next = curl_slist_append(raw_headers, header.c_str());
      if (!next) {
        curl_slist_free_all(raw_headers);
        reply.error = "out of memory";
        return reply;
      }
      raw_headers = next;
    }
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(raw_headers, &curl_slist_free_all);

    Received received;
    received.max_body_bytes = max_body_bytes_;
    char error_buffer[CURL_ERROR_SIZE] = {};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_URL, call.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    // Timeouts must not use signals: many threads call at once.
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(call.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout.count()));
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    if (call.get) {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &received);

    const CURLcode code = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
    reply.retry_after_s = received.retry_after_s;
    reply.body = std::move(received.body);
    if (code == CURLE_OK) {
      reply.outcome = HttpReply::Outcome::kAnswered;
      return reply;
    }
    reply.outcome = received.too_large ? HttpReply::Outcome::kTooLarge : classify(code);
    reply.error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    if (received.too_large)
      reply.error = "the answer is larger than " + std::to_string(max_body_bytes_) + " bytes";
    return reply;
  } catch (const std::exception& e) {
    reply.outcome = HttpReply::Outcome::kFailed;
    reply.error = e.what();
    return reply;
  }
}

}  // namespace socrates::host::llm

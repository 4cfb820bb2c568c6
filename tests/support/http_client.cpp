#include "support/http_client.hpp"

#include <curl/curl.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace socrates::test {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<Headers*>(user);
  const std::string line(data, size * count);
  // A new status line (after a 100 Continue, say) starts a new set of headers.
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
  } else if (const auto colon = line.find(':'); colon != std::string::npos) {
    (*headers)[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  return size * count;
}

// With SOCRATES_RECORD_DIR set, every exchange is appended to <dir>/<pid>.jsonl (one JSON line:
// method, path, status, content_type, body) for the contract test (tests/contract/), which
// validates the host's real answers against docs/openapi.json.
void record(const std::string& method, const std::string& path, const Response& response) {
  static const char* dir = std::getenv("SOCRATES_RECORD_DIR");
  if (!dir || !*dir) return;
  static std::mutex mutex;
  const nlohmann::json line = {{"method", method},
                               {"path", path},
                               {"status", response.status},
                               {"content_type", response.header("content-type").value_or("")},
                               {"body", response.body}};
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mutex);
  std::ofstream out(std::string(dir) + "/" + std::to_string(::getpid()) + ".jsonl", std::ios::app | std::ios::binary);
  out << text;
}

}  // namespace

nlohmann::json Response::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::optional<std::string> Response::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

Headers bearer(const std::string& access_token, Headers others) {
  others["Authorization"] = "Bearer " + access_token;
  return others;
}

namespace {

// One request on `h`; `reuse`: leave the connection open for the handle's next request.
std::optional<Response> perform(CURL* h, const std::string& base_url, const std::string& path, const std::string& method,
                                const std::string& body, const Headers& headers, std::chrono::milliseconds timeout,
                                bool reuse) {
  Response response;
  const std::string url = base_url + path;

  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    if (lower(name) == "content-type") has_content_type = true;
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  if (!body.empty() && !has_content_type) list = curl_slist_append(list, "Content-Type: application/json");
  // No curl defaults that a plain client would not send: no Expect: 100-continue on big bodies,
  // no form content type on an empty POST.
  list = curl_slist_append(list, "Expect:");
  if (body.empty() && !has_content_type) list = curl_slist_append(list, "Content-Type:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(list, &curl_slist_free_all);

  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, reuse ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, nullptr);
  if (method == "GET" && body.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    // Every other method, with a body when there is one (POST with an empty body still sends
    // Content-Length: 0, as a browser would).
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
  }
  const CURLcode done = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);  // the list goes now; the handle may live on
  if (done != CURLE_OK) return std::nullopt;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  record(method, path, response);
  return response;
}

}  // namespace

std::optional<Response> HttpClient::try_request(const std::string& method, const std::string& path,
                                                const std::string& body, const Headers& headers,
                                                std::chrono::milliseconds timeout) const {
  global_init();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return std::nullopt;
  return perform(curl.get(), base_url_, path, method, body, headers, timeout, /*reuse=*/false);
}

KeepAliveClient::KeepAliveClient(std::string base_url, std::string ca_file)
    : base_url_(std::move(base_url)), handle_(nullptr, &curl_easy_cleanup) {
  global_init();
  handle_.reset(curl_easy_init());
  if (!handle_) throw std::runtime_error("curl_easy_init failed");
  curl_easy_setopt(handle_.get(), CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  if (!ca_file.empty()) curl_easy_setopt(handle_.get(), CURLOPT_CAINFO, ca_file.c_str());
}

Response KeepAliveClient::request(const std::string& method, const std::string& path, const std::string& body,
                                  const Headers& headers, std::chrono::milliseconds timeout) {
  auto response = perform(handle_.get(), base_url_, path, method, body, headers, timeout, /*reuse=*/true);
  if (!response) throw std::runtime_error("no HTTP answer to " + method + " " + base_url_ + path);
  long connects = 0;
  curl_easy_getinfo(handle_.get(), CURLINFO_NUM_CONNECTS, &connects);
  reused_ = connects == 0;
  return *response;
}

Response HttpClient::request(const std::string& method, const std::string& path, const std::string& body,
                             const Headers& headers, std::chrono::milliseconds timeout) const {
  auto response = try_request(method, path, body, headers, timeout);
  if (!response) throw std::runtime_error("no HTTP answer to " + method + " " + base_url_ + path);
  return *response;
}

Response HttpClient::get(const std::string& path, const std::string& token) const {
  return request("GET", path, "", token.empty() ? Headers{} : bearer(token));
}

Response HttpClient::del(const std::string& path, const std::string& token) const {
  return request("DELETE", path, "", token.empty() ? Headers{} : bearer(token));
}

Response HttpClient::post(const std::string& path, const nlohmann::json& body, const std::string& token) const {
  return request("POST", path, body.is_null() ? "" : body.dump(), token.empty() ? Headers{} : bearer(token));
}

Response HttpClient::patch(const std::string& path, const nlohmann::json& body, const std::string& token) const {
  return request("PATCH", path, body.dump(), token.empty() ? Headers{} : bearer(token));
}

std::string url_encode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace socrates::test

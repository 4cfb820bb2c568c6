#include "support/fake_llm_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace socrates::test {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 529: return "Overloaded";
    default: return "Status";
  }
}

}  // namespace

FakeLlmServer::FakeLlmServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("fake LLM server: socket() failed");
  const int yes = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("fake LLM server: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FakeLlmServer::~FakeLlmServer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections.swap(connections_);
  }
  for (auto& t : connections) t.join();
  ::close(listen_fd_);
}

void FakeLlmServer::push(ScriptedReply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  script_.push_back(std::move(reply));
}

void FakeLlmServer::set_default(ScriptedReply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  default_ = std::move(reply);
  has_default_ = true;
}

void FakeLlmServer::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++releases_;
  }
  stop_cv_.notify_all();
}

void FakeLlmServer::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  script_.clear();
  has_default_ = false;
  default_ = ScriptedReply();
}

std::vector<ReceivedRequest> FakeLlmServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return received_;
}

std::size_t FakeLlmServer::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return received_.size();
}

std::size_t FakeLlmServer::in_progress() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_progress_;
}

ScriptedReply FakeLlmServer::next() {
  if (!script_.empty()) {
    ScriptedReply reply = std::move(script_.front());
    script_.pop_front();
    return reply;
  }
  if (has_default_) return default_;
  ScriptedReply unscripted;
  unscripted.status = 500;
  unscripted.body = R"({"error":{"type":"test_error","message":"the fake LLM server has no scripted reply left"}})";
  return unscripted;
}

void FakeLlmServer::accept_loop() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
    }
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.emplace_back([this, fd] { serve(fd); });
  }
}

void FakeLlmServer::serve(int fd) {
  ReceivedRequest request;
  std::string data;
  char buffer[8192];
  std::size_t header_end = std::string::npos;
  std::size_t content_length = 0;
  bool continued = false;
  // Read the head, then the body (Content-Length); answer "100 Continue" when asked for it.
  for (;;) {
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::size_t line_start = 0;
        std::size_t line_end = data.find("\r\n");
        const std::string first = data.substr(0, line_end);
        const auto space1 = first.find(' '), space2 = first.find(' ', space1 + 1);
        request.method = first.substr(0, space1);
        request.path = first.substr(space1 + 1, space2 - space1 - 1);
        line_start = line_end + 2;
        while (line_start < header_end) {
          line_end = data.find("\r\n", line_start);
          const std::string line = data.substr(line_start, line_end - line_start);
          const auto colon = line.find(':');
          if (colon != std::string::npos) request.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
          line_start = line_end + 2;
        }
        content_length = std::stoul(request.header("content-length").empty() ? "0" : request.header("content-length"));
        if (!continued && lower(request.header("expect")) == "100-continue") {
          send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n");
          continued = true;
        }
      }
    }
    if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) {
      ::close(fd);
      return;
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      ::close(fd);
      return;
    }
    data.append(buffer, static_cast<std::size_t>(n));
  }
  request.body = data.substr(header_end + 4, content_length);
  request.at = std::chrono::steady_clock::now();

  ScriptedReply reply;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    received_.push_back(request);
    reply = next();
    ++in_progress_;
    if (reply.delay.count() > 0) stop_cv_.wait_for(lock, reply.delay, [this] { return stopping_; });
    if (reply.held) {
      const std::uint64_t releases = releases_;
      stop_cv_.wait(lock, [&] { return stopping_ || releases_ != releases; });
    }
  }
  if (reply.mode != ScriptedReply::Mode::kCloseSilently) {
    const std::size_t announced = reply.mode == ScriptedReply::Mode::kTruncated ? reply.body.size() + 100 : reply.body.size();
    std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) + "\r\n";
    head += "Content-Type: " + reply.content_type + "\r\n";
    head += "Content-Length: " + std::to_string(announced) + "\r\n";
    head += "Connection: close\r\n";
    for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
    send_all(fd, head + "\r\n" + reply.body);
  }
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
  std::lock_guard<std::mutex> lock(mutex_);
  --in_progress_;
}

ScriptedReply FakeLlmServer::anthropic_text(const std::string& text, int input_tokens, int output_tokens,
                                            const std::string& model) {
  ScriptedReply reply;
  reply.body = nlohmann::json{{"id", "msg_fake"},
                              {"type", "message"},
                              {"role", "assistant"},
                              {"model", model},
                              {"content", {{{"type", "text"}, {"text", text}}}},
                              {"stop_reason", "end_turn"},
                              {"stop_sequence", nullptr},
                              {"usage", {{"input_tokens", input_tokens}, {"output_tokens", output_tokens}}}}
                   .dump();
  return reply;
}

ScriptedReply FakeLlmServer::anthropic_error(int status, const std::string& type, const std::string& message) {
  ScriptedReply reply;
  reply.status = status;
  reply.body = nlohmann::json{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}}.dump();
  return reply;
}

ScriptedReply FakeLlmServer::openai_text(const std::string& text, int prompt_tokens, int completion_tokens,
                                         const std::string& model) {
  ScriptedReply reply;
  reply.body = nlohmann::json{{"id", "chatcmpl-fake"},
                              {"object", "chat.completion"},
                              {"created", 1700000000},
                              {"model", model},
                              {"choices",
                               {{{"index", 0},
                                 {"message", {{"role", "assistant"}, {"content", text}}},
                                 {"finish_reason", "stop"}}}},
                              {"usage",
                               {{"prompt_tokens", prompt_tokens},
                                {"completion_tokens", completion_tokens},
                                {"total_tokens", prompt_tokens + completion_tokens}}}}
                   .dump();
  return reply;
}

ScriptedReply FakeLlmServer::openai_error(int status, const std::string& type, const std::string& message) {
  ScriptedReply reply;
  reply.status = status;
  reply.body =
      nlohmann::json{{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}}.dump();
  return reply;
}

}  // namespace socrates::test

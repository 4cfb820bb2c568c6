#pragma once
// A fake LLM provider on 127.0.0.1 that speaks the real wire formats (Anthropic Messages API,
// OpenAI-compatible chat completions) and answers from a per-test script: each request takes the
// next scripted reply (an unscripted request gets a 500 saying so). It records every request it
// received (path, headers, body, time) so a test can check what the client sent and when.
//
// One thread accepts; each connection is served on a thread of its own, so concurrent clients are
// answered concurrently. A scripted delay or a held answer ends when the server is destroyed.

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace socrates::test {

struct ScriptedReply {
  enum class Mode {
    kNormal,
    kTruncated,    // announces a longer Content-Length than it sends, then closes
    kCloseSilently,  // reads the request and closes without a word
  };
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds delay{0};  // before the answer is sent
  bool held = false;  // the answer waits for release() (or the server's end): a model that thinks
  Mode mode = Mode::kNormal;
};

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::chrono::steady_clock::time_point at;

  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class FakeLlmServer {
 public:
  FakeLlmServer();
  ~FakeLlmServer();
  FakeLlmServer(const FakeLlmServer&) = delete;
  FakeLlmServer& operator=(const FakeLlmServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void push(ScriptedReply reply);
  // The same reply for every request once the script is used up (instead of the 500).
  void set_default(ScriptedReply reply);
  // Lets every held answer waiting now go out.
  void release();
  // Forgets the script and the default reply (a shared server's settings from an earlier test).
  void reset();
  std::vector<ReceivedRequest> requests() const;
  std::size_t request_count() const;
  std::size_t in_progress() const;  // connections being answered right now

  // Wire-format answers.
  static ScriptedReply anthropic_text(const std::string& text, int input_tokens = 11, int output_tokens = 7,
                                      const std::string& model = "claude-fake-1");
  static ScriptedReply anthropic_error(int status, const std::string& type, const std::string& message);
  static ScriptedReply openai_text(const std::string& text, int prompt_tokens = 13, int completion_tokens = 5,
                                   const std::string& model = "local-fake-1");
  // The model's answer to "ask the next question": the JSON the dialogue prompt asks for.
  static ScriptedReply openai_question(const std::string& text, const std::string& category) {
    return openai_text(
        nlohmann::json{{"text", text}, {"category", category}, {"context", "asked by the model"}}.dump());
  }
  static ScriptedReply openai_error(int status, const std::string& type, const std::string& message);

 private:
  void accept_loop();
  void serve(int fd);
  ScriptedReply next();

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::deque<ScriptedReply> script_;
  bool has_default_ = false;
  ScriptedReply default_;
  std::vector<ReceivedRequest> received_;
  std::size_t in_progress_ = 0;
  std::uint64_t releases_ = 0;  // release() calls so far
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

}  // namespace socrates::test

#pragma once
// Outbound webhooks: events the host POSTs to an operator's URL (today: a new project invitation,
// so a mail service of the operator's can send the link; the host sends no email itself).
//
// Delivery never touches the request that caused it: send() only queues (a bounded queue; when it
// is full the event is dropped and logged), and one thread of the sender's own delivers, retrying
// a refused connection, a timeout, a 429 or a 5xx twice (after 1 s, then 5 s). A 2xx is delivered;
// any other answer is final and logged. Events still queued when the sender is destroyed are logged
// as dropped.
//
// Each POST is JSON: {"event","delivery_id","sent_at",...payload}, with the headers
// X-Socrates-Event, X-Socrates-Delivery (the same on every attempt, so a receiver can drop a
// repeat) and, when a secret is set, X-Socrates-Signature: sha256=<hex HMAC-SHA256 of the body
// keyed with the secret>.

#include "host/llm/http_transport.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace socrates::host::notify {

struct WebhookOptions {
  std::string url;
  std::string secret;  // empty: no signature header
  std::size_t queue = 256;
  std::vector<std::chrono::milliseconds> retry_waits{std::chrono::seconds(1), std::chrono::seconds(5)};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds timeout{10000};
};

class WebhookSender {
 public:
  WebhookSender(WebhookOptions options, std::shared_ptr<llm::HttpTransport> transport);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Queues `payload` (a JSON object) as `event`; returns false when it was dropped (queue full or
  // stopping). Never blocks on the network.
  bool send(const std::string& event, nlohmann::json payload);

  // The signature header's value for `body` (exposed for tests and receivers' documentation).
  static std::string signature(const std::string& secret, const std::string& body);

 private:
  struct Delivery {
    std::string event;
    std::string id;
    std::string body;
  };
  void run();
  void deliver(const Delivery& delivery);
  bool wait_or_stop(std::chrono::milliseconds wait);

  WebhookOptions options_;
  std::shared_ptr<llm::HttpTransport> transport_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Delivery> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace socrates::host::notify

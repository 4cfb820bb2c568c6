#include "host/notify/webhook.hpp"

#include "host/crypto/crypto_random.hpp"
#include "host/log/json_log.hpp"
#include "host/log/time_text.hpp"

#include <sodium.h>

namespace socrates::host::notify {
namespace {

bool worth_retrying(const llm::HttpReply& reply) {
  if (reply.outcome != llm::HttpReply::Outcome::kAnswered) return true;
  return reply.status == 429 || reply.status >= 500;
}

}  // namespace

WebhookSender::WebhookSender(WebhookOptions options, std::shared_ptr<llm::HttpTransport> transport)
    : options_(std::move(options)), transport_(std::move(transport)) {
  llm::init_http();
  thread_ = std::thread([this] { run(); });
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  for (const auto& left : queue_)
    log::warn("webhook not delivered: the host stopped", {{"event", left.event}, {"delivery_id", left.id}});
}

bool WebhookSender::send(const std::string& event, nlohmann::json payload) {
  Delivery delivery{event, crypto::new_uuid(), {}};
  nlohmann::json body = {
      {"event", event}, {"delivery_id", delivery.id}, {"sent_at", rfc3339(std::chrono::system_clock::now())}};
  body.update(payload);
  delivery.body = body.dump();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= options_.queue) {
      log::warn("webhook dropped: its queue is full", {{"event", event}, {"delivery_id", delivery.id},
                                                       {"queued", queue_.size()}});
      return false;
    }
    queue_.push_back(std::move(delivery));
  }
  wake_.notify_one();
  return true;
}

std::string WebhookSender::signature(const std::string& secret, const std::string& body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string("sha256=") + hex;
}

void WebhookSender::run() {
  for (;;) {
    Delivery delivery;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      delivery = std::move(queue_.front());
      queue_.pop_front();
    }
    deliver(delivery);
  }
}

bool WebhookSender::wait_or_stop(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !wake_.wait_for(lock, wait, [this] { return stopping_; });
}

void WebhookSender::deliver(const Delivery& delivery) {
  llm::HttpCall call;
  call.url = options_.url;
  call.body = delivery.body;
  call.connect_timeout = options_.connect_timeout;
  call.timeout = options_.timeout;
  call.headers = {"Content-Type: application/json", "User-Agent: socrates-host/" SOCRATES_VERSION,
                  "X-Socrates-Event: " + delivery.event, "X-Socrates-Delivery: " + delivery.id};
  if (!options_.secret.empty()) call.headers.push_back("X-Socrates-Signature: " + signature(options_.secret, delivery.body));
  const nlohmann::json what = {{"event", delivery.event}, {"delivery_id", delivery.id}};
  for (std::size_t attempt = 0;; ++attempt) {
    const llm::HttpReply reply = transport_->send(call);
    if (reply.outcome == llm::HttpReply::Outcome::kAnswered && reply.status >= 200 && reply.status < 300) {
      log::info("webhook delivered", {{"event", delivery.event}, {"delivery_id", delivery.id},
                                      {"status", reply.status}, {"attempts", attempt + 1}});
      return;
    }
    nlohmann::json failure = what;
    failure["attempt"] = attempt + 1;
    failure["outcome"] = llm::to_string(reply.outcome);
    if (reply.outcome == llm::HttpReply::Outcome::kAnswered) failure["status"] = reply.status;
    if (!worth_retrying(reply) || attempt >= options_.retry_waits.size()) {
      log::warn("webhook not delivered", failure);
      return;
    }
    log::info("webhook attempt failed; retrying", failure);
    if (!wait_or_stop(options_.retry_waits[attempt])) {
      log::warn("webhook not delivered: the host stopped", what);
      return;
    }
  }
}

}  // namespace socrates::host::notify

#pragma once
// One agent call against its deadline (docs/plugins.md, "Deadlines"). An in-process call past its
// deadline cannot be stopped: its thread runs on, abandoned, while the caller has been answered
// 504 AGENT_TIMEOUT. What it may still do is bounded here: once expired, the services it was given
// refuse every database statement, never COMMIT (the transaction is rolled back instead), and
// refuse LLM calls. A COMMIT that started before the deadline holds the expiry off until it has
// returned, so a call is either committed before its 504 or not at all.

#include <socrates/sdk/services.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string_view>

namespace socrates::host {

class CallDeadline {
 public:
  // The call's thread, around a COMMIT: false when the deadline has passed (do not commit).
  bool begin_commit() noexcept {
    int expected = kRunning;
    return state_.compare_exchange_strong(expected, kCommitting, std::memory_order_acq_rel);
  }
  void end_commit() noexcept { state_.store(kRunning, std::memory_order_release); }
  // The watchdog, at the deadline: true when the call is now expired; false while it commits (ask
  // again shortly).
  bool expire() noexcept {
    int expected = kRunning;
    return state_.compare_exchange_strong(expected, kExpired, std::memory_order_acq_rel) ||
           expected == kExpired;
  }
  bool expired() const noexcept { return state_.load(std::memory_order_acquire) == kExpired; }

 private:
  enum { kRunning, kCommitting, kExpired };
  std::atomic<int> state_{kRunning};
};

// The LLM of a call: `inner`, which an expired call no longer asks (LLM_UNAVAILABLE at once).
class DeadlineLlm final : public sdk::LlmClient {
 public:
  DeadlineLlm(sdk::LlmClient& inner, const CallDeadline& deadline) noexcept : inner_(inner), deadline_(deadline) {}
  const char* provider() const noexcept override { return inner_.provider(); }
  bool complete(const sdk::LlmRequest& request, sdk::LlmResponse* out, sdk::Error* error) noexcept override;
  bool complete_for_project(const std::string& project_id, const sdk::LlmRequest& request, sdk::LlmResponse* out,
                            sdk::Error* error) noexcept override;

 private:
  sdk::LlmClient& inner_;
  const CallDeadline& deadline_;
};

// The services one call is given: `inner`'s, bounded by `deadline` as above. Lives on the stack of
// the call; the sessions it opens must be closed before the call returns (the ABI's rule). Costs
// the call nothing until it opens a session (one small object per session, which checks the
// deadline before each statement) or asks the model.
class DeadlineServices final : public sdk::Services {
 public:
  DeadlineServices(sdk::Services& inner, CallDeadline& deadline) noexcept : inner_(inner), deadline_(deadline) {}

  std::unique_ptr<sdk::DatabaseSession> open_database(sdk::Database which, sdk::DbStatus* status) noexcept override;
  void log(sdk::LogLevel level, std::string_view message) noexcept override { inner_.log(level, message); }
  std::optional<std::string> setting(std::string_view name) const noexcept override { return inner_.setting(name); }
  sdk::LlmClient* llm() noexcept override;

 private:
  sdk::Services& inner_;
  CallDeadline& deadline_;
  std::optional<DeadlineLlm> llm_;  // made at the first llm() that finds a model
};

}  // namespace socrates::host

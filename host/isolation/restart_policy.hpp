#pragma once
// When an isolated agent's child process may be started again after it crashed, and when the
// agent is quarantined instead (docs/plugins.md, "Isolation"): each crash within the window
// doubles the wait before the next start (from `first_backoff`, at most `max_backoff`); the
// `max_crashes`-th crash within the window quarantines the agent, which then serves nothing until
// it is reloaded (a reload makes a new generation, with a new policy).
//
// Threading: none; the supervisor of the child calls it under its own lock.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace socrates::host::isolation {

struct RestartOptions {
  std::size_t max_crashes = 5;
  std::chrono::steady_clock::duration window = std::chrono::seconds(300);
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
};

class RestartPolicy {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RestartPolicy(RestartOptions options = {}) : options_(options) {}

  // The child crashed (or was killed) at `now`: when it may be started again, or nullopt when
  // the agent is now quarantined.
  std::optional<Clock::time_point> crashed(Clock::time_point now);

  bool quarantined() const noexcept { return quarantined_; }
  std::uint64_t crashes() const noexcept { return total_; }  // since this policy was made
  std::size_t crashes_within_window(Clock::time_point now) const;

 private:
  RestartOptions options_;
  std::deque<Clock::time_point> recent_;  // crashes within the window, oldest first
  std::uint64_t total_ = 0;
  bool quarantined_ = false;
};

}  // namespace socrates::host::isolation

#include "host/isolation/restart_policy.hpp"

#include <algorithm>

namespace socrates::host::isolation {

std::optional<RestartPolicy::Clock::time_point> RestartPolicy::crashed(Clock::time_point now) {
  ++total_;
  while (!recent_.empty() && now - recent_.front() > options_.window) recent_.pop_front();
  recent_.push_back(now);
  if (quarantined_ || recent_.size() >= std::max<std::size_t>(options_.max_crashes, 1)) {
    quarantined_ = true;
    return std::nullopt;
  }
  // 1st crash in the window: first_backoff; each further one doubles it, up to max_backoff.
  auto backoff = options_.first_backoff;
  for (std::size_t i = 1; i < recent_.size() && backoff < options_.max_backoff; ++i) backoff *= 2;
  return now + std::min(backoff, options_.max_backoff);
}

std::size_t RestartPolicy::crashes_within_window(Clock::time_point now) const {
  return static_cast<std::size_t>(
      std::count_if(recent_.begin(), recent_.end(), [&](Clock::time_point at) { return now - at <= options_.window; }));
}

}  // namespace socrates::host::isolation

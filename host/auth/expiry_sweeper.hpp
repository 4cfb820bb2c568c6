#pragma once
// A background thread of the host that deletes expired logins, refresh tokens and throttle
// counters (AccountService::delete_expired) once at start and then every `interval`. Several hosts
// may each run one: delete_expired lets one sweep at a time and the others skip.
//
// Threading: the thread starts in the constructor; the destructor wakes it and joins, waiting at
// most for a sweep in progress. A sweep that fails (database unreachable) is logged and retried at
// the next interval.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace socrates::host::auth {

class ExpirySweeper {
 public:
  ExpirySweeper(std::function<void()> sweep, std::chrono::milliseconds interval);
  ~ExpirySweeper();
  ExpirySweeper(const ExpirySweeper&) = delete;
  ExpirySweeper& operator=(const ExpirySweeper&) = delete;

 private:
  void loop();

  std::function<void()> sweep_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything it uses exists
};

}  // namespace socrates::host::auth

#include "host/auth/expiry_sweeper.hpp"

#include "host/log/json_log.hpp"

#include <exception>

namespace socrates::host::auth {

ExpirySweeper::ExpirySweeper(std::function<void()> sweep, std::chrono::milliseconds interval)
    : sweep_(std::move(sweep)), interval_(interval), thread_([this] { loop(); }) {}

ExpirySweeper::~ExpirySweeper() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ExpirySweeper::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      sweep_();
    } catch (const std::exception& e) {
      log::warn("deleting expired logins failed; retrying at the next interval", {{"error", e.what()}});
    } catch (...) {
      log::warn("deleting expired logins failed; retrying at the next interval");
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace socrates::host::auth

#include "host/concurrency/watchdog.hpp"

namespace socrates::host {

Watchdog::Watchdog() : thread_([this] { run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  // What is still armed never fires; cancelling it later answers true.
  std::lock_guard<std::mutex> lock(mutex_);
  armed_.clear_and_dispose([](Timer* timer) { timer->state_ = Timer::State::kIdle; });
}

void Watchdog::arm(Timer& timer, Clock::time_point due) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    timer.due_ = due;
    timer.state_ = Timer::State::kArmed;
    armed_.push_back(timer);
    // Only a moment earlier than the one the thread waits for needs it awake now.
    if (due < wake_at_) {
      wake_at_ = due;
      wake = true;
    }
  }
  if (wake) wake_.notify_one();
}

bool Watchdog::cancel(Timer& timer) noexcept {
  std::unique_lock<std::mutex> lock(mutex_);
  fired_.wait(lock, [&] { return timer.state_ != Timer::State::kFiring; });
  switch (timer.state_) {
    case Timer::State::kArmed:
      armed_.erase(armed_.iterator_to(timer));
      timer.state_ = Timer::State::kIdle;
      return true;
    case Timer::State::kFired:
      timer.state_ = Timer::State::kIdle;
      return false;
    default:
      return true;
  }
}

void Watchdog::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    // The armed timers are few (calls in progress) and the thread seldom wakes: a scan finds the
    // earliest, which fires if its moment has passed, or else is the moment to wake at.
    Timer* earliest = nullptr;
    for (Timer& timer : armed_)
      if (!earliest || timer.due_ < earliest->due_) earliest = &timer;
    if (!earliest || earliest->due_ > Clock::now()) {
      const auto until = earliest ? earliest->due_ : Clock::time_point::max();
      wake_at_ = until;  // arm() wakes the thread only for a moment before it
      if (earliest)
        wake_.wait_until(lock, until);
      else
        wake_.wait(lock);
      continue;
    }
    Timer* due = earliest;
    armed_.erase(armed_.iterator_to(*due));
    due->state_ = Timer::State::kFiring;
    lock.unlock();
    const std::optional<Clock::duration> again = due->fire();
    lock.lock();
    if (again) {
      due->state_ = Timer::State::kArmed;
      due->due_ = Clock::now() + *again;
      armed_.push_back(*due);
    } else {
      due->state_ = Timer::State::kFired;
    }
    fired_.notify_all();
  }
}

}  // namespace socrates::host

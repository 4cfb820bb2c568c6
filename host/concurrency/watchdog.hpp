#pragma once
// A watchdog: one thread that runs a timer's fire() once its moment has passed, unless the timer
// was cancelled first. The orchestrator arms one per agent call for its deadline and cancels it
// when the call returns in time.
//
// Cost per timer, armed and cancelled in time (the common case): no allocation (a Timer is the
// caller's object, linked into an intrusive list) and two short critical sections on one mutex.
// The thread is woken only for a moment earlier than the one it already waits for: deadlines are
// mostly far off and armed in order, so a stream of calls that each end in time wakes it about once
// per deadline period, not once per call.
//
// Threading: arm() and cancel() from any thread; fire() runs on the watchdog's own thread, one at
// a time, and must not block for long (it answers a client, counts, logs).

#include <boost/intrusive/list.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace socrates::host {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  // What the watchdog times. Its owner keeps it alive while armed: cancel() before destroying it
  // (Armed does).
  class Timer : public boost::intrusive::list_base_hook<> {
   public:
    Timer() = default;
    virtual ~Timer() = default;
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Runs on the watchdog's thread once the moment has passed: nullopt when it is done, or how
    // long to wait before it runs again (for a moment that cannot be acted on yet).
    virtual std::optional<Clock::duration> fire() noexcept = 0;

   private:
    friend class Watchdog;
    enum class State { kIdle, kArmed, kFiring, kFired };
    State state_ = State::kIdle;  // under the watchdog's mutex
    Clock::time_point due_;
  };

  Watchdog();
  ~Watchdog();  // stops the thread; armed timers never fire
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Fires `timer` once `due` has passed (on the watchdog's thread). `timer` must not be armed.
  void arm(Timer& timer, Clock::time_point due);
  // True when `timer` had not fired and now never will (or was never armed); false when it fired
  // (and asked to run no more). Waits while it is firing. Afterwards the watchdog no longer
  // touches `timer`.
  bool cancel(Timer& timer) noexcept;

  // A timer armed for the lifetime of this object (cancelled by its destructor at the latest).
  class Armed {
   public:
    Armed(Watchdog& watchdog, Timer& timer, Clock::time_point due) : watchdog_(watchdog), timer_(timer) {
      watchdog_.arm(timer_, due);
    }
    ~Armed() { cancel(); }
    Armed(const Armed&) = delete;
    Armed& operator=(const Armed&) = delete;
    // As Watchdog::cancel; the first answer is kept.
    bool cancel() noexcept {
      if (!cancelled_) {
        in_time_ = watchdog_.cancel(timer_);
        cancelled_ = true;
      }
      return in_time_;
    }

   private:
    Watchdog& watchdog_;
    Timer& timer_;
    bool cancelled_ = false;
    bool in_time_ = true;
  };

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;   // the watchdog's thread waits on it
  std::condition_variable fired_;  // cancel() waits on it while a timer fires
  boost::intrusive::list<Timer, boost::intrusive::constant_time_size<false>> armed_;
  Clock::time_point wake_at_ = Clock::time_point::max();  // when the thread wakes next by itself
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members above are ready
};

}  // namespace socrates::host

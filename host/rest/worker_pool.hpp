#pragma once
// A set of threads with a bounded queue: agent and database work runs here so that a slow
// request never stalls the reactor threads that accept and parse every other request.
//
// Managed blocking (host/concurrency/managed_blocking.hpp): a task about to block for seconds (an
// LLM call) opens a BlockingScope; the pool then starts a compensating thread, so that `threads`
// threads stay free for fast requests however many tasks wait on a model. At most `max_blocked`
// tasks may be blocked at once (each with its compensating thread); past that a BlockingScope is
// refused and the caller fails fast. When a blocked task returns, the first thread to find the
// pool above its size (counting only unblocked threads) retires, so the pool shrinks back.
// Thread count is therefore bounded by threads + max_blocked.

#include "host/concurrency/managed_blocking.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace socrates::host::rest {

class WorkerPool final : public BlockingHost {
 public:
  // `max_blocked` 0: no task may block (every BlockingScope on this pool's threads is refused).
  WorkerPool(std::size_t threads, std::size_t max_queued, std::size_t max_blocked = 0);
  ~WorkerPool() override;  // finishes queued work, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full (the caller answers 503) or the pool is stopping.
  bool submit(std::function<void()> task);
  void stop();
  std::size_t queued() const;
  std::size_t live_threads() const;  // base threads plus compensating ones, right now
  std::size_t blocked() const;       // tasks inside a BlockingScope right now

  // BlockingHost (called through BlockingScope on this pool's threads)
  bool begin_blocking() noexcept override;
  void end_blocking() noexcept override;

 private:
  void run();
  void spawn_locked();                            // one more thread; mutex_ held
  bool surplus_locked() const noexcept;           // more unblocked threads than `size_`
  std::vector<std::thread> take_retired_locked();  // finished threads, to join outside the lock

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  const std::size_t size_;
  const std::size_t max_queued_;
  const std::size_t max_blocked_;
  std::size_t live_ = 0;
  std::size_t blocked_ = 0;
  bool stopping_ = false;
  std::unordered_map<std::thread::id, std::thread> threads_;
  std::vector<std::thread> retired_;  // threads that left run(); joined by whoever comes next
};

}  // namespace socrates::host::rest

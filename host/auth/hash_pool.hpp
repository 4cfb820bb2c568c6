#pragma once
// A small bounded pool of its own for password hashing. An argon2id hash costs ~25 ms of CPU and
// 19 MiB of memory; on the request workers a flood of logins would take every worker (and the
// memory) from the requests that serve everything else. Here at most `threads` hashes run at once
// and at most `max_queued` more wait; one more is refused at once (the caller answers
// 429 RATE_LIMITED), so no login waits behind a queue it cannot see the end of.
//
// Threading: run() may be called from any thread and blocks until the work is done. On a request
// worker it waits inside a BlockingScope (host/concurrency/managed_blocking.hpp), so the worker
// pool starts a compensating thread and keeps serving other requests meanwhile; when that pool
// admits no more blocked tasks, run() refuses as if the queue were full. At most
// threads + max_queued callers wait at any moment.

#include "host/concurrency/managed_blocking.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace socrates::host::auth {

class HashPool {
 public:
  HashPool(std::size_t threads, std::size_t max_queued);
  ~HashPool();  // finishes admitted work, then joins
  HashPool(const HashPool&) = delete;
  HashPool& operator=(const HashPool&) = delete;

  // Runs `fn` on a pool thread and answers its value (rethrowing what it throws), or nullopt at
  // once, without running it, when every thread is busy and the queue is full.
  template <typename Fn>
  auto run(Fn&& fn) -> std::optional<std::invoke_result_t<Fn&>> {
    using Value = std::invoke_result_t<Fn&>;
    BlockingScope blocking;
    if (!blocking.admitted()) return std::nullopt;
    // The task is shared with the pool thread, which may still be returning from it when the
    // caller has its value; `fn` is held by reference, so the caller waits for it whatever happens.
    auto task = std::make_shared<std::packaged_task<Value()>>(std::ref(fn));
    std::future<Value> done = task->get_future();
    if (!admit([task] { (*task)(); })) return std::nullopt;
    // The caller's place is given back as soon as it has its answer, so a caller that asks again
    // right away is never refused for its own previous call.
    struct Release {
      HashPool* pool;
      ~Release() { pool->release(); }
    } release{this};
    return done.get();
  }

  std::size_t in_flight() const;  // running plus queued, right now

 private:
  bool admit(std::function<void()> work);
  void release();
  void loop();

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  const std::size_t capacity_;  // threads + max_queued
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace socrates::host::auth

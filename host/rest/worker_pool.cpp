#include "host/rest/worker_pool.hpp"

#include <system_error>

namespace socrates::host::rest {

WorkerPool::WorkerPool(std::size_t threads, std::size_t max_queued, std::size_t max_blocked)
    : size_(threads), max_queued_(max_queued), max_blocked_(max_blocked) {
  std::lock_guard<std::mutex> lock(mutex_);
  threads_.reserve(threads + 8);
  for (std::size_t i = 0; i < threads; ++i) spawn_locked();
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::spawn_locked() {
  std::thread thread([this] { run(); });
  const auto id = thread.get_id();
  threads_.emplace(id, std::move(thread));
  ++live_;
}

bool WorkerPool::surplus_locked() const noexcept { return live_ - blocked_ > size_; }

std::vector<std::thread> WorkerPool::take_retired_locked() {
  std::vector<std::thread> retired;
  retired.swap(retired_);
  return retired;
}

bool WorkerPool::submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(task));
  }
  ready_.notify_one();
  return true;
}

bool WorkerPool::begin_blocking() noexcept {
  std::vector<std::thread> retired;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (blocked_ >= max_blocked_) return false;
    ++blocked_;
    // While stopping, the remaining threads only drain the queue: no new ones.
    if (!stopping_ && live_ - blocked_ < size_) {
      try {
        spawn_locked();
      } catch (const std::system_error&) {
        // No thread to be had: the task still runs, the pool is one thread short until it returns.
      }
    }
    retired = take_retired_locked();
  }
  for (auto& thread : retired) thread.join();
  return true;
}

void WorkerPool::end_blocking() noexcept {
  bool surplus = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (blocked_ > 0) --blocked_;
    surplus = surplus_locked();
  }
  // An idle thread wakes to retire; a busy one retires when it finishes its task.
  if (surplus) ready_.notify_all();
}

void WorkerPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && threads_.empty() && retired_.empty()) return;
    stopping_ = true;
  }
  ready_.notify_all();
  // Threads may retire (and, in the window before stopping_ was seen, start) while we join.
  for (;;) {
    std::vector<std::thread> joining;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      joining = take_retired_locked();
      for (auto& [id, thread] : threads_) joining.push_back(std::move(thread));
      threads_.clear();
    }
    if (joining.empty()) break;
    for (auto& thread : joining)
      if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  }
}

std::size_t WorkerPool::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

std::size_t WorkerPool::live_threads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return live_;
}

std::size_t WorkerPool::blocked() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return blocked_;
}

void WorkerPool::run() {
  set_current_blocking_host(this);
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty() || surplus_locked(); });
      if (surplus_locked() || queue_.empty()) {
        // A compensated task came back (or the pool stops and is drained): this thread goes.
        --live_;
        auto self = threads_.find(std::this_thread::get_id());
        if (self != threads_.end()) {  // stop() may have taken the handle already
          retired_.push_back(std::move(self->second));
          threads_.erase(self);
        }
        return;
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();  // tasks answer their own errors; this only keeps a bug from ending the process
    } catch (...) {
    }
  }
}

}  // namespace socrates::host::rest

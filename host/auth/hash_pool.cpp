#include "host/auth/hash_pool.hpp"

#include <stdexcept>

namespace socrates::host::auth {

HashPool::HashPool(std::size_t threads, std::size_t max_queued) : capacity_(threads + max_queued) {
  if (threads == 0) throw std::invalid_argument("HashPool needs at least one thread");
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

HashPool::~HashPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& thread : threads_) thread.join();
}

bool HashPool::admit(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || in_flight_ >= capacity_) return false;
    ++in_flight_;
    queue_.push_back(std::move(work));
  }
  ready_.notify_one();
  return true;
}

std::size_t HashPool::in_flight() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_flight_;
}

void HashPool::loop() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything admitted has run
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();  // a packaged_task: whatever it throws goes to its future
  }
}

void HashPool::release() {
  std::lock_guard<std::mutex> lock(mutex_);
  --in_flight_;
}

}  // namespace socrates::host::auth

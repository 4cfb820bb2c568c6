#pragma once
// Managed blocking: a task about to wait a long time on something that is not CPU work (an LLM
// call: seconds of network wait) says so, and the thread pool running it may start a compensating
// thread, so that the pool's capacity for every other request stays what it was while the task
// waits. The idea is Java's ForkJoinPool.ManagedBlocker; here the bound is explicit.
//
// Threading: the host of a thread is a thread-local set by the pool on its own threads; a thread
// no pool owns (tests, command-line tools) has none, and a BlockingScope there is always admitted.

namespace socrates::host {

class BlockingHost {
 public:
  virtual ~BlockingHost() = default;
  // The calling thread, one of this host's, is about to block. False when the host's bound on
  // blocked tasks is reached: the caller must then not block (it answers "unavailable") and must
  // not call end_blocking().
  virtual bool begin_blocking() noexcept = 0;
  // The blocking call that begin_blocking() admitted has returned.
  virtual void end_blocking() noexcept = 0;
};

// The host of the calling thread, or null.
BlockingHost* current_blocking_host() noexcept;
// Set by a pool on each of its threads before it runs any task (null to clear).
void set_current_blocking_host(BlockingHost* host) noexcept;

// RAII around one blocking call:
//   BlockingScope scope;
//   if (!scope.admitted()) return unavailable;
//   ... block ...
class BlockingScope {
 public:
  BlockingScope() noexcept : host_(current_blocking_host()), admitted_(!host_ || host_->begin_blocking()) {}
  ~BlockingScope() {
    if (host_ && admitted_) host_->end_blocking();
  }
  BlockingScope(const BlockingScope&) = delete;
  BlockingScope& operator=(const BlockingScope&) = delete;

  bool admitted() const noexcept { return admitted_; }

 private:
  BlockingHost* host_;
  bool admitted_;
};

}  // namespace socrates::host

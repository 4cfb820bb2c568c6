#pragma once
// Answering a request before its handler returns: the transport that runs a request's handler on
// a worker thread installs an EarlyAnswer for it there, and a part below the transport (the
// orchestrator, when an agent's call passes its deadline) answers through it from another thread.
// The handler's own answer, when it comes, is then dropped, and the worker that ran it is
// replaced in its pool while it is still busy (managed_blocking.hpp), so that the pool keeps its
// capacity.
//
// The EarlyAnswer lives on the worker's stack for the handler's run, so installing it costs no
// allocation; whoever answers through it from another thread must be done with it before the part
// of the handler that handed it over returns (the orchestrator cancels its watchdog timer first).
//
// Threading: answer_now() from any thread, at most one answer per request whoever gives it.

namespace socrates::sdk {
struct Error;
}

namespace socrates::host {

class EarlyAnswer {
 public:
  virtual ~EarlyAnswer() = default;
  // Answers the request with `error` now, unless it was answered already: true when this call
  // answered it.
  virtual bool answer_now(const sdk::Error& error) noexcept = 0;
  // Whether the request was answered early (its handler's own answer will be dropped).
  virtual bool answered_early() const noexcept = 0;
};

// The EarlyAnswer of the request that the calling thread runs, or null (a thread of no transport,
// an inline route, a test).
EarlyAnswer* current_early_answer() noexcept;

// Installs `answer` on the calling thread for its lifetime (the transport, around one handler).
class EarlyAnswerScope {
 public:
  explicit EarlyAnswerScope(EarlyAnswer& answer) noexcept;
  ~EarlyAnswerScope();
  EarlyAnswerScope(const EarlyAnswerScope&) = delete;
  EarlyAnswerScope& operator=(const EarlyAnswerScope&) = delete;

 private:
  EarlyAnswer* previous_;
};

}  // namespace socrates::host

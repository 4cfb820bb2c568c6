#include "host/concurrency/early_answer.hpp"

#include <utility>

namespace socrates::host {
namespace {
thread_local EarlyAnswer* t_answer = nullptr;
}

EarlyAnswer* current_early_answer() noexcept { return t_answer; }

EarlyAnswerScope::EarlyAnswerScope(EarlyAnswer& answer) noexcept : previous_(std::exchange(t_answer, &answer)) {}

EarlyAnswerScope::~EarlyAnswerScope() { t_answer = previous_; }

}  // namespace socrates::host

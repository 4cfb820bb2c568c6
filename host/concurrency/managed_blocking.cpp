#include "host/concurrency/managed_blocking.hpp"

namespace socrates::host {
namespace {
thread_local BlockingHost* t_host = nullptr;
}

BlockingHost* current_blocking_host() noexcept { return t_host; }
void set_current_blocking_host(BlockingHost* host) noexcept { t_host = host; }

}  // namespace socrates::host

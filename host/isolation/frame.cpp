#include "host/isolation/frame.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>

namespace socrates::host::isolation {
namespace {

using Clock = std::chrono::steady_clock;

bool send_all(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    const ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data += sent;
    size -= static_cast<std::size_t>(sent);
  }
  return true;
}

// Waits until `fd` is readable or `deadline` passes.
FrameStatus wait_readable(int fd, Clock::time_point deadline) {
  for (;;) {
    int timeout_ms = -1;
    if (deadline != Clock::time_point::max()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return FrameStatus::kTimeout;
      timeout_ms = left > 60000 ? 60000 : static_cast<int>(left) + 1;
    }
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return FrameStatus::kError;
    if (ready > 0) return FrameStatus::kOk;  // readable, or hung up: recv tells which
  }
}

FrameStatus recv_all(int fd, char* data, std::size_t size, Clock::time_point deadline) {
  while (size > 0) {
    const FrameStatus ready = wait_readable(fd, deadline);
    if (ready != FrameStatus::kOk) return ready;
    const ssize_t got = ::recv(fd, data, size, 0);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got == 0) return FrameStatus::kClosed;
    if (got < 0) return errno == ECONNRESET ? FrameStatus::kClosed : FrameStatus::kError;
    data += got;
    size -= static_cast<std::size_t>(got);
  }
  return FrameStatus::kOk;
}

}  // namespace

bool write_frame(int fd, std::string_view payload) noexcept {
  if (payload.size() > kMaxFrameBytes) return false;
  const auto size = static_cast<std::uint32_t>(payload.size());
  const unsigned char head[4] = {static_cast<unsigned char>(size >> 24), static_cast<unsigned char>(size >> 16),
                                 static_cast<unsigned char>(size >> 8), static_cast<unsigned char>(size)};
  return send_all(fd, reinterpret_cast<const char*>(head), sizeof head) && send_all(fd, payload.data(), payload.size());
}

FrameStatus read_frame(int fd, std::string& out, Clock::time_point deadline) {
  unsigned char head[4];
  const FrameStatus status = recv_all(fd, reinterpret_cast<char*>(head), sizeof head, deadline);
  if (status != FrameStatus::kOk) return status;
  const std::size_t size = (std::size_t{head[0]} << 24) | (std::size_t{head[1]} << 16) | (std::size_t{head[2]} << 8) |
                           std::size_t{head[3]};
  if (size > kMaxFrameBytes) return FrameStatus::kTooLarge;
  out.resize(size);
  // A frame begun is finished within the same deadline; a peer that stops halfway has failed.
  return size == 0 ? FrameStatus::kOk : recv_all(fd, out.data(), size, deadline);
}

}  // namespace socrates::host::isolation

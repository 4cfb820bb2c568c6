#pragma once
// Frames on a stream socket between the host and an isolated agent's child process: each frame is
// a 4-byte big-endian length and that many bytes (the ABI's messages written out as JSON text;
// this layer only moves them; docs/plugins.md, "Isolation").
//
// Threading: one reader and one writer per descriptor at a time (the caller serialises).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace socrates::host::isolation {

// The largest frame either side accepts: a request or result is at most the body limit, rows of
// one statement at most what fits here.
inline constexpr std::size_t kMaxFrameBytes = 64 * 1024 * 1024;

enum class FrameStatus {
  kOk,
  kClosed,    // the other side closed its end (or died): no frame, nothing more will come
  kTimeout,   // nothing complete before the deadline
  kTooLarge,  // the length exceeds kMaxFrameBytes: the stream cannot be trusted any more
  kError,     // any other failure of the socket
};

// Writes one frame; false when the other side is gone (never raises SIGPIPE).
bool write_frame(int fd, std::string_view payload) noexcept;

// Reads one frame into `out`, waiting at most until `deadline` (time_point::max(): no limit).
FrameStatus read_frame(int fd, std::string& out, std::chrono::steady_clock::time_point deadline);

}  // namespace socrates::host::isolation

#pragma once
// Where one HTTP/1.1 request ends in the bytes a connection has sent so far, before anything parses
// it: the request line and headers (up to the head limit), then the body by its Content-Length or
// its chunked encoding (up to the body limit). The server cuts each request out this way, hands
// exactly those bytes to Pistache's parser and keeps the rest for the next one, so requests
// pipelined on a connection are answered one after another, and a head or body over its limit is
// refused as soon as the limit is passed, without buffering the rest.

#include <cstddef>
#include <string>
#include <string_view>

namespace socrates::host::rest {

struct FramingLimits {
  std::size_t max_head_bytes = 32 * 1024;    // request line + headers + the blank line
  std::size_t max_body_bytes = 1024 * 1024;  // a Content-Length body, or a chunked body's data
};

struct Frame {
  enum class Kind {
    kIncomplete,    // more bytes are needed; `head_complete` says whether the head is in
    kComplete,      // the first `length` bytes are one whole request
    kHeadTooLarge,  // no end of the head within max_head_bytes
    kBodyTooLarge,  // Content-Length (or the chunked data so far) over max_body_bytes
    kMalformed,     // framing that cannot be trusted; `reason` says why
  };
  Kind kind = Kind::kIncomplete;
  std::size_t length = 0;
  bool head_complete = false;
  bool chunked = false;  // kComplete: the body is chunked (see unchunk)
  std::string reason;
};

// Blank lines before a request line are skipped (RFC 9112 §2.2) and count in `length`.
Frame frame_request(std::string_view bytes, const FramingLimits& limits);

// A complete chunked request (frame_request said so) with its body decoded: the same request line
// and header fields but Transfer-Encoding, a Content-Length, then the data (trailer fields are
// dropped). Nothing after the framing ever parses chunks (Pistache 0.0.5's chunk parser can spin
// for ever on a malformed chunk that arrives in pieces).
std::string unchunk(std::string_view request);

}  // namespace socrates::host::rest

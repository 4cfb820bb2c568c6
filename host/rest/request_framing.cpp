#include "host/rest/request_framing.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace socrates::host::rest {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::size_t kMaxChunkLine = 1024;  // a chunk's size line, extensions included

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Frame malformed(std::string reason) {
  Frame f;
  f.kind = Frame::Kind::kMalformed;
  f.reason = std::move(reason);
  return f;
}

Frame of_kind(Frame::Kind kind, bool head_complete = false) {
  Frame f;
  f.kind = kind;
  f.head_complete = head_complete;
  return f;
}

std::optional<unsigned long long> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  unsigned long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The chunked body that starts at `pos`: its end, or why it is not complete or acceptable.
Frame frame_chunked(std::string_view bytes, std::size_t pos, const FramingLimits& limits) {
  unsigned long long data = 0;
  for (;;) {
    const std::size_t line_end = bytes.find(kCrlf, pos);
    if (line_end == std::string_view::npos) {
      if (bytes.size() - pos > kMaxChunkLine) return malformed("a chunk size line is too long");
      return of_kind(Frame::Kind::kIncomplete, true);
    }
    if (line_end - pos > kMaxChunkLine) return malformed("a chunk size line is too long");
    std::string_view line = bytes.substr(pos, line_end - pos);
    line = trim(line.substr(0, line.find(';')));  // chunk extensions are ignored
    if (line.empty() || line.size() > 15) return malformed("a chunk size is not a hexadecimal number");
    unsigned long long size = 0;
    for (char c : line) {
      const int digit = hex_digit(c);
      if (digit < 0) return malformed("a chunk size is not a hexadecimal number");
      size = size * 16 + static_cast<unsigned>(digit);
    }
    data += size;
    if (data > limits.max_body_bytes) return of_kind(Frame::Kind::kBodyTooLarge, true);
    pos = line_end + kCrlf.size();
    if (size == 0) break;
    if (bytes.size() < pos + size + kCrlf.size()) return of_kind(Frame::Kind::kIncomplete, true);
    if (bytes.substr(pos + size, kCrlf.size()) != kCrlf) return malformed("a chunk is longer than its size");
    pos += size + kCrlf.size();
  }
  // Trailer fields, then the blank line that ends the message.
  const std::size_t trailers_start = pos;
  for (;;) {
    const std::size_t line_end = bytes.find(kCrlf, pos);
    if (line_end == std::string_view::npos) {
      if (bytes.size() - trailers_start > limits.max_head_bytes) return of_kind(Frame::Kind::kHeadTooLarge, true);
      return of_kind(Frame::Kind::kIncomplete, true);
    }
    if (line_end - trailers_start > limits.max_head_bytes) return of_kind(Frame::Kind::kHeadTooLarge, true);
    const bool blank = line_end == pos;
    pos = line_end + kCrlf.size();
    if (blank) {
      Frame f = of_kind(Frame::Kind::kComplete, true);
      f.length = pos;
      f.chunked = true;
      return f;
    }
  }
}

}  // namespace

Frame frame_request(std::string_view bytes, const FramingLimits& limits) {
  std::size_t start = 0;
  while (start < bytes.size() && (bytes[start] == '\r' || bytes[start] == '\n') && start < 8) ++start;

  const std::string_view rest = bytes.substr(start);
  const std::size_t terminator = rest.find("\r\n\r\n");
  if (terminator == std::string_view::npos) {
    if (rest.size() >= limits.max_head_bytes) return of_kind(Frame::Kind::kHeadTooLarge);
    return of_kind(Frame::Kind::kIncomplete);
  }
  const std::size_t head_length = terminator + 4;
  if (head_length > limits.max_head_bytes) return of_kind(Frame::Kind::kHeadTooLarge);

  // The header fields that decide where the body ends.
  std::optional<unsigned long long> content_length;
  bool chunked = false;
  bool has_transfer_encoding = false;
  std::size_t pos = rest.find(kCrlf) + kCrlf.size();  // past the request line
  while (pos < terminator + kCrlf.size()) {
    const std::size_t line_end = rest.find(kCrlf, pos);
    const std::string_view line = rest.substr(pos, line_end - pos);
    pos = line_end + kCrlf.size();
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') return malformed("obsolete header line folding is not accepted");
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return malformed("a header line has no field name");
    const std::string_view name = line.substr(0, colon);
    if (name.back() == ' ' || name.back() == '\t') return malformed("whitespace before a header field's colon");
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Length")) {
      const auto parsed = parse_decimal(value);
      if (!parsed) return malformed("Content-Length is not a number");
      if (content_length && *content_length != *parsed) return malformed("Content-Length is given twice, differently");
      content_length = parsed;
    } else if (iequals(name, "Transfer-Encoding")) {
      if (has_transfer_encoding || !iequals(value, "chunked"))
        return malformed("Transfer-Encoding other than a single 'chunked' is not supported");
      has_transfer_encoding = true;
      chunked = true;
    }
  }
  if (chunked && content_length) return malformed("both Content-Length and Transfer-Encoding are given");

  const std::size_t body_start = start + head_length;
  if (chunked) return frame_chunked(bytes, body_start, limits);
  const unsigned long long body = content_length.value_or(0);
  if (body > limits.max_body_bytes) return of_kind(Frame::Kind::kBodyTooLarge, true);
  if (bytes.size() - body_start < body) return of_kind(Frame::Kind::kIncomplete, true);
  Frame f = of_kind(Frame::Kind::kComplete, true);
  f.length = body_start + static_cast<std::size_t>(body);
  return f;
}

std::string unchunk(std::string_view request) {
  std::size_t start = 0;
  while (start < request.size() && (request[start] == '\r' || request[start] == '\n') && start < 8) ++start;
  const std::size_t head_end = request.find("\r\n\r\n", start);
  if (head_end == std::string_view::npos) return std::string(request);

  std::string body;
  std::size_t pos = head_end + 4;
  for (;;) {
    const std::size_t line_end = request.find(kCrlf, pos);
    if (line_end == std::string_view::npos) break;
    std::string_view line = trim(request.substr(pos, line_end - pos));
    line = trim(line.substr(0, line.find(';')));
    std::size_t size = 0;
    for (char c : line) size = size * 16 + static_cast<std::size_t>(std::max(hex_digit(c), 0));
    pos = line_end + kCrlf.size();
    if (size == 0 || pos + size > request.size()) break;
    body.append(request.substr(pos, size));
    pos += size + kCrlf.size();
  }

  std::string out;
  out.reserve(head_end - start + body.size() + 32);
  std::size_t line_start = start;
  for (;;) {
    const std::size_t line_end = request.find(kCrlf, line_start);
    const std::string_view line = request.substr(line_start, line_end - line_start);
    const std::size_t colon = line.find(':');
    const bool transfer_encoding =
        line_start != start && colon != std::string_view::npos && iequals(line.substr(0, colon), "Transfer-Encoding");
    if (!transfer_encoding) {
      out.append(line);
      out.append(kCrlf);
    }
    if (line_end >= head_end) break;
    line_start = line_end + kCrlf.size();
  }
  out.append("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  out.append(body);
  return out;
}

}  // namespace socrates::host::rest

#pragma once
// Whether a plugin's answer is one JSON text (RFC 8259, UTF-8): checked on every call, so it must be
// fast. simdjson checks at gigabytes a second; what it refuses, nlohmann::json::accept decides (so
// that a valid text simdjson cannot hold, an integer past 64 bits, is still accepted). Thread-safe.

#include <string_view>

namespace socrates::host {

bool is_json_text(std::string_view text) noexcept;

}  // namespace socrates::host

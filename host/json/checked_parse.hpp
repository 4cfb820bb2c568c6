#pragma once
// JSON from an untrusted peer, parsed under the hardening rules every transport applies (api.md
// "Input the host refuses on every route"): nesting deeper than kMaxJsonDepth is refused while
// parsing, before anything is built from it, and a NUL character in any string or key is found
// and named by its JSON pointer. REST (host/rest/api.cpp) and the MCP server (host/mcp) both parse
// with this, so the two transports refuse the same input.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace socrates::host::untrusted {

inline constexpr int kMaxJsonDepth = 64;

enum class ParseProblem { kInvalid, kTooDeep };

// The value, or why `text` is not acceptable JSON (not JSON at all, or nested too deep).
// Never throws.
std::variant<nlohmann::json, ParseProblem> parse_limited(std::string_view text) noexcept;

// The JSON pointer ("" for the root, "/items/0/value") of the first string or key in `value` that
// holds a NUL character, if any. `value` must come from parse_limited (the recursion is bounded by
// its depth).
std::optional<std::string> nul_pointer(const nlohmann::json& value, const std::string& pointer = "");

}  // namespace socrates::host::untrusted

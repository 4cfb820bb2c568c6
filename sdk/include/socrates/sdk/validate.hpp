#pragma once
// Input validation helpers for action handlers: each throws AgentException(VALIDATION_ERROR) with
// details.field set, which BaseAgent::handle turns into a 400 answer.

#include <socrates/sdk/error.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>

namespace socrates::sdk::validate {

inline bool is_uuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

// Counts code points, not bytes, so that limits mean characters for people writing in any script.
inline std::size_t utf8_length(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

[[noreturn]] inline void fail(const std::string& field, const std::string& message) {
  throw AgentException(validation_error(field, message));
}

inline std::optional<std::string> optional_string(const nlohmann::json& body, const std::string& field,
                                                  std::size_t min_length, std::size_t max_length) {
  if (!body.is_object()) fail("body", "the body must be a JSON object");
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) fail(field, "'" + field + "' must be a string");
  const auto& value = it->get_ref<const std::string&>();
  const std::size_t length = utf8_length(value);
  if (length < min_length || length > max_length)
    fail(field, "'" + field + "' must be " + std::to_string(min_length) + " to " + std::to_string(max_length) +
                    " characters long");
  return value;
}

inline std::string required_string(const nlohmann::json& body, const std::string& field, std::size_t min_length,
                                   std::size_t max_length) {
  auto value = optional_string(body, field, min_length, max_length);
  if (!value) fail(field, "'" + field + "' is required");
  return *value;
}

// A UUID, returned in lower case (the API's canonical form).
inline std::string required_uuid(const nlohmann::json& body, const std::string& field) {
  auto value = optional_string(body, field, 0, 64);
  if (!value) fail(field, "'" + field + "' is required");
  if (!is_uuid(*value)) fail(field, "'" + field + "' must be a UUID");
  for (auto& c : *value) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  return *value;
}

// One of the allowed words; `fallback` when absent.
inline std::string one_of(const nlohmann::json& body, const std::string& field,
                          std::initializer_list<const char*> allowed, const std::string& fallback) {
  auto value = optional_string(body, field, 0, 64);
  if (!value) return fallback;
  for (const char* word : allowed)
    if (*value == word) return *value;
  std::string list;
  for (const char* word : allowed) list += (list.empty() ? "" : ", ") + std::string(word);
  fail(field, "'" + field + "' must be one of: " + list);
}

// An integer within [min, max]; `fallback` when absent.
inline long long integer(const nlohmann::json& body, const std::string& field, long long min, long long max,
                         long long fallback) {
  if (!body.is_object()) fail("body", "the body must be a JSON object");
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) fail(field, "'" + field + "' must be an integer");
  const std::string range = "'" + field + "' must be between " + std::to_string(min) + " and " + std::to_string(max);
  // A number above LLONG_MAX arrives unsigned and would wrap to a negative value.
  if (it->is_number_unsigned() &&
      it->get<unsigned long long>() > static_cast<unsigned long long>(std::numeric_limits<long long>::max()))
    fail(field, range);
  const long long value = it->get<long long>();
  if (value < min || value > max) fail(field, range);
  return value;
}

}  // namespace socrates::sdk::validate

#pragma once
// Reading providers' JSON without trusting its types: a field of the wrong type reads as absent.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace socrates::host::llm {

inline std::string text_field(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return "";
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "type: message" from {"error": {"type", "message"}} or {"error": "message"}; "" when absent.
inline std::string error_description(const std::string& text) {
  const auto body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return "";
  const auto error = body.find("error");
  if (error == body.end()) return "";
  if (error->is_string()) return error->get<std::string>();
  const std::string type = text_field(*error, "type"), message = text_field(*error, "message");
  if (type.empty()) return message;
  return message.empty() ? type : type + ": " + message;
}

// The token counts of a provider's `usage` object into *input / *output, under the provider's names
// for them. An absent or null `usage`, or an absent count, leaves the figure as it is; a `usage`
// that is not an object, or a count that is not a non-negative integer, is refused with *why.
inline bool read_usage(const nlohmann::json& body, const char* input_name, const char* output_name,
                       std::int64_t* input, std::int64_t* output, std::string* why) {
  const auto usage = body.find("usage");
  if (usage == body.end() || usage->is_null()) return true;
  if (!usage->is_object()) {
    *why = "'usage' is not an object";
    return false;
  }
  for (auto [name, field] : {std::pair<const char*, std::int64_t*>{input_name, input},
                             std::pair<const char*, std::int64_t*>{output_name, output}}) {
    const auto value = usage->find(name);
    if (value == usage->end()) continue;
    if (!value->is_number_integer() || value->get<std::int64_t>() < 0) {
      *why = std::string("'usage.") + name + "' is not a count";
      return false;
    }
    *field = value->get<std::int64_t>();
  }
  return true;
}

}  // namespace socrates::host::llm

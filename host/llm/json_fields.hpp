#pragma once
// Reading providers' JSON without trusting its types: a field of the wrong type reads as absent.

#include <nlohmann/json.hpp>

#include <string>

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

}  // namespace socrates::host::llm

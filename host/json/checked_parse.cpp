#include "host/json/checked_parse.hpp"

namespace socrates::host::untrusted {
namespace {
struct TooDeep {};
}  // namespace

std::variant<nlohmann::json, ParseProblem> parse_limited(std::string_view text) noexcept {
  try {
    nlohmann::json value = nlohmann::json::parse(
        text.begin(), text.end(),
        [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
          // `depth` counts the containers around the event; a container's start is one deeper.
          if ((event == nlohmann::json::parse_event_t::object_start ||
               event == nlohmann::json::parse_event_t::array_start) &&
              depth >= kMaxJsonDepth)
            throw TooDeep{};
          return true;
        },
        /*allow_exceptions=*/false);
    if (value.is_discarded()) return ParseProblem::kInvalid;
    return value;
  } catch (const TooDeep&) {
    return ParseProblem::kTooDeep;
  } catch (...) {  // allocation failure: refuse the input rather than end the process
    return ParseProblem::kInvalid;
  }
}

std::optional<std::string> nul_pointer(const nlohmann::json& value, const std::string& pointer) {
  if (value.is_string()) {
    if (value.get_ref<const std::string&>().find('\0') != std::string::npos) return pointer;
  } else if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      std::string escaped;  // RFC 6901: ~ is ~0, / is ~1
      for (char c : key) escaped += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
      const std::string path = pointer + "/" + escaped;
      if (key.find('\0') != std::string::npos) return path;
      if (auto found = nul_pointer(member, path)) return found;
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      if (auto found = nul_pointer(value[i], pointer + "/" + std::to_string(i))) return found;
  }
  return std::nullopt;
}

}  // namespace socrates::host::untrusted

#include "host/plugins/json_check.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace socrates::host {
namespace {

// A parser per thread keeps its buffers for the next answer; one for a larger answer is made for it
// alone, so that no thread keeps the memory of the largest answer it ever checked.
constexpr std::size_t kKeptCapacity = 64 * 1024;

bool simdjson_accepts(simdjson::dom::parser& parser, std::string_view text) {
  simdjson::dom::element ignored;
  return parser.parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(ignored) == simdjson::SUCCESS;
}

}  // namespace

bool is_json_text(std::string_view text) noexcept {
  try {
    bool fast = false;
    if (text.size() <= kKeptCapacity) {
      thread_local simdjson::dom::parser parser(kKeptCapacity);
      fast = simdjson_accepts(parser, text);
    } else {
      simdjson::dom::parser parser;
      fast = simdjson_accepts(parser, text);
    }
    return fast || nlohmann::json::accept(text);
  } catch (...) {
    return false;  // no memory for the check: not an answer the host can vouch for
  }
}

}  // namespace socrates::host

// json_body (host/rest/api.hpp), which reads the JSON body of every route that takes one.
// Input: a request body. Checked against nlohmann's own parse of the same bytes: a blank body is
// {} when allowed and refused otherwise; bytes that are not a JSON object are refused; an object
// within the limits is accepted unchanged; one beyond them (nesting deeper than kMaxDepth, a NUL
// character in any string) is refused. Every refusal is 400 VALIDATION_ERROR in the error shape,
// naming the field.

#include "fuzz_check.hpp"

#include "host/rest/api.hpp"

#include <string>
#include <utility>
#include <vector>

namespace rest = socrates::host::rest;
using nlohmann::json;

namespace {

// The limits of issue 12, which json_body enforces (depth while parsing, NUL after); with
// kEnforceLimits off, only the rest of the contract is checked.
constexpr bool kEnforceLimits = true;
constexpr std::size_t kMaxDepth = 64;  // containers inside one another, the body itself counted

struct Shape {
  std::size_t depth = 0;
  bool nul = false;
};

// Iterative: the value may be nested far deeper than the stack allows recursion.
Shape shape_of(const json& root) {
  Shape shape;
  std::vector<std::pair<const json*, std::size_t>> stack{{&root, 1}};
  while (!stack.empty()) {
    auto [value, depth] = stack.back();
    stack.pop_back();
    if (value->is_string()) shape.nul |= value->get_ref<const std::string&>().find('\0') != std::string::npos;
    if (!value->is_structured()) continue;
    shape.depth = std::max(shape.depth, depth);
    for (auto it = value->begin(); it != value->end(); ++it) {
      if (value->is_object()) shape.nul |= it.key().find('\0') != std::string::npos;
      stack.push_back({&*it, depth + 1});
    }
  }
  return shape;
}

void check_refusal(const rest::HttpResponse& response, const std::string& why) {
  FUZZ_CHECK(response.status == 400, why + ": answered " + std::to_string(response.status));
  const auto body = json::parse(response.body, nullptr, false);
  FUZZ_CHECK(!body.is_discarded() && body.contains("error"), why + ": not the error shape: " + response.body);
  FUZZ_CHECK(body["error"].value("code", "") == socrates::sdk::errc::kValidation, why + ": " + response.body);
  FUZZ_CHECK(body["error"]["details"].is_object() && body["error"]["details"].contains("field"),
             why + ": no field named: " + response.body);
}

void check(const std::string& text, bool allow_empty) {
  rest::HttpRequest request;
  request.method = "POST";
  request.path = "/api/v1/projects";
  request.headers["content-type"] = "application/json";
  request.request_id = "fuzz";
  request.body = text;

  const auto result = rest::json_body(request, allow_empty);
  const auto* accepted = std::get_if<json>(&result);
  const auto* refused = std::get_if<rest::HttpResponse>(&result);

  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (allow_empty) {
      FUZZ_CHECK(accepted && *accepted == json::object(), "a blank body where allowed is not {}");
    } else {
      FUZZ_CHECK(refused, "a blank body where one is required was accepted");
      check_refusal(*refused, "blank body");
    }
    return;
  }
  const json reference = json::parse(text, nullptr, false);
  if (reference.is_discarded() || !reference.is_object()) {
    FUZZ_CHECK(refused, "accepted a body that is no JSON object: " + text.substr(0, 200));
    check_refusal(*refused, "not an object");
    return;
  }
  const Shape shape = shape_of(reference);
  const bool within = shape.depth <= kMaxDepth && !shape.nul;
  if (within) {
    FUZZ_CHECK(accepted, "refused a valid object: " + (refused ? refused->body : std::string()));
    FUZZ_CHECK(*accepted == reference, "the object changed on the way");
  } else if (kEnforceLimits) {
    FUZZ_CHECK(refused, "accepted a body " + std::string(shape.nul ? "with a NUL" : "nested too deep") + " (depth " +
                            std::to_string(shape.depth) + ")");
    check_refusal(*refused, "beyond the limits");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(socrates::fuzz::as_text(data, size));
  check(text, /*allow_empty=*/false);
  check(text, /*allow_empty=*/true);
  return 0;
}

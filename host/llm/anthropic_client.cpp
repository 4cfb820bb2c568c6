// The Anthropic Messages API: POST {base}/v1/messages.
#include "host/llm/llm_client.hpp"

#include "host/llm/json_fields.hpp"

#include <nlohmann/json.hpp>

namespace socrates::host::llm {

AnthropicClient::AnthropicClient(LlmOptions options, std::shared_ptr<HttpTransport> transport,
                                 std::shared_ptr<UsageSink> usage)
    : HttpLlmClient(std::move(options), std::move(transport), std::move(usage)) {}

HttpCall AnthropicClient::call_to(const std::string& path) const {
  const std::string& base = options().base_url;
  // Tolerate a base URL given with its /v1, as OpenAI-style settings are written.
  const bool has_version = base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0;
  HttpCall call = base_call(base + (has_version ? "" : "/v1") + path);
  call.headers.push_back("x-api-key: " + options().api_key);
  call.headers.push_back(std::string("anthropic-version: ") + kAnthropicVersion);
  return call;
}

const char* AnthropicClient::models_path() const noexcept { return "/models?limit=1000"; }

const char* AnthropicClient::key_setting() const noexcept { return "ANTHROPIC_API_KEY"; }

HttpCall AnthropicClient::build(const sdk::LlmRequest& request) const {
  HttpCall call = call_to("/messages");

  nlohmann::json messages = nlohmann::json::array();
  for (const auto& m : request.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  nlohmann::json body = {{"model", options().model},
                         {"max_tokens", request.max_tokens},
                         {"temperature", request.temperature},
                         {"messages", std::move(messages)}};
  if (!request.system.empty()) body["system"] = request.system;
  call.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return call;
}

bool AnthropicClient::parse(const std::string& text, sdk::LlmResponse* out, std::string* why) const {
  const auto body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    *why = "the provider's answer is not a JSON object";
    return false;
  }
  if (text_field(body, "type") == "error") {
    *why = "the provider answered an error: " + describe_error(text);
    return false;
  }
  const auto content = body.find("content");
  if (content == body.end() || !content->is_array()) {
    *why = "the answer has no 'content' array";
    return false;
  }
  std::string answer;
  bool any_text = false;
  for (const auto& block : *content) {
    if (!block.is_object() || text_field(block, "type") != "text") continue;
    const auto part = block.find("text");
    if (part == block.end() || !part->is_string()) {
      *why = "a text block of 'content' has no string 'text'";
      return false;
    }
    answer += part->get<std::string>();
    any_text = true;
  }
  if (!any_text || answer.find_first_not_of(" \t\r\n") == std::string::npos) {
    *why = "the answer holds no text";
    return false;
  }
  out->text = std::move(answer);
  if (auto model = body.find("model"); model != body.end() && model->is_string()) out->model = model->get<std::string>();
  return read_usage(body, "input_tokens", "output_tokens", &out->input_tokens, &out->output_tokens, why);
}

std::string AnthropicClient::describe_error(const std::string& text) const { return error_description(text); }

}  // namespace socrates::host::llm

// The OpenAI-compatible chat API (OpenAI, llama.cpp's server, Ollama, vLLM): POST {base}/chat/completions.
#include "host/llm/llm_client.hpp"

#include "host/llm/json_fields.hpp"

#include <nlohmann/json.hpp>

namespace socrates::host::llm {

OpenAiClient::OpenAiClient(LlmOptions options, std::shared_ptr<HttpTransport> transport,
                           std::shared_ptr<UsageSink> usage)
    : HttpLlmClient(std::move(options), std::move(transport), std::move(usage)) {}

HttpCall OpenAiClient::call_to(const std::string& path) const {
  HttpCall call = base_call(options().base_url + path);
  // Local servers take no key; sending an empty bearer would only confuse a proxy in front.
  if (!options().api_key.empty()) call.headers.push_back("Authorization: Bearer " + options().api_key);
  return call;
}

const char* OpenAiClient::models_path() const noexcept { return "/models"; }

const char* OpenAiClient::key_setting() const noexcept { return "LLM_API_KEY"; }

HttpCall OpenAiClient::build(const sdk::LlmRequest& request) const {
  HttpCall call = call_to("/chat/completions");

  nlohmann::json messages = nlohmann::json::array();
  if (!request.system.empty()) messages.push_back({{"role", "system"}, {"content", request.system}});
  for (const auto& m : request.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  const nlohmann::json body = {{"model", options().model},
                               {"max_tokens", request.max_tokens},
                               {"temperature", request.temperature},
                               {"stream", false},
                               {"messages", std::move(messages)}};
  call.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return call;
}

bool OpenAiClient::parse(const std::string& text, sdk::LlmResponse* out, std::string* why) const {
  const auto body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    *why = "the provider's answer is not a JSON object";
    return false;
  }
  if (body.contains("error") && !body["error"].is_null()) {
    *why = "the provider answered an error: " + describe_error(text);
    return false;
  }
  const auto choices = body.find("choices");
  if (choices == body.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object()) {
    *why = "the answer has no 'choices'";
    return false;
  }
  const auto& choice = (*choices)[0];
  const auto message = choice.find("message");
  if (message == choice.end() || !message->is_object()) {
    *why = "'choices[0]' has no 'message'";
    return false;
  }
  const auto content = message->find("content");
  if (content == message->end() || !content->is_string()) {
    *why = "'choices[0].message.content' is not text";
    return false;
  }
  std::string answer = content->get<std::string>();
  if (answer.find_first_not_of(" \t\r\n") == std::string::npos) {
    *why = "the answer holds no text";
    return false;
  }
  out->text = std::move(answer);
  if (auto model = body.find("model"); model != body.end() && model->is_string()) out->model = model->get<std::string>();
  return read_usage(body, "prompt_tokens", "completion_tokens", &out->input_tokens, &out->output_tokens, why);
}

std::string OpenAiClient::describe_error(const std::string& text) const { return error_description(text); }

}  // namespace socrates::host::llm

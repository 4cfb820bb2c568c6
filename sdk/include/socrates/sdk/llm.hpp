#pragma once
// The LLM client agents see. The host owns the provider (builtin, anthropic, openai) chosen by
// LLM_PROVIDER; Services::llm() is null when the built-in deterministic engine is configured.
//
// Threading: complete() may be called from any worker thread at once and blocks for as long as the
// model takes (bounded by the host's timeouts). Hold no database connection while it runs.

#include <socrates/sdk/error.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace socrates::sdk {

struct LlmMessage {
  std::string role;  // "user" or "assistant"
  std::string content;
};

struct LlmRequest {
  std::string system;  // the system prompt
  std::vector<LlmMessage> messages;
  int max_tokens = 1024;
  double temperature = 0.2;
  std::string purpose;  // what the call is for ("question", "extraction", "reply"); recorded with usage
};

struct LlmResponse {
  std::string text;
  std::string model;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t latency_ms = 0;
};

class LlmClient {
 public:
  virtual ~LlmClient() = default;
  virtual const char* provider() const noexcept = 0;
  // True and `out` filled, or false and `error` set to LLM_ERROR / LLM_UNAVAILABLE. Never made up.
  virtual bool complete(const LlmRequest& request, LlmResponse* out, Error* error) noexcept = 0;
};

}  // namespace socrates::sdk

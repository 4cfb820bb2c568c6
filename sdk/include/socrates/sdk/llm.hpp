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

// Implemented by the host only; agents call it.
class LlmClient {
 public:
  virtual ~LlmClient() = default;
  virtual const char* provider() const noexcept = 0;
  // True and `out` filled, or false and `error` set to LLM_ERROR / LLM_UNAVAILABLE. Never made up.
  // Since SDK 1.2 also RATE_LIMITED (details.retry_after_s): the request's caller has used up the
  // host's daily allowance of LLM calls (LLM_DAILY_CALLS_PER_USER) and the provider was not asked;
  // or DATABASE_UNAVAILABLE when that allowance cannot be checked. The host records every call with
  // the request's caller, whom it knows itself.
  virtual bool complete(const LlmRequest& request, LlmResponse* out, Error* error) noexcept = 0;

  // Since SDK 1.2: complete() for a call made on behalf of one project (its UUID; "" for none),
  // which the host records with the call's usage. The default (for implementations other than the
  // host's) drops the project.
  virtual bool complete_for_project(const std::string& project_id, const LlmRequest& request, LlmResponse* out,
                                    Error* error) noexcept {
    (void)project_id;
    return complete(request, out, error);
  }
};

}  // namespace socrates::sdk

#pragma once
// The LLM providers behind sdk::LlmClient: `anthropic` (Messages API) and `openai` (the
// OpenAI-compatible chat API that llama.cpp, Ollama and vLLM also serve), over libcurl.
//
// HttpLlmClient::complete is the one entry point and owns the policy every provider shares:
//  - a per-user daily limit (`daily_calls_per_user`, 0: none): the first call of a request whose
//    caller has made that many calls since UTC midnight (llm_usage, so every host counts the same
//    rows) fails with RATE_LIMITED and details.retry_after_s (to midnight), contacts no provider
//    and leaves no usage row; once a request's first call is let in, its later calls are too (a
//    refused request has saved nothing: every agent calls the model before it writes). Concurrent
//    requests of one user are counted as they finish, so they may pass the limit by their number;
//  - at most `concurrency` calls in flight; one more fails fast with LLM_UNAVAILABLE;
//  - the call runs inside a BlockingScope, so the worker pool compensates for the blocked thread
//    (or, at its own bound, refuses: LLM_UNAVAILABLE at once rather than a stalled server);
//  - connect and total timeouts per attempt; up to `max_retries` further attempts after a 429, a
//    5xx or a connection failure, waiting Retry-After (seconds) when the provider sent one, else an
//    exponential backoff; a Retry-After beyond `retry_max_wait` ends the call at once;
//  - errors: LLM_UNAVAILABLE when the provider cannot be reached, timed out or kept answering
//    429/5xx; LLM_ERROR for any other refusal (4xx) and for an answer that is not what the API
//    promises (not JSON, truncated, fields missing). Never a made-up answer. The error's message
//    (which reaches clients) names the provider and the HTTP status, never the provider's URL or
//    its words; those go to the log line of the failure;
//  - one usage row per call, with the request's caller and the agent's project, written after it
//    returned (no database lease across the call);
//  - logs: one info line per call (provider, model, purpose, latency, tokens, outcome); the
//    model's text at debug level only; never a key or a header.
// Providers only build their request and read their answers.
//
// Threading: complete() is thread-safe and noexcept; each attempt uses its own libcurl handle.

#include "host/llm/http_transport.hpp"
#include "host/llm/usage_recorder.hpp"

#include <socrates/sdk/llm.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace socrates::host {
struct Config;
}

namespace socrates::host::llm {

struct LlmOptions {
  std::string base_url;  // anthropic: https://api.anthropic.com; openai: up to /v1 included
  std::string api_key;   // empty: no credential header (local OpenAI-compatible servers)
  std::string model;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{60000};
  int max_retries = 2;
  std::chrono::milliseconds retry_base_delay{500};  // doubled at every retry
  std::chrono::milliseconds retry_max_wait{30000};
  int concurrency = 64;
  int daily_calls_per_user = 0;  // 0: no limit
  // How the retry loop waits between attempts; empty: std::this_thread::sleep_for. Tests record
  // the waits the policy asks for instead of sleeping them out.
  std::function<void(std::chrono::milliseconds)> retry_sleep;
};

inline constexpr const char* kDefaultAnthropicBaseUrl = "https://api.anthropic.com";
inline constexpr const char* kDefaultAnthropicModel = "claude-sonnet-4-20250514";
inline constexpr const char* kDefaultOpenAiModel = "gpt-4o-mini";
inline constexpr const char* kAnthropicVersion = "2023-06-01";

// What the provider said when asked for its model list (`socrates-host doctor`).
struct ProviderCheck {
  std::string problem;                 // empty: it answered with the list
  std::vector<std::string> models;     // the model ids it listed
  bool model_listed = false;           // the configured model is among them
};

class HttpLlmClient : public sdk::LlmClient {
 public:
  bool complete(const sdk::LlmRequest& request, sdk::LlmResponse* out, sdk::Error* error) noexcept final;
  bool complete_for_project(const std::string& project_id, const sdk::LlmRequest& request, sdk::LlmResponse* out,
                            sdk::Error* error) noexcept final;

  // One GET of the provider's model list with the configured URL and key (no retry, no usage
  // row, no tokens spent): whether the provider is reachable, takes the key and offers the model.
  ProviderCheck check() const noexcept;

  const LlmOptions& options() const noexcept { return options_; }
  int in_flight() const noexcept { return in_flight_.load(); }

 protected:
  HttpLlmClient(LlmOptions options, std::shared_ptr<HttpTransport> transport, std::shared_ptr<UsageSink> usage);

  // The provider's HTTP request for `request` (may throw on a JSON error).
  virtual HttpCall build(const sdk::LlmRequest& request) const = 0;
  // Reads a 2xx answer into `out` (text, model, tokens); false and `why` when it is not what the
  // provider's API promises.
  virtual bool parse(const std::string& body, sdk::LlmResponse* out, std::string* why) const = 0;
  // The provider's own account of an error answer ("overloaded_error: Overloaded"), or "".
  virtual std::string describe_error(const std::string& body) const = 0;
  // base_call() to the provider's `path` (below its API's root), with the credential headers.
  virtual HttpCall call_to(const std::string& path) const = 0;
  // The path of its model list, for call_to().
  virtual const char* models_path() const noexcept = 0;
  // The setting that holds the key, for messages ("ANTHROPIC_API_KEY").
  virtual const char* key_setting() const noexcept = 0;

  HttpCall base_call(std::string url) const;
  // "anthropic at https://api.anthropic.com": for the log and for the operator (doctor), never for
  // a client. What clients read names provider() only.
  std::string where() const { return std::string(provider()) + " at " + options_.base_url; }

 private:
  struct Attempt;
  bool run(const std::string& project_id, const sdk::LlmRequest& request, sdk::LlmResponse* out,
           sdk::Error* error) noexcept;
  // Whether the daily limit lets the current request call; `failure` set when not.
  bool admitted(const std::string& user_id, sdk::Error* failure) noexcept;

  LlmOptions options_;
  std::shared_ptr<HttpTransport> transport_;
  std::shared_ptr<UsageSink> usage_;
  std::atomic<int> in_flight_{0};
};

class AnthropicClient final : public HttpLlmClient {
 public:
  AnthropicClient(LlmOptions options, std::shared_ptr<HttpTransport> transport, std::shared_ptr<UsageSink> usage);
  const char* provider() const noexcept override { return "anthropic"; }

 protected:
  HttpCall build(const sdk::LlmRequest& request) const override;
  bool parse(const std::string& body, sdk::LlmResponse* out, std::string* why) const override;
  std::string describe_error(const std::string& body) const override;
  HttpCall call_to(const std::string& path) const override;
  const char* models_path() const noexcept override;
  const char* key_setting() const noexcept override;
};

class OpenAiClient final : public HttpLlmClient {
 public:
  OpenAiClient(LlmOptions options, std::shared_ptr<HttpTransport> transport, std::shared_ptr<UsageSink> usage);
  const char* provider() const noexcept override { return "openai"; }

 protected:
  HttpCall build(const sdk::LlmRequest& request) const override;
  bool parse(const std::string& body, sdk::LlmResponse* out, std::string* why) const override;
  std::string describe_error(const std::string& body) const override;
  HttpCall call_to(const std::string& path) const override;
  const char* models_path() const noexcept override;
  const char* key_setting() const noexcept override;
};

// The options LLM_* settings describe for `config.llm_provider`.
LlmOptions options_from(const Config& config);

// The configured provider over libcurl, recording usage into `usage`; null for `builtin`.
// Initialises libcurl (once per process). Throws std::invalid_argument for an unknown provider
// (config has refused it already).
std::unique_ptr<sdk::LlmClient> make_llm_client(const Config& config, std::shared_ptr<UsageSink> usage);

}  // namespace socrates::host::llm

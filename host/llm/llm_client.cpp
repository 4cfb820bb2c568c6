#include "host/llm/llm_client.hpp"

#include "host/concurrency/managed_blocking.hpp"
#include "host/config/config.hpp"
#include "host/log/json_log.hpp"
#include "host/metrics/metrics.hpp"

#include <socrates/sdk/validate.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <thread>

namespace socrates::host::llm {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A provider's words in our messages: short, one line.
std::string excerpt(const std::string& text, std::size_t limit = 300) {
  std::string out = text.substr(0, limit);
  for (char& c : out)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (text.size() > limit) out += "…";
  return out;
}

// 0.8..1.2 × the nominal delay, so that callers that failed together do not retry together.
milliseconds jittered(milliseconds nominal) {
  thread_local std::minstd_rand random(std::random_device{}());
  std::uniform_real_distribution<double> factor(0.8, 1.2);
  return milliseconds(static_cast<long long>(static_cast<double>(nominal.count()) * factor(random)));
}

std::string duration_text(milliseconds d) {
  return d.count() % 1000 == 0 ? std::to_string(d.count() / 1000) + " s" : std::to_string(d.count()) + " ms";
}

}  // namespace

// How one attempt ended, as the retry loop sees it.
struct HttpLlmClient::Attempt {
  bool ok = false;
  bool retryable = false;
  std::optional<milliseconds> wait;  // the provider's Retry-After
  sdk::Error error;    // for the caller
  std::string detail;  // for the log: where, and what the provider said
};

HttpLlmClient::HttpLlmClient(LlmOptions options, std::shared_ptr<HttpTransport> transport,
                             std::shared_ptr<UsageSink> usage)
    : options_(std::move(options)), transport_(std::move(transport)), usage_(std::move(usage)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  if (!transport_) throw std::invalid_argument("an LLM client needs a transport");
}

HttpCall HttpLlmClient::base_call(std::string url) const {
  HttpCall call;
  call.url = std::move(url);
  call.connect_timeout = options_.connect_timeout;
  call.timeout = options_.timeout;
  call.headers = {"Content-Type: application/json", "Accept: application/json",
                  // libcurl would otherwise wait for a "100 Continue" before sending a large prompt.
                  "Expect:"};
  return call;
}

bool HttpLlmClient::complete(const sdk::LlmRequest& request, sdk::LlmResponse* out, sdk::Error* error) noexcept {
  return run("", request, out, error);
}

bool HttpLlmClient::complete_for_project(const std::string& project_id, const sdk::LlmRequest& request,
                                         sdk::LlmResponse* out, sdk::Error* error) noexcept {
  return run(project_id, request, out, error);
}

bool HttpLlmClient::admitted(const std::string& user_id, sdk::Error* failure) noexcept {
  auto& context = log::current_context();
  if (options_.daily_calls_per_user <= 0 || user_id.empty() || context.llm_admitted) return true;
  const std::int64_t limit = options_.daily_calls_per_user;
  const std::optional<DailyCalls> today = usage_ ? usage_->calls_today(user_id, limit) : std::optional<DailyCalls>();
  if (!today) {
    *failure = sdk::Error{sdk::errc::kDatabaseUnavailable,
                          "the day's LLM calls cannot be counted right now (LLM_DAILY_CALLS_PER_USER); "
                          "try again shortly",
                          nlohmann::json::object()};
    return false;
  }
  if (today->calls >= limit) {
    const std::int64_t retry_after_s = std::max<std::int64_t>(1, today->seconds_to_midnight);
    *failure = sdk::Error{sdk::errc::kRateLimited,
                          "you have used today's " + std::to_string(limit) +
                              " LLM calls; more are possible after midnight UTC",
                          {{"limit", limit}, {"retry_after_s", retry_after_s}}};
    log::info("llm call refused: daily limit", {{"user_id", user_id}, {"limit", limit}});
    return false;
  }
  context.llm_admitted = true;
  return true;
}

bool HttpLlmClient::run(const std::string& project_id, const sdk::LlmRequest& request, sdk::LlmResponse* out,
                        sdk::Error* error) noexcept {
  const auto started = Clock::now();
  sdk::Error failure;
  std::string detail;  // the log's account of the failure (the provider's URL and words)
  sdk::LlmResponse response;
  UsageRecord usage;
  bool ok = false;
  try {
    usage.provider = provider();
    usage.model = options_.model;
    usage.purpose = request.purpose;
    const auto& context = log::current_context();
    usage.request_id = context.request_id;
    usage.agent = context.agent;
    if (sdk::validate::is_uuid(context.user_id)) usage.user_id = context.user_id;
    if (sdk::validate::is_uuid(project_id)) {
      usage.project_id = project_id;
    } else if (!project_id.empty()) {
      log::warn("llm call for a project id that is not a UUID; recorded without it", {{"agent", context.agent}});
    }

    // Refused by the daily limit: no provider contacted, no usage row, nothing to log but that.
    if (!admitted(usage.user_id, &failure)) {
      if (error) *error = std::move(failure);
      return false;
    }

    auto unavailable = [&](std::string message) {
      failure = sdk::Error{sdk::errc::kLlmUnavailable, std::move(message), {{"provider", provider()}}};
    };

    const int before = in_flight_.fetch_add(1);
    struct Release {
      std::atomic<int>& counter;
      ~Release() { counter.fetch_sub(1); }
    } release{in_flight_};

    if (before >= options_.concurrency) {
      unavailable("too many LLM calls in flight (" + std::to_string(options_.concurrency) +
                  ", LLM_CONCURRENCY); try again shortly");
    } else {
      BlockingScope blocking;
      if (!blocking.admitted()) {
        unavailable("every worker that may wait on the LLM is waiting already; try again shortly");
      } else {
        const HttpCall call = build(request);
        for (int attempt = 0;; ++attempt) {
          const HttpReply reply = transport_->send(call);
          usage.attempts = attempt + 1;
          usage.http_status = reply.status;
          Attempt result;
          // Clients read the error's message: it names the provider, never its URL nor what the
          // provider said (which may quote the request, a key's prefix, a path of its host).
          // Both go to the log, as `detail`.
          const std::string who = provider();
          const std::string where = this->where();
          switch (reply.outcome) {
            case HttpReply::Outcome::kAnswered:
              if (reply.status >= 200 && reply.status < 300) {
                std::string why;
                if (parse(reply.body, &response, &why)) {
                  result.ok = true;
                } else {
                  result.error = {sdk::errc::kLlmError, "the answer of " + who + " is not usable", {}};
                  result.detail = "the answer of " + where + " is not usable: " + why;
                }
              } else if (reply.status == 429 || reply.status >= 500) {
                const std::string said = describe_error(reply.body);
                result.retryable = true;
                result.error = {sdk::errc::kLlmUnavailable, who + " answered HTTP " + std::to_string(reply.status), {}};
                result.detail = where + " answered HTTP " + std::to_string(reply.status) +
                                (said.empty() ? "" : " (" + excerpt(said) + ")");
                if (reply.retry_after_s) result.wait = milliseconds(*reply.retry_after_s * 1000);
              } else {
                const std::string said = describe_error(reply.body);
                result.error = {sdk::errc::kLlmError,
                                who + " refused the request with HTTP " + std::to_string(reply.status), {}};
                result.detail = where + " refused the request with HTTP " + std::to_string(reply.status) +
                                (said.empty() ? "" : ": " + excerpt(said));
              }
              break;
            case HttpReply::Outcome::kUnreachable:
              result.retryable = true;
              result.error = {sdk::errc::kLlmUnavailable, "cannot reach " + who, {}};
              result.detail = "cannot reach " + where + ": " + excerpt(reply.error);
              break;
            case HttpReply::Outcome::kTimeout:
              result.error = {sdk::errc::kLlmUnavailable,
                              who + " did not answer within " + duration_text(options_.timeout) + " (LLM_TIMEOUT_S)",
                              {}};
              result.detail = where + " did not answer in time";
              break;
            case HttpReply::Outcome::kTruncated:
              result.error = {sdk::errc::kLlmError, "the answer of " + who + " was cut off", {}};
              result.detail = "the answer of " + where + " was cut off: " + excerpt(reply.error);
              break;
            case HttpReply::Outcome::kTooLarge:
              result.error = {sdk::errc::kLlmError, "the answer of " + who + " is too large to use", {}};
              result.detail = "the answer of " + where + " is unusable: " + reply.error;
              break;
            case HttpReply::Outcome::kFailed:
              result.error = {sdk::errc::kLlmUnavailable, "cannot talk to " + who, {}};
              result.detail = "cannot talk to " + where + ": " + excerpt(reply.error);
              break;
          }

          if (result.ok) {
            ok = true;
            break;
          }
          failure = std::move(result.error);
          detail = std::move(result.detail);
          failure.details["provider"] = provider();
          failure.details["attempts"] = attempt + 1;
          if (reply.status > 0) failure.details["http_status"] = reply.status;
          if (!result.retryable) break;
          if (attempt >= options_.max_retries) {
            if (options_.max_retries > 0)
              failure.message += " (after " + std::to_string(attempt + 1) + " attempts)";
            break;
          }
          milliseconds wait = jittered(options_.retry_base_delay * (1LL << std::min(attempt, 20)));
          if (result.wait) {
            if (*result.wait > options_.retry_max_wait) {
              failure.message += "; it asks to wait " + std::to_string(result.wait->count() / 1000) +
                                 " s, more than the " + std::to_string(options_.retry_max_wait.count() / 1000) +
                                 " s allowed (LLM_RETRY_MAX_WAIT_S)";
              failure.details["retry_after_s"] = result.wait->count() / 1000;
              break;
            }
            wait = *result.wait;
          }
          wait = std::min(wait, options_.retry_max_wait);
          log::warn("llm call failed; retrying", {{"provider", provider()},
                                                  {"purpose", request.purpose},
                                                  {"attempt", attempt + 1},
                                                  {"http_status", reply.status},
                                                  {"outcome", to_string(reply.outcome)},
                                                  {"wait_ms", wait.count()}});
          if (options_.retry_sleep) {
            options_.retry_sleep(wait);
          } else {
            std::this_thread::sleep_for(wait);
          }
        }
      }
    }
  } catch (const std::exception& e) {
    ok = false;
    failure = sdk::Error{sdk::errc::kLlmError, std::string("the call to ") + provider() + " could not be made",
                         {{"provider", provider()}}};
    detail = e.what();
  } catch (...) {
    ok = false;
    failure = sdk::Error{sdk::errc::kLlmError, "the LLM call could not be made", {{"provider", provider()}}};
  }

  const auto latency_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
  try {
    usage.latency_ms = latency_ms;
    usage.ok = ok;
    if (ok) {
      if (response.model.empty()) response.model = options_.model;
      response.latency_ms = latency_ms;
      usage.model = response.model;
      usage.input_tokens = response.input_tokens;
      usage.output_tokens = response.output_tokens;
    } else {
      usage.error_code = failure.code;
    }
    log::info("llm call", {{"provider", usage.provider},
                           {"model", usage.model},
                           {"purpose", usage.purpose},
                           {"ok", ok},
                           {"error_code", ok ? nlohmann::json(nullptr) : nlohmann::json(failure.code)},
                           {"attempts", usage.attempts},
                           {"input_tokens", usage.input_tokens},
                           {"output_tokens", usage.output_tokens},
                           {"latency_ms", latency_ms}});
    if (ok && log::enabled(log::Level::kDebug)) log::debug("llm answer", {{"text", response.text}});
    if (!ok)
      log::warn("llm call failed",
                {{"provider", usage.provider}, {"error", failure.message}, {"detail", detail.empty() ? failure.message : detail}});
    metrics::process().llm_call(usage.provider, usage.purpose, ok ? "ok" : failure.code, usage.input_tokens,
                                usage.output_tokens, static_cast<double>(latency_ms) / 1000);
    // After the call: the lease for this INSERT is the only one, and it is short.
    if (usage_) usage_->record(usage);
  } catch (...) {
  }

  if (ok) {
    if (out) *out = std::move(response);
    return true;
  }
  if (error) *error = std::move(failure);
  return false;
}

ProviderCheck HttpLlmClient::check() const noexcept {
  ProviderCheck result;
  try {
    const std::string where = this->where();
    HttpCall call = call_to(models_path());
    call.get = true;
    call.timeout = std::min(call.timeout, milliseconds(10000));
    call.connect_timeout = std::min(call.connect_timeout, call.timeout);
    const HttpReply reply = transport_->send(call);
    if (reply.outcome != HttpReply::Outcome::kAnswered) {
      result.problem = where + " does not answer (" + to_string(reply.outcome) +
                       (reply.error.empty() ? "" : ": " + excerpt(reply.error)) +
                       "): check LLM_BASE_URL and that the provider is running";
      return result;
    }
    const std::string said = describe_error(reply.body);
    const std::string status = "HTTP " + std::to_string(reply.status) + (said.empty() ? "" : ", " + excerpt(said));
    if (reply.status == 401 || reply.status == 403) {
      result.problem = where + " refuses the key (" + status + "): check " + key_setting();
      return result;
    }
    if (reply.status < 200 || reply.status >= 300) {
      result.problem = where + " answers its model list with " + status + ": check LLM_BASE_URL";
      return result;
    }
    const auto body = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    const auto data = body.is_object() ? body.find("data") : body.end();
    if (!body.is_object() || data == body.end() || !data->is_array()) {
      result.problem = where + " answers, but not with a model list ({\"data\": [...]}): check LLM_BASE_URL";
      return result;
    }
    for (const auto& model : *data)
      if (model.is_object() && model.contains("id") && model["id"].is_string())
        result.models.push_back(model["id"].get<std::string>());
    result.model_listed =
        std::find(result.models.begin(), result.models.end(), options_.model) != result.models.end();
  } catch (const std::exception& e) {
    result.problem = std::string("the provider could not be asked: ") + e.what();
  }
  return result;
}

LlmOptions options_from(const Config& config) {
  LlmOptions options;
  if (config.llm_provider == "anthropic") {
    options.base_url = config.llm_base_url.empty() ? kDefaultAnthropicBaseUrl : config.llm_base_url;
    options.api_key = config.anthropic_api_key;
    options.model = config.llm_model.empty() ? kDefaultAnthropicModel : config.llm_model;
  } else {
    options.base_url = config.llm_base_url;
    options.api_key = config.llm_api_key;
    options.model = config.llm_model.empty() ? kDefaultOpenAiModel : config.llm_model;
  }
  options.connect_timeout = std::chrono::seconds(std::min(config.llm_connect_timeout_s, config.llm_timeout_s));
  options.timeout = std::chrono::seconds(config.llm_timeout_s);
  options.max_retries = config.llm_max_retries;
  options.retry_max_wait = std::chrono::seconds(config.llm_retry_max_wait_s);
  options.concurrency = config.llm_concurrency;
  options.daily_calls_per_user = config.llm_daily_calls_per_user;
  return options;
}

std::unique_ptr<sdk::LlmClient> make_llm_client(const Config& config, std::shared_ptr<UsageSink> usage) {
  if (config.llm_provider == "builtin") return nullptr;
  init_http();
  auto transport = std::make_shared<CurlTransport>();
  if (config.llm_provider == "anthropic")
    return std::make_unique<AnthropicClient>(options_from(config), std::move(transport), std::move(usage));
  if (config.llm_provider == "openai")
    return std::make_unique<OpenAiClient>(options_from(config), std::move(transport), std::move(usage));
  throw std::invalid_argument("unknown LLM_PROVIDER '" + config.llm_provider + "'");
}

}  // namespace socrates::host::llm

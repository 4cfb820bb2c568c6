#include "host/metrics/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <mutex>
#include <type_traits>
#include <unordered_map>

namespace socrates::host::metrics {
namespace {

using prometheus::Counter;
using prometheus::Histogram;

// Request and action latencies: from a cache hit (~0.5 ms) to a slow LLM-backed turn.
const Histogram::BucketBoundaries kRequestBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,    0.25,  0.5,    1,     2.5,  5,     10};
// Waiting for a pooled connection: usually none at all; DB_LEASE_TIMEOUT_MS (5 s) at worst.
const Histogram::BucketBoundaries kLeaseBuckets = {0.00001, 0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5};
// A model's answer: seconds to minutes (LLM_TIMEOUT_S 60, with retries).
const Histogram::BucketBoundaries kLlmBuckets = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120};

// A family's series by label values, looked up without allocating once a series exists.
template <typename Metric, std::size_t N>
class Series {
 public:
  Series(prometheus::Family<Metric>& family, std::array<const char*, N> names,
         const Histogram::BucketBoundaries* buckets = nullptr)
      : family_(family), names_(names), buckets_(buckets) {}

  // The series of `values` (in the order of the names), or null when it cannot be made.
  Metric* get(const std::array<std::string_view, N>& values) noexcept {
    try {
      thread_local std::string key;
      key.clear();
      for (auto value : values) {
        key.append(value);
        key.push_back('\x1f');  // a separator no label value of ours holds
      }
      std::lock_guard<std::mutex> lock(mutex_);
      auto found = cache_.find(key);
      if (found != cache_.end()) return found->second;
      if (cache_.size() >= kMaxSeries) {
        if (!overflow_) {
          std::array<std::string_view, N> other;
          other.fill("other");
          overflow_ = &add(other);
        }
        return overflow_;
      }
      Metric* metric = &add(values);
      cache_.emplace(key, metric);
      return metric;
    } catch (...) {
      return nullptr;
    }
  }

 private:
  Metric& add(const std::array<std::string_view, N>& values) {
    std::map<std::string, std::string> labels;
    for (std::size_t i = 0; i < N; ++i) labels.emplace(names_[i], std::string(values[i]));
    if constexpr (std::is_same_v<Metric, Histogram>) {
      return family_.Add(labels, *buckets_);
    } else {
      return family_.Add(labels);
    }
  }

  prometheus::Family<Metric>& family_;
  std::array<const char*, N> names_;
  const Histogram::BucketBoundaries* buckets_;
  std::mutex mutex_;
  std::unordered_map<std::string, Metric*> cache_;
  Metric* overflow_ = nullptr;
};

template <typename Metric, std::size_t N>
void increment(Series<Metric, N>& series, const std::array<std::string_view, N>& values, double by = 1) noexcept {
  if (auto* metric = series.get(values)) metric->Increment(by);
}

template <std::size_t N>
void observe(Series<Histogram, N>& series, const std::array<std::string_view, N>& values, double value) noexcept {
  if (auto* metric = series.get(values)) metric->Observe(value);
}

prometheus::Family<Counter>& counter(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

prometheus::Family<Histogram>& histogram(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
}

std::string_view login_outcome(LoginOutcome outcome) {
  switch (outcome) {
    case LoginOutcome::kSuccess: return "success";
    case LoginOutcome::kInvalidCredentials: return "invalid_credentials";
    case LoginOutcome::kInactive: return "inactive";
    case LoginOutcome::kLocked: return "locked";
    case LoginOutcome::kRateLimited: return "rate_limited";
    case LoginOutcome::kInvalidRequest: return "invalid_request";
    case LoginOutcome::kError: return "error";
  }
  return "other";
}

// The gauges of one scrape's sources, as families for the serializer.
class CollectedGauges final : public Gauges {
 public:
  void set(const std::string& name, const std::string& help, const Labels& labels, double value) override {
    auto at = index_.find(name);
    if (at == index_.end()) {
      prometheus::MetricFamily family;
      family.name = name;
      family.help = help;
      family.type = prometheus::MetricType::Gauge;
      at = index_.emplace(name, families_.size()).first;
      families_.push_back(std::move(family));
    }
    prometheus::ClientMetric sample;
    for (const auto& [label, text] : labels) sample.label.push_back({label, text});
    std::sort(sample.label.begin(), sample.label.end());  // by name, as the registry's own series are
    sample.gauge.value = value;
    families_[at->second].metric.push_back(std::move(sample));
  }
  std::vector<prometheus::MetricFamily>& families() { return families_; }

 private:
  std::vector<prometheus::MetricFamily> families_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace

struct Registry::Impl {
  prometheus::Registry registry;

  Series<Counter, 3> http_requests{counter(registry, "socrates_http_requests_total",
                                           "HTTP requests answered, by route template, method and status"),
                                   {"route", "method", "status"}};
  Series<Histogram, 2> http_duration{
      histogram(registry, "socrates_http_request_duration_seconds",
                "Time from a request's arrival to its answer being handed to the connection"),
      {"route", "method"},
      &kRequestBuckets};
  Counter& connections_accepted = counter(registry, "socrates_http_connections_accepted_total",
                                          "Client connections accepted (a keep-alive connection counts once)")
                                      .Add({});

  Series<Histogram, 1> lease_wait{histogram(registry, "socrates_db_lease_wait_seconds",
                                            "Time spent waiting for a pooled connection, per lease"),
                                  {"pool"},
                                  &kLeaseBuckets};
  Series<Counter, 1> lease_timeouts{
      counter(registry, "socrates_db_lease_timeouts_total",
              "Leases that found no free connection within DB_LEASE_TIMEOUT_MS (503 DATABASE_UNAVAILABLE)"),
      {"pool"}};

  Series<Counter, 2> agent_calls{counter(registry, "socrates_agent_calls_total", "Agent action calls"),
                                 {"agent", "action"}};
  Series<Counter, 2> agent_errors{
      counter(registry, "socrates_agent_errors_total",
              "Agent action calls that failed on the agent's side (AGENT_ERROR, INTERNAL_ERROR, database or LLM)"),
      {"agent", "action"}};
  Series<Histogram, 2> agent_duration{
      histogram(registry, "socrates_agent_call_duration_seconds", "Time an agent's action took"),
      {"agent", "action"},
      &kRequestBuckets};
  Series<Counter, 2> reloads{counter(registry, "socrates_plugin_reloads_total",
                                     "Agent reloads, by outcome (ok, refused: the old generation kept serving)"),
                             {"agent", "outcome"}};
  Series<Counter, 2> crashes{counter(registry, "socrates_agent_crashes_total",
                                     "Crashes and kills of isolated agents' child processes, by what followed "
                                     "(restarted, quarantined)"),
                             {"agent", "then"}};

  Series<Counter, 3> llm_calls{
      counter(registry, "socrates_llm_calls_total", "LLM calls (retries included), by outcome: ok or the error code"),
      {"provider", "purpose", "outcome"}};
  Series<Counter, 3> llm_tokens{counter(registry, "socrates_llm_tokens_total", "LLM tokens, input and output"),
                                {"provider", "purpose", "direction"}};
  Series<Histogram, 2> llm_duration{
      histogram(registry, "socrates_llm_call_duration_seconds", "Time an LLM call took, retries and waits included"),
      {"provider", "purpose"},
      &kLlmBuckets};

  Series<Counter, 1> logins{counter(registry, "socrates_logins_total", "Login attempts, by outcome"), {"outcome"}};
  Series<Counter, 1> throttled{
      counter(registry, "socrates_auth_throttled_total",
              "Authentication requests refused by a throttle (RATE_LIMITED: the address; TOO_MANY_ATTEMPTS: the email)"),
      {"code"}};
  Counter& auth_failures =
      counter(registry, "socrates_auth_failures_total",
              "Authentication failures counted by the throttles (failed logins, wrong current passwords, bad refresh "
              "tokens, taken emails)")
          .Add({});

  mutable std::mutex sources_mutex;
  std::map<std::uint64_t, Source> sources;
  std::uint64_t next_source = 1;

  Impl() {
    prometheus::BuildGauge()
        .Name("socrates_build_info")
        .Help("The host's version; always 1")
        .Register(registry)
        .Add({{"version", SOCRATES_VERSION}})
        .Set(1);
    prometheus::BuildGauge()
        .Name("process_start_time_seconds")
        .Help("Start time of the process since the Unix epoch, in seconds")
        .Register(registry)
        .Add({})
        .Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

void Registry::http_request(std::string_view route, std::string_view method, int status, double seconds) noexcept {
  char digits[8];
  const auto written = std::to_chars(digits, digits + sizeof digits, status);
  const std::string_view code(digits, static_cast<std::size_t>(written.ptr - digits));
  increment(impl_->http_requests, {route, method, code});
  observe(impl_->http_duration, {route, method}, seconds);
}

void Registry::http_connection_accepted() noexcept { impl_->connections_accepted.Increment(); }

void Registry::db_lease(std::string_view pool, double wait_seconds, bool leased) noexcept {
  observe(impl_->lease_wait, {pool}, wait_seconds);
  if (!leased) increment(impl_->lease_timeouts, {pool});
}

void Registry::agent_call(std::string_view agent, std::string_view action, bool failed, double seconds) noexcept {
  increment(impl_->agent_calls, {agent, action});
  if (failed) increment(impl_->agent_errors, {agent, action});
  observe(impl_->agent_duration, {agent, action}, seconds);
}

void Registry::plugin_reload(std::string_view agent, bool ok) noexcept {
  increment(impl_->reloads, {agent, ok ? "ok" : "refused"});
}

void Registry::agent_crash(std::string_view agent, bool quarantined) noexcept {
  increment(impl_->crashes, {agent, quarantined ? "quarantined" : "restarted"});
}

void Registry::llm_call(std::string_view provider, std::string_view purpose, std::string_view outcome,
                        std::int64_t input_tokens, std::int64_t output_tokens, double seconds) noexcept {
  increment(impl_->llm_calls, {provider, purpose, outcome});
  if (input_tokens > 0) increment(impl_->llm_tokens, {provider, purpose, "input"}, static_cast<double>(input_tokens));
  if (output_tokens > 0)
    increment(impl_->llm_tokens, {provider, purpose, "output"}, static_cast<double>(output_tokens));
  observe(impl_->llm_duration, {provider, purpose}, seconds);
}

void Registry::login(LoginOutcome outcome) noexcept { increment(impl_->logins, {login_outcome(outcome)}); }

void Registry::auth_throttled(std::string_view code) noexcept { increment(impl_->throttled, {code}); }

void Registry::auth_failure() noexcept { impl_->auth_failures.Increment(); }

SourceHandle Registry::add_source(Source source) {
  std::lock_guard<std::mutex> lock(impl_->sources_mutex);
  const std::uint64_t id = impl_->next_source++;
  impl_->sources.emplace(id, std::move(source));
  return SourceHandle(this, id);
}

void Registry::remove_source(std::uint64_t id) noexcept {
  // Waits for a scrape running the source: once this returns, it never runs again.
  std::lock_guard<std::mutex> lock(impl_->sources_mutex);
  impl_->sources.erase(id);
}

std::string Registry::scrape() const {
  std::vector<prometheus::MetricFamily> families = impl_->registry.Collect();
  CollectedGauges gauges;
  {
    std::lock_guard<std::mutex> lock(impl_->sources_mutex);
    for (const auto& [id, source] : impl_->sources) source(gauges);
  }
  for (auto& family : gauges.families()) families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

SourceHandle::~SourceHandle() {
  if (registry_) registry_->remove_source(id_);
}

SourceHandle::SourceHandle(SourceHandle&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

SourceHandle& SourceHandle::operator=(SourceHandle&& other) noexcept {
  if (this != &other) {
    if (registry_) registry_->remove_source(id_);
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

Registry& process() {
  // Never destroyed: parts of the host may record an event while static destructors run.
  static Registry* registry = new Registry;
  return *registry;
}

}  // namespace socrates::host::metrics

#include "host/llm/usage_recorder.hpp"

#include "host/db/connection_pool.hpp"
#include "host/log/json_log.hpp"

#include <socrates/sdk/database.hpp>

namespace socrates::host::llm {

void PoolUsageRecorder::record(const UsageRecord& r) noexcept {
  try {
    sdk::DbStatus status;
    auto session = specs_.lease(&status);
    if (!session) {
      log::warn("llm usage not recorded: no database connection", {{"provider", r.provider}, {"purpose", r.purpose}});
      return;
    }
    sdk::Db db(std::move(session));
    auto optional_text = [](const std::string& text) { return text.empty() ? sdk::Param(nullptr) : sdk::Param(text); };
    db.execute(
        "INSERT INTO llm_usage (provider, model, purpose, input_tokens, output_tokens, latency_ms, attempts, ok, "
        "error_code, http_status, request_id, agent) "
        "VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6::bigint, $7::int, $8::boolean, $9, $10::int, $11, $12)",
        {r.provider, r.model, r.purpose, static_cast<long long>(r.input_tokens),
         static_cast<long long>(r.output_tokens), static_cast<long long>(r.latency_ms), r.attempts, r.ok,
         optional_text(r.error_code), r.http_status > 0 ? sdk::Param(r.http_status) : sdk::Param(nullptr),
         optional_text(r.request_id), optional_text(r.agent)});
  } catch (const std::exception& e) {
    log::warn("llm usage not recorded", {{"provider", r.provider}, {"purpose", r.purpose}, {"error", e.what()}});
  } catch (...) {
    log::warn("llm usage not recorded", {{"provider", r.provider}, {"purpose", r.purpose}});
  }
}

}  // namespace socrates::host::llm

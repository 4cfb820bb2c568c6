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
        "error_code, http_status, request_id, agent, user_id, project_id) "
        "VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6::bigint, $7::int, $8::boolean, $9, $10::int, $11, $12, "
        "$13::uuid, $14::uuid)",
        {r.provider, r.model, r.purpose, static_cast<long long>(r.input_tokens),
         static_cast<long long>(r.output_tokens), static_cast<long long>(r.latency_ms), r.attempts, r.ok,
         optional_text(r.error_code), r.http_status > 0 ? sdk::Param(r.http_status) : sdk::Param(nullptr),
         optional_text(r.request_id), optional_text(r.agent), optional_text(r.user_id),
         optional_text(r.project_id)});
  } catch (const std::exception& e) {
    log::warn("llm usage not recorded", {{"provider", r.provider}, {"purpose", r.purpose}, {"error", e.what()}});
  } catch (...) {
    log::warn("llm usage not recorded", {{"provider", r.provider}, {"purpose", r.purpose}});
  }
}

std::optional<DailyCalls> PoolUsageRecorder::calls_today(const std::string& user_id, std::int64_t limit) noexcept {
  try {
    sdk::DbStatus status;
    auto session = specs_.lease(&status);
    if (!session) return std::nullopt;
    sdk::Db db(std::move(session));
    // The LIMIT stops the index scan at `limit` rows: a heavy user costs no more than a light one.
    auto row = db.query_one(
        "WITH today AS (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start) "
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM llm_usage, today WHERE user_id = $1::uuid AND attempts > 0 "
        "AND created_at >= today.start LIMIT $2::bigint) AS counted) AS calls, "
        "ceil(extract(epoch FROM (SELECT start FROM today) + interval '1 day' - now()))::bigint AS seconds_left",
        {user_id, static_cast<long long>(limit)});
    if (!row) return std::nullopt;
    return DailyCalls{row->i64("calls"), row->i64("seconds_left")};
  } catch (const std::exception& e) {
    log::warn("llm calls of today not counted", {{"error", e.what()}});
  } catch (...) {
  }
  return std::nullopt;
}

std::int64_t PoolUsageRecorder::calls_today_total() {
  sdk::DbStatus status;
  auto session = specs_.lease(&status);
  if (!session) throw sdk::DatabaseError(status);
  sdk::Db db(std::move(session));
  return db.query_one("SELECT count(*) AS n FROM llm_usage WHERE created_at >= date_trunc('day', now())")->i64("n");
}

}  // namespace socrates::host::llm

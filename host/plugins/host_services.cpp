#include "host/plugins/host_services.hpp"

#include <socrates/sdk/detail/abi_bytes.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

namespace socrates::host {
namespace {

namespace abi = sdk::detail::abi;

static_assert(std::is_standard_layout_v<HostCall>, "a socrates_host* must be convertible back to its HostCall");

sdk::DatabaseSession* session_of(socrates_db_session* session) noexcept {
  return reinterpret_cast<sdk::DatabaseSession*>(session);
}

std::int32_t kind_code(sdk::DbStatus::Kind kind) noexcept {
  switch (kind) {
    case sdk::DbStatus::Kind::kOk: return SOCRATES_DB_OK;
    case sdk::DbStatus::Kind::kUnavailable: return SOCRATES_DB_UNAVAILABLE;
    case sdk::DbStatus::Kind::kUniqueViolation: return SOCRATES_DB_UNIQUE_VIOLATION;
    case sdk::DbStatus::Kind::kConstraint: return SOCRATES_DB_CONSTRAINT;
    case sdk::DbStatus::Kind::kSerialization: return SOCRATES_DB_SERIALIZATION;
    case sdk::DbStatus::Kind::kQuery: return SOCRATES_DB_QUERY;
    case sdk::DbStatus::Kind::kRefused: return SOCRATES_DB_REFUSED;
  }
  return SOCRATES_DB_QUERY;
}

// A failure as the plugin reads it; never throws (an unallocatable message is left out).
std::int32_t failed(sdk::DbStatus&& status, socrates_db_status* out) noexcept {
  if (out) {
    out->kind = kind_code(status.kind == sdk::DbStatus::Kind::kOk ? sdk::DbStatus::Kind::kQuery : status.kind);
    const std::size_t length = std::min<std::size_t>(status.sqlstate.size(), 5);
    std::memcpy(out->sqlstate, status.sqlstate.data(), length);
    out->sqlstate[length] = '\0';
    try {
      if (!status.constraint.empty()) abi::fill(&out->constraint, std::move(status.constraint));
      if (!status.message.empty()) abi::fill(&out->message, std::move(status.message));
    } catch (...) {
    }
  }
  return SOCRATES_FAILED;
}

std::int32_t out_of_memory(socrates_db_status* out) noexcept {
  sdk::DbStatus status;
  status.kind = sdk::DbStatus::Kind::kQuery;
  return failed(std::move(status), out);
}

// One statement's rows, owned by the plugin until it calls release(): the host's result set and
// the views of it the plugin reads.
struct HostRows {
  sdk::ResultSet set;
  std::vector<socrates_str> columns;
  std::vector<socrates_str> cells;
};

void release_rows(socrates_rows* rows) {
  delete static_cast<HostRows*>(rows->private_data);
  rows->release = nullptr;
  rows->private_data = nullptr;
}

// Hands `set` over as `out` (views of it, no copy of its text).
void give_rows(sdk::ResultSet&& set, socrates_rows* out) {
  auto rows = std::make_unique<HostRows>();
  rows->set = std::move(set);
  rows->columns.reserve(rows->set.columns.size());
  for (const auto& column : rows->set.columns) rows->columns.push_back(abi::view(column));
  rows->cells.reserve(rows->set.rows.size() * rows->set.columns.size());
  for (const auto& row : rows->set.rows)
    for (std::size_t c = 0; c < rows->set.columns.size(); ++c)
      rows->cells.push_back(c < row.size() && row[c] ? abi::view(*row[c]) : socrates_str{nullptr, 0});
  out->column_count = rows->set.columns.size();
  out->row_count = rows->set.rows.size();
  out->columns = rows->columns.data();
  out->cells = rows->cells.data();
  out->affected_rows = rows->set.affected_rows;
  out->private_data = rows.release();
  out->release = &release_rows;
}

std::vector<sdk::Param> params_of(const socrates_str* params, std::size_t count) {
  std::vector<sdk::Param> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    out.emplace_back(params[i].data ? sdk::Param(abi::view(params[i])) : sdk::Param(nullptr));
  return out;
}

void log(const socrates_host* host, std::int32_t level, socrates_str message) noexcept {
  const auto known = level >= SOCRATES_LOG_DEBUG && level <= SOCRATES_LOG_ERROR ? static_cast<sdk::LogLevel>(level)
                                                                                : sdk::LogLevel::kError;
  HostCall::services_of(host).log(known, abi::view(message));
}

std::int32_t setting(const socrates_host* host, socrates_str name, socrates_buffer* value) noexcept {
  try {
    auto found = HostCall::services_of(host).setting(abi::view(name));
    if (!found) return 0;
    abi::fill(value, std::move(*found));
    return 1;
  } catch (...) {
    return 0;
  }
}

const char* llm_provider(const socrates_host* host) noexcept {
  sdk::LlmClient* llm = HostCall::services_of(host).llm();
  return llm ? llm->provider() : nullptr;
}

std::int32_t llm_complete(const socrates_host* host, const socrates_llm_request* request,
                          socrates_buffer* out) noexcept {
  try {
    sdk::LlmClient* llm = HostCall::services_of(host).llm();
    if (!llm) {
      abi::fill(out, abi::dump(abi::error_json(sdk::Error{sdk::errc::kLlmUnavailable, "no LLM provider is configured",
                                                          nlohmann::json::object()})));
      return SOCRATES_FAILED;
    }
    sdk::LlmRequest call;
    call.system.assign(abi::view(request->system));
    call.messages.reserve(request->message_count);
    for (std::size_t i = 0; i < request->message_count; ++i)
      call.messages.push_back(
          {std::string(abi::view(request->messages[i].role)), std::string(abi::view(request->messages[i].content))});
    call.max_tokens = request->max_tokens;
    call.temperature = request->temperature;
    call.purpose.assign(abi::view(request->purpose));
    sdk::LlmResponse response;
    sdk::Error error;
    // complete() for a call made for no project, as the plugin's LlmClient::complete() was.
    const std::string project_id(abi::view(request->project_id));
    const bool answered = project_id.empty() ? llm->complete(call, &response, &error)
                                             : llm->complete_for_project(project_id, call, &response, &error);
    if (!answered) {
      abi::fill(out, abi::dump(abi::error_json(error)));
      return SOCRATES_FAILED;
    }
    abi::fill(out, abi::dump({{"text", std::move(response.text)},
                              {"model", std::move(response.model)},
                              {"input_tokens", response.input_tokens},
                              {"output_tokens", response.output_tokens},
                              {"latency_ms", response.latency_ms}}));
    return SOCRATES_OK;
  } catch (...) {
    static const char kText[] = "{\"code\":\"LLM_ERROR\",\"message\":\"the model could not be asked\",\"details\":{}}";
    abi::fill_static(out, kText, sizeof kText - 1);
    return SOCRATES_FAILED;
  }
}

socrates_db_session* db_open(const socrates_host* host, std::int32_t database, socrates_db_status* status) noexcept {
  sdk::DbStatus result;
  auto session = HostCall::services_of(host).open_database(static_cast<sdk::Database>(database), &result);
  if (!session) {
    if (result.kind == sdk::DbStatus::Kind::kOk) result.kind = sdk::DbStatus::Kind::kUnavailable;
    failed(std::move(result), status);
    return nullptr;
  }
  return reinterpret_cast<socrates_db_session*>(session.release());
}

std::int32_t db_begin(socrates_db_session* session, socrates_db_status* status) noexcept {
  sdk::DbStatus result;
  return session_of(session)->begin(&result) ? SOCRATES_OK : failed(std::move(result), status);
}

std::int32_t db_commit(socrates_db_session* session, socrates_db_status* status) noexcept {
  sdk::DbStatus result;
  return session_of(session)->commit(&result) ? SOCRATES_OK : failed(std::move(result), status);
}

void db_rollback(socrates_db_session* session) noexcept { session_of(session)->rollback(); }

std::int32_t db_query(socrates_db_session* session, socrates_str sql, const socrates_str* params,
                      std::size_t param_count, socrates_rows* out, socrates_db_status* status) noexcept {
  try {
    const std::vector<sdk::Param> values = params_of(params, param_count);
    sdk::ResultSet set;
    sdk::DbStatus result;
    if (!session_of(session)->execute(abi::view(sql), values.data(), values.size(), &set, &result))
      return failed(std::move(result), status);
    give_rows(std::move(set), out);
    return SOCRATES_OK;
  } catch (...) {
    return out_of_memory(status);
  }
}

std::int32_t db_batch(socrates_db_session* session, const socrates_statement* statements, std::size_t count,
                      std::int32_t commit, socrates_rows* outs, std::size_t* failed_at,
                      socrates_db_status* status) noexcept {
  try {
    std::vector<sdk::Statement> batch(count);
    for (std::size_t i = 0; i < count; ++i) {
      batch[i].sql.assign(abi::view(statements[i].sql));
      batch[i].params = params_of(statements[i].params, statements[i].param_count);
    }
    std::vector<sdk::ResultSet> sets(count);
    sdk::DbStatus result;
    std::size_t failed_index = 0;
    if (!session_of(session)->execute_batch(batch.data(), count, commit != 0, sets.data(), &failed_index, &result)) {
      if (failed_at) *failed_at = failed_index;
      return failed(std::move(result), status);
    }
    // Handed over all or none: the plugin releases nothing after a failure.
    std::size_t given = 0;
    try {
      for (; given < count; ++given) give_rows(std::move(sets[given]), &outs[given]);
    } catch (...) {
      for (std::size_t i = 0; i < given; ++i) release_rows(&outs[i]);
      throw;
    }
    return SOCRATES_OK;
  } catch (...) {
    if (failed_at) *failed_at = count;
    return out_of_memory(status);
  }
}

void db_close(socrates_db_session* session) noexcept { delete session_of(session); }

const socrates_host_api kHostApi = {sizeof(socrates_host_api), &log, &setting, &llm_provider, &llm_complete,
                                    &db_open, &db_begin, &db_commit, &db_rollback, &db_query, &db_batch,
                                    &db_close};

}  // namespace

const socrates_host_api& host_api() noexcept { return kHostApi; }

sdk::Services& HostCall::services_of(const socrates_host* host) noexcept {
  return *reinterpret_cast<const HostCall*>(host)->services_;
}

}  // namespace socrates::host

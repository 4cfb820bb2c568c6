#include "host/isolation/messages.hpp"

#include <string>

namespace socrates::host::isolation {

using nlohmann::json;

json params_json(const sdk::Param* params, std::size_t count) {
  json out = json::array();
  for (std::size_t i = 0; i < count; ++i) out.push_back(params[i].is_null() ? json(nullptr) : json(params[i].text()));
  return out;
}

std::vector<sdk::Param> params_from(const json& params) {
  std::vector<sdk::Param> out;
  if (!params.is_array()) return out;
  out.reserve(params.size());
  for (const auto& p : params) out.emplace_back(p.is_string() ? sdk::Param(p.get<std::string>()) : sdk::Param(nullptr));
  return out;
}

json rows_json(const sdk::ResultSet& set) {
  json rows = json::array();
  for (const auto& row : set.rows) {
    json cells = json::array();
    for (const auto& cell : row) cells.push_back(cell ? json(*cell) : json(nullptr));
    rows.push_back(std::move(cells));
  }
  return {{"columns", set.columns}, {"rows", std::move(rows)}, {"affected", set.affected_rows}};
}

sdk::ResultSet rows_from(const json& rows) {
  sdk::ResultSet set;
  set.columns = rows.value("columns", std::vector<std::string>());
  set.affected_rows = rows.value("affected", std::int64_t{0});
  const auto found = rows.find("rows");
  if (found == rows.end() || !found->is_array()) return set;
  set.rows.reserve(found->size());
  for (const auto& cells : *found) {
    std::vector<std::optional<std::string>> row;
    row.reserve(cells.size());
    for (const auto& cell : cells) row.push_back(cell.is_string() ? std::optional<std::string>(cell.get<std::string>())
                                                                  : std::nullopt);
    set.rows.push_back(std::move(row));
  }
  return set;
}

json status_json(const sdk::DbStatus& status) {
  return {{"kind", static_cast<int>(status.kind)},
          {"sqlstate", status.sqlstate},
          {"constraint", status.constraint},
          {"message", status.message}};
}

void status_from(const json& status, sdk::DbStatus* out) noexcept {
  if (!out) return;
  try {
    const int kind = status.value("kind", static_cast<int>(sdk::DbStatus::Kind::kQuery));
    out->kind = kind >= 0 && kind <= static_cast<int>(sdk::DbStatus::Kind::kRefused) ? static_cast<sdk::DbStatus::Kind>(kind)
                                                                                     : sdk::DbStatus::Kind::kQuery;
    out->sqlstate = status.value("sqlstate", std::string());
    out->constraint = status.value("constraint", std::string());
    out->message = status.value("message", std::string());
  } catch (...) {
    out->kind = sdk::DbStatus::Kind::kQuery;
  }
}

json llm_request_json(const sdk::LlmRequest& request) {
  json messages = json::array();
  for (const auto& m : request.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  return {{"system", request.system},
          {"messages", std::move(messages)},
          {"max_tokens", request.max_tokens},
          {"temperature", request.temperature},
          {"purpose", request.purpose}};
}

sdk::LlmRequest llm_request_from(const json& request) {
  sdk::LlmRequest out;
  out.system = request.value("system", std::string());
  for (const auto& m : request.value("messages", json::array()))
    out.messages.push_back({m.value("role", std::string()), m.value("content", std::string())});
  out.max_tokens = request.value("max_tokens", 1024);
  out.temperature = request.value("temperature", 0.2);
  out.purpose = request.value("purpose", std::string());
  return out;
}

json llm_response_json(const sdk::LlmResponse& response) {
  return {{"text", response.text},
          {"model", response.model},
          {"input_tokens", response.input_tokens},
          {"output_tokens", response.output_tokens},
          {"latency_ms", response.latency_ms}};
}

sdk::LlmResponse llm_response_from(const json& response) {
  sdk::LlmResponse out;
  out.text = response.value("text", std::string());
  out.model = response.value("model", std::string());
  out.input_tokens = response.value("input_tokens", std::int64_t{0});
  out.output_tokens = response.value("output_tokens", std::int64_t{0});
  out.latency_ms = response.value("latency_ms", std::int64_t{0});
  return out;
}

}  // namespace socrates::host::isolation

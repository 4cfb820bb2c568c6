#pragma once
// The values that cross between the host and an isolated agent's child inside its messages (JSON
// objects, carried by frame.hpp; the ops and who sends which: docs/plugins.md, "Isolation"):
// statement parameters, rows, database statuses and LLM requests and answers. Errors cross as the
// ABI's error objects (sdk/detail/abi_bytes.hpp).

#include <socrates/sdk/database.hpp>
#include <socrates/sdk/llm.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <vector>

namespace socrates::host::isolation {

nlohmann::json params_json(const sdk::Param* params, std::size_t count);
std::vector<sdk::Param> params_from(const nlohmann::json& params);

nlohmann::json rows_json(const sdk::ResultSet& set);
sdk::ResultSet rows_from(const nlohmann::json& rows);

nlohmann::json status_json(const sdk::DbStatus& status);
void status_from(const nlohmann::json& status, sdk::DbStatus* out) noexcept;

nlohmann::json llm_request_json(const sdk::LlmRequest& request);
sdk::LlmRequest llm_request_from(const nlohmann::json& request);
nlohmann::json llm_response_json(const sdk::LlmResponse& response);
sdk::LlmResponse llm_response_from(const nlohmann::json& response);

}  // namespace socrates::host::isolation

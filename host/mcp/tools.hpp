#pragma once
// The MCP tools of the Socrates interview: for each, its name, a description written for a model,
// JSON Schemas of its input and its output, and the orchestrator action or flow it runs — the same
// one the REST route of that step calls (host/rest/*_api.cpp), so the two transports give the same
// answer and hold no logic of their own.

#include "host/auth/account_service.hpp"
#include "host/orchestrator/orchestrator.hpp"

#include <socrates/sdk/result.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace socrates::host::mcp {

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;   // JSON Schema of `arguments`; only the properties it names reach the agent
  nlohmann::json output_schema;  // JSON Schema of structuredContent; null when the tool declares none
  bool read_only = false;
  // Runs the tool for the caller. `arguments` holds only the input schema's properties.
  std::function<sdk::Result(Orchestrator&, nlohmann::json arguments, const auth::AuthContext&)> call;
  // The project whose specification document and maturity a successful call changed, if any
  // (for notifications/resources/updated). Null for a read.
  std::function<std::optional<std::string>(const nlohmann::json& arguments, const nlohmann::json& value)> changes;
  // The text content of a successful result (by default the value as JSON).
  std::function<std::string(const nlohmann::json& value)> text;
};

// The interview's tools, in the order a model uses them.
std::vector<Tool> interview_tools();

// A tool for an agent's action that its plugin declared one (sdk::ToolSpec, SDK 1.4): named
// "<agent>.<action>", called through Orchestrator::route_public like the generic REST route.
Tool plugin_tool(const std::string& agent_id, const std::string& action, const std::string& description,
                 const nlohmann::json& input_schema);

}  // namespace socrates::host::mcp

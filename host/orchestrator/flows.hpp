#pragma once
// Flows: a step of the domain that takes more than one agent, declared once here and run by name
// (Orchestrator::run_flow) by whichever transport serves it: the REST routes today, a CLI or an
// MCP server tomorrow, each with the same result. The flow maps one agent's output onto the next
// agent's input, so no transport has to.
//
// The flows every host serves:
//  - "answer"  (POST /api/v1/sessions/{id}/answer): context/record_answer records the answer
//    (extraction, conflicts, maturity — one transaction), then socratic/next_question asks the
//    next question. The answer is committed whatever happens next: a question that cannot be asked
//    now is null in the result (and logged), and the client asks again with next-question.
//  - "message" (POST /api/v1/sessions/{id}/message): context/record_message records a direct-chat
//    message, then socratic/reply (internal) restates what was recorded. A reply that fails is the
//    turn's error (the message stays recorded).
//  - "stats"   (GET /api/v1/admin/stats): every loaded agent with an internal `stats` action
//    reports its figures ({"name": integer, ...}); same-named figures are added up.
// Params are those of the flow's first call (for the turns: the request body and `session_id`).
// A new flow (say, a review step after each answer) is one more entry in standard_flows().

#include <socrates/sdk/base_agent.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>

namespace socrates::host {

class Orchestrator;

// Runs agent calls through `orchestrator` for `caller`. May throw (run_flow turns that into
// INTERNAL_ERROR); an agent's error comes back as a result like any other.
using Flow = std::function<sdk::Result(Orchestrator& orchestrator, nlohmann::json params, const sdk::Caller& caller)>;

// The flows above, by name.
std::map<std::string, Flow> standard_flows();

}  // namespace socrates::host

#include "host/orchestrator/flows.hpp"

#include "host/log/json_log.hpp"
#include "host/orchestrator/orchestrator.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

namespace socrates::host {
namespace {

using nlohmann::json;

// socratic/reply (internal) takes at most this many recorded specifications: it restates them,
// and more than that is not a reply's worth.
constexpr std::size_t kReplyRestatesAtMost = 200;

// The session a turn is about, as the transport gave it (the agents validate it).
json session_of(const json& params) {
  auto it = params.find("session_id");
  return it == params.end() ? json(nullptr) : *it;
}

const std::string kNull = "null";

// `object` (JSON text of an object) with `name` (a plain key, nothing to escape) set to `value`
// (JSON text), added after its last member; nullopt when `object` is not an object's text or
// already has a member of that name at its top level (then the caller merges the parsed values).
std::optional<std::string> with_member(const std::string& object, std::string_view name, const std::string* value) {
  if (!value) return std::nullopt;
  const auto first = object.find_first_not_of(" \t\r\n");
  const auto last = object.find_last_not_of(" \t\r\n");
  if (first == std::string::npos || object[first] != '{' || object[last] != '}') return std::nullopt;
  const std::string key = "\"" + std::string(name) + "\":";
  if (object.find(key) != std::string::npos) return std::nullopt;
  const bool empty = object.find_first_not_of(" \t\r\n", first + 1) == last;
  std::string out;
  out.reserve(last + key.size() + value->size() + 3);
  out.append(object, 0, last);
  if (!empty) out += ',';
  out += key;
  out += *value;
  out += '}';
  return out;
}

bool has_internal(Orchestrator& orchestrator, const std::string& agent, const std::string& action) {
  const auto generation = orchestrator.registry().find(agent);
  if (!generation) return false;
  const auto& internal = generation->internal_capabilities;
  return std::find(internal.begin(), internal.end(), action) != internal.end();
}

sdk::Result answer(Orchestrator& orchestrator, json params, const sdk::Caller& caller) {
  json session_id = session_of(params);
  // The answer's agent hands on what the turn left (the project, the session owner's domain role
  // and the current specifications), and the next question is planned on it: no second read of
  // what the first has just read. The bytes pass through the host untouched and never reach the
  // client. An agent of an older build (a swap) that hands nothing on, or a socratic agent without
  // the action, is asked as a client would ask.
  params["hand_on_state"] = true;
  sdk::Result recorded = orchestrator.route("context", "record_answer", std::move(params), caller);
  if (!recorded.is_ok()) return recorded;
  std::string state = recorded.take_handed_on();
  sdk::Result next =
      !state.empty() && has_internal(orchestrator, "socratic", "next_question_from_state")
          ? orchestrator.route("socratic", "next_question_from_state", {{"session_id", std::move(session_id)}}, caller,
                               std::move(state))
          : orchestrator.route("socratic", "next_question", {{"session_id", std::move(session_id)}}, caller);
  if (!next.is_ok())
    log::warn("the answer is recorded; its follow-up question could not be asked",
              {{"code", next.error().code}, {"error", next.error().message}});
  // Both answers as the agents wrote them (checked JSON text): the question is spliced in, so that
  // the turn is written out to the client without being parsed and written again.
  if (const std::string* turn_text = recorded.text()) {
    const std::string* next_text = next.is_ok() ? next.text() : nullptr;
    if (auto spliced = with_member(*turn_text, "next_question", next.is_ok() ? next_text : &kNull))
      return sdk::Result::ok_text(std::move(*spliced));
  }
  json& turn = recorded.value();
  turn["next_question"] = next.is_ok() ? std::move(next.value()) : json(nullptr);
  return sdk::Result::ok(std::move(turn));
}

sdk::Result message(Orchestrator& orchestrator, json params, const sdk::Caller& caller) {
  json session_id = session_of(params);
  const auto text = params.find("message");
  std::string said = text != params.end() && text->is_string() ? text->get<std::string>() : "";
  sdk::Result recorded = orchestrator.route("context", "record_message", std::move(params), caller);
  if (!recorded.is_ok()) return recorded;
  json& turn = recorded.value();

  // What reply restates: the first kReplyRestatesAtMost of what was recorded (the turn keeps all).
  json restated = json::array();
  if (auto specs = turn.find("specifications"); specs != turn.end()) {
    if (specs->is_array())
      restated = json(specs->begin(),
                      specs->begin() + static_cast<std::ptrdiff_t>(std::min(specs->size(), kReplyRestatesAtMost)));
    else
      restated = *specs;
  }
  const auto conflicts = turn.find("conflicts");
  sdk::Result reply = orchestrator.route("socratic", "reply",
                                         {{"session_id", std::move(session_id)},
                                          {"message", std::move(said)},
                                          {"recorded", std::move(restated)},
                                          {"conflicts", conflicts == turn.end() ? 0 : conflicts->size()},
                                          {"duplicates", turn.value("duplicates", 0)}},
                                         caller);
  if (!reply.is_ok()) return reply;
  // `duplicates` is for the reply's wording, not part of the turn's answer.
  turn.erase("duplicates");
  auto written = reply.value().find("reply");
  turn["reply"] = written != reply.value().end() && written->is_string() ? std::move(*written) : json("");
  return sdk::Result::ok(std::move(turn));
}

sdk::Result stats(Orchestrator& orchestrator, json, const sdk::Caller& caller) {
  json totals = json::object();
  for (const auto& generation : orchestrator.registry().list()) {
    const auto& internal = generation->internal_capabilities;
    if (std::find(internal.begin(), internal.end(), "stats") == internal.end()) continue;
    sdk::Result figures = orchestrator.route(generation->plugin.info.agent_id, "stats", json::object(), caller);
    // A sum without one agent's figures would be read as the total.
    if (!figures.is_ok()) return figures;
    if (!figures.value().is_object()) continue;
    for (const auto& [name, value] : figures.value().items()) {
      if (!value.is_number_integer()) continue;
      json& total = totals[name];
      total = (total.is_null() ? 0 : total.get<std::int64_t>()) + value.get<std::int64_t>();
    }
  }
  return sdk::Result::ok(std::move(totals));
}

}  // namespace

std::map<std::string, Flow> standard_flows() {
  return {{"answer", answer}, {"message", message}, {"stats", stats}};
}

}  // namespace socrates::host

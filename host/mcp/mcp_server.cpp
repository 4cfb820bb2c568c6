#include "host/mcp/mcp_server.hpp"

#include "host/crypto/crypto_random.hpp"
#include "host/json/checked_parse.hpp"
#include "host/log/json_log.hpp"

#include <socrates/sdk/validate.hpp>

#include <algorithm>

namespace socrates::host::mcp {
namespace {

using nlohmann::json;

constexpr const char* kUriPrefix = "socrates://projects/";
constexpr const char* kSpecificationSuffix = "/specification.md";
constexpr const char* kMaturitySuffix = "/maturity";
constexpr const char* kInterviewPrompt = "socratic_interview";

std::string specification_uri(const std::string& project_id) { return kUriPrefix + project_id + kSpecificationSuffix; }
std::string maturity_uri(const std::string& project_id) { return kUriPrefix + project_id + kMaturitySuffix; }

enum class ResourceKind { kSpecification, kMaturity };
struct ResourceRef {
  std::string project_id;
  ResourceKind kind;
};

std::optional<ResourceRef> parse_uri(const std::string& uri) {
  const std::string prefix = kUriPrefix;
  if (uri.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string rest = uri.substr(prefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  const std::string id = rest.substr(0, slash);
  const std::string suffix = rest.substr(slash);
  if (!sdk::validate::is_uuid(id)) return std::nullopt;
  if (suffix == kSpecificationSuffix) return ResourceRef{id, ResourceKind::kSpecification};
  if (suffix == kMaturitySuffix) return ResourceRef{id, ResourceKind::kMaturity};
  return std::nullopt;
}

json success(const json& id, json result) { return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}; }

// An error a method raises; dispatch turns it into the JSON-RPC error response.
struct RpcError {
  int code;
  std::string message;
  json data = nullptr;
};

json error_data(const sdk::Error& error) {
  return {{"code", error.code}, {"message", error.message}, {"details", error.details.is_object() ? error.details : json::object()}};
}

const json& params_string(const Message& message, const char* field) {
  auto it = message.params.find(field);
  if (it == message.params.end() || !it->is_string())
    throw RpcError{rpc::kInvalidParams, std::string("params.") + field + " must be a string", {{"field", field}}};
  return *it;
}

std::string interview_prompt(const std::string& project_id) {
  return "Run a Socratic interview on the Socrates project " + project_id +
         " to turn the idea behind it into a specification, with the Socrates tools.\n\n"
         "1. Call start_session with project_id " + project_id +
         " (mode socratic). Keep the session id it answers.\n"
         "2. Call next_question and put exactly that question to the user. Ask one question at a time and wait "
         "for the user's reply; never answer for the user and never invent requirements.\n"
         "3. Pass the reply, in the user's own words, to answer (\"I don't know\" is a valid answer). Its result "
         "lists what was recorded and the next question to ask.\n"
         "4. When answer reports conflicts, show the user both sides and ask how to settle each one "
         "(keep_existing, use_proposed, merge with a merged value, or ignore); then call resolve_conflict.\n"
         "5. Every few answers call maturity: tell the user the score and the weakest categories. When "
         "next_phase.ready is true, offer to call advance_phase; if it answers PHASE_GATE, the blockers say "
         "what is missing.\n"
         "6. When the user wants to stop, call export (format markdown) and show the document.\n"
         "Tool errors carry the API's error code (for example SESSION_NOT_ACTIVE, PHASE_GATE, FORBIDDEN): "
         "explain them to the user rather than retrying blindly.";
}

}  // namespace

const std::vector<std::string>& supported_protocol_versions() {
  static const std::vector<std::string> versions = {kLatestProtocolVersion, "2025-06-18", "2025-03-26"};
  return versions;
}

bool is_supported_protocol_version(const std::string& version) {
  const auto& versions = supported_protocol_versions();
  return std::find(versions.begin(), versions.end(), version) != versions.end();
}

McpServer::McpServer(Orchestrator& orchestrator, std::string server_version)
    : orchestrator_(orchestrator), server_version_(std::move(server_version)), interview_tools_(interview_tools()) {}

// ---- sessions

std::shared_ptr<Session> McpServer::open_session(const std::string& user_id) {
  auto session = std::make_shared<Session>(crypto::random_token(24), user_id);
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  if (sessions_.size() >= kMaxSessions) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
      return a.second->last_used < b.second->last_used;  // last_used is written under sessions_mutex_
    });
    sessions_.erase(oldest);
  }
  sessions_.emplace(session->id, session);
  return session;
}

std::shared_ptr<Session> McpServer::find_session(const std::string& id, const std::string& user_id) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->user_id != user_id) return nullptr;
  it->second->last_used = std::chrono::steady_clock::now();
  return it->second;
}

bool McpServer::close_session(const std::string& id, const std::string& user_id) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->user_id != user_id) return false;
  sessions_.erase(it);
  return true;
}

std::vector<json> McpServer::take_notifications(Session& session) {
  std::lock_guard<std::mutex> lock(session.mutex);
  std::vector<json> taken(std::make_move_iterator(session.outbox.begin()), std::make_move_iterator(session.outbox.end()));
  session.outbox.clear();
  return taken;
}

void McpServer::notify_changed(const std::string& project_id) {
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    for (const auto& entry : sessions_) sessions.push_back(entry.second);
  }
  for (const auto& session : sessions) {
    std::lock_guard<std::mutex> lock(session->mutex);
    for (const std::string& uri : {specification_uri(project_id), maturity_uri(project_id)}) {
      if (!session->subscriptions.count(uri)) continue;
      if (session->outbox.size() >= kMaxQueued) session->outbox.pop_front();
      session->outbox.push_back(
          {{"jsonrpc", "2.0"}, {"method", "notifications/resources/updated"}, {"params", {{"uri", uri}}}});
    }
  }
}

// ---- messages

json McpServer::error_response(const json& id, int code, const std::string& message, json data) {
  json error = {{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = std::move(data);
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

std::variant<Message, json> McpServer::parse(std::string_view text) {
  auto parsed = untrusted::parse_limited(text);
  if (auto* problem = std::get_if<untrusted::ParseProblem>(&parsed)) {
    if (*problem == untrusted::ParseProblem::kTooDeep)
      return error_response(nullptr, rpc::kParseError,
                            "Parse error: the message is nested deeper than " + std::to_string(untrusted::kMaxJsonDepth) +
                                " levels",
                            {{"max_depth", untrusted::kMaxJsonDepth}});
    return error_response(nullptr, rpc::kParseError, "Parse error: the message is not valid JSON");
  }
  const nlohmann::json& value = std::get<nlohmann::json>(parsed);
  if (value.is_array())
    return error_response(nullptr, rpc::kInvalidRequest,
                          "Invalid Request: JSON-RPC batches are not supported (send one message at a time)");
  if (!value.is_object())
    return error_response(nullptr, rpc::kInvalidRequest, "Invalid Request: a message must be a JSON object");

  Message message;
  if (auto it = value.find("id"); it != value.end()) {
    if (!it->is_string() && !it->is_number_integer())
      return error_response(nullptr, rpc::kInvalidRequest, "Invalid Request: id must be a string or an integer");
    message.id = *it;
  }
  if (auto pointer = untrusted::nul_pointer(value)) {
    const std::string params_prefix = "/params/";
    if (pointer->rfind(params_prefix, 0) == 0)
      return error_response(message.id, rpc::kInvalidParams,
                            "Invalid params: a NUL character (\\u0000) is not allowed",
                            {{"code", "VALIDATION_ERROR"}, {"field", pointer->substr(params_prefix.size())}});
    return error_response(message.id, rpc::kInvalidRequest, "Invalid Request: a NUL character (\\u0000) is not allowed",
                          {{"code", "VALIDATION_ERROR"}, {"field", pointer->substr(1)}});
  }
  if (value.value("jsonrpc", json()) != "2.0")
    return error_response(message.id, rpc::kInvalidRequest, "Invalid Request: jsonrpc must be \"2.0\"");
  auto method = value.find("method");
  if (method == value.end()) {
    if (!message.id.is_null() && (value.contains("result") || value.contains("error"))) {
      message.kind = Message::Kind::kResponse;
      return message;
    }
    return error_response(message.id, rpc::kInvalidRequest, "Invalid Request: method is missing");
  }
  if (!method->is_string() || method->get_ref<const std::string&>().empty())
    return error_response(message.id, rpc::kInvalidRequest, "Invalid Request: method must be a non-empty string");
  message.method = method->get<std::string>();
  if (auto params = value.find("params"); params != value.end() && !params->is_null()) {
    if (!params->is_object())
      return error_response(message.id, rpc::kInvalidParams, "Invalid params: params must be an object");
    message.params = *params;
  }
  message.kind = message.id.is_null() ? Message::Kind::kNotification : Message::Kind::kRequest;
  return message;
}

std::optional<json> McpServer::handle(Session& session, const Message& message, const auth::AuthContext& caller) noexcept {
  if (message.kind != Message::Kind::kRequest) return std::nullopt;  // notifications need no answer; we send no requests
  try {
    return success(message.id, dispatch(session, message, caller));
  } catch (const RpcError& error) {
    return error_response(message.id, error.code, error.message, error.data);
  } catch (const std::exception& e) {
    log::error("MCP request failed", {{"method", message.method}, {"error", e.what()}});
  } catch (...) {
    log::error("MCP request failed", {{"method", message.method}});
  }
  return error_response(message.id, rpc::kInternalError, "Internal error: the request could not be completed",
                        {{"code", "INTERNAL_ERROR"}});
}

json McpServer::dispatch(Session& session, const Message& message, const auth::AuthContext& caller) {
  const std::string& method = message.method;
  if (method == "initialize") return initialize(session, message);
  if (method == "ping") return json::object();
  {
    std::lock_guard<std::mutex> lock(session.mutex);
    if (session.protocol_version.empty())
      throw RpcError{rpc::kInvalidRequest, "Invalid Request: the session is not initialized; send initialize first"};
  }
  if (method == "tools/list") {
    json list = json::array();
    for (const Tool& tool : tools()) {
      json entry = {{"name", tool.name},
                    {"title", tool.title},
                    {"description", tool.description},
                    {"inputSchema", tool.input_schema},
                    {"annotations", {{"title", tool.title}, {"readOnlyHint", tool.read_only}, {"openWorldHint", false}}}};
      if (!tool.output_schema.is_null()) entry["outputSchema"] = tool.output_schema;
      list.push_back(std::move(entry));
    }
    return {{"tools", std::move(list)}};
  }
  if (method == "tools/call") return call_tool(session, message, caller);
  if (method == "resources/list") return list_resources(message, caller);
  if (method == "resources/templates/list") {
    return {{"resourceTemplates",
             {{{"uriTemplate", std::string(kUriPrefix) + "{project_id}" + kSpecificationSuffix},
               {"name", "specification"},
               {"title", "A project's specification document"},
               {"description", "The current specification of a project as the markdown export"},
               {"mimeType", "text/markdown"}},
              {{"uriTemplate", std::string(kUriPrefix) + "{project_id}" + kMaturitySuffix},
               {"name", "maturity"},
               {"title", "A project's maturity"},
               {"description", "Score, coverage per category and the next phase's gate (as the maturity tool)"},
               {"mimeType", "application/json"}}}}};
  }
  if (method == "resources/read") return read_resource(message, caller);
  if (method == "resources/subscribe") return subscribe(session, message, caller, true);
  if (method == "resources/unsubscribe") return subscribe(session, message, caller, false);
  if (method == "prompts/list") {
    return {{"prompts",
             {{{"name", kInterviewPrompt},
               {"title", "Run a Socratic interview on this project"},
               {"description", "Interviews the user one question at a time with the Socrates tools until the "
                               "project's specification is mature enough to advance, then exports it"},
               {"arguments",
                {{{"name", "project_id"},
                  {"description", "the project's id (list_projects or create_project answer it)"},
                  {"required", true}}}}}}}};
  }
  if (method == "prompts/get") return get_prompt(message);
  throw RpcError{rpc::kMethodNotFound, "Method not found: " + method};
}

json McpServer::initialize(Session& session, const Message& message) {
  const std::string requested = params_string(message, "protocolVersion").get<std::string>();
  std::lock_guard<std::mutex> lock(session.mutex);
  if (!session.protocol_version.empty())
    throw RpcError{rpc::kInvalidRequest, "Invalid Request: the session is initialized already"};
  // The client's revision when we speak it, else our latest (the client then decides whether to go on).
  session.protocol_version = is_supported_protocol_version(requested) ? requested : kLatestProtocolVersion;
  return {{"protocolVersion", session.protocol_version},
          {"capabilities",
           {{"tools", {{"listChanged", false}}},
            {"resources", {{"subscribe", true}, {"listChanged", false}}},
            {"prompts", {{"listChanged", false}}}}},
          {"serverInfo", {{"name", "socrates"}, {"title", "Socrates"}, {"version", server_version_}}},
          {"instructions",
           "Socrates turns a vague software idea into a specification through a Socratic interview. Find or "
           "create a project (list_projects, create_project), start a session, then ask the user the questions "
           "next_question gives, one at a time, and record each reply with answer. The prompt "
           "socratic_interview describes the whole loop."}};
}

std::vector<Tool> McpServer::tools() const {
  std::vector<Tool> all = interview_tools_;
  for (const auto& generation : orchestrator_.registry().list())
    for (const auto& declared : generation->tools)
      all.push_back(plugin_tool(generation->plugin.info.agent_id, declared.action, declared.description, declared.input_schema));
  return all;
}

json McpServer::call_tool(Session&, const Message& message, const auth::AuthContext& caller) {
  const std::string name = params_string(message, "name").get<std::string>();
  json arguments = json::object();
  if (auto it = message.params.find("arguments"); it != message.params.end() && !it->is_null()) {
    if (!it->is_object())
      throw RpcError{rpc::kInvalidParams, "Invalid params: arguments must be an object", {{"field", "arguments"}}};
    arguments = *it;
  }
  // The interview's tools are found without copying the list (measured: copying every schema on
  // each call cost about a tenth of a maturity call); plugin tools are named "<agent>.<action>".
  auto tool = std::find_if(interview_tools_.begin(), interview_tools_.end(), [&](const Tool& t) { return t.name == name; });
  std::vector<Tool> plugin_tools;
  if (tool == interview_tools_.end()) {
    if (name.find('.') != std::string::npos) plugin_tools = tools();
    tool = std::find_if(plugin_tools.begin(), plugin_tools.end(), [&](const Tool& t) { return t.name == name; });
    if (tool == plugin_tools.end()) throw RpcError{rpc::kInvalidParams, "Unknown tool: " + name, {{"field", "name"}}};
  }

  // Only what the input schema names reaches the agent (no user_id or caller_email from a model).
  const auto properties = tool->input_schema.find("properties");
  if (properties != tool->input_schema.end() && properties->is_object()) {
    json accepted = json::object();
    for (const auto& [key, value] : arguments.items())
      if (properties->contains(key)) accepted[key] = value;
    arguments = std::move(accepted);
  }
  const json given = arguments;
  const sdk::Result result = tool->call(orchestrator_, std::move(arguments), caller);
  if (!result.is_ok()) {
    // A tool error, for the model to read and act on: the API's one error shape.
    return {{"content", {{{"type", "text"}, {"text", json({{"error", error_data(result.error())}}).dump()}}}},
            {"isError", true}};
  }
  const json& value = result.value();
  if (tool->changes)
    if (auto project = tool->changes(given, value)) notify_changed(*project);
  json answer = {{"content", {{{"type", "text"}, {"text", tool->text ? tool->text(value) : value.dump()}}}},
                 {"isError", false}};
  if (value.is_object()) answer["structuredContent"] = value;
  return answer;
}

json McpServer::list_resources(const Message& message, const auth::AuthContext& caller) {
  long long offset = 0;
  if (auto it = message.params.find("cursor"); it != message.params.end() && it->is_string()) {
    const std::string& cursor = it->get_ref<const std::string&>();
    if (cursor.empty() || cursor.size() > 9 || !std::all_of(cursor.begin(), cursor.end(), ::isdigit))
      throw RpcError{rpc::kInvalidParams, "Invalid params: unknown cursor", {{"field", "cursor"}}};
    offset = std::stoll(cursor);
  }
  const long long limit = 100;  // two resources per project: 200 a page
  sdk::Result projects = orchestrator_.route(
      "project_manager", "list", {{"limit", limit}, {"offset", offset}, {"caller_email", caller.email}}, caller.caller);
  if (!projects.is_ok())
    throw RpcError{rpc::kInternalError, "Internal error: the projects could not be listed", error_data(projects.error())};
  json resources = json::array();
  const json& page = projects.value();
  for (const auto& project : page.value("items", json::array())) {
    const std::string id = project.value("id", "");
    const std::string name = project.value("name", "");
    resources.push_back({{"uri", specification_uri(id)},
                         {"name", name + " — specification"},
                         {"title", name + " — specification"},
                         {"description", "The current specification document of " + name + " (markdown export)"},
                         {"mimeType", "text/markdown"}});
    resources.push_back({{"uri", maturity_uri(id)},
                         {"name", name + " — maturity"},
                         {"title", name + " — maturity"},
                         {"description", "Maturity score, coverage and phase gate of " + name},
                         {"mimeType", "application/json"}});
  }
  json answer = {{"resources", std::move(resources)}};
  const long long seen = offset + static_cast<long long>(page.value("items", json::array()).size());
  if (seen < page.value("total", 0LL)) answer["nextCursor"] = std::to_string(seen);
  return answer;
}

json McpServer::read_resource(const Message& message, const auth::AuthContext& caller) {
  const std::string uri = params_string(message, "uri").get<std::string>();
  auto ref = parse_uri(uri);
  if (!ref) throw RpcError{rpc::kResourceNotFound, "Resource not found", {{"uri", uri}}};
  const bool document = ref->kind == ResourceKind::kSpecification;
  json params = {{"project_id", ref->project_id}, {"caller_email", caller.email}};
  if (document) params["format"] = "markdown";
  sdk::Result result =
      orchestrator_.route("project_manager", document ? "export" : "maturity", std::move(params), caller.caller);
  if (!result.is_ok()) {
    const std::string& code = result.error().code;
    json data = error_data(result.error());
    data["uri"] = uri;
    if (code == sdk::errc::kProjectNotFound || code == sdk::errc::kNotFound || code == sdk::errc::kValidation)
      throw RpcError{rpc::kResourceNotFound, "Resource not found", std::move(data)};
    throw RpcError{rpc::kInternalError, "Internal error: the resource could not be read", std::move(data)};
  }
  const json& value = result.value();
  return {{"contents",
           {{{"uri", uri},
             {"mimeType", document ? "text/markdown" : "application/json"},
             {"text", document ? value.value("markdown", "") : value.dump()}}}}};
}

json McpServer::subscribe(Session& session, const Message& message, const auth::AuthContext& caller, bool on) {
  const std::string uri = params_string(message, "uri").get<std::string>();
  if (on) {
    // Only what the caller may read: reading it once checks the URI and the membership.
    auto ref = parse_uri(uri);
    if (!ref) throw RpcError{rpc::kResourceNotFound, "Resource not found", {{"uri", uri}}};
    sdk::Result maturity = orchestrator_.route(
        "project_manager", "maturity", {{"project_id", ref->project_id}, {"caller_email", caller.email}}, caller.caller);
    if (!maturity.is_ok()) {
      json data = error_data(maturity.error());
      data["uri"] = uri;
      throw RpcError{rpc::kResourceNotFound, "Resource not found", std::move(data)};
    }
  }
  std::lock_guard<std::mutex> lock(session.mutex);
  if (on) {
    session.subscriptions.insert(uri);
  } else {
    session.subscriptions.erase(uri);
  }
  return json::object();
}

json McpServer::get_prompt(const Message& message) {
  const std::string name = params_string(message, "name").get<std::string>();
  if (name != kInterviewPrompt) throw RpcError{rpc::kInvalidParams, "Unknown prompt: " + name, {{"field", "name"}}};
  const json arguments = message.params.value("arguments", json::object());
  const auto it = arguments.is_object() ? arguments.find("project_id") : arguments.end();
  if (!arguments.is_object() || it == arguments.end() || !it->is_string() ||
      !sdk::validate::is_uuid(it->get<std::string>()))
    throw RpcError{rpc::kInvalidParams, "Invalid params: arguments.project_id must be a project's id (a UUID)",
                   {{"field", "arguments/project_id"}}};
  return {{"description", "A Socratic interview on project " + it->get<std::string>()},
          {"messages", {{{"role", "user"}, {"content", {{"type", "text"}, {"text", interview_prompt(it->get<std::string>())}}}}}}};
}

}  // namespace socrates::host::mcp

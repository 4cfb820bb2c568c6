// The MCP server's dispatcher (host/mcp/mcp_server.hpp) without a transport: hostile messages get
// the JSON-RPC error they deserve, the lifecycle is enforced, and tool calls reach in-process
// stand-ins of the agents through the real orchestrator and its flows, as every transport does.
#include "host/mcp/mcp_server.hpp"
#include "support/scripted_agents.hpp"

#include <socrates/sdk/testing.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace socrates::host::mcp {
namespace {

using nlohmann::json;

constexpr const char* kProject = "5f0c2b1e-8a7d-4c3b-9e21-0d4f6a7b8c9d";
constexpr const char* kSession = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

auth::AuthContext alice() {
  auth::AuthContext context;
  context.caller = sdk::Caller{"0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11", "user", "req-mcp"};
  context.email = "alice@example.com";
  return context;
}

class McpServerTest : public ::testing::Test {
 protected:
  McpServerTest() {
    serve("project_manager",
          {{"maturity", [](const json&) { return sdk::Result::ok({{"score", 40}, {"phase", "discovery"}, {"categories", json::array()}, {"next_phase", nullptr}}); }},
           {"export", [](const json& p) { return sdk::Result::ok({{"format", p.value("format", "markdown")}, {"markdown", "# Spec"}}); }},
           {"advance", [](const json&) { return sdk::Result::fail(sdk::errc::kPhaseGate, "not yet", {{"blockers", {"coverage"}}}); }}});
    serve("context", {{"record_answer", [](const json&) {
                         return sdk::Result::ok({{"specifications", {{{"id", "s1"}, {"project_id", kProject}}}},
                                                 {"conflicts", json::array()},
                                                 {"open_items", json::array()},
                                                 {"maturity", {{"score", 45}, {"delta", 5}}}});
                       }}});
    serve("socratic", {{"next_question", [](const json& p) {
                          return sdk::Result::ok({{"id", "q2"}, {"session_id", p.value("session_id", "")}, {"project_id", kProject},
                                                  {"text", "Who uses it?"}, {"category", "users"}});
                        }}});
  }

  void serve(const std::string& id, std::map<std::string, test::Script> scripts) {
    agents_.serve(id, std::move(scripts));
  }

  // The text as one message of `session`: the parse error, or what handle() answers.
  std::optional<json> send(Session& session, const std::string& text) {
    auto parsed = McpServer::parse(text);
    if (auto* refused = std::get_if<json>(&parsed)) return *refused;
    return server_.handle(session, std::get<Message>(parsed), alice());
  }
  json request(Session& session, const std::string& method, json params = json::object()) {
    return *send(session, json({{"jsonrpc", "2.0"}, {"id", ++next_id_}, {"method", method}, {"params", params}}).dump());
  }
  std::shared_ptr<Session> initialized() {
    auto session = server_.open_session(alice().caller.user_id);
    request(*session, "initialize", {{"protocolVersion", kLatestProtocolVersion}, {"capabilities", json::object()},
                                     {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    return session;
  }
  static int error_code(const json& reply) { return reply.at("error").at("code").get<int>(); }

  test::ScriptedAgents agents_;
  std::vector<test::Call>& calls_ = agents_.calls;
  sdk::testing::FakeServices& services_ = agents_.services;
  McpServer server_{agents_.orchestrator, "test"};
  int next_id_ = 0;
};

TEST_F(McpServerTest, HostileMessagesGetJsonRpcErrors) {
  auto session = initialized();
  struct Case {
    std::string text;
    int code;
  };
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  const std::vector<Case> cases = {
      {"{not json", rpc::kParseError},
      {"", rpc::kParseError},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":" + deep + "}", rpc::kParseError},
      {"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", rpc::kInvalidRequest},
      {"42", rpc::kInvalidRequest},
      {"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", rpc::kInvalidRequest},
      {"{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}", rpc::kInvalidRequest},
      {"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", rpc::kInvalidRequest},
      {"{\"jsonrpc\":\"2.0\",\"id\":1}", rpc::kInvalidRequest},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", rpc::kInvalidRequest},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"pi\\u0000ng\"}", rpc::kInvalidRequest},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[1]}", rpc::kInvalidParams},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"no/such\"}", rpc::kMethodNotFound},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}", rpc::kInvalidParams},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":7}}", rpc::kInvalidParams},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"maturity\",\"arguments\":[]}}",
       rpc::kInvalidParams},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///etc/passwd\"}}",
       rpc::kResourceNotFound},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{\"name\":\"socratic_interview\"}}",
       rpc::kInvalidParams},
  };
  for (const auto& c : cases) {
    auto reply = send(*session, c.text);
    ASSERT_TRUE(reply.has_value()) << c.text;
    EXPECT_EQ(reply->value("jsonrpc", ""), "2.0") << c.text;
    ASSERT_TRUE(reply->contains("error")) << c.text << " -> " << reply->dump();
    EXPECT_EQ(error_code(*reply), c.code) << c.text << " -> " << reply->dump();
  }
  EXPECT_TRUE(calls_.empty()) << "no hostile message reached an agent";
}

TEST_F(McpServerTest, NulInParamsIsInvalidParamsNamingTheField) {
  auto session = initialized();
  auto reply = send(*session, R"({"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"answer","arguments":{"answer":"x\u0000y"}}})");
  ASSERT_TRUE(reply);
  EXPECT_EQ(error_code(*reply), rpc::kInvalidParams);
  EXPECT_EQ(reply->at("id"), "a") << "the id is echoed when it was readable";
  EXPECT_EQ(reply->at("error").at("data").at("field"), "arguments/answer");
}

TEST_F(McpServerTest, NotificationsAndResponsesGetNoAnswer) {
  auto session = initialized();
  EXPECT_FALSE(send(*session, R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
  EXPECT_FALSE(send(*session, R"({"jsonrpc":"2.0","method":"notifications/whatever"})"));
  EXPECT_FALSE(send(*session, R"({"jsonrpc":"2.0","id":9,"result":{}})"));
}

TEST_F(McpServerTest, LifecycleNegotiatesTheVersionAndRefusesWorkBeforeInitialize) {
  auto session = server_.open_session(alice().caller.user_id);
  EXPECT_EQ(error_code(request(*session, "tools/list")), rpc::kInvalidRequest);
  EXPECT_TRUE(request(*session, "ping").contains("result")) << "ping is allowed before initialize";
  EXPECT_EQ(error_code(request(*session, "initialize", {{"capabilities", json::object()}})), rpc::kInvalidParams);

  auto reply = request(*session, "initialize", {{"protocolVersion", "2025-06-18"}});
  EXPECT_EQ(reply["result"]["protocolVersion"], "2025-06-18") << "a revision we speak is kept";
  EXPECT_TRUE(reply["result"]["capabilities"]["resources"]["subscribe"].get<bool>());
  EXPECT_EQ(error_code(request(*session, "initialize", {{"protocolVersion", "2025-06-18"}})), rpc::kInvalidRequest);

  auto other = server_.open_session(alice().caller.user_id);
  EXPECT_EQ(request(*other, "initialize", {{"protocolVersion", "1999-01-01"}})["result"]["protocolVersion"],
            kLatestProtocolVersion)
      << "an unknown revision is answered with ours";
}

TEST_F(McpServerTest, ListsTheInterviewToolsWithSchemas) {
  auto session = initialized();
  auto tools = request(*session, "tools/list")["result"]["tools"];
  std::vector<std::string> names;
  for (const auto& tool : tools) {
    names.push_back(tool["name"]);
    EXPECT_EQ(tool["inputSchema"]["type"], "object") << tool["name"];
    EXPECT_EQ(tool["outputSchema"]["type"], "object") << tool["name"];
    EXPECT_GT(tool["description"].get<std::string>().size(), 40u) << tool["name"];
  }
  EXPECT_EQ(names, (std::vector<std::string>{"list_projects", "create_project", "start_session", "next_question", "answer",
                                             "send_message", "specifications", "maturity", "conflicts",
                                             "resolve_conflict", "advance_phase", "export"}));
}

TEST_F(McpServerTest, ToolCallsRunTheActionWithTheCallerAndOnlyDeclaredArguments) {
  auto session = initialized();
  auto reply = request(*session, "tools/call",
                       {{"name", "maturity"}, {"arguments", {{"project_id", kProject}, {"user_id", "someone-else"}}}});
  EXPECT_FALSE(reply["result"]["isError"].get<bool>());
  EXPECT_EQ(reply["result"]["structuredContent"]["score"], 40);
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_EQ(calls_[0].name, "project_manager/maturity");
  EXPECT_EQ(calls_[0].params, (json{{"project_id", kProject}, {"caller_email", "alice@example.com"}}))
      << "undeclared arguments never reach the agent; the caller's email is the token's";

  auto document = request(*session, "tools/call", {{"name", "export"}, {"arguments", {{"project_id", kProject}}}});
  EXPECT_EQ(document["result"]["content"][0]["text"], "# Spec") << "a markdown export is the text itself";
}

TEST_F(McpServerTest, AnAgentErrorIsAToolErrorCarryingTheApiCode) {
  auto session = initialized();
  auto reply = request(*session, "tools/call", {{"name", "advance_phase"}, {"arguments", {{"project_id", kProject}}}});
  ASSERT_TRUE(reply.contains("result")) << reply.dump();
  EXPECT_TRUE(reply["result"]["isError"].get<bool>());
  EXPECT_FALSE(reply["result"].contains("structuredContent"));
  auto error = json::parse(reply["result"]["content"][0]["text"].get<std::string>());
  EXPECT_EQ(error["error"]["code"], "PHASE_GATE");
  EXPECT_EQ(error["error"]["details"]["blockers"], json({"coverage"}));
}

TEST_F(McpServerTest, AnAnswerRunsTheFlowAndNotifiesSubscribersOfItsProject) {
  auto watcher = initialized();
  auto bystander = initialized();
  const std::string uri = std::string("socrates://projects/") + kProject + "/specification.md";
  EXPECT_TRUE(request(*watcher, "resources/subscribe", {{"uri", uri}}).contains("result"));

  auto session = initialized();
  auto reply = request(*session, "tools/call",
                       {{"name", "answer"}, {"arguments", {{"session_id", kSession}, {"answer", "Nurses on night shifts"}}}});
  EXPECT_EQ(reply["result"]["structuredContent"]["next_question"]["text"], "Who uses it?");
  std::vector<std::string> names;
  for (const auto& call : calls_) names.push_back(call.name);
  EXPECT_EQ(names, (std::vector<std::string>{"project_manager/maturity", "context/record_answer", "socratic/next_question"}))
      << "subscribe checked access; the answer is the orchestrator's flow";

  auto notes = server_.take_notifications(*watcher);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], (json{{"jsonrpc", "2.0"}, {"method", "notifications/resources/updated"}, {"params", {{"uri", uri}}}}));
  EXPECT_TRUE(server_.take_notifications(*watcher).empty()) << "taken once";
  EXPECT_TRUE(server_.take_notifications(*bystander).empty()) << "only subscribers are told";
}

TEST_F(McpServerTest, ReadsResourcesAndThePrompt) {
  auto session = initialized();
  auto read = request(*session, "resources/read", {{"uri", std::string("socrates://projects/") + kProject + "/maturity"}});
  EXPECT_EQ(read["result"]["contents"][0]["mimeType"], "application/json");
  EXPECT_EQ(json::parse(read["result"]["contents"][0]["text"].get<std::string>())["score"], 40);

  auto prompt = request(*session, "prompts/get", {{"name", "socratic_interview"}, {"arguments", {{"project_id", kProject}}}});
  const std::string text = prompt["result"]["messages"][0]["content"]["text"];
  EXPECT_NE(text.find(kProject), std::string::npos);
  EXPECT_NE(text.find("one question at a time"), std::string::npos);
}

// An agent with one action declared a tool and one not.
class ToolAgent final : public sdk::BaseAgent {
 public:
  ToolAgent() : BaseAgent(sdk::AgentInfo{"helper", "helper", "1.0.0"}) {
    register_action("shout", [](const sdk::Request& r, sdk::Services&) { return sdk::Result::ok(r.params); },
                    sdk::ToolSpec{"Shouts the text back.", {{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}}});
    register_action("hidden", [](const sdk::Request& r, sdk::Services&) { return sdk::Result::ok(r.params); });
  }
};

TEST_F(McpServerTest, PluginActionsDeclaredToolsAreListed) {
  {
    AgentRegistry registry;
    Orchestrator orchestrator{registry, services_};
    McpServer server{orchestrator, "test"};
    LoadedPlugin plugin;
    plugin.info.agent_id = "helper";
    plugin.info.abi_major = SOCRATES_ABI_VERSION_MAJOR;
    plugin.info.abi_minor = SOCRATES_ABI_VERSION_MINOR;
    plugin.agent = test::in_process(std::make_unique<ToolAgent>());
    registry.add(std::move(plugin));
    std::vector<std::string> names;
    for (const auto& tool : server.tools()) names.push_back(tool.name);
    EXPECT_NE(std::find(names.begin(), names.end(), "helper.shout"), names.end());
    EXPECT_EQ(std::find(names.begin(), names.end(), "helper.hidden"), names.end());
    auto session = server.open_session(alice().caller.user_id);
    auto init = McpServer::parse(json({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", {{"protocolVersion", kLatestProtocolVersion}}}}).dump());
    server.handle(*session, std::get<Message>(init), alice());
    auto call = McpServer::parse(json({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/call"},
                                       {"params", {{"name", "helper.shout"}, {"arguments", {{"text", "hi"}, {"other", 1}}}}}}).dump());
    auto reply = server.handle(*session, std::get<Message>(call), alice());
    EXPECT_EQ((*reply)["result"]["structuredContent"],
              (json{{"text", "hi"}, {"user_id", alice().caller.user_id}, {"caller_email", "alice@example.com"}}));
  }
}

TEST_F(McpServerTest, SessionsBelongToTheirAccount) {
  auto session = server_.open_session("user-a");
  EXPECT_EQ(server_.find_session(session->id, "user-a"), session);
  EXPECT_EQ(server_.find_session(session->id, "user-b"), nullptr);
  EXPECT_FALSE(server_.close_session(session->id, "user-b"));
  EXPECT_TRUE(server_.close_session(session->id, "user-a"));
  EXPECT_EQ(server_.find_session(session->id, "user-a"), nullptr);
}

}  // namespace
}  // namespace socrates::host::mcp

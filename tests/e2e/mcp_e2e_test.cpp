// The MCP server against the real host: personal access tokens (create, list, revoke, and what
// they are refused for), /mcp over Streamable HTTP with hostile input, and the official MCP
// TypeScript SDK's client (tests/mcp/mcp_client_test.mjs, run with node) driving both transports
// through a whole interview.
#include "e2e/host_suite.hpp"

#include <cstdio>
#include <fstream>

namespace socrates::test::e2e {
namespace {

using nlohmann::json;

class McpE2eTest : public HostSuite {
 protected:
  McpE2eTest() : HostSuite("mcp") {}

  // The real agents, and a fixture agent that declares one of its actions an MCP tool (SDK 1.4).
  static void SetUpTestSuite() {
    host_ = new HostUnderTest({{"PLUGINS", bundled_plugins_and("fixture_tools")}});
  }

  // A POST of `body` (text) to /mcp with `token`, `headers` added.
  Response mcp(const std::string& body, const std::string& token, Headers headers = {}) const {
    headers.emplace("content-type", "application/json");
    headers.emplace("accept", "application/json, text/event-stream");
    return client().request("POST", "/mcp", body, bearer(token, headers));
  }
  // An initialized MCP session of the caller: its id.
  std::string session(const std::string& token) const {
    const auto reply = mcp(json({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
                                 {"params", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()},
                                             {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}}}})
                               .dump(),
                           token);
    EXPECT_EQ(reply.status, 200) << describe(reply);
    EXPECT_EQ(reply.json()["result"]["protocolVersion"], "2025-06-18");
    return reply.header("mcp-session-id").value_or("");
  }
  json personal_token(const std::string& name) const { return made("POST", "/api/v1/auth/tokens", {{"name", name}}); }
};

TEST_F(McpE2eTest, PersonalAccessTokensAreShownOnceListedWithoutSecretAndRevoked) {
  const auto created = call("POST", "/api/v1/auth/tokens", {{"name", "laptop"}, {"expires_in_days", 30}});
  ASSERT_EQ(created.status, 201) << describe(created);
  EXPECT_EQ(created.header("cache-control").value_or(""), "no-store");
  const json token = created.json();
  EXPECT_TRUE(is_lower_uuid(token["id"]));
  EXPECT_EQ(token["name"], "laptop");
  EXPECT_EQ(token["token"].get<std::string>().rfind("socpat_", 0), 0u);
  EXPECT_TRUE(is_rfc3339_utc(token["expires_at"]));
  EXPECT_TRUE(token["last_used_at"].is_null());
  personal_token("desktop");

  const json list = made("GET", "/api/v1/auth/tokens");
  EXPECT_EQ(list["total"], 2);
  ASSERT_EQ(list["items"].size(), 2u);
  EXPECT_EQ(list["items"][0]["name"], "desktop") << "newest first";
  for (const auto& item : list["items"]) EXPECT_FALSE(item.contains("token")) << "the secret is shown once";

  EXPECT_EQ(call("DELETE", "/api/v1/auth/tokens/" + token["id"].get<std::string>()).status, 204);
  EXPECT_TRUE(IsApiError(call("DELETE", "/api/v1/auth/tokens/" + token["id"].get<std::string>()), 404, "NOT_FOUND"));
  EXPECT_TRUE(IsApiError(call("DELETE", "/api/v1/auth/tokens/not-a-uuid"), 400, "VALIDATION_ERROR"));
  EXPECT_EQ(made("GET", "/api/v1/auth/tokens")["total"], 1);
  EXPECT_TRUE(IsApiError(call("POST", "/api/v1/auth/tokens", {{"name", ""}}), 400, "VALIDATION_ERROR"));

  // Another account neither sees nor revokes them.
  const auto stranger = new_user(client(), "mcp-stranger");
  EXPECT_EQ(client().get("/api/v1/auth/tokens", stranger.access_token).json()["total"], 0);
  const std::string desktop = list["items"][0]["id"];
  EXPECT_TRUE(IsApiError(client().del("/api/v1/auth/tokens/" + desktop, stranger.access_token), 404, "NOT_FOUND"));
}

TEST_F(McpE2eTest, APersonalAccessTokenIsForTheMcpServerOnly) {
  const std::string pat = personal_token("assistant")["token"];
  const auto refused = client().get("/api/v1/projects", pat);
  EXPECT_TRUE(IsApiError(refused, 401, "UNAUTHENTICATED"));
  EXPECT_EQ(refused.header("www-authenticate").value_or(""), "Bearer");
  EXPECT_TRUE(IsApiError(client().post("/api/v1/auth/tokens", {{"name", "more"}}, pat), 401, "UNAUTHENTICATED"))
      << "a personal access token cannot mint others";

  const std::string id = session(pat);
  EXPECT_FALSE(id.empty());
  const auto listed = mcp(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_projects"}})", pat,
                          {{"mcp-session-id", id}, {"mcp-protocol-version", "2025-06-18"}});
  ASSERT_EQ(listed.status, 200) << describe(listed);
  EXPECT_EQ(listed.json()["result"]["isError"], false) << listed.body;
  EXPECT_FALSE(made("GET", "/api/v1/auth/tokens")["items"][0]["last_used_at"].is_null()) << "its use is recorded";
}

TEST_F(McpE2eTest, McpRefusesAMissingOrBadTokenAsRestDoes) {
  const std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  for (const std::string& token : {std::string(), std::string("not-a-token"), std::string("socpat_forged")}) {
    const auto refused = mcp(ping, token);
    EXPECT_TRUE(IsApiError(refused, 401, "UNAUTHENTICATED")) << "token '" << token << "'";
    EXPECT_EQ(refused.header("www-authenticate").value_or(""), "Bearer");
  }
  const std::string pat = personal_token("soon revoked")["token"];
  const std::string id = session(pat);
  const std::string pat_id = made("GET", "/api/v1/auth/tokens")["items"][0]["id"];
  EXPECT_EQ(call("DELETE", "/api/v1/auth/tokens/" + pat_id).status, 204);
  EXPECT_TRUE(IsApiError(mcp(ping, pat, {{"mcp-session-id", id}}), 401, "UNAUTHENTICATED")) << "revoked at once";
}

TEST_F(McpE2eTest, HttpTransportRefusesHostileAndOutOfProtocolRequests) {
  const std::string id = session(token());
  const Headers in_session = {{"mcp-session-id", id}};
  auto rpc_error = [](const Response& response) { return response.json()["error"]["code"].get<int>(); };

  const auto parse = mcp("{\"jsonrpc\":", token(), in_session);
  EXPECT_EQ(parse.status, 400);
  EXPECT_EQ(rpc_error(parse), -32700);
  const auto deep = mcp("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"a\":" + std::string(80, '[') +
                            std::string(80, ']') + "}}",
                        token(), in_session);
  EXPECT_EQ(rpc_error(deep), -32700);
  EXPECT_EQ(rpc_error(mcp(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])", token(), in_session)), -32600);
  const auto nul = mcp(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a\u0000b"}})", token(), in_session);
  EXPECT_EQ(rpc_error(nul), -32602);
  EXPECT_EQ(nul.json()["error"]["data"]["field"], "name");
  EXPECT_EQ(rpc_error(mcp(R"({"jsonrpc":"2.0","id":1,"method":"no/such"})", token(), in_session)), -32601);

  // Sessions: required after initialize, unknown ones 404, another account's look unknown.
  const std::string ping = R"({"jsonrpc":"2.0","id":3,"method":"ping"})";
  EXPECT_EQ(mcp(ping, token(), in_session).status, 200);
  EXPECT_EQ(mcp(ping, token()).status, 400);
  EXPECT_EQ(rpc_error(mcp(ping, token(), {{"mcp-session-id", "nope"}})), -32001);
  EXPECT_EQ(mcp(ping, token(), {{"mcp-session-id", "nope"}}).status, 404);
  const auto stranger = new_user(client(), "mcp-other");
  EXPECT_EQ(mcp(ping, stranger.access_token, in_session).status, 404);
  EXPECT_EQ(mcp(ping, token(), {{"mcp-session-id", id}, {"mcp-protocol-version", "1999-01-01"}}).status, 400);
  const auto note = mcp(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", token(), in_session);
  EXPECT_EQ(note.status, 202);
  EXPECT_TRUE(note.body.empty());

  // HTTP-level rules are REST's: JSON only, GET has no stream (405), DELETE ends the session.
  EXPECT_TRUE(IsApiError(client().request("POST", "/mcp", ping, bearer(token(), {{"content-type", "text/plain"}})), 415,
                         "UNSUPPORTED_MEDIA_TYPE"));
  const auto get = client().request("GET", "/mcp", "", bearer(token(), {{"accept", "text/event-stream"}}));
  EXPECT_TRUE(IsApiError(get, 405, "METHOD_NOT_ALLOWED"));
  EXPECT_EQ(client().request("DELETE", "/mcp", "", bearer(token(), in_session)).status, 204);
  EXPECT_EQ(mcp(ping, token(), in_session).status, 404) << "an ended session is unknown";
}

TEST_F(McpE2eTest, AToolCallThatChangesASubscribedResourceAnswersAsAnEventStream) {
  const std::string id = session(token());
  const Headers in_session = {{"mcp-session-id", id}};
  const std::string project = new_project({{"name", "Stream check"}});
  const std::string session_id = made("POST", "/api/v1/projects/" + project + "/sessions")["id"];
  made("POST", "/api/v1/sessions/" + session_id + "/next-question");
  const std::string uri = "socrates://projects/" + project + "/maturity";
  EXPECT_EQ(mcp(json({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "resources/subscribe"}, {"params", {{"uri", uri}}}}).dump(),
                token(), in_session)
                .status,
            200);
  const json answer = {{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tools/call"},
                       {"params", {{"name", "answer"}, {"arguments", {{"session_id", session_id},
                                                                      {"answer", "Clinic staff must see every booking of the day in one list."}}}}}};
  const auto streamed = mcp(answer.dump(), token(), in_session);
  ASSERT_EQ(streamed.status, 200) << describe(streamed);
  EXPECT_EQ(streamed.header("content-type").value_or("").rfind("text/event-stream", 0), 0u) << describe(streamed);
  const auto first = streamed.body.find("notifications/resources/updated");
  const auto result = streamed.body.find("\"id\":3");
  EXPECT_NE(first, std::string::npos) << streamed.body;
  EXPECT_LT(first, result) << "the notification comes before the result";
}

TEST_F(McpE2eTest, APluginActionDeclaredAToolIsListedAndCalledThroughTheOrchestrator) {
  const std::string id = session(token());
  const Headers in_session = {{"mcp-session-id", id}};
  const auto listed = mcp(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", token(), in_session).json();
  json tool;
  for (const auto& each : listed["result"]["tools"])
    if (each["name"] == "fixture_tools.word_count") tool = each;
  ASSERT_TRUE(tool.is_object()) << listed.dump();
  EXPECT_EQ(tool["inputSchema"]["required"], json({"text"}));
  EXPECT_NE(tool["description"].get<std::string>().find("Counts the words"), std::string::npos);
  for (const auto& each : listed["result"]["tools"]) EXPECT_NE(each["name"], "fixture_tools.tally") << "not declared a tool";

  const json call_tool = {{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tools/call"},
                          {"params", {{"name", "fixture_tools.word_count"},
                                      {"arguments", {{"text", "one two three"}, {"user_id", "forged"}}}}}};
  const auto called = mcp(call_tool.dump(), token(), in_session).json();
  const json value = called["result"]["structuredContent"];
  EXPECT_EQ(value["words"], 3) << called.dump();
  EXPECT_EQ(value["caller"], user_.id) << "the caller is the token's";
  EXPECT_EQ(value["params"]["user_id"], user_.id) << "a model cannot speak for someone else";
  const auto tally = mcp(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"fixture_tools.tally"}})",
                         token(), in_session).json();
  EXPECT_EQ(tally["error"]["code"], -32602) << tally.dump();
}

// The official client, over both transports, through a whole interview (tests/mcp/mcp_client_test.mjs).
TEST_F(McpE2eTest, SdkClientDrivesBothTransports) {
  const std::string env_file = ::testing::TempDir() + "socrates-mcp-env-" + random_suffix() + ".json";
  {
    json env = json::object();
    for (const auto& [name, value] : host_->env)
      if (name != "PORT" && name != "PLUGIN_COPY_DIR") env[name] = value;
    std::ofstream(env_file) << env.dump();
  }
  const std::string command = "SOCRATES_BASE_URL='" + host_->process->base_url() + "' SOCRATES_HOST_BINARY='" +
                              SOCRATES_HOST_BINARY + "' SOCRATES_STDIO_ENV='" + env_file + "' node '" +
                              SOCRATES_SOURCE_DIR + "/tests/mcp/mcp_client_test.mjs' 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr) << "cannot run node";
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  std::remove(env_file.c_str());
  EXPECT_EQ(status, 0) << output << "\nhost stderr:\n" << host_->process->stderr_text();
  EXPECT_NE(output.find("both transports passed"), std::string::npos) << output;
}

}  // namespace
}  // namespace socrates::test::e2e

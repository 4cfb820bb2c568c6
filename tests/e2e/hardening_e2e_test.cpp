// Hostile input against the real socrates-host over HTTP: every route of the router's table refuses
// deep JSON, NUL characters and non-JSON bodies in the one error shape; oversized heads, stalled
// requests, pipelined requests, too many connections and a full worker queue are each answered
// the documented way, and the host keeps serving; so is every request of clients that close each
// connection at once.
#include "e2e/e2e_helpers.hpp"
#include "e2e/route_table.hpp"

#include <sched.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <thread>

namespace socrates::test::e2e {
namespace {

using nlohmann::json;

constexpr auto kWait = std::chrono::seconds(20);  // only catches hangs

// The routes that read no body (they ignore one). Every other route reads a JSON body; a route
// added to the table lands in that group unless it is named here.
const std::set<std::string> kNoBody = {
    "GET /health",
    "GET /",
    "HEAD /",
    "GET /web/{file}",
    "HEAD /web/{file}",
    "GET /openapi.json",
    "HEAD /openapi.json",
    "GET /docs",
    "HEAD /docs",
    "GET /docs/redoc.standalone.js",
    "HEAD /docs/redoc.standalone.js",
    "GET /health/live",
    "GET /health/ready",
    "GET /metrics",
    "GET /api/v1/admin/health",
    "GET /api/v1/admin/stats",
    "GET /api/v1/admin/agents",
    "POST /api/v1/auth/logout",
    "GET /api/v1/auth/me",
    "GET /api/v1/projects",
    "GET /api/v1/projects/{project_id}",
    "DELETE /api/v1/projects/{project_id}",
    "POST /api/v1/projects/{project_id}/restore",
    "GET /api/v1/projects/{project_id}/sessions",
    "GET /api/v1/sessions/{session_id}",
    "POST /api/v1/sessions/{session_id}/pause",
    "POST /api/v1/sessions/{session_id}/resume",
    "POST /api/v1/sessions/{session_id}/end",
    "GET /api/v1/sessions/{session_id}/history",
    "POST /api/v1/sessions/{session_id}/next-question",
    "GET /api/v1/projects/{project_id}/specifications",
    "DELETE /api/v1/specifications/{specification_id}",
    "GET /api/v1/projects/{project_id}/conflicts",
    "GET /api/v1/conflicts/{conflict_id}",
    "GET /api/v1/projects/{project_id}/maturity",
    "POST /api/v1/projects/{project_id}/advance",
    "GET /api/v1/categories",
    "GET /api/v1/projects/{project_id}/export",
    "GET /api/v1/projects/{project_id}/clarity",
    "GET /api/v1/projects/{project_id}/open-items",
    "GET /api/v1/projects/{project_id}/requirements",
    "POST /api/v1/projects/{project_id}/requirements/reword",
    "GET /api/v1/projects/{project_id}/baselines",
    "GET /api/v1/projects/{project_id}/baselines/{number}",
    "GET /api/v1/projects/{project_id}/baselines/{number}/diff",
    "GET /api/v1/projects/{project_id}/plans",
    "GET /api/v1/projects/{project_id}/plans/{kind}",
    "POST /api/v1/projects/{project_id}/plans/{kind}/regenerate",
    "GET /api/v1/projects/{project_id}/members",
    "DELETE /api/v1/projects/{project_id}/members/{member_id}",
    "POST /api/v1/projects/{project_id}/leave",
    "GET /api/v1/projects/{project_id}/invitations",
    "DELETE /api/v1/projects/{project_id}/invitations/{invitation_id}",
    "GET /api/v1/auth/tokens",
    "DELETE /api/v1/auth/tokens/{token_id}",
    "DELETE /mcp",
};

// Routes that read a JSON-RPC body (docs/mcp.md): the same input is refused there too, with
// JSON-RPC errors instead of the API's error shape (McpEndpointRefusesTheSameBodiesInJsonRpc).
const std::set<std::string> kJsonRpc = {"POST /mcp"};

class HardeningE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    host_ = new HostUnderTest(EnvMap{{"HTTP_HEADER_TIMEOUT_S", "2"},
                                     {"HTTP_BODY_TIMEOUT_S", "2"},
                                     {"HTTP_KEEPALIVE_TIMEOUT_S", "2"},
                                     {"CORS_ORIGINS", "*"}});
    if (!host_->start_error.empty()) return;
    try {
      table_ = route_table(host_->env);
      const auto client = host_->client();
      user_ = new_user(client);
      admin_ = make_admin(client, host_->env);
      // One of everything a route's path can name.
      const auto project = client.post("/api/v1/projects", {{"name", "Hardening"}}, user_.access_token).json();
      ids_["project_id"] = project.value("id", "");
      const auto session =
          client.post("/api/v1/projects/" + ids_["project_id"] + "/sessions", json::object(), user_.access_token).json();
      ids_["session_id"] = session.value("id", "");
      const std::string specs = "/api/v1/projects/" + ids_["project_id"] + "/specifications";
      const auto spec = client.post(specs, {{"category", "tech_stack"}, {"key", "backend_language"}, {"value", "Python"}},
                                    user_.access_token).json();
      ids_["specification_id"] = spec.value("id", "");
      const auto conflict = client.post(specs, {{"category", "tech_stack"}, {"key", "backend_language"}, {"value", "Go"}},
                                        user_.access_token).json();
      ids_["conflict_id"] = conflict["error"]["details"]["conflict"].value("id", "");
      const std::string turn = "/api/v1/sessions/" + ids_["session_id"];
      client.post(turn + "/next-question", json::object(), user_.access_token);
      const auto unsure = client.post(turn + "/answer", {{"answer", "I don't know"}}, user_.access_token).json();
      ids_["open_item_id"] = unsure["open_items"].empty() ? "" : unsure["open_items"][0].value("id", "");
      ids_["member_id"] = user_.id;
      const auto invitation = client.post("/api/v1/projects/" + ids_["project_id"] + "/invitations",
                                          {{"email", "invited@example.com"}}, user_.access_token).json();
      ids_["invitation_id"] = invitation.value("id", "");
      ids_["agent"] = "project_manager";
      ids_["action"] = "categories";
      ids_["id"] = "project_manager";
    } catch (const std::exception& e) {
      host_->start_error = std::string("suite set-up failed: ") + e.what();
    }
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override {
    expect_host_started(host_);
    for (const auto& [name, id] : ids_) ASSERT_FALSE(id.empty()) << name << " was not created";
    ASSERT_GE(table_.size(), 40u) << "the route table looks incomplete";
  }
  void TearDown() override { expect_host_alive(host_); }

  static std::string path_of(const std::string& pattern) {
    std::string path = pattern;
    for (const auto& [name, id] : ids_) {
      const std::string placeholder = "{" + name + "}";
      for (auto at = path.find(placeholder); at != std::string::npos; at = path.find(placeholder))
        path.replace(at, placeholder.size(), id);
    }
    return path;
  }
  static Headers auth_for(const std::string& pattern, Headers others = {}) {
    const bool admin = pattern.rfind("/api/v1/admin/", 0) == 0;
    return bearer(admin ? admin_.access_token : user_.access_token, std::move(others));
  }
  static std::vector<std::pair<std::string, std::string>> body_routes() {
    std::vector<std::pair<std::string, std::string>> routes;
    for (const auto& [method, pattern] : table_)
      if (!kNoBody.count(method + " " + pattern) && !kJsonRpc.count(method + " " + pattern))
        routes.emplace_back(method, pattern);
    return routes;
  }

  static HostUnderTest* host_;
  static std::vector<std::pair<std::string, std::string>> table_;
  static std::map<std::string, std::string> ids_;
  static TestUser user_;
  static TestUser admin_;
};

HostUnderTest* HardeningE2eTest::host_ = nullptr;
std::vector<std::pair<std::string, std::string>> HardeningE2eTest::table_;
std::map<std::string, std::string> HardeningE2eTest::ids_;
TestUser HardeningE2eTest::user_;
TestUser HardeningE2eTest::admin_;

TEST_F(HardeningE2eTest, EveryRouteOfTheTableIsCoveredByOneGroupOrTheOther) {
  std::set<std::string> served;
  for (const auto& [method, pattern] : table_) served.insert(method + " " + pattern);
  for (const auto& name : kNoBody) EXPECT_TRUE(served.count(name)) << name << " is listed but not served";
  EXPECT_GE(body_routes().size(), 15u);
}

// docs/api.md is the contract: its route tables (one row per route, "| `METHOD /path...` |") name
// exactly the routes the router serves, both ways. Capture names may differ ({id} in the docs,
// {project_id} in the table), and the query part of a row is not part of the route.
TEST_F(HardeningE2eTest, TheContractListsExactlyTheRoutesTheRouterServes) {
  std::ifstream file(std::filesystem::path(SOCRATES_SOURCE_DIR) / "docs" / "api.md");
  ASSERT_TRUE(file) << "docs/api.md cannot be read";
  const std::regex row(R"(^\| `(GET|HEAD|POST|PUT|PATCH|DELETE) (/[^`?]*))");
  const std::regex capture(R"(\{[^}]*\})");
  std::set<std::string> documented;
  for (std::string line; std::getline(file, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    const bool first = documented.insert(m[1].str() + " " + std::regex_replace(m[2].str(), capture, "{}")).second;
    EXPECT_TRUE(first) << "documented twice: " << line;
  }
  std::set<std::string> served;
  for (const auto& [method, pattern] : table_) served.insert(method + " " + std::regex_replace(pattern, capture, "{}"));
  for (const auto& route : served) EXPECT_EQ(documented.count(route), 1u) << "served but not in docs/api.md: " << route;
  for (const auto& route : documented) EXPECT_EQ(served.count(route), 1u) << "in docs/api.md but not served: " << route;
}

TEST_F(HardeningE2eTest, AHundredThousandDeepBodyIsRefusedOnEveryRouteThatReadsABody) {
  const std::string deep = "{\"answer\":\"x\",\"p\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  for (const auto& [method, pattern] : body_routes()) {
    const auto response = host_->client().request(method, path_of(pattern), deep, auth_for(pattern));
    EXPECT_TRUE(IsValidationError(response, "body")) << method << " " << pattern;
    ASSERT_TRUE(host_->process->alive()) << method << " " << pattern << " took the host down";
  }
}

TEST_F(HardeningE2eTest, ANulCharacterIsRefusedOnEveryRouteThatReadsABody) {
  for (const auto& [method, pattern] : body_routes()) {
    const auto response =
        host_->client().request(method, path_of(pattern), R"({"zzz":"a\u0000b"})", auth_for(pattern));
    EXPECT_TRUE(IsValidationError(response, "zzz")) << method << " " << pattern;
  }
}

TEST_F(HardeningE2eTest, McpEndpointRefusesTheSameBodiesInJsonRpc) {
  for (const auto& route : kJsonRpc) {
    const std::string method = route.substr(0, route.find(' '));
    const std::string path = route.substr(route.find(' ') + 1);
    const std::string deep = "{\"answer\":\"x\",\"p\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
    const auto too_deep = host_->client().request(method, path, deep, auth_for(path));
    EXPECT_EQ(too_deep.status, 400) << describe(too_deep);
    EXPECT_EQ(too_deep.json()["error"]["code"], -32700) << describe(too_deep);
    const auto nul = host_->client().request(method, path, R"({"zzz":"a\u0000b"})", auth_for(path));
    EXPECT_EQ(nul.status, 400) << describe(nul);
    EXPECT_EQ(nul.json()["error"]["data"]["field"], "zzz") << describe(nul);
    EXPECT_TRUE(IsApiError(host_->client().request(method, path, "{}", auth_for(path, {{"Content-Type", "text/plain"}})), 415,
                           "UNSUPPORTED_MEDIA_TYPE"));
  }
  ASSERT_TRUE(host_->process->alive());
}

TEST_F(HardeningE2eTest, ANulCharacterInAQueryParameterIsRefusedOnEveryRoute) {
  for (const auto& [method, pattern] : table_) {
    const auto response = host_->client().request(method, path_of(pattern) + "?zzz=a%00b", "", auth_for(pattern));
    if (method == "HEAD") {  // the refusal's status and headers, never a body
      EXPECT_EQ(response.status, 400) << method << " " << pattern;
      EXPECT_TRUE(response.body.empty()) << method << " " << pattern << ": " << response.body;
    } else {
      EXPECT_TRUE(IsValidationError(response, "zzz")) << method << " " << pattern;
    }
  }
}

TEST_F(HardeningE2eTest, ABodyThatIsNotJsonIsRefusedWith415OnEveryRouteThatReadsABody) {
  for (const auto& [method, pattern] : body_routes()) {
    for (const char* type : {"text/plain", "application/xml"}) {
      const auto response = host_->client().request(method, path_of(pattern), R"({"name":"x"})",
                                                     auth_for(pattern, {{"Content-Type", type}}));
      EXPECT_TRUE(IsApiError(response, 415, "UNSUPPORTED_MEDIA_TYPE")) << method << " " << pattern << " " << type;
    }
  }
}

TEST_F(HardeningE2eTest, ANameWithANulIsNotStoredCutShort) {
  const auto client = host_->client();
  const auto before = client.get("/api/v1/projects?status=all", user_.access_token).json()["total"];
  const auto response = client.request("POST", "/api/v1/projects", R"({"name":"a\u0000b"})", bearer(user_.access_token));
  EXPECT_TRUE(IsValidationError(response, "name"));
  EXPECT_EQ(client.get("/api/v1/projects?status=all", user_.access_token).json()["total"], before);
  // JSON with a media type suffix is JSON.
  const auto suffixed = client.request("POST", "/api/v1/projects", R"({"name":"a b"})",
                                       bearer(user_.access_token, {{"Content-Type", "application/vnd.x+json"}}));
  EXPECT_EQ(suffixed.status, 201) << describe(suffixed);
}

TEST_F(HardeningE2eTest, TheLoginFormIsStillAccepted) {
  const auto response =
      host_->client().request("POST", "/api/v1/auth/login",
                              "username=" + url_encode(user_.email) + "&password=" + url_encode(user_.password),
                              {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(response.status, 200) << describe(response);
  const auto nul = host_->client().request("POST", "/api/v1/auth/login", "username=a%00b&password=x",
                                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_TRUE(IsValidationError(nul, "username"));
}

TEST_F(HardeningE2eTest, AHeadOverTheLimitIs431AndTheConnectionIsClosed) {
  RawConnection connection(host_->process->port(), kWait);
  ASSERT_TRUE(connection.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: big-head\r\nX-Pad: " +
                              std::string(40 * 1024, 'a') + "\r\n\r\n"));
  const std::string answer = connection.read_all();
  ASSERT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer.substr(0, 500);
  const auto body = raw_answer_body(answer);
  EXPECT_EQ(body["error"]["code"], "HEADERS_TOO_LARGE") << answer;
  EXPECT_EQ(body["request_id"], "big-head") << answer;
  EXPECT_NE(answer.find("Connection: Close"), std::string::npos) << answer;
  EXPECT_TRUE(connection.closed()) << "the host must close the connection";
}

TEST_F(HardeningE2eTest, PipelinedRequestsAreAnsweredInOrder) {
  // A slow worker route first, an inline one second, then a bad one: three answers, in order.
  RawConnection connection(host_->process->port(), kWait);
  const std::string auth = "Authorization: Bearer " + user_.access_token + "\r\n";
  ASSERT_TRUE(connection.send("GET /api/v1/projects HTTP/1.1\r\nHost: x\r\nX-Request-Id: pipe-1\r\n" + auth + "\r\n" +
                              "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: pipe-2\r\n\r\n" +
                              "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nX-Request-Id: pipe-3\r\n" + auth +
                              "Content-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n" +
                              "{\"name\":\"\"}"));
  const std::string answer = connection.read_all();
  const auto one = answer.find("X-Request-Id: pipe-1");
  const auto two = answer.find("X-Request-Id: pipe-2");
  const auto three = answer.find("X-Request-Id: pipe-3");
  ASSERT_NE(one, std::string::npos) << answer;
  ASSERT_NE(two, std::string::npos) << answer;
  ASSERT_NE(three, std::string::npos) << answer;
  EXPECT_LT(one, two) << answer;
  EXPECT_LT(two, three) << answer;
  EXPECT_EQ(raw_answer_body(answer, 0)["total"].is_number(), true) << answer;
  EXPECT_EQ(raw_answer_body(answer, 1)["status"], "ok") << answer;
  EXPECT_EQ(raw_answer_body(answer, 2)["error"]["details"]["field"], "name") << answer;
  EXPECT_TRUE(connection.closed()) << "the last request asked to close";
}

TEST_F(HardeningE2eTest, AKeepAliveConnectionServesOneRequestAfterAnother) {
  RawConnection connection(host_->process->port(), kWait);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(connection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    const std::string answer = connection.read_until("{\"status\":\"ok\"}");
    ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << i << ": " << answer;
    EXPECT_NE(answer.find("Connection: Keep-Alive"), std::string::npos) << answer;
  }
  // Idle past HTTP_KEEPALIVE_TIMEOUT_S: the host closes it, without an answer.
  EXPECT_EQ(connection.read_all(), "");
  EXPECT_TRUE(connection.closed());
}

TEST_F(HardeningE2eTest, AHeadThatStallsIs408AndTheConnectionIsClosed) {
  RawConnection connection(host_->process->port(), kWait);
  ASSERT_TRUE(connection.send("GET /health HTTP/1.1\r\nHost: x\r\n"));
  const std::string answer = connection.read_all();
  ASSERT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
  EXPECT_EQ(raw_answer_body(answer)["error"]["code"], "REQUEST_TIMEOUT") << answer;
  EXPECT_TRUE(connection.closed());
}

TEST_F(HardeningE2eTest, ABodyThatStallsIs408AndTheConnectionIsClosed) {
  RawConnection connection(host_->process->port(), kWait);
  ASSERT_TRUE(connection.send("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Content-Length: 100\r\n\r\n{\"email\":"));
  const std::string answer = connection.read_all();
  ASSERT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
  EXPECT_EQ(raw_answer_body(answer)["error"]["code"], "REQUEST_TIMEOUT") << answer;
  EXPECT_TRUE(connection.closed());
}

TEST_F(HardeningE2eTest, AConnectionThatSendsNothingIsClosedWithoutAnAnswer) {
  RawConnection connection(host_->process->port(), kWait);
  EXPECT_EQ(connection.read_all(), "");
  EXPECT_TRUE(connection.closed());
}

TEST_F(HardeningE2eTest, ResponsesCarryNosniff) {
  for (const auto& response : {host_->client().get("/health"), host_->client().get("/api/v1/nope"),
                               host_->client().get("/api/v1/projects", user_.access_token)})
    EXPECT_EQ(response.header("x-content-type-options").value_or(""), "nosniff") << describe(response);
}

TEST_F(HardeningE2eTest, AnyOriginMayReadButCredentialsAreNeverAllowedForIt) {
  const auto response = host_->client().request("GET", "/api/v1/projects", "",
                                                 bearer(user_.access_token, {{"Origin", "http://any.example"}}));
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_EQ(response.header("access-control-allow-origin").value_or(""), "*") << describe(response);
  EXPECT_FALSE(response.header("access-control-allow-credentials").has_value()) << describe(response);
}

TEST_F(HardeningE2eTest, AChunkedBodyArrivingInPiecesIsReadWhole) {
  RawConnection connection(host_->process->port(), kWait);
  const std::string head = "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + user_.access_token +
                           "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  const std::string body = head + "9\r\n{\"name\":\"\r\n7;ext=1\r\nChunked\r\n2\r\n\"}\r\n0\r\n\r\n";
  for (std::size_t at = 0; at < body.size(); at += 7) ASSERT_TRUE(connection.send(body.substr(at, 7)));
  const std::string answer = connection.read_all();
  ASSERT_EQ(answer.rfind("HTTP/1.1 201", 0), 0u) << answer;
  EXPECT_EQ(raw_answer_body(answer)["name"], "Chunked") << answer;
}

TEST_F(HardeningE2eTest, AMalformedChunkIsRefusedAndTheHostKeepsServing) {
  // fuzz/corpus/http/finding-chunked-body-in-pieces-spins: a chunk not followed by CRLF, in pieces.
  // Two of these once stopped every reactor thread.
  const std::string bytes =
      "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n7\r\n{\"name\"\r[\nb\r\n:\"Bookshop\"}\r\n0\r\n\r\n";
  for (int round = 0; round < 3; ++round) {
    RawConnection connection(host_->process->port(), kWait);
    for (std::size_t at = 0; at < bytes.size(); at += 3) connection.send(bytes.substr(at, 3));
    const std::string answer = connection.read_all();
    ASSERT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
    EXPECT_EQ(raw_answer_body(answer)["error"]["code"], "VALIDATION_ERROR") << answer;
    EXPECT_TRUE(connection.closed());
  }
  for (int i = 0; i < 4; ++i) EXPECT_EQ(host_->client().get("/health").status, 200);
}

// A host with room for four connections.
TEST(ConnectionCapE2eTest, OneConnectionOverTheCapIs503AndTheHostServesAgainOnceOthersClose) {
  HostUnderTest host(EnvMap{{"MAX_CONNECTIONS", "4"}});
  ASSERT_TRUE(host.start_error.empty()) << host.start_error;
  std::vector<std::unique_ptr<RawConnection>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(std::make_unique<RawConnection>(host.process->port(), kWait));
    ASSERT_TRUE(open.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(open.back()->read_until("{\"status\":\"ok\"}").rfind("HTTP/1.1 200", 0), 0u) << i;
  }
  RawConnection fifth(host.process->port(), kWait);
  const std::string refused = fifth.read_all();
  ASSERT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_EQ(raw_answer_body(refused)["error"]["code"], "SERVER_BUSY") << refused;
  EXPECT_TRUE(fifth.closed());

  open.clear();  // the four close; the host notices and serves again
  bool served = false;
  for (int attempt = 0; attempt < 100 && !served; ++attempt) {
    served = host.client().get("/health").status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(served);
}

// Clients that ask to close each connection, one new connection after another, as Python's urllib
// does: `Connection: close`, the head and the body in two sends, the answer read to its
// Content-Length and the socket closed at once. Every request is answered. The host once lost one
// answer in a hundred to one in ten this way (the request done, the connection closed without a byte): the
// worker that answered the previous request shut down the write side of that request's fd after
// the reactor had already written the answer, seen the client close and closed the fd, and the
// fd's number then belonged to the next connection. Every thread of the host runs on one core here,
// so that a reactor woken by a worker's answer runs before that worker goes on, as on a busy host.
TEST(ClosingConnectionsE2eTest, EveryRequestOnANewConnectionThatAsksToCloseIsAnswered) {
  HostUnderTest host;
  ASSERT_TRUE(host.start_error.empty()) << host.start_error;
  const auto client = host.client();
  const auto user = new_user(client);

  cpu_set_t ours;
  ASSERT_EQ(::sched_getaffinity(0, sizeof ours, &ours), 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &ours)) {
      CPU_SET(cpu, &one);
      break;
    }
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(host.process->pid()) + "/task"))
    ASSERT_EQ(::sched_setaffinity(std::stoi(task.path().filename().string()), sizeof one, &one), 0) << task.path();

  const std::string body = R"({"name":"Closing"})";
  const std::string head = "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + user.access_token +
                           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\nConnection: close\r\n\r\n";
  // At most 400 requests or 6 s (3 to 5 s measured on 2 shared cores; the old host lost 2 to 5).
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(6);
  int sent = 0;
  int answered = 0;
  std::string unanswered;
  for (; sent < 400 && std::chrono::steady_clock::now() < until; ++sent) {
    RawConnection connection(host.process->port(), kWait);
    ASSERT_TRUE(connection.send(head)) << sent;
    ASSERT_TRUE(connection.send(body)) << sent;
    const std::string answer = connection.read_until("}");  // the answer's end (its JSON body's)
    if (answer.rfind("HTTP/1.1 201", 0) == 0) {
      ++answered;
    } else if (unanswered.size() < 2000) {
      unanswered += "request " + std::to_string(sent) + ": \"" + answer.substr(0, 200) + "\"\n";
    }
  }
  EXPECT_GE(sent, 100) << "too few requests to tell";
  EXPECT_EQ(answered, sent) << unanswered;
  // Each request made its project: every one that was done was answered.
  const auto listed = client.get("/api/v1/projects?limit=1", user.access_token);
  ASSERT_EQ(listed.status, 200) << describe(listed);
  EXPECT_EQ(listed.json()["total"], sent) << describe(listed);
}

// A host with one worker and room for one queued request: a third request at once is 503
// SERVER_BUSY, and once the work drains the host answers again.
TEST(WorkerQueueE2eTest, AFullQueueIs503ServerBusyAndTheHostRecovers) {
  HostUnderTest host(EnvMap{{"WORKERS", "1"}, {"WORKER_QUEUE", "1"}});
  ASSERT_TRUE(host.start_error.empty()) << host.start_error;
  const auto client = host.client();
  const auto user = new_user(client);

  // The one worker is held: it waits for a lock on the projects table that the test holds.
  std::unique_ptr<PGconn, decltype(&PQfinish)> holder(PQconnectdb(host.databases->specs_url().c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(holder.get()), CONNECTION_OK);
  PQclear(PQexec(holder.get(), "BEGIN; LOCK TABLE projects IN ACCESS EXCLUSIVE MODE"));
  auto held = std::async(std::launch::async, [&] { return client.get("/api/v1/projects", user.access_token); });
  bool waiting = false;
  for (int attempt = 0; attempt < 200 && !waiting; ++attempt) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result(
        PQexec(holder.get(), "SELECT count(*) FROM pg_locks WHERE NOT granted"), &PQclear);
    waiting = std::string(PQgetvalue(result.get(), 0, 0)) != "0";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(waiting) << "the first request never reached the database";

  // The queue holds one more; every later one is refused at once.
  std::vector<std::future<Response>> more;
  for (int i = 0; i < 3; ++i)
    more.push_back(std::async(std::launch::async, [&] { return client.get("/api/v1/categories", user.access_token); }));
  // Two of the three are answered at once (refused); the third waits in the queue.
  int busy = 0;
  std::vector<bool> answered(more.size(), false);
  for (int round = 0; round < 400 && busy < 2; ++round) {
    for (std::size_t i = 0; i < more.size(); ++i) {
      if (answered[i] || more[i].wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) continue;
      answered[i] = true;
      const auto response = more[i].get();
      EXPECT_TRUE(IsApiError(response, 503, "SERVER_BUSY"));
      EXPECT_EQ(response.header("retry-after").value_or(""), "1") << describe(response);
      ++busy;
    }
  }
  EXPECT_GE(busy, 2) << "one queued request at most";

  PQclear(PQexec(holder.get(), "COMMIT"));
  EXPECT_EQ(held.get().status, 200);
  for (auto& future : more)
    if (future.valid()) {
      EXPECT_EQ(future.get().status, 200);
    }
  EXPECT_EQ(client.get("/api/v1/categories", user.access_token).status, 200);
}

}  // namespace
}  // namespace socrates::test::e2e

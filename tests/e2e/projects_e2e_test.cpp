// Projects and the generic agent route over real HTTP: the CRUD contract, pagination, filters,
// validation, isolation between users, the body limit, and what a body cannot spoof.
#include "e2e/e2e_helpers.hpp"

#include <algorithm>
#include <cctype>

namespace socrates::test::e2e {
namespace {

class ProjectsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { host_ = new HostUnderTest(); }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override {
    expect_host_started(host_);
    owner_ = new_user(client(), "owner");
  }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }

  nlohmann::json create(const std::string& name, const std::string& token, const std::string& description = "") {
    nlohmann::json body = {{"name", name}};
    if (!description.empty()) body["description"] = description;
    const auto response = client().post("/api/v1/projects", body, token);
    EXPECT_EQ(response.status, 201) << describe(response);
    return response.json();
  }
  nlohmann::json create(const std::string& name) { return create(name, owner_.access_token); }

  Response list(const std::string& query = "") const {
    return client().get("/api/v1/projects" + query, owner_.access_token);
  }

  static std::vector<std::string> names(const nlohmann::json& list_body) {
    std::vector<std::string> out;
    for (const auto& item : list_body["items"]) out.push_back(item["name"]);
    return out;
  }

  static HostUnderTest* host_;
  TestUser owner_;
};

HostUnderTest* ProjectsE2eTest::host_ = nullptr;

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

TEST_F(ProjectsE2eTest, CreateAnswers201WithANewProjectInDiscovery) {
  const auto response =
      client().post("/api/v1/projects", {{"name", "Apollo"}, {"description", "to the moon"}}, owner_.access_token);
  ASSERT_EQ(response.status, 201) << describe(response);
  const auto project = response.json();
  EXPECT_TRUE(is_lower_uuid(project["id"])) << project.dump();
  EXPECT_EQ(project["name"], "Apollo");
  EXPECT_EQ(project["description"], "to the moon");
  EXPECT_EQ(project["owner_id"], owner_.id);
  EXPECT_EQ(project["current_phase"], "discovery");
  EXPECT_EQ(project["maturity_score"], 0);
  EXPECT_EQ(project["status"], "active");
  EXPECT_TRUE(is_rfc3339_utc(project["created_at"])) << project.dump();
  EXPECT_TRUE(is_rfc3339_utc(project["updated_at"])) << project.dump();
}

TEST_F(ProjectsE2eTest, CreateWithoutADescriptionStoresAnEmptyOne) {
  const auto project = create("no description");
  EXPECT_EQ(project["description"], "");
}

TEST_F(ProjectsE2eTest, CreateValidatesTheName) {
  const std::string token = owner_.access_token;
  EXPECT_TRUE(IsValidationError(client().post("/api/v1/projects", {{"name", ""}}, token), "name"));
  EXPECT_TRUE(IsValidationError(client().post("/api/v1/projects", {{"name", std::string(256, 'n')}}, token), "name"));
  EXPECT_TRUE(IsValidationError(client().post("/api/v1/projects", {{"name", 7}}, token), "name"));
  EXPECT_TRUE(IsValidationError(client().post("/api/v1/projects", {{"description", "nameless"}}, token), "name"));
  EXPECT_TRUE(IsValidationError(client().request("POST", "/api/v1/projects", "not json", bearer(token)), "body"));
  // 255 characters, counted as characters: 255 two-byte letters are fine.
  std::string long_name;
  for (int i = 0; i < 255; ++i) long_name += "é";
  EXPECT_EQ(client().post("/api/v1/projects", {{"name", long_name}}, token).status, 201);
}

TEST_F(ProjectsE2eTest, CreateWithoutATokenAnswers401) {
  EXPECT_TRUE(IsApiError(client().post("/api/v1/projects", {{"name", "x"}}), 401, "UNAUTHENTICATED"));
}

TEST_F(ProjectsE2eTest, ListIsNewestFirstWithLimitOffsetAndTotal) {
  // Five projects made within about a second: the order must come from when each was created,
  // not from anything that only looks ordered (five give a wrong order little chance to pass).
  for (const char* name : {"p1", "p2", "p3", "p4", "p5"}) create(name);

  const auto all = list();
  ASSERT_EQ(all.status, 200) << describe(all);
  EXPECT_EQ(names(all.json()), (std::vector<std::string>{"p5", "p4", "p3", "p2", "p1"}));
  EXPECT_EQ(all.json()["total"], 5);
  EXPECT_EQ(all.json()["limit"], 50);
  EXPECT_EQ(all.json()["offset"], 0);

  const auto page1 = list("?limit=2");
  ASSERT_EQ(page1.status, 200) << describe(page1);
  EXPECT_EQ(names(page1.json()), (std::vector<std::string>{"p5", "p4"}));
  EXPECT_EQ(page1.json()["total"], 5);
  EXPECT_EQ(page1.json()["limit"], 2);

  const auto page3 = list("?limit=2&offset=4");
  ASSERT_EQ(page3.status, 200) << describe(page3);
  EXPECT_EQ(names(page3.json()), (std::vector<std::string>{"p1"}));
  EXPECT_EQ(page3.json()["total"], 5);
  EXPECT_EQ(page3.json()["offset"], 4);

  const auto past_the_end = list("?offset=10");
  ASSERT_EQ(past_the_end.status, 200) << describe(past_the_end);
  EXPECT_TRUE(past_the_end.json()["items"].empty());
  EXPECT_EQ(past_the_end.json()["total"], 5);

  EXPECT_EQ(list("?limit=1").json()["items"].size(), 1u);
  EXPECT_EQ(list("?limit=200").status, 200);
}

TEST_F(ProjectsE2eTest, WalkingThePagesVisitsEveryProjectOnceNewestFirst) {
  // Walking the list a page at a time must visit every project exactly once, newest first.
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i)
    created.insert(created.begin(), create("page " + std::to_string(i))["id"].get<std::string>());
  std::vector<std::string> walked;
  for (int offset = 0; offset < 7; offset += 3) {
    const auto page = list("?limit=3&offset=" + std::to_string(offset));
    ASSERT_EQ(page.status, 200) << describe(page);
    const auto body = page.json();
    for (const auto& item : body["items"]) walked.push_back(item["id"]);
  }
  EXPECT_EQ(walked, created);
}

TEST_F(ProjectsE2eTest, ListItemsAreFullProjectObjects) {
  const auto created = create("full object");
  const auto listed = list();
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json()["items"].size(), 1u);
  EXPECT_EQ(listed.json()["items"][0], created);
}

TEST_F(ProjectsE2eTest, ListRefusesOutOfRangeAndNonNumericPaging) {
  EXPECT_TRUE(IsValidationError(list("?limit=0"), "limit"));
  EXPECT_TRUE(IsValidationError(list("?limit=201"), "limit"));
  EXPECT_TRUE(IsValidationError(list("?limit=abc"), "limit"));
  EXPECT_TRUE(IsValidationError(list("?limit=-1"), "limit"));
  EXPECT_TRUE(IsValidationError(list("?limit=2.5"), "limit"));
  EXPECT_TRUE(IsValidationError(list("?offset=-1"), "offset"));
  EXPECT_TRUE(IsValidationError(list("?offset=xyz"), "offset"));
}

TEST_F(ProjectsE2eTest, ListFiltersByStatus) {
  create("kept");
  const auto archived = create("archived");
  ASSERT_EQ(client().del("/api/v1/projects/" + archived["id"].get<std::string>(), owner_.access_token).status, 204);

  EXPECT_EQ(names(list().json()), (std::vector<std::string>{"kept"}));
  EXPECT_EQ(names(list("?status=active").json()), (std::vector<std::string>{"kept"}));
  EXPECT_EQ(names(list("?status=archived").json()), (std::vector<std::string>{"archived"}));
  EXPECT_EQ(list("?status=archived").json()["total"], 1);
  EXPECT_EQ(names(list("?status=all").json()), (std::vector<std::string>{"archived", "kept"}));
  EXPECT_EQ(list("?status=all").json()["total"], 2);
  EXPECT_TRUE(IsValidationError(list("?status=deleted"), "status"));
}

TEST_F(ProjectsE2eTest, GetAnswersTheProject) {
  const auto created = create("fetch me");
  const auto response = client().get("/api/v1/projects/" + created["id"].get<std::string>(), owner_.access_token);
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_EQ(response.json(), created);
}

TEST_F(ProjectsE2eTest, GetAcceptsAnUpperCaseIdAndAnswersItInLowerCase) {
  const auto created = create("case");
  const std::string id = created["id"];
  const auto response = client().get("/api/v1/projects/" + upper(id), owner_.access_token);
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_EQ(response.json()["id"], id);
}

TEST_F(ProjectsE2eTest, MalformedIdAnswers400ValidationError) {
  const std::string token = owner_.access_token;
  for (const char* id : {"not-a-uuid", "12345", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"}) {
    SCOPED_TRACE(id);
    const std::string path = std::string("/api/v1/projects/") + id;
    EXPECT_TRUE(IsApiError(client().get(path, token), 400, "VALIDATION_ERROR"));
    EXPECT_TRUE(IsApiError(client().patch(path, {{"name", "x"}}, token), 400, "VALIDATION_ERROR"));
    EXPECT_TRUE(IsApiError(client().del(path, token), 400, "VALIDATION_ERROR"));
    EXPECT_TRUE(IsApiError(client().post(path + "/restore", nullptr, token), 400, "VALIDATION_ERROR"));
    const auto details = client().get(path, token).json()["error"]["details"];
    EXPECT_TRUE(details["field"].is_string()) << details.dump();
  }
}

TEST_F(ProjectsE2eTest, UnknownIdAnswers404ProjectNotFound) {
  const std::string path = "/api/v1/projects/00000000-0000-4000-8000-000000000000";
  const std::string token = owner_.access_token;
  EXPECT_TRUE(IsApiError(client().get(path, token), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().patch(path, {{"name", "x"}}, token), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().del(path, token), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().post(path + "/restore", nullptr, token), 404, "PROJECT_NOT_FOUND"));
}

TEST_F(ProjectsE2eTest, PatchChangesOnlyTheGivenFields) {
  const auto created = create("before", owner_.access_token, "kept description");
  const std::string path = "/api/v1/projects/" + created["id"].get<std::string>();

  const auto renamed = client().patch(path, {{"name", "after"}, {"unknown_field", true}}, owner_.access_token);
  ASSERT_EQ(renamed.status, 200) << describe(renamed);
  EXPECT_EQ(renamed.json()["name"], "after");
  EXPECT_EQ(renamed.json()["description"], "kept description");
  EXPECT_EQ(renamed.json()["created_at"], created["created_at"]);
  EXPECT_GE(renamed.json()["updated_at"].get<std::string>(), created["updated_at"].get<std::string>());
  EXPECT_TRUE(is_rfc3339_utc(renamed.json()["updated_at"]));

  const auto described = client().patch(path, {{"description", "new description"}}, owner_.access_token);
  ASSERT_EQ(described.status, 200) << describe(described);
  EXPECT_EQ(described.json()["name"], "after");
  EXPECT_EQ(described.json()["description"], "new description");

  // And it is what a later read sees.
  EXPECT_EQ(client().get(path, owner_.access_token).json(), described.json());
}

TEST_F(ProjectsE2eTest, PatchValidates) {
  const auto created = create("valid");
  const std::string path = "/api/v1/projects/" + created["id"].get<std::string>();
  EXPECT_TRUE(IsValidationError(client().patch(path, {{"name", ""}}, owner_.access_token), "name"));
  EXPECT_TRUE(IsValidationError(client().patch(path, {{"name", 5}}, owner_.access_token), "name"));
  EXPECT_TRUE(IsValidationError(client().patch(path, {{"description", false}}, owner_.access_token), "description"));
  EXPECT_EQ(client().get(path, owner_.access_token).json()["name"], "valid");
}

TEST_F(ProjectsE2eTest, DeleteArchivesAndRestoreBringsItBack) {
  const auto created = create("archivable");
  const std::string path = "/api/v1/projects/" + created["id"].get<std::string>();

  const auto deleted = client().del(path, owner_.access_token);
  ASSERT_EQ(deleted.status, 204) << describe(deleted);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_TRUE(is_lower_uuid(deleted.header("x-request-id").value_or(""))) << "every response carries a request id";

  const auto archived = client().get(path, owner_.access_token);
  ASSERT_EQ(archived.status, 200) << describe(archived);
  EXPECT_EQ(archived.json()["status"], "archived");
  EXPECT_TRUE(list().json()["items"].empty()) << "archived projects are hidden from the default list";
  EXPECT_EQ(list().json()["total"], 0);

  // Deleting again is harmless.
  EXPECT_EQ(client().del(path, owner_.access_token).status, 204);

  const auto restored = client().post(path + "/restore", nullptr, owner_.access_token);
  ASSERT_EQ(restored.status, 200) << describe(restored);
  EXPECT_EQ(restored.json()["status"], "active");
  EXPECT_EQ(restored.json()["id"], created["id"]);
  EXPECT_EQ(names(list().json()), (std::vector<std::string>{"archivable"}));
}

TEST_F(ProjectsE2eTest, AnotherUsersProjectAnswersExactlyLikeAMissingOne) {
  const auto mine = create("private", owner_.access_token, "secret plans");
  const std::string path = "/api/v1/projects/" + mine["id"].get<std::string>();
  const TestUser intruder = new_user(client(), "intruder");
  const std::string token = intruder.access_token;

  EXPECT_TRUE(IsApiError(client().get(path, token), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().patch(path, {{"name", "pwned"}}, token), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().del(path, token), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().post(path + "/restore", nullptr, token), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(client().get("/api/v1/projects?status=all", token).json()["items"].empty());

  // The same answer as for an id that does not exist, but for the id itself.
  const auto theirs = client().get(path, token).json()["error"];
  const std::string missing_id = "00000000-0000-4000-8000-000000000000";
  auto missing = client().get("/api/v1/projects/" + missing_id, token).json()["error"];
  std::string message = missing["message"];
  if (const auto at = message.find(missing_id); at != std::string::npos)
    message.replace(at, missing_id.size(), mine["id"].get<std::string>());
  missing["message"] = message;
  if (missing["details"].contains("project_id")) missing["details"]["project_id"] = mine["id"];
  EXPECT_EQ(theirs, missing);

  // Nothing the intruder did had any effect.
  const auto after = client().get(path, owner_.access_token);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.json(), mine);
}

TEST_F(ProjectsE2eTest, ABodyOver1MibAnswers413InTheErrorShape) {
  const std::string description(1024 * 1024, 'x');
  const std::string body = nlohmann::json({{"name", "huge"}, {"description", description}}).dump();
  ASSERT_GT(body.size(), 1024u * 1024u);
  const auto response =
      client().request("POST", "/api/v1/projects", body, bearer(owner_.access_token, {{"X-Request-Id", "big-1"}}));
  ASSERT_TRUE(IsApiError(response, 413, "PAYLOAD_TOO_LARGE"));
  EXPECT_EQ(response.json()["request_id"], "big-1");
  EXPECT_TRUE(list().json()["items"].empty()) << "nothing was created";
}

TEST_F(ProjectsE2eTest, ABodyOfExactly1MibIsNotTooLarge) {
  // The limit is "over 1 MiB": a body of exactly 1 MiB reaches validation (its description is far
  // beyond what a project accepts, so it is a 400 naming the field rather than a 413).
  const std::string prefix = "{\"name\":\"edge\",\"description\":\"";
  const std::string suffix = "\"}";
  const std::string body = prefix + std::string(1024 * 1024 - prefix.size() - suffix.size(), 'x') + suffix;
  ASSERT_EQ(body.size(), 1024u * 1024u);
  EXPECT_TRUE(IsValidationError(client().request("POST", "/api/v1/projects", body, bearer(owner_.access_token)),
                                "description"));
}

TEST_F(ProjectsE2eTest, AgentRouteAnswersTheResultOfTheAction) {
  const auto created = create("via agent");
  const auto response =
      client().post("/api/v1/agents/project_manager/list", nlohmann::json::object(), owner_.access_token);
  ASSERT_EQ(response.status, 200) << describe(response);
  const auto body = response.json();
  ASSERT_TRUE(body.contains("result")) << body.dump();
  EXPECT_EQ(body["result"]["total"], 1);
  ASSERT_EQ(body["result"]["items"].size(), 1u);
  EXPECT_EQ(body["result"]["items"][0], created);
  // The same action the dedicated route runs: the same answer, page fields and all.
  EXPECT_EQ(body["result"], list().json());

  // An empty body is an empty object.
  const auto no_body = client().request("POST", "/api/v1/agents/project_manager/list", "", bearer(owner_.access_token));
  EXPECT_EQ(no_body.status, 200) << describe(no_body);
  EXPECT_EQ(no_body.json()["result"], body["result"]);
}

TEST_F(ProjectsE2eTest, AgentRouteForAnUnknownAgentAnswers404UnknownAgent) {
  EXPECT_TRUE(IsApiError(client().post("/api/v1/agents/no_such_agent/list", nlohmann::json::object(),
                                       owner_.access_token),
                         404, "UNKNOWN_AGENT"));
}

TEST_F(ProjectsE2eTest, AgentRouteForAnUnsupportedActionListsTheCapabilities) {
  const auto socratic =
      client().post("/api/v1/agents/socratic/anything", nlohmann::json::object(), owner_.access_token);
  ASSERT_TRUE(IsApiError(socratic, 400, "UNSUPPORTED_ACTION"));
  EXPECT_TRUE(socratic.json()["error"]["details"]["available_capabilities"].is_array()) << socratic.body;

  const auto pm = client().post("/api/v1/agents/project_manager/explode", nlohmann::json::object(),
                                owner_.access_token);
  ASSERT_TRUE(IsApiError(pm, 400, "UNSUPPORTED_ACTION"));
  const auto caps = pm.json()["error"]["details"]["available_capabilities"].get<std::vector<std::string>>();
  for (const char* action : {"archive", "create", "get", "list", "restore", "update"})
    EXPECT_NE(std::find(caps.begin(), caps.end(), action), caps.end()) << action;
}

TEST_F(ProjectsE2eTest, AgentRouteNeedsAToken) {
  EXPECT_TRUE(IsApiError(client().post("/api/v1/agents/project_manager/list", nlohmann::json::object()), 401,
                         "UNAUTHENTICATED"));
}

TEST_F(ProjectsE2eTest, AgentRouteRefusesABodyThatIsNotAnObject) {
  EXPECT_TRUE(IsValidationError(
      client().request("POST", "/api/v1/agents/project_manager/list", "[1]", bearer(owner_.access_token)), "body"));
}

TEST_F(ProjectsE2eTest, ABodyUserIdCannotSpeakForAnotherUser) {
  const auto victims = create("victim's project");
  const TestUser attacker = new_user(client(), "attacker");

  const auto listed = client().post("/api/v1/agents/project_manager/list", {{"user_id", owner_.id}},
                                    attacker.access_token);
  ASSERT_EQ(listed.status, 200) << describe(listed);
  EXPECT_TRUE(listed.json()["result"]["items"].empty()) << listed.body;
  EXPECT_EQ(listed.json()["result"]["total"], 0);

  const auto fetched = client().post("/api/v1/agents/project_manager/get",
                                     {{"user_id", owner_.id}, {"project_id", victims["id"]}}, attacker.access_token);
  EXPECT_TRUE(IsApiError(fetched, 404, "PROJECT_NOT_FOUND"));

  const auto created = client().post("/api/v1/agents/project_manager/create",
                                     {{"user_id", owner_.id}, {"name", "planted"}}, attacker.access_token);
  ASSERT_EQ(created.status, 200) << describe(created);
  EXPECT_EQ(created.json()["result"]["owner_id"], attacker.id);
  EXPECT_EQ(names(list().json()), (std::vector<std::string>{"victim's project"}));
}

}  // namespace
}  // namespace socrates::test::e2e

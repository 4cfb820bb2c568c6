// Baselines and plans over real HTTP: every advance freezes a baseline (1, then 2, …), the diff
// shows what was added, changed and removed by requirement ID, a project entering design gets a
// design outline and one entering implementation a task list that covers every requirement, plans
// are edited (an unknown requirement ID is refused) and regenerated, the task list exports as
// markdown and as tracker issues; with an LLM, a model's outline that cites an unknown ID is
// refused and nothing is saved.
#include "e2e/e2e_helpers.hpp"
#include "support/fake_llm_server.hpp"
#include "support/integration_fixture.hpp"

#include <map>
#include <set>

namespace socrates::test::e2e {
namespace {

// What a project needs to reach each gate: every category filled to its target (confidence 1).
const std::vector<std::pair<std::string, int>> kAnalysisFill = {
    {"goals", 10}, {"requirements", 15}, {"tech_stack", 12}, {"scalability", 8}, {"security", 10}};  // 55 of 90
const std::vector<std::pair<std::string, int>> kDesignFill = {
    {"performance", 8}, {"testing", 8}, {"monitoring", 6}};  // 77 of 90
const std::vector<std::pair<std::string, int>> kImplementationFill = {
    {"data_retention", 5}, {"disaster_recovery", 8}};  // 90 of 90

class PlansFixture {
 public:
  PlansFixture(const HostUnderTest& host, TestUser user) : host_(host), user_(std::move(user)) {}

  HttpClient client() const { return host_.client(); }
  const std::string& token() const { return user_.access_token; }
  const TestUser& user() const { return user_; }

  Response call(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) const {
    return client().request(method, path, body.is_null() ? "" : body.dump(), bearer(token()));
  }
  nlohmann::json ok(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) const {
    const auto response = call(method, path, body);
    EXPECT_TRUE(response.status == 200 || response.status == 201) << method << " " << path << "\n" << describe(response);
    return response.json();
  }

  std::string new_project(const std::string& name) const {
    return ok("POST", "/api/v1/projects", {{"name", name}, {"description", "bread to order"}})["id"];
  }
  // Adds `count` specifications to each category, "aspect a", "aspect b", … under their own keys.
  std::map<std::string, std::string> fill(const std::string& project,
                                          const std::vector<std::pair<std::string, int>>& categories) const {
    std::map<std::string, std::string> ids;  // key -> specification id
    for (const auto& [category, count] : categories)
      for (int i = 0; i < count; ++i) {
        const std::string key = category + "_aspect_" + std::string(1, static_cast<char>('a' + i));
        ids[key] = ok("POST", "/api/v1/projects/" + project + "/specifications",
                      {{"category", category}, {"key", key}, {"value", "aspect " + std::string(1, static_cast<char>('a' + i))},
                       {"confidence", 1.0}})["id"];
      }
    return ids;
  }
  nlohmann::json advance(const std::string& project) const {
    return ok("POST", "/api/v1/projects/" + project + "/advance");
  }
  // The IDs of the project's requirements now: baseline `n`'s plus what the diff against now adds.
  std::set<std::string> current_ids(const std::string& project, int n) const {
    std::set<std::string> ids;
    const auto baseline = ok("GET", "/api/v1/projects/" + project + "/baselines/" + std::to_string(n));
    for (const auto& r : baseline["requirements"]) ids.insert(r["id"].get<std::string>());
    const auto diff = ok("GET", "/api/v1/projects/" + project + "/baselines/" + std::to_string(n) + "/diff");
    for (const auto& r : diff["added"]) ids.insert(r["id"].get<std::string>());
    for (const auto& r : diff["removed"]) ids.erase(r["id"].get<std::string>());
    return ids;
  }

 private:
  const HostUnderTest& host_;
  TestUser user_;
};

class PlansE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { host_ = new HostUnderTest(); }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override {
    expect_host_started(host_);
    fixture_ = std::make_unique<PlansFixture>(*host_, new_user(host_->client(), "plans"));
  }
  void TearDown() override { expect_host_alive(host_); }

  PlansFixture& f() { return *fixture_; }

  static HostUnderTest* host_;
  std::unique_ptr<PlansFixture> fixture_;
};

HostUnderTest* PlansE2eTest::host_ = nullptr;

TEST_F(PlansE2eTest, EachAdvanceFreezesABaselineAndTheDiffShowsChangesById) {
  const std::string project = f().new_project("Bakery baselines");
  const std::string base = "/api/v1/projects/" + project;
  EXPECT_EQ(f().ok("GET", base + "/baselines")["total"], 0);
  auto specs = f().fill(project, kAnalysisFill);
  EXPECT_EQ(f().advance(project)["current_phase"], "analysis");

  const auto listed = f().ok("GET", base + "/baselines");
  ASSERT_EQ(listed["total"], 1) << listed.dump();
  EXPECT_EQ(listed["items"][0]["number"], 1);
  EXPECT_EQ(listed["items"][0]["phase"], "analysis");
  EXPECT_EQ(listed["items"][0]["requirement_count"], 55);
  EXPECT_TRUE(is_rfc3339_utc(listed["items"][0]["created_at"]));
  // Who advanced the project (docs/domain.md "Attribution and stakeholders").
  EXPECT_EQ(listed["items"][0]["advanced_by"], f().user().id);
  EXPECT_EQ(listed["items"][0]["advanced_by_email"], f().user().email);
  const auto first = f().ok("GET", base + "/baselines/1");
  ASSERT_EQ(first["requirements"].size(), 55u);
  std::map<std::string, nlohmann::json> by_key;  // the frozen requirement of each specification key
  for (const auto& r : first["requirements"]) {
    EXPECT_FALSE(r["id"].get<std::string>().empty());
    EXPECT_FALSE(r["statement"].get<std::string>().empty());
    EXPECT_EQ(r["version"], 1);
    by_key[r["key"]] = r;
  }
  EXPECT_TRUE(f().ok("GET", base + "/baselines/1/diff")["added"].empty()) << "nothing changed since";

  // Change one, remove one, add one: the diff against now names each by its ID.
  const std::string changed_id = by_key["security_aspect_a"]["id"];
  const std::string removed_id = by_key["goals_aspect_b"]["id"];
  f().ok("PUT", "/api/v1/specifications/" + specs["security_aspect_a"], {{"value", "every request over TLS"}});
  ASSERT_EQ(f().call("DELETE", "/api/v1/specifications/" + specs["goals_aspect_b"]).status, 204);
  f().fill(project, {{"performance", 1}});
  const auto diff = f().ok("GET", base + "/baselines/1/diff?against=current");
  EXPECT_EQ(diff["from"], 1);
  EXPECT_EQ(diff["against"], "current");
  ASSERT_EQ(diff["added"].size(), 1u) << diff.dump();
  EXPECT_EQ(diff["added"][0]["key"], "performance_aspect_a");
  ASSERT_EQ(diff["changed"].size(), 1u) << diff.dump();
  EXPECT_EQ(diff["changed"][0]["id"], changed_id);
  EXPECT_EQ(diff["changed"][0]["before"]["value"], "aspect a");
  EXPECT_EQ(diff["changed"][0]["after"]["value"], "every request over TLS");
  EXPECT_NE(diff["changed"][0]["before"]["statement"], diff["changed"][0]["after"]["statement"]);
  ASSERT_EQ(diff["removed"].size(), 1u) << diff.dump();
  EXPECT_EQ(diff["removed"][0]["id"], removed_id);

  // Baseline 2 on entering design; the diff between the two shows the same changes, and more.
  f().fill(project, kDesignFill);
  EXPECT_EQ(f().advance(project)["current_phase"], "design");
  const auto second = f().ok("GET", base + "/baselines/2");
  EXPECT_EQ(second["phase"], "design");
  const auto between = f().ok("GET", base + "/baselines/1/diff?against=2");
  EXPECT_EQ(between["against"], 2);
  EXPECT_EQ(between["changed"][0]["id"], changed_id);
  EXPECT_EQ(between["removed"][0]["id"], removed_id);
  EXPECT_EQ(between["added"].size(), 22u);  // performance_aspect_a is among the 8 + 8 + 6
  for (const auto& r : second["requirements"]) {
    if (r["id"] != changed_id) continue;
    EXPECT_EQ(r["version"], 2) << "a baseline keeps the specification's version";
  }
  EXPECT_EQ(f().ok("GET", base + "/baselines/1"), first) << "a baseline never changes";

  // The markdown document lists the baselines.
  const auto markdown = f().call("GET", base + "/export?format=markdown");
  EXPECT_NE(markdown.body.find("## Baselines"), std::string::npos) << markdown.body;
  EXPECT_NE(markdown.body.find("| 2 | design |"), std::string::npos) << markdown.body;
  EXPECT_EQ(f().ok("GET", base + "/export?format=json")["baselines"].size(), 2u);

  EXPECT_TRUE(IsApiError(f().call("GET", base + "/baselines/3"), 404, "NOT_FOUND"));
  EXPECT_TRUE(IsValidationError(f().call("GET", base + "/baselines/x"), "number"));
  EXPECT_TRUE(IsValidationError(f().call("GET", base + "/baselines/1/diff?against=soon"), "against"));
}

TEST_F(PlansE2eTest, PlansComeWithDesignAndImplementationAndCoverEveryRequirement) {
  const std::string project = f().new_project("Bakery plans");
  const std::string base = "/api/v1/projects/" + project;
  // Before design there is no plan, and none can be made.
  EXPECT_TRUE(IsApiError(f().call("GET", base + "/plans/design"), 404, "NOT_FOUND"));
  EXPECT_TRUE(IsApiError(f().call("POST", base + "/plans/design/regenerate"), 409, "PHASE_GATE"));
  EXPECT_TRUE(IsApiError(f().call("GET", base + "/export?format=tasks"), 404, "NOT_FOUND"));
  f().fill(project, kAnalysisFill);
  f().advance(project);
  f().fill(project, kDesignFill);
  f().advance(project);

  const auto design = f().ok("GET", base + "/plans/design");
  EXPECT_EQ(design["kind"], "design");
  EXPECT_EQ(design["version"], 1);
  EXPECT_EQ(design["source"], "builtin");
  EXPECT_EQ(design["phase"], "design");
  const std::set<std::string> requirements = f().current_ids(project, 2);
  ASSERT_EQ(requirements.size(), 77u);
  std::set<std::string> cited, kinds;
  for (const auto& section : design["content"]["sections"]) {
    EXPECT_FALSE(section["requirement_ids"].empty()) << section.dump();
    kinds.insert(section["kind"].get<std::string>());
    for (const auto& id : section["requirement_ids"]) cited.insert(id.get<std::string>());
  }
  EXPECT_EQ(cited, requirements);
  EXPECT_EQ(kinds, (std::set<std::string>{"component", "constraint"})) << "aspects are no slot: no data, no interface";
  EXPECT_EQ(design["coverage"]["complete"], true);
  EXPECT_TRUE(IsApiError(f().call("GET", base + "/plans/tasks"), 404, "NOT_FOUND"));
  EXPECT_TRUE(IsApiError(f().call("POST", base + "/plans/tasks/regenerate"), 409, "PHASE_GATE"));

  // An edit citing an ID that does not exist is refused; the plan stays as it was.
  const std::string some_id = *requirements.begin();
  const auto refused = f().call("PUT", base + "/plans/design",
                                {{"sections", {{{"kind", "component"}, {"title", "Everything"},
                                                {"requirement_ids", {some_id, "NOPE-404"}}}}}});
  EXPECT_TRUE(IsValidationError(refused, "sections/0/requirement_ids/1"));
  EXPECT_EQ(f().ok("GET", base + "/plans/design")["version"], 1);
  const auto edited = f().ok("PUT", base + "/plans/design",
                             {{"sections", {{{"id", "all"}, {"kind", "component"}, {"title", "Everything"},
                                             {"requirement_ids", {some_id}}}}}});
  EXPECT_EQ(edited["version"], 2);
  EXPECT_EQ(edited["source"], "edited");
  EXPECT_EQ(edited["coverage"]["complete"], false);
  EXPECT_EQ(edited["coverage"]["uncovered"].size(), 76u);
  EXPECT_EQ(f().ok("GET", base + "/plans/design?version=1"), design);
  const auto regenerated = f().call("POST", base + "/plans/design/regenerate");
  ASSERT_EQ(regenerated.status, 201) << describe(regenerated);
  EXPECT_EQ(regenerated.json()["version"], 3);
  EXPECT_EQ(regenerated.json()["content"], design["content"]);

  // Implementation brings the task list: ordered, dependencies before dependants, every requirement covered.
  f().fill(project, kImplementationFill);
  EXPECT_EQ(f().advance(project)["current_phase"], "implementation");
  const auto tasks = f().ok("GET", base + "/plans/tasks");
  EXPECT_EQ(tasks["coverage"]["complete"], true) << tasks["coverage"].dump();
  EXPECT_EQ(tasks["coverage"]["requirements"], 90);
  std::set<std::string> done, covered;
  for (const auto& task : tasks["content"]["tasks"]) {
    for (const auto& dependency : task["depends_on"]) EXPECT_TRUE(done.count(dependency.get<std::string>())) << task.dump();
    done.insert(task["id"].get<std::string>());
    EXPECT_FALSE(task["acceptance"].empty()) << task.dump();
    for (const auto& id : task["requirement_ids"]) covered.insert(id.get<std::string>());
  }
  EXPECT_EQ(covered.size(), 90u);

  // The export: markdown with every requirement ID, and issues ready for a tracker.
  const auto markdown = f().call("GET", base + "/export?format=tasks");
  ASSERT_EQ(markdown.status, 200) << describe(markdown);
  EXPECT_NE(markdown.header("content-type").value_or("").find("text/markdown"), std::string::npos);
  EXPECT_NE(markdown.body.find("Coverage: 90 of 90 requirements"), std::string::npos) << markdown.body;
  for (const auto& id : covered) EXPECT_NE(markdown.body.find(id), std::string::npos) << id;
  const auto issues = f().ok("GET", base + "/export?format=tasks-json");
  EXPECT_EQ(issues["coverage"]["complete"], true);
  ASSERT_EQ(issues["issues"].size(), tasks["content"]["tasks"].size());
  std::set<std::string> in_issues;
  for (const auto& issue : issues["issues"]) {
    EXPECT_FALSE(issue["title"].get<std::string>().empty());
    EXPECT_NE(issue["body"].get<std::string>().find("Acceptance criteria"), std::string::npos);
    EXPECT_TRUE(issue["labels"].is_array() && !issue["labels"].empty());
    EXPECT_TRUE(issue["dependencies"].is_array());
    for (const auto& id : issue["requirement_ids"]) in_issues.insert(id.get<std::string>());
  }
  EXPECT_EQ(in_issues, covered);

  const auto all = f().ok("GET", base + "/plans");
  EXPECT_EQ(all["total"], 4);  // design 1..3, tasks 1
  EXPECT_FALSE(all["items"][0].contains("content")) << "the list leaves the content out";
  EXPECT_TRUE(IsValidationError(f().call("GET", base + "/plans/roadmap"), "kind"));
}

TEST_F(PlansE2eTest, AnEditedTaskListIsValidatedAndItsCoverageReported) {
  const std::string project = f().new_project("Bakery tasks");
  const std::string base = "/api/v1/projects/" + project;
  f().fill(project, kAnalysisFill);
  f().advance(project);
  f().fill(project, kDesignFill);
  f().advance(project);
  f().fill(project, kImplementationFill);
  f().advance(project);
  const auto ids = f().current_ids(project, 3);
  const std::string one = *ids.begin();
  EXPECT_TRUE(IsValidationError(
      f().call("PUT", base + "/plans/tasks",
               {{"tasks", {{{"id", "a"}, {"title", "A"}, {"requirement_ids", {one}}, {"depends_on", {"b"}}},
                           {{"id", "b"}, {"title", "B"}, {"requirement_ids", {one}}}}}}),
      "tasks/0/depends_on/0"));
  EXPECT_TRUE(IsValidationError(
      f().call("PUT", base + "/plans/tasks", {{"tasks", {{{"id", "a"}, {"title", "A"}, {"requirement_ids", {"NOPE-1"}}}}}}),
      "tasks/0/requirement_ids/0"));
  const auto edited = f().ok(
      "PUT", base + "/plans/tasks",
      {{"tasks", {{{"id", "a"}, {"title", "A"}, {"requirement_ids", {one}}},
                  {{"id", "b"}, {"title", "B"}, {"requirement_ids", {one}}, {"depends_on", {"a"}}}}}});
  EXPECT_EQ(edited["version"], 2);
  EXPECT_EQ(edited["coverage"]["covered"], 1);
  const auto markdown = f().call("GET", base + "/export?format=tasks");
  EXPECT_NE(markdown.body.find("Coverage: 1 of 90 requirements cited by a task; not covered:"), std::string::npos)
      << markdown.body.substr(0, 500);
}

// ---- with a model

class PlansLlmE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new FakeLlmServer();
    host_ = new HostUnderTest(EnvMap{{"LLM_PROVIDER", "openai"},
                                     {"LLM_BASE_URL", server_->base_url() + "/v1"},
                                     {"LLM_MODEL", "fake-model"},
                                     {"LLM_MAX_RETRIES", "0"}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    server_->reset();
    expect_host_started(host_);
    fixture_ = std::make_unique<PlansFixture>(*host_, new_user(host_->client(), "plans-llm"));
  }
  void TearDown() override { expect_host_alive(host_); }

  PlansFixture& f() { return *fixture_; }
  std::int64_t count(const std::string& sql) const { return db_count(host_->databases->specs_url(), sql); }

  static FakeLlmServer* server_;
  static HostUnderTest* host_;
  std::unique_ptr<PlansFixture> fixture_;
};

FakeLlmServer* PlansLlmE2eTest::server_ = nullptr;
HostUnderTest* PlansLlmE2eTest::host_ = nullptr;

nlohmann::json outline_citing(const std::vector<std::string>& ids) {
  return {{"sections", {{{"id", "core"}, {"kind", "component"}, {"title", "Order service"},
                         {"summary", "Takes and keeps the orders."}, {"requirement_ids", ids}}}}};
}

TEST_F(PlansLlmE2eTest, AModelOutlineCitingAnUnknownIdIsLlmErrorAndNothingIsSaved) {
  const std::string project = f().new_project("Bakery by model");
  const std::string base = "/api/v1/projects/" + project;
  f().fill(project, kAnalysisFill);
  f().advance(project);  // into analysis: no plan, no model call
  EXPECT_EQ(server_->request_count(), 0u);
  f().fill(project, kDesignFill);
  const std::set<std::string> ids = f().current_ids(project, 1);
  const std::string real = *ids.begin();

  server_->push(FakeLlmServer::openai_text(outline_citing({real, "GHOST-999"}).dump()));
  const auto refused = f().call("POST", base + "/advance");
  EXPECT_TRUE(IsApiError(refused, 502, "LLM_ERROR"));
  EXPECT_NE(refused.json()["error"]["message"].get<std::string>().find("GHOST-999"), std::string::npos) << refused.body;
  EXPECT_EQ(server_->request_count(), 1u);
  EXPECT_EQ(f().ok("GET", base)["current_phase"], "analysis") << "the advance did not happen";
  EXPECT_EQ(f().ok("GET", base + "/baselines")["total"], 1);
  EXPECT_EQ(count("SELECT count(*) FROM plans WHERE project_id = '" + project + "'"), 0);
  const auto prompt = server_->requests()[0].json();
  EXPECT_NE(prompt.dump().find(real), std::string::npos) << "the prompt lists the requirement IDs";

  // A good outline: the advance happens, and the model's outline is the plan.
  server_->push(FakeLlmServer::openai_text("```json\n" + outline_citing({real}).dump() + "\n```"));
  EXPECT_EQ(f().advance(project)["current_phase"], "design");
  const auto design = f().ok("GET", base + "/plans/design");
  EXPECT_EQ(design["source"], "llm");
  EXPECT_EQ(design["content"]["sections"][0]["requirement_ids"], nlohmann::json({real}));
  EXPECT_EQ(design["coverage"]["complete"], false) << "the model cited one requirement of many";

  // Regenerating: a refusal keeps the plan as it was.
  server_->push(FakeLlmServer::openai_text(outline_citing({"NOPE-1"}).dump()));
  EXPECT_TRUE(IsApiError(f().call("POST", base + "/plans/design/regenerate"), 502, "LLM_ERROR"));
  server_->push(FakeLlmServer::openai_text(R"({"sections":[{"kind":"widget","title":"X","requirement_ids":[")" + real + R"("]}]})"));
  EXPECT_TRUE(IsApiError(f().call("POST", base + "/plans/design/regenerate"), 502, "LLM_ERROR"));
  EXPECT_EQ(f().ok("GET", base + "/plans/design")["version"], 1);
  EXPECT_EQ(count("SELECT count(*) FROM plans WHERE project_id = '" + project + "'"), 1);
  server_->push(FakeLlmServer::openai_text(outline_citing(std::vector<std::string>(ids.begin(), ids.end())).dump()));
  const auto regenerated = f().call("POST", base + "/plans/design/regenerate");
  ASSERT_EQ(regenerated.status, 201) << describe(regenerated);
  EXPECT_EQ(regenerated.json()["version"], 2);
}

}  // namespace
}  // namespace socrates::test::e2e

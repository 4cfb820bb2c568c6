// Requirements over real HTTP (docs/domain.md "Requirements"): IDs given once per (project,
// category, key) in the specification's own transaction and never changed or reused, EARS
// statements and acceptance criteria, and the traceability of each requirement to its answer,
// question, session and versions.
#include "e2e/host_suite.hpp"

#include <map>
#include <set>

namespace socrates::test::e2e {
namespace {

class RequirementsE2eTest : public HostSuite {
 protected:
  RequirementsE2eTest() : HostSuite("requirements") {}

  std::string new_project() const { return HostSuite::new_project({{"name", "Bakery orders"}}); }
  nlohmann::json add_spec(const std::string& project, const std::string& category, const std::string& key,
                          const std::string& value) {
    const auto response = client().post("/api/v1/projects/" + project + "/specifications",
                                        {{"category", category}, {"key", key}, {"value", value}}, token());
    EXPECT_EQ(response.status, 201) << describe(response);
    return response.json();
  }
  // id → requirement
  std::map<std::string, nlohmann::json> requirements(const std::string& project) {
    const auto response = client().get("/api/v1/projects/" + project + "/requirements", token());
    EXPECT_EQ(response.status, 200) << describe(response);
    std::map<std::string, nlohmann::json> out;
    const nlohmann::json body = response.json();
    for (const auto& item : body["items"]) out[item.value("id", "")] = item;
    return out;
  }
};

TEST_F(RequirementsE2eTest, AnAnswerBecomesATracedRequirementWithAnEarsStatement) {
  const std::string project = new_project();
  const auto session = client().post("/api/v1/projects/" + project + "/sessions", nlohmann::json::object(), token());
  ASSERT_EQ(session.status, 201) << describe(session);
  const std::string session_id = session.json()["id"];
  const auto question = client().post("/api/v1/sessions/" + session_id + "/next-question", nlohmann::json::object(),
                                      token());
  ASSERT_EQ(question.status, 201) << describe(question);
  const auto answered = client().post("/api/v1/sessions/" + session_id + "/answer",
                                      {{"answer", "Pages must respond in under 200 ms at p95 latency."}}, token());
  ASSERT_EQ(answered.status, 200) << describe(answered);

  const auto all = requirements(project);
  ASSERT_FALSE(all.empty());
  const nlohmann::json* latency = nullptr;
  for (const auto& [id, r] : all)
    if (r["key"] == "p95_latency") latency = &r;
  ASSERT_NE(latency, nullptr) << answered.body;
  const nlohmann::json& r = *latency;
  EXPECT_EQ(r["id"], "PERF-001");
  EXPECT_EQ(r["form"], "ubiquitous");
  EXPECT_EQ(r["statement"], "The system shall respond within 200 ms at the 95th percentile.");
  EXPECT_EQ(r["reworded"], false);
  ASSERT_EQ(r["acceptance_criteria"].size(), 1u);
  EXPECT_NE(r["acceptance_criteria"][0]["then"].get<std::string>().find("200 ms"), std::string::npos);
  const auto& trace = r["trace"];
  EXPECT_EQ(trace["session_id"], session_id);
  EXPECT_EQ(trace["question_id"], question.json()["id"]);
  EXPECT_EQ(trace["question"], question.json()["text"]);
  EXPECT_EQ(trace["history_type"], "answer");
  EXPECT_TRUE(is_lower_uuid(trace["history_id"])) << r.dump();
  EXPECT_EQ(trace["version"], 1);
  ASSERT_EQ(trace["versions"].size(), 1u);
  EXPECT_EQ(trace["versions"][0]["id"], trace["specification_id"]);

  // The history row is the answer itself.
  const auto history = client().get("/api/v1/sessions/" + session_id + "/history", token());
  bool found = false;
  const nlohmann::json rows = history.json();
  for (const auto& row : rows["items"])
    if (row["id"] == trace["history_id"]) {
      found = true;
      EXPECT_EQ(row["message_type"], "answer");
      EXPECT_EQ(row["question_id"], trace["question_id"]);
    }
  EXPECT_TRUE(found) << history.body;
}

TEST_F(RequirementsE2eTest, IdsAreGivenOnceAndNeverChangeOrReturn) {
  const std::string project = new_project();
  const auto first = add_spec(project, "security", "passwords_hashed", "Passwords must be hashed");
  add_spec(project, "security", "admins_card_numbers", "Admins must not see card numbers");
  add_spec(project, "performance", "p95_latency", "\xE2\x89\xA4 200 ms");

  auto all = requirements(project);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.at("SEC-001")["key"], "passwords_hashed");
  EXPECT_EQ(all.at("SEC-002")["key"], "admins_card_numbers");
  EXPECT_EQ(all.at("PERF-001")["statement"], "The system shall respond within 200 ms at the 95th percentile.");

  // A new version keeps its ID.
  const auto edited = client().request("PUT", "/api/v1/specifications/" + first["id"].get<std::string>(),
                                       nlohmann::json{{"value", "Passwords must be hashed with Argon2"}}.dump(),
                                       bearer(token()));
  ASSERT_EQ(edited.status, 200) << describe(edited);
  all = requirements(project);
  EXPECT_EQ(all.at("SEC-001")["statement"], "Passwords shall be hashed with Argon2.");
  EXPECT_EQ(all.at("SEC-001")["trace"]["version"], 2);
  EXPECT_EQ(all.at("SEC-001")["trace"]["versions"].size(), 2u);

  // A deleted specification's ID is not reused by the next key; re-adding the key brings it back.
  const std::string second_id = all.at("SEC-002")["trace"]["specification_id"];
  ASSERT_EQ(client().request("DELETE", "/api/v1/specifications/" + second_id, "", bearer(token())).status, 204);
  all = requirements(project);
  EXPECT_FALSE(all.count("SEC-002"));
  add_spec(project, "security", "sessions_expire", "Sessions must expire at logout");
  all = requirements(project);
  EXPECT_EQ(all.at("SEC-003")["key"], "sessions_expire");
  add_spec(project, "security", "admins_card_numbers", "Admins must never see card numbers");
  all = requirements(project);
  EXPECT_EQ(all.at("SEC-002")["key"], "admins_card_numbers");
  EXPECT_EQ(all.size(), 4u);

  // Another project numbers from 1.
  const std::string other = new_project();
  add_spec(other, "security", "sessions_expire", "Sessions must expire at logout");
  EXPECT_TRUE(requirements(other).count("SEC-001"));
}

TEST_F(RequirementsE2eTest, ListsPageAndFilterAndAnotherUsersProjectIsNotFound) {
  const std::string project = new_project();
  add_spec(project, "security", "passwords_hashed", "Passwords must be hashed");
  add_spec(project, "performance", "p95_latency", "\xE2\x89\xA4 200 ms");
  add_spec(project, "goals", "bakeries_orders", "Help bakeries take orders online");

  const auto all = client().get("/api/v1/projects/" + project + "/requirements", token());
  ASSERT_EQ(all.status, 200) << describe(all);
  // Taxonomy order: goals, ..., security, performance.
  std::vector<std::string> ids;
  const nlohmann::json body = all.json();
  for (const auto& item : body["items"]) ids.push_back(item["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"GOAL-001", "SEC-001", "PERF-001"})) << all.body;
  EXPECT_EQ(all.json()["total"], 3);

  const auto page = client().get("/api/v1/projects/" + project + "/requirements?limit=1&offset=1", token());
  ASSERT_EQ(page.status, 200) << describe(page);
  ASSERT_EQ(page.json()["items"].size(), 1u);
  EXPECT_EQ(page.json()["items"][0]["id"], "SEC-001");
  EXPECT_EQ(page.json()["total"], 3);

  const auto security = client().get("/api/v1/projects/" + project + "/requirements?category=security", token());
  ASSERT_EQ(security.json()["items"].size(), 1u);
  EXPECT_EQ(security.json()["total"], 1);

  const TestUser stranger = new_user(client(), "stranger");
  EXPECT_TRUE(IsApiError(client().get("/api/v1/projects/" + project + "/requirements", stranger.access_token), 404,
                         "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/projects/" + project + "/requirements"), 401, "UNAUTHENTICATED"));
}

}  // namespace
}  // namespace socrates::test::e2e

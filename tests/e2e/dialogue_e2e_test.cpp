// The Socratic dialogue over real HTTP: sessions, questions and answers, direct chat, history,
// specifications with their versions, conflicts and their resolutions, maturity, phases, export,
// categories, isolation between users, and a full scripted interview from maturity 0 through the
// analysis gate.
#include "e2e/e2e_helpers.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace socrates::test::e2e {
namespace {

class DialogueE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { host_ = new HostUnderTest(); }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override {
    expect_host_started(host_);
    user_ = new_user(client(), "dialogue");
  }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }
  const std::string& token() const { return user_.access_token; }

  Response put(const std::string& path, const nlohmann::json& body, const std::string& token) const {
    return client().request("PUT", path, body.dump(), bearer(token));
  }

  std::string new_project(const std::string& name = "Dialogue") {
    const auto response = client().post("/api/v1/projects", {{"name", name}, {"description", "a test"}}, token());
    EXPECT_EQ(response.status, 201) << describe(response);
    return response.json().value("id", "");
  }
  std::string new_session(const std::string& project_id, const std::string& mode = "socratic") {
    const auto response = client().post("/api/v1/projects/" + project_id + "/sessions", {{"mode", mode}}, token());
    EXPECT_EQ(response.status, 201) << describe(response);
    return response.json().value("id", "");
  }
  nlohmann::json next_question(const std::string& session_id) {
    const auto response = client().post("/api/v1/sessions/" + session_id + "/next-question", nlohmann::json::object(),
                                        token());
    EXPECT_TRUE(response.status == 200 || response.status == 201) << describe(response);
    return response.json();
  }
  nlohmann::json answer(const std::string& session_id, const std::string& text) {
    const auto response = client().post("/api/v1/sessions/" + session_id + "/answer", {{"answer", text}}, token());
    EXPECT_EQ(response.status, 200) << describe(response);
    return response.json();
  }
  nlohmann::json add_spec(const std::string& project_id, const std::string& category, const std::string& key,
                          const std::string& value) {
    const auto response = client().post("/api/v1/projects/" + project_id + "/specifications",
                                        {{"category", category}, {"key", key}, {"value", value}}, token());
    EXPECT_EQ(response.status, 201) << describe(response);
    return response.json();
  }

  static HostUnderTest* host_;
  TestUser user_;
};

HostUnderTest* DialogueE2eTest::host_ = nullptr;

TEST_F(DialogueE2eTest, SessionsAreCreatedListedReadAndMoveThroughTheirStates) {
  const std::string project = new_project();
  const auto created = client().post("/api/v1/projects/" + project + "/sessions", nlohmann::json::object(), token());
  ASSERT_EQ(created.status, 201) << describe(created);
  const auto session = created.json();
  EXPECT_TRUE(is_lower_uuid(session["id"]));
  EXPECT_EQ(session["project_id"], project);
  EXPECT_EQ(session["mode"], "socratic");
  EXPECT_EQ(session["status"], "active");
  EXPECT_TRUE(is_rfc3339_utc(session["started_at"]));
  EXPECT_TRUE(session["ended_at"].is_null());
  const std::string id = session["id"];

  const auto listed = client().get("/api/v1/projects/" + project + "/sessions", token());
  ASSERT_EQ(listed.status, 200) << describe(listed);
  ASSERT_EQ(listed.json()["items"].size(), 1u);
  EXPECT_EQ(listed.json()["items"][0]["id"], id);

  EXPECT_EQ(client().get("/api/v1/sessions/" + id, token()).json()["id"], id);

  auto paused = client().post("/api/v1/sessions/" + id + "/pause", nlohmann::json::object(), token());
  ASSERT_EQ(paused.status, 200) << describe(paused);
  EXPECT_EQ(paused.json()["status"], "paused");
  EXPECT_TRUE(IsApiError(client().post("/api/v1/sessions/" + id + "/next-question", nlohmann::json::object(), token()),
                         409, "SESSION_NOT_ACTIVE"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/sessions/" + id + "/answer", {{"answer", "x"}}, token()), 409,
                         "SESSION_NOT_ACTIVE"));
  auto resumed = client().post("/api/v1/sessions/" + id + "/resume", nlohmann::json::object(), token());
  ASSERT_EQ(resumed.status, 200) << describe(resumed);
  EXPECT_EQ(resumed.json()["status"], "active");

  auto mode = put("/api/v1/sessions/" + id + "/mode", {{"mode", "direct_chat"}}, token());
  ASSERT_EQ(mode.status, 200) << describe(mode);
  EXPECT_EQ(mode.json()["mode"], "direct_chat");
  EXPECT_TRUE(IsValidationError(put("/api/v1/sessions/" + id + "/mode", {{"mode", "shouting"}}, token()), "mode"));

  auto ended = client().post("/api/v1/sessions/" + id + "/end", nlohmann::json::object(), token());
  ASSERT_EQ(ended.status, 200) << describe(ended);
  EXPECT_EQ(ended.json()["status"], "completed");
  EXPECT_TRUE(is_rfc3339_utc(ended.json()["ended_at"]));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/sessions/" + id + "/resume", nlohmann::json::object(), token()), 409,
                         "SESSION_NOT_ACTIVE"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/sessions/" + id + "/message", {{"message", "hi"}}, token()), 409,
                         "SESSION_NOT_ACTIVE"));

  EXPECT_TRUE(IsValidationError(
      client().post("/api/v1/projects/" + project + "/sessions", {{"mode", "loud"}}, token()), "mode"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/sessions/00000000-0000-4000-8000-000000000000", token()), 404,
                         "SESSION_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/projects/00000000-0000-4000-8000-000000000000/sessions",
                                       nlohmann::json::object(), token()),
                         404, "PROJECT_NOT_FOUND"));
}

TEST_F(DialogueE2eTest, NextQuestionIsPendingUntilAnsweredAndTheAnswerIsRecorded) {
  const std::string project = new_project();
  const std::string session = new_session(project);
  const auto first = client().post("/api/v1/sessions/" + session + "/next-question", nlohmann::json::object(), token());
  ASSERT_EQ(first.status, 201) << describe(first);
  const auto question = first.json();
  EXPECT_EQ(question["category"], "goals");  // a new project starts with goals
  EXPECT_EQ(question["answered"], false);
  EXPECT_EQ(question["session_id"], session);
  EXPECT_GT(question["quality_score"].get<double>(), 0.5);
  const auto again = client().post("/api/v1/sessions/" + session + "/next-question", nlohmann::json::object(), token());
  ASSERT_EQ(again.status, 200) << describe(again);
  EXPECT_EQ(again.json()["id"], question["id"]);

  const auto answered = client().post("/api/v1/sessions/" + session + "/answer",
                                      {{"answer", "We must help small bakeries take orders online. We will use "
                                                  "PostgreSQL as the database."}},
                                      token());
  ASSERT_EQ(answered.status, 200) << describe(answered);
  const auto body = answered.json();
  ASSERT_EQ(body["specifications"].size(), 2u) << body.dump();
  EXPECT_TRUE(body["conflicts"].empty());
  EXPECT_GT(body["maturity"]["score"].get<int>(), 0);
  EXPECT_EQ(body["maturity"]["delta"], body["maturity"]["score"]);
  ASSERT_TRUE(body["next_question"].is_object()) << body.dump();
  EXPECT_NE(body["next_question"]["id"], question["id"]);
  // What the answer said (docs/domain.md): the goal, firmly ("must"), in the question's category;
  // the database in its slot. The goal's key is the word picker's, so it is not checked.
  std::set<std::string> said;
  for (const auto& spec : body["specifications"]) {
    EXPECT_EQ(spec["source"], "extracted");
    EXPECT_EQ(spec["question_id"], question["id"]);
    EXPECT_EQ(spec["version"], 1);
    EXPECT_EQ(spec["is_current"], true);
    if (spec["category"] == "tech_stack") {
      EXPECT_EQ(spec["key"], "database");
      said.insert("database=" + spec["value"].get<std::string>());
    } else {
      said.insert(spec["category"].get<std::string>() + "=" + spec["value"].get<std::string>() + " @" +
                  spec["confidence"].dump());
    }
  }
  EXPECT_EQ(said, (std::set<std::string>{"database=PostgreSQL",
                                         "goals=We must help small bakeries take orders online @0.9"}))
      << body.dump();
  const auto listed = client().get("/api/v1/projects/" + project + "/specifications", token()).json();
  EXPECT_EQ(listed["total"], 2) << listed.dump();
  ASSERT_EQ(listed["items"].size(), 2u) << listed.dump();

  const auto project_body = client().get("/api/v1/projects/" + project, token()).json();
  EXPECT_EQ(project_body["maturity_score"], body["maturity"]["score"]);

  // "I don't know" yields nothing, but it is in the history.
  const auto unsure = answer(session, "I don't know yet.");
  EXPECT_TRUE(unsure["specifications"].empty());
  EXPECT_EQ(unsure["maturity"]["delta"], 0);

  const auto history = client().get("/api/v1/sessions/" + session + "/history", token());
  ASSERT_EQ(history.status, 200) << describe(history);
  const auto items = history.json()["items"];
  // question, answer, the next question, "I don't know", the question after it.
  ASSERT_EQ(items.size(), 5u) << items.dump();
  EXPECT_EQ(items[0]["role"], "assistant");
  EXPECT_EQ(items[0]["message_type"], "question");
  EXPECT_EQ(items[0]["question_id"], question["id"]);
  EXPECT_EQ(items[0]["content"], question["text"]);
  EXPECT_EQ(items[1]["role"], "user");
  EXPECT_EQ(items[1]["message_type"], "answer");
  EXPECT_EQ(items[2]["question_id"], body["next_question"]["id"]);
  EXPECT_EQ(items[3]["content"], "I don't know yet.");
  EXPECT_EQ(items[4]["message_type"], "question");
  EXPECT_EQ(items[4]["question_id"], unsure["next_question"]["id"]);

  EXPECT_TRUE(IsApiError(client().post("/api/v1/sessions/" + session + "/answer",
                                       {{"answer", "x"}, {"question_id", "00000000-0000-4000-8000-000000000000"}},
                                       token()),
                         404, "QUESTION_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/sessions/" + session + "/message", {{"message", "hi"}}, token()), 409,
                         "WRONG_MODE"));
}

// The planner follows the person (docs/domain.md): an answer that recorded two specifications of a
// category other than the question's makes the next question that category's, with its reason.
// The host reads what each answer recorded from the question (migration 012's trigger).
TEST_F(DialogueE2eTest, AnAnswerRichInACategoryIsFollowedUpInThatCategory) {
  const std::string project = new_project();
  const std::string session = new_session(project);
  const auto first = client().post("/api/v1/sessions/" + session + "/next-question", nlohmann::json::object(), token());
  ASSERT_EQ(first.status, 201) << describe(first);
  ASSERT_EQ(first.json()["category"], "goals");
  const auto answered = client().post(
      "/api/v1/sessions/" + session + "/answer",
      {{"answer", "We will use PostgreSQL as the database, Python for the backend and React for the frontend."}},
      token());
  ASSERT_EQ(answered.status, 200) << describe(answered);
  const auto body = answered.json();
  std::size_t tech = 0;
  for (const auto& spec : body["specifications"]) tech += spec["category"] == "tech_stack" ? 1 : 0;
  ASSERT_GE(tech, 2u) << body.dump();
  ASSERT_TRUE(body["next_question"].is_object()) << body.dump();
  EXPECT_EQ(body["next_question"]["category"], "tech_stack") << body.dump();
  EXPECT_EQ(body["next_question"]["context"].get<std::string>().rfind("following the person: ", 0), 0u) << body.dump();
}

TEST_F(DialogueE2eTest, DirectChatRepliesAndRecords) {
  const std::string project = new_project();
  const std::string session = new_session(project, "direct_chat");
  const std::string message = "The backend will be written in Rust.";
  const auto turn = client().post("/api/v1/sessions/" + session + "/message", {{"message", message}}, token());
  ASSERT_EQ(turn.status, 200) << describe(turn);
  const auto body = turn.json();
  // docs/domain.md: a backend language named is tech_stack/backend_language, and the reply
  // restates what was recorded.
  ASSERT_EQ(body["specifications"].size(), 1u) << body.dump();
  const auto recorded = body["specifications"][0];
  EXPECT_EQ(recorded["category"], "tech_stack");
  EXPECT_EQ(recorded["key"], "backend_language");
  EXPECT_EQ(recorded["value"], "Rust");
  EXPECT_EQ(recorded["session_id"], session);
  EXPECT_NE(body["reply"].get<std::string>().find("Rust"), std::string::npos) << body.dump();
  EXPECT_TRUE(body["conflicts"].empty());
  EXPECT_GT(body["maturity"]["score"].get<int>(), 0) << body.dump();
  EXPECT_FALSE(body.contains("duplicates"));
  // And it is stored: the project's specifications are that one.
  const auto listed = client().get("/api/v1/projects/" + project + "/specifications", token());
  ASSERT_EQ(listed.status, 200) << describe(listed);
  ASSERT_EQ(listed.json()["items"].size(), 1u) << listed.body;
  EXPECT_EQ(listed.json()["items"][0], recorded);
  const auto items = client().get("/api/v1/sessions/" + session + "/history", token()).json()["items"];
  ASSERT_EQ(items.size(), 2u) << items.dump();
  EXPECT_EQ(items[0]["message_type"], "message");
  EXPECT_EQ(items[0]["content"], message);
  EXPECT_EQ(items[1]["message_type"], "reply");
  EXPECT_EQ(items[1]["content"], body["reply"]);
}

TEST_F(DialogueE2eTest, SpecificationsAreVersionedEditedAndDeleted) {
  const std::string project = new_project();
  const auto spec = add_spec(project, "goals", "main_goal", "Cut paperwork for nurses by half");
  EXPECT_EQ(spec["source"], "user_input");
  EXPECT_EQ(spec["version"], 1);
  const std::string id = spec["id"];
  const int after_add = client().get("/api/v1/projects/" + project, token()).json()["maturity_score"];
  EXPECT_GT(after_add, 0);

  const auto edited = put("/api/v1/specifications/" + id, {{"value", "Cut paperwork for nurses by two thirds"}},
                          token());
  ASSERT_EQ(edited.status, 200) << describe(edited);
  EXPECT_EQ(edited.json()["version"], 2);
  EXPECT_NE(edited.json()["id"], id);
  const std::string id2 = edited.json()["id"];

  auto current = client().get("/api/v1/projects/" + project + "/specifications", token()).json()["items"];
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0]["id"], id2);
  auto all = client().get("/api/v1/projects/" + project + "/specifications?history=true", token()).json()["items"];
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["is_current"], false);
  auto goals = client().get("/api/v1/projects/" + project + "/specifications?category=security", token()).json();
  EXPECT_TRUE(goals["items"].empty());

  EXPECT_TRUE(IsValidationError(client().post("/api/v1/projects/" + project + "/specifications",
                                              {{"category", "nonsense"}, {"key", "k"}, {"value", "v"}}, token()),
                                "category"));
  EXPECT_TRUE(IsValidationError(put("/api/v1/specifications/" + id2, nlohmann::json::object(), token()), "value"));

  const auto deleted = client().del("/api/v1/specifications/" + id2, token());
  EXPECT_EQ(deleted.status, 204) << describe(deleted);
  EXPECT_TRUE(client().get("/api/v1/projects/" + project + "/specifications", token()).json()["items"].empty());
  EXPECT_EQ(client().get("/api/v1/projects/" + project, token()).json()["maturity_score"], 0);
  EXPECT_TRUE(IsApiError(client().del("/api/v1/specifications/" + id2, token()), 404, "SPECIFICATION_NOT_FOUND"));
}

TEST_F(DialogueE2eTest, AContradictionWaitsInAConflictAndUseProposedMakesANewVersion) {
  const std::string project = new_project();
  const std::string session = new_session(project);
  next_question(session);
  const auto first = answer(session, "We will use PostgreSQL as the database.");
  ASSERT_EQ(first["specifications"].size(), 1u) << first.dump();
  EXPECT_EQ(first["specifications"][0]["key"], "database");
  EXPECT_EQ(first["specifications"][0]["value"], "PostgreSQL");
  next_question(session);
  const auto second = answer(session, "The data will live in MySQL.");
  ASSERT_EQ(second["conflicts"].size(), 1u) << second.dump();
  const auto conflict = second["conflicts"][0];
  EXPECT_EQ(conflict["type"], "contradiction");
  EXPECT_EQ(conflict["status"], "open");
  EXPECT_EQ(conflict["severity"], "high");
  EXPECT_EQ(conflict["existing"]["value"], "PostgreSQL");
  EXPECT_EQ(conflict["proposed"]["value"], "MySQL");
  EXPECT_EQ(conflict["proposed"]["key"], "database");
  const std::string conflict_id = conflict["id"];

  const auto listed = client().get("/api/v1/projects/" + project + "/conflicts", token());
  ASSERT_EQ(listed.status, 200) << describe(listed);
  ASSERT_EQ(listed.json()["items"].size(), 1u);
  EXPECT_EQ(client().get("/api/v1/conflicts/" + conflict_id, token()).json()["id"], conflict_id);
  const auto maturity = client().get("/api/v1/projects/" + project + "/maturity", token()).json();
  EXPECT_EQ(maturity["open_conflicts"], 1);

  EXPECT_TRUE(IsValidationError(client().post("/api/v1/conflicts/" + conflict_id + "/resolve",
                                              {{"resolution", "merge"}}, token()),
                                "value"));
  const auto resolved = client().post("/api/v1/conflicts/" + conflict_id + "/resolve",
                                      {{"resolution", "use_proposed"}, {"notes", "we changed our mind"}}, token());
  ASSERT_EQ(resolved.status, 200) << describe(resolved);
  EXPECT_EQ(resolved.json()["status"], "resolved");
  EXPECT_EQ(resolved.json()["resolution"], "use_proposed");
  EXPECT_EQ(resolved.json()["notes"], "we changed our mind");
  EXPECT_TRUE(is_rfc3339_utc(resolved.json()["resolved_at"]));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/conflicts/" + conflict_id + "/resolve",
                                       {{"resolution", "ignore"}}, token()),
                         409, "CONFLICT_ALREADY_RESOLVED"));

  const auto specs =
      client().get("/api/v1/projects/" + project + "/specifications?category=tech_stack", token()).json()["items"];
  ASSERT_EQ(specs.size(), 1u) << specs.dump();
  EXPECT_EQ(specs[0]["value"], "MySQL");
  EXPECT_EQ(specs[0]["version"], 2);
  EXPECT_TRUE(client().get("/api/v1/projects/" + project + "/conflicts", token()).json()["items"].empty());
  EXPECT_EQ(client().get("/api/v1/projects/" + project + "/conflicts?status=all", token()).json()["items"].size(), 1u);
}

TEST_F(DialogueE2eTest, AManualSpecificationThatConflictsAnswers409AndKeepsTheConflict) {
  const std::string project = new_project();
  add_spec(project, "tech_stack", "database", "PostgreSQL");
  const auto refused = client().post("/api/v1/projects/" + project + "/specifications",
                                     {{"category", "tech_stack"}, {"key", "database"}, {"value", "MongoDB"}}, token());
  ASSERT_TRUE(IsApiError(refused, 409, "CONFLICT_DETECTED"));
  const auto conflict = refused.json()["error"]["details"]["conflict"];
  ASSERT_TRUE(conflict.is_object()) << refused.body;
  EXPECT_EQ(conflict["proposed"]["value"], "MongoDB");
  EXPECT_EQ(conflict["proposed"]["source"], "user_input");
  const auto stored = client().get("/api/v1/conflicts/" + conflict["id"].get<std::string>(), token());
  ASSERT_EQ(stored.status, 200) << describe(stored);
  EXPECT_EQ(stored.json()["status"], "open");

  const auto kept = client().post("/api/v1/conflicts/" + conflict["id"].get<std::string>() + "/resolve",
                                  {{"resolution", "keep_existing"}}, token());
  ASSERT_EQ(kept.status, 200) << describe(kept);
  const auto specs = client().get("/api/v1/projects/" + project + "/specifications", token()).json()["items"];
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0]["value"], "PostgreSQL");
}

TEST_F(DialogueE2eTest, AnotherUsersSessionsSpecificationsAndConflictsAreNotFound) {
  const std::string project = new_project();
  const std::string session = new_session(project);
  const auto spec = add_spec(project, "tech_stack", "database", "PostgreSQL");
  const auto refused = client().post("/api/v1/projects/" + project + "/specifications",
                                     {{"category", "tech_stack"}, {"key", "database"}, {"value", "MySQL"}}, token());
  const std::string conflict = refused.json()["error"]["details"]["conflict"].value("id", "");
  ASSERT_FALSE(conflict.empty()) << refused.body;

  const TestUser other = new_user(client(), "other");
  const std::string t = other.access_token;
  const nlohmann::json none = nlohmann::json::object();
  EXPECT_TRUE(IsApiError(client().get("/api/v1/sessions/" + session, t), 404, "SESSION_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/sessions/" + session + "/next-question", none, t), 404,
                         "SESSION_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/sessions/" + session + "/answer", {{"answer", "x"}}, t), 404,
                         "SESSION_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/sessions/" + session + "/end", none, t), 404, "SESSION_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/sessions/" + session + "/history", t), 404, "SESSION_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/projects/" + project + "/sessions", t), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(
      IsApiError(client().get("/api/v1/projects/" + project + "/specifications", t), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/projects/" + project + "/conflicts", t), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/projects/" + project + "/maturity", t), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/projects/" + project + "/export", t), 404, "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/projects/" + project + "/advance", none, t), 404,
                         "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().request("PUT", "/api/v1/specifications/" + spec["id"].get<std::string>(),
                                          nlohmann::json({{"value", "x"}}).dump(), bearer(t)),
                         404, "SPECIFICATION_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().del("/api/v1/specifications/" + spec["id"].get<std::string>(), t), 404,
                         "SPECIFICATION_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/conflicts/" + conflict, t), 404, "CONFLICT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/conflicts/" + conflict + "/resolve", {{"resolution", "ignore"}}, t),
                         404, "CONFLICT_NOT_FOUND"));
  // Nothing changed for the owner.
  EXPECT_EQ(client().get("/api/v1/conflicts/" + conflict, token()).json()["status"], "open");
}

TEST_F(DialogueE2eTest, CategoriesMaturityAndExport) {
  const auto categories = client().get("/api/v1/categories", token());
  ASSERT_EQ(categories.status, 200) << describe(categories);
  const auto items = categories.json()["items"];
  ASSERT_EQ(items.size(), 10u);
  EXPECT_EQ(items[0]["name"], "goals");
  EXPECT_EQ(items[0]["target"], 10);
  EXPECT_EQ(items[0]["phase"], "discovery");

  const std::string project = new_project("Export me");
  const std::string session = new_session(project);
  next_question(session);
  answer(session, "We must help small bakeries take orders online.");
  add_spec(project, "tech_stack", "database", "PostgreSQL");
  client().post("/api/v1/projects/" + project + "/specifications",
                {{"category", "tech_stack"}, {"key", "database"}, {"value", "MySQL"}}, token());

  const auto maturity = client().get("/api/v1/projects/" + project + "/maturity", token());
  ASSERT_EQ(maturity.status, 200) << describe(maturity);
  const auto m = maturity.json();
  EXPECT_EQ(m["phase"], "discovery");
  EXPECT_EQ(m["categories"].size(), 10u);
  EXPECT_EQ(m["open_conflicts"], 1);
  EXPECT_EQ(m["next_phase"]["name"], "analysis");
  EXPECT_EQ(m["next_phase"]["required_score"], 60);
  EXPECT_EQ(m["next_phase"]["ready"], false);
  EXPECT_EQ(m["score"], client().get("/api/v1/projects/" + project, token()).json()["maturity_score"]);

  const auto gate = client().post("/api/v1/projects/" + project + "/advance", nlohmann::json::object(), token());
  ASSERT_TRUE(IsApiError(gate, 409, "PHASE_GATE"));
  std::set<std::string> blockers;
  const auto refusal = gate.json();
  for (const auto& blocker : refusal["error"]["details"]["blockers"]) blockers.insert(blocker.value("code", ""));
  EXPECT_EQ(blockers, (std::set<std::string>{"maturity_below_required", "open_conflicts"})) << gate.body;

  const auto markdown = client().get("/api/v1/projects/" + project + "/export?format=markdown", token());
  ASSERT_EQ(markdown.status, 200) << describe(markdown);
  EXPECT_NE(markdown.header("content-type").value_or("").find("text/markdown"), std::string::npos);
  EXPECT_NE(markdown.body.find("# Export me"), std::string::npos) << markdown.body;
  EXPECT_NE(markdown.body.find("PostgreSQL"), std::string::npos) << markdown.body;
  EXPECT_NE(markdown.body.find("What problem"), std::string::npos) << markdown.body;  // the source question
  EXPECT_NE(markdown.body.find("Open conflicts"), std::string::npos) << markdown.body;

  const auto json = client().get("/api/v1/projects/" + project + "/export?format=json", token());
  ASSERT_EQ(json.status, 200) << describe(json);
  const auto document = json.json();
  EXPECT_EQ(document["project"]["id"], project);
  EXPECT_EQ(document["categories"].size(), 10u);
  EXPECT_EQ(document["conflicts"]["open"].size(), 1u);
  bool has_question = false;
  bool has_database = false;
  for (const auto& requirement : document["requirements"]) {
    has_question = has_question || requirement["trace"]["question"].is_string();
    has_database = has_database || requirement["value"] == "PostgreSQL";
  }
  EXPECT_TRUE(has_question) << document.dump();
  EXPECT_TRUE(has_database) << document.dump();
  EXPECT_TRUE(IsValidationError(client().get("/api/v1/projects/" + project + "/export?format=pdf", token()),
                                "format"));
}

// Good answers per category, firm and specific, that a user could give. The interview picks them
// by the category of the question the system asks; each category's answers are used in order.
const std::map<std::string, std::vector<std::string>>& good_answers() {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"goals",
       {"We must help small bakeries take orders online so they waste less bread. The shop owners will see every "
        "order for the next day in one list. The first version has to be usable within three months.",
        "Success will mean that bakeries stop taking orders by phone. Owners must save an hour of admin each day. "
        "We will earn money through a monthly subscription per shop.",
        "The most important outcome must be less wasted bread. Customers will get their bread fresh at a chosen "
        "time. Delivery is deliberately out of scope for the first version.",
        "Today bakers write orders on paper and lose some of them. Our customers are independent family bakeries. "
        "Owners must trust the order list completely."}},
      {"requirements",
       {"Customers must be able to browse the daily assortment and place an order. Bakers must confirm or decline "
        "each order. Customers will receive a confirmation message after ordering.",
        "There will be two roles, customers and bakery staff. Staff must edit the assortment and prices. Customers "
        "must cancel an order until the evening before pickup.",
        "The software must show a printable baking plan for each morning. It has to total the quantities per "
        "product. Orders must carry the pickup time slot.",
        "The software must never accept an order for a sold out product. It has to respect the opening hours of "
        "each shop. Customers will use phones most of the time."}},
      {"tech_stack",
       {"We will use PostgreSQL as the database. The backend will be written in Python. We must host it on AWS.",
        "The frontend framework will be React. We will deploy it with Docker containers. Our team knows Django "
        "well.",
        "Company policy requires open source components. We must avoid vendor lock in where possible. The payment "
        "provider will be Stripe.",
        "Caching will use Redis. The team has two backend developers and one designer. We must keep the "
        "architecture simple to operate."}},
      {"scalability",
       {"We expect 200 bakeries in the first year. Each bakery will have about 300 customers. Order peaks happen "
        "on Saturday mornings.",
        "The system must handle 500 concurrent users at the Saturday peak. Growth will come region by region. "
        "Every shop's data must stay separate.",
        "We will need to add new regions without downtime. The number of products per shop stays below a few "
        "hundred. Holiday seasons double the usual order volume.",
        "Each region will be onboarded by our sales team. Background jobs must not slow down ordering. Reports "
        "will be generated overnight."}},
      {"security",
       {"All traffic must be encrypted with TLS. Passwords must be hashed. Staff accounts need two factor "
        "authentication.",
        "We must comply with GDPR for customer data. Customers must be able to delete their account. Payment data "
        "will never be stored by us.",
        "Only staff of a shop may see that shop's orders. Every administrative action must be audited. Sessions "
        "must expire after a period of inactivity.",
        "Login will use OAuth with Google as an option. Secrets must live in a vault. Security updates must be "
        "applied within a week."}},
      {"performance",
       {"Pages must load within 2 seconds on a phone. Placing an order has to feel instant. The baking plan must "
        "render quickly even for busy shops.",
        "The API response time must stay below 300 ms at the 95th percentile. Search in the assortment will be "
        "immediate. Images must be compressed for slow networks.",
        "The morning printout must be ready before five o'clock. Confirmation messages must go out within a "
        "minute. Batch jobs will run at night.",
        "Performance will be checked before every release. Slow pages must be reported to the team. Customers on "
        "old phones must still have a smooth experience."}},
      {"testing",
       {"Every feature must have unit tests. Integration tests will cover the ordering flow. Code coverage has to "
        "stay above 80 percent.",
        "We will run end to end tests against a staging system. Bakers will try each release before it ships. "
        "Every bug fix must come with a regression test.",
        "Tests must run automatically on every change. Load tests will simulate a Saturday peak. The payment flow "
        "must be tested with the provider's sandbox.",
        "Manual test scripts will cover printing. Accessibility must be checked with a screen reader. Releases "
        "will wait until every test passes."}},
      {"monitoring",
       {"We must collect logs from every service. Alerts must reach the on call developer by phone. A dashboard "
        "will show orders per hour.",
        "Metrics must track failed payments. Error rates will be watched after every release. Uptime must be "
        "measured from outside.",
        "Logs must not contain personal data. Alerts will fire when the morning printout fails. Weekly reports "
        "will summarise incidents.",
        "Dashboards will show the health of each region. Slow queries must be logged. The team will review alerts "
        "every month."}},
      {"data_retention",
       {"Orders must be retained for ten years for tax reasons. Customer accounts will be deleted after two years "
        "of inactivity. Logs must be deleted after 30 days.",
        "Old orders will be archived after one year. Deleted accounts must be anonymised in reports. Backups "
        "follow the same retention rules.",
        "Invoices must be kept as long as the law requires. Photos of products will be removed when a product is "
        "retired. Staff may export their shop's history.",
        "Analytics data will be aggregated and kept indefinitely. Raw tracking data must be removed after a "
        "quarter. Retention rules will be documented for customers."}},
      {"disaster_recovery",
       {"We must back up the database every hour. The RPO is one hour and the RTO is four hours. Restores will be "
        "tested every quarter.",
        "Backups must be stored in a second region. Failover to the second region will be manual. A runbook must "
        "describe every recovery step.",
        "Losing a Saturday morning of orders would be unacceptable. The printout must be available offline in "
        "each shop. Bakers will get a paper fallback procedure.",
        "Recovery drills will happen twice a year. Configuration must be restorable from version control. "
        "Encryption keys must be backed up separately."}},
  };
  return table;
}

TEST_F(DialogueE2eTest, AScriptedInterviewTakesANewProjectThroughTheAnalysisGate) {
  const std::string project = new_project("Bakery orders");
  const std::string session = new_session(project);
  EXPECT_EQ(client().get("/api/v1/projects/" + project + "/maturity", token()).json()["score"], 0);
  EXPECT_TRUE(IsApiError(client().post("/api/v1/projects/" + project + "/advance", nlohmann::json::object(), token()),
                         409, "PHASE_GATE"));

  std::map<std::string, std::size_t> used;
  std::set<std::string> asked;
  int score = 0;
  int turns = 0;
  auto question = next_question(session);
  for (; turns < 60 && score < 60; ++turns) {
    ASSERT_TRUE(question.is_object() && question.contains("category")) << question.dump();
    const std::string category = question["category"];
    EXPECT_TRUE(asked.insert(question["text"].get<std::string>()).second) << "asked twice: " << question.dump();
    const auto& answers = good_answers().at(category);
    const std::size_t index = used[category]++;
    const std::string text = index < answers.size()
                                 ? answers[index]
                                 : "We must also cover point " + std::to_string(index) + " of " + category + ".";
    const auto body = answer(session, text);
    ASSERT_TRUE(body.contains("maturity")) << body.dump();
    // Resolve any contradiction the way a user would: keep what was said first.
    for (const auto& conflict : body["conflicts"]) {
      const auto resolved = client().post("/api/v1/conflicts/" + conflict["id"].get<std::string>() + "/resolve",
                                          {{"resolution", "keep_existing"}}, token());
      EXPECT_EQ(resolved.status, 200) << describe(resolved);
    }
    EXPECT_GE(body["maturity"]["delta"].get<int>(), 0) << body.dump();
    score = body["maturity"]["score"];
    question = body["next_question"];
  }
  ASSERT_GE(score, 60) << "after " << turns << " turns";
  const auto maturity = client().get("/api/v1/projects/" + project + "/maturity", token()).json();
  EXPECT_EQ(maturity["next_phase"]["ready"], true) << maturity.dump();
  const auto advanced =
      client().post("/api/v1/projects/" + project + "/advance", nlohmann::json::object(), token());
  ASSERT_EQ(advanced.status, 200) << describe(advanced);
  EXPECT_EQ(advanced.json()["current_phase"], "analysis");
  const auto gate = client().post("/api/v1/projects/" + project + "/advance", nlohmann::json::object(), token());
  EXPECT_TRUE(IsApiError(gate, 409, "PHASE_GATE"));
}

TEST_F(DialogueE2eTest, TheSameActionsAnswerThroughTheGenericAgentRoute) {
  const std::string project = new_project();
  const auto created =
      client().post("/api/v1/agents/socratic/create_session", {{"project_id", project}}, token());
  ASSERT_EQ(created.status, 200) << describe(created);  // the generic route wraps the value in "result"
  // Each action's result is what the dedicated route answers for the same thing.
  const auto session_object = created.json()["result"];
  const std::string session = session_object["id"];
  EXPECT_EQ(session_object["project_id"], project);
  EXPECT_EQ(session_object["status"], "active");
  EXPECT_EQ(client().get("/api/v1/sessions/" + session, token()).json(), session_object);

  const auto question = client().post("/api/v1/agents/socratic/next_question", {{"session_id", session}}, token());
  ASSERT_EQ(question.status, 200) << describe(question);
  const auto asked = question.json()["result"];
  EXPECT_EQ(asked["category"], "goals");
  EXPECT_EQ(asked["session_id"], session);
  // The question is pending: the dedicated route answers the same one.
  EXPECT_EQ(next_question(session), asked);

  const auto recorded = client().post("/api/v1/agents/context/record_answer",
                                      {{"session_id", session}, {"answer", "We will use PostgreSQL."}}, token());
  ASSERT_EQ(recorded.status, 200) << describe(recorded);
  const auto specifications = recorded.json()["result"]["specifications"];
  ASSERT_EQ(specifications.size(), 1u) << recorded.body;
  EXPECT_EQ(specifications[0]["category"], "tech_stack");
  EXPECT_EQ(specifications[0]["key"], "database");
  EXPECT_EQ(specifications[0]["value"], "PostgreSQL");
  EXPECT_EQ(specifications[0]["question_id"], asked["id"]);
  const auto listed = client().get("/api/v1/projects/" + project + "/specifications", token()).json();
  ASSERT_EQ(listed["items"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["items"][0], specifications[0]);

  const auto maturity = client().post("/api/v1/agents/project_manager/maturity", {{"project_id", project}}, token());
  ASSERT_EQ(maturity.status, 200) << describe(maturity);
  EXPECT_GT(maturity.json()["result"]["score"].get<int>(), 0) << maturity.body;
  EXPECT_EQ(maturity.json()["result"], client().get("/api/v1/projects/" + project + "/maturity", token()).json());
}

// socratic/reply is internal: the generic route answers it word for word as an action that does
// not exist, listing only the public actions, and runs nothing (no reply in the history); the
// host's own /message route still gets its reply from it.
TEST_F(DialogueE2eTest, TheGenericRouteRefusesAnInternalActionAsIfItDidNotExist) {
  const std::string project = new_project();
  const std::string session = new_session(project, "direct_chat");
  const auto internal = client().post("/api/v1/agents/socratic/reply",
                                      {{"session_id", session}, {"message", "Write me a poem."}}, token());
  ASSERT_TRUE(IsApiError(internal, 400, "UNSUPPORTED_ACTION"));
  const auto unknown = client().post("/api/v1/agents/socratic/no_such_action",
                                     {{"session_id", session}, {"message", "Write me a poem."}}, token());
  ASSERT_TRUE(IsApiError(unknown, 400, "UNSUPPORTED_ACTION"));

  // The same answer but for the action's name.
  nlohmann::json refused = internal.json()["error"], missing = unknown.json()["error"];
  EXPECT_EQ(refused["message"], "agent 'socratic' has no action 'reply'");
  EXPECT_EQ(refused["details"]["action"], "reply");
  refused["details"].erase("action");
  missing["details"].erase("action");
  EXPECT_EQ(refused["details"], missing["details"]);
  const auto listed = refused["details"]["available_capabilities"].get<std::vector<std::string>>();
  EXPECT_EQ(std::count(listed.begin(), listed.end(), "reply"), 0) << refused.dump();
  EXPECT_EQ(std::count(listed.begin(), listed.end(), "next_question"), 1) << refused.dump();
  EXPECT_TRUE(client().get("/api/v1/sessions/" + session + "/history", token()).json()["items"].empty());

  // describe lists the public actions only, too.
  const auto described = client().post("/api/v1/agents/socratic/describe", nlohmann::json::object(), token());
  ASSERT_EQ(described.status, 200) << describe(described);
  EXPECT_EQ(described.json()["result"]["capabilities"], refused["details"]["available_capabilities"]);

  const auto turn = client().post("/api/v1/sessions/" + session + "/message",
                                  {{"message", "The backend will be written in Rust."}}, token());
  ASSERT_EQ(turn.status, 200) << describe(turn);
  EXPECT_NE(turn.json()["reply"].get<std::string>().find("Rust"), std::string::npos) << turn.body;
}

TEST_F(DialogueE2eTest, AdminAgentsListInternalActionsApart) {
  const TestUser admin = make_admin(client(), host_->env);
  const auto agents = client().get("/api/v1/admin/agents", admin.access_token);
  ASSERT_EQ(agents.status, 200) << describe(agents);
  bool seen = false;
  const nlohmann::json listed_agents = agents.json();
  for (const auto& agent : listed_agents["items"]) {
    ASSERT_TRUE(agent["internal_capabilities"].is_array()) << agent.dump();
    if (agent["id"] != "socratic") continue;
    seen = true;
    EXPECT_EQ(agent["internal_capabilities"], nlohmann::json::array({"next_question_from_state", "reply", "stats"})) << agent.dump();
    const auto listed = agent["capabilities"].get<std::vector<std::string>>();
    EXPECT_EQ(std::count(listed.begin(), listed.end(), "reply"), 0) << agent.dump();
    EXPECT_EQ(std::count(listed.begin(), listed.end(), "next_question_from_state"), 0) << agent.dump();
  }
  EXPECT_TRUE(seen) << agents.body;
}

// Every list pages one way (docs/api.md): limit 1..200, default 50, and the real total on every
// page, past the last one too.
TEST_F(DialogueE2eTest, EveryDialogueListPagesByTheSameRule) {
  const std::string project = new_project();
  const std::string session = new_session(project);
  add_spec(project, "performance", "response_time", "200 ms");
  add_spec(project, "security", "authentication", "passwords");
  // A contradiction of the first: 409, and the conflict waits in the list.
  EXPECT_EQ(client()
                .post("/api/v1/projects/" + project + "/specifications",
                      {{"category", "performance"}, {"key", "response_time"}, {"value", "100 ms"}}, token())
                .status,
            409);
  for (const char* text : {"Nurses on the ward", "They lose time"}) {
    next_question(session);
    answer(session, text);
  }
  for (const std::string& path :
       {"/api/v1/projects/" + project + "/sessions", "/api/v1/projects/" + project + "/specifications",
        "/api/v1/projects/" + project + "/conflicts", "/api/v1/sessions/" + session + "/history",
        std::string("/api/v1/projects")}) {
    const auto all = client().get(path, token());
    ASSERT_EQ(all.status, 200) << path << ": " << describe(all);
    const nlohmann::json first = all.json();
    EXPECT_EQ(first["limit"], 50) << path;
    EXPECT_EQ(first["offset"], 0) << path;
    const auto total = first["total"].get<std::int64_t>();
    ASSERT_GT(total, 0) << path << ": " << all.body;
    EXPECT_EQ(first["items"].size(), static_cast<std::size_t>(std::min<std::int64_t>(total, 50))) << path;

    const auto past = client().get(path + "?limit=2&offset=" + std::to_string(total + 5), token());
    ASSERT_EQ(past.status, 200) << path << ": " << describe(past);
    EXPECT_TRUE(past.json()["items"].empty()) << path << ": " << past.body;
    EXPECT_EQ(past.json()["total"], total) << path << ": " << past.body;

    EXPECT_EQ(client().get(path + "?limit=200", token()).status, 200) << path;
    EXPECT_TRUE(IsValidationError(client().get(path + "?limit=201", token()), "limit")) << path;
    EXPECT_TRUE(IsValidationError(client().get(path + "?limit=0", token()), "limit")) << path;
  }
}

}  // namespace
}  // namespace socrates::test::e2e

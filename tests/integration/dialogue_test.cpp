// The dialogue's three real plugins (socratic, context, project_manager), loaded and started by
// the host's ServiceContainer and reached through its Orchestrator, on a migrated specs database:
// the transactions' effects as the database sees them, the orchestrator's flows (the two turns and
// the stats) run by name without HTTP, the engine's start-up from DATA_DIR, and concurrent answers
// on one project.
#include "host/app/service_container.hpp"
#include "host/orchestrator/orchestrator.hpp"
#include "host/plugins/plugin_loader.hpp"

#include "support/integration_fixture.hpp"

#include <socrates/dialogue/members.hpp>
#include <socrates/dialogue/store.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace socrates {
namespace {

using json = nlohmann::json;

constexpr const char* kAlice = "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f";
constexpr const char* kBob = "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11";

sdk::Caller caller(const std::string& user_id) { return sdk::Caller{user_id, "user", "test-request"}; }

std::string plugin(const char* name) { return std::string(SOCRATES_PLUGIN_DIR) + "/lib" + name + "_agent.so"; }

class DialogueTest : public ::testing::Test {
 protected:
  DialogueTest()
      : container_(test::integration_config(databases_, {{"PLUGIN_COPY_DIR", copies_.path().string()},
                                                         {"PLUGINS", plugins()}})) {
    container_.agents().load_configured();
  }

  static std::string plugins() {
    return plugin("project_manager") + "," + plugin("socratic") + "," + plugin("context");
  }

  sdk::Result route(const std::string& agent, const std::string& action, json params,
                    const std::string& user_id = kAlice) {
    return container_.orchestrator().route(agent, action, std::move(params), caller(user_id));
  }
  json ok(const std::string& agent, const std::string& action, json params, const std::string& user_id = kAlice) {
    sdk::Result result = route(agent, action, std::move(params), user_id);
    EXPECT_TRUE(result.is_ok()) << agent << "/" << action << ": " << test::code_of(result);
    return result.is_ok() ? result.value() : json::object();
  }
  std::string project(const std::string& user_id = kAlice) {
    return ok("project_manager", "create", {{"name", "P"}}, user_id).value("id", "");
  }
  std::string session(const std::string& project_id, const std::string& user_id = kAlice) {
    return ok("socratic", "create_session", {{"project_id", project_id}}, user_id).value("id", "");
  }
  std::int64_t count(const std::string& sql) { return test::db_count(databases_.specs_url(), sql); }
  sdk::Result flow(const std::string& name, json params, const std::string& user_id = kAlice) {
    return container_.orchestrator().run_flow(name, std::move(params), caller(user_id));
  }

  test::MigratedDatabases databases_;
  test::TempDir copies_;
  host::ServiceContainer container_;
};

TEST_F(DialogueTest, AnAnswerSavesSpecificationsMarksTheQuestionAndStoresMaturityInOneGo) {
  const std::string p = project();
  const std::string s = session(p);
  const json question = ok("socratic", "next_question", {{"session_id", s}});
  EXPECT_EQ(question["category"], "goals");
  const json recorded = ok("context", "record_answer",
                           {{"session_id", s}, {"answer", "We will use PostgreSQL. Passwords must be hashed."}});
  ASSERT_GE(recorded["specifications"].size(), 2u) << recorded.dump();
  EXPECT_EQ(count("SELECT count(*) FROM specifications WHERE is_current"),
            static_cast<std::int64_t>(recorded["specifications"].size()));
  EXPECT_EQ(count("SELECT count(*) FROM questions WHERE answered"), 1);
  EXPECT_EQ(count("SELECT maturity_score FROM projects"), recorded["maturity"]["score"].get<std::int64_t>());
  EXPECT_EQ(count("SELECT count(*) FROM conversation_history"), 2);
}

TEST_F(DialogueTest, AnAnswerThatYieldsNothingIsStillInTheHistory) {
  const std::string s = session(project());
  ok("socratic", "next_question", {{"session_id", s}});
  const json recorded = ok("context", "record_answer", {{"session_id", s}, {"answer", "not sure yet"}});
  EXPECT_TRUE(recorded["specifications"].empty());
  EXPECT_EQ(count("SELECT count(*) FROM conversation_history WHERE message_type = 'answer'"), 1);
}

TEST_F(DialogueTest, OnlyAnAnswerThatRecordsSomethingTouchesTheProject) {
  const std::string p = project();
  const std::string s = session(p);
  const auto updated_at = [&] {
    return count("SELECT (extract(epoch FROM updated_at) * 1000000)::bigint FROM projects WHERE id = '" + p + "'");
  };
  ok("socratic", "next_question", {{"session_id", s}});
  const std::int64_t created = updated_at();
  const json nothing = ok("context", "record_answer", {{"session_id", s}, {"answer", "not sure yet"}});
  EXPECT_TRUE(nothing["specifications"].empty());
  EXPECT_EQ(nothing["maturity"]["delta"], 0);
  EXPECT_EQ(updated_at(), created) << "an answer that records nothing leaves the project as it was";

  ok("socratic", "next_question", {{"session_id", s}});
  const json something = ok("context", "record_answer",
                            {{"session_id", s}, {"answer", "We will use PostgreSQL. Passwords must be hashed."}});
  ASSERT_FALSE(something["specifications"].empty()) << something.dump();
  EXPECT_GT(updated_at(), created);
  EXPECT_EQ(count("SELECT maturity_score FROM projects WHERE id = '" + p + "'"),
            something["maturity"]["score"].get<std::int64_t>());
}

TEST_F(DialogueTest, AConflictingCandidateIsKeptInFullAndResolutionsWriteVersions) {
  const std::string p = project();
  ok("context", "create_specification", {{"project_id", p}, {"category", "tech_stack"}, {"key", "database"},
                                         {"value", "PostgreSQL"}});
  sdk::Result refused = route("context", "create_specification",
                              {{"project_id", p}, {"category", "tech_stack"}, {"key", "database"}, {"value", "MySQL"}});
  ASSERT_EQ(test::code_of(refused), "CONFLICT_DETECTED");
  const std::string conflict = refused.error().details["conflict"]["id"];
  EXPECT_EQ(test::db_scalar(databases_.specs_url(), "SELECT proposed->>'value' FROM conflicts"), "MySQL");
  const json merged = ok("context", "resolve_conflict",
                         {{"conflict_id", conflict}, {"resolution", "merge"}, {"value", "PostgreSQL 16"}});
  EXPECT_EQ(merged["status"], "resolved");
  EXPECT_EQ(test::db_scalar(databases_.specs_url(), "SELECT value FROM specifications WHERE is_current"),
            "PostgreSQL 16");
  EXPECT_EQ(count("SELECT count(*) FROM specifications WHERE NOT is_current AND superseded_by IS NOT NULL"), 1);
  EXPECT_EQ(count("SELECT max(version) FROM specifications"), 2);
  EXPECT_EQ(test::code_of(route("context", "resolve_conflict", {{"conflict_id", conflict}, {"resolution", "ignore"}})),
            "CONFLICT_ALREADY_RESOLVED");
}

TEST_F(DialogueTest, AnotherUsersRowsAnswerNotFound) {
  const std::string p = project();
  const std::string s = session(p);
  EXPECT_EQ(test::code_of(route("socratic", "get_session", {{"session_id", s}}, kBob)), "SESSION_NOT_FOUND");
  EXPECT_EQ(test::code_of(route("context", "list_specifications", {{"project_id", p}}, kBob)), "PROJECT_NOT_FOUND");
  EXPECT_EQ(test::code_of(route("project_manager", "maturity", {{"project_id", p}}, kBob)), "PROJECT_NOT_FOUND");
}

// The membership checks every route makes (the project of a session, a row's project joined to the
// caller's membership) probe one membership by (user, project) in PostgreSQL's generic plan, the
// one a pooled connection keeps: not every membership of a caller with many projects.
TEST_F(DialogueTest, TheMembershipCheckReadsOneMembershipWhateverTheCallersNumberOfProjects) {
  // Other people with a project or two each, as in any deployment, and Alice with thirty.
  test::db_exec(databases_.specs_url(),
                "WITH made AS (INSERT INTO projects (owner_id, name) SELECT gen_random_uuid(), 'other ' || g "
                "FROM generate_series(1, 600) g RETURNING id, owner_id) "
                "INSERT INTO project_members (project_id, user_id, role) SELECT id, owner_id, 'owner' FROM made");
  for (int i = 0; i < 29; ++i) project();
  const std::string s = session(project());
  test::db_exec(databases_.specs_url(), "ANALYZE project_members");

  const std::vector<std::string> statements = {
      std::string("SELECT maturity_score FROM projects WHERE id = ") + agents::dialogue::kSessionProjectSql + " FOR UPDATE",
      "SELECT member_role FROM sessions s" + agents::dialogue::member_join("s.project_id", "$2") + " WHERE s.id = $1"};
  for (const std::string& sql : statements) {
    const auto plan = json::parse(*test::db_scalar(
        databases_.specs_url(), "SET plan_cache_mode = force_generic_plan; PREPARE q(uuid, uuid) AS " + sql +
                                    "; EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE q('" + s + "', '" + kAlice + "')"));
    int probes = 0;
    std::vector<json> nodes{plan[0]["Plan"]};
    while (!nodes.empty()) {
      const json node = nodes.back();
      nodes.pop_back();
      for (const auto& child : node.value("Plans", json::array())) nodes.push_back(child);
      if (node.value("Relation Name", "") != "project_members") continue;
      ++probes;
      EXPECT_NE(node.value("Index Cond", "").find("project_id"), std::string::npos) << sql << "\n" << node.dump();
      EXPECT_LE(node.value("Actual Rows", 0.0) * node.value("Actual Loops", 0.0), 1.0) << sql << "\n" << node.dump();
    }
    EXPECT_EQ(probes, 1) << sql << "\n" << plan.dump();
  }
}

// The value rules of the tables a turn writes are domains (migration 015) and still refuse what
// breaks them, with check_violation.
TEST_F(DialogueTest, TheTablesATurnWritesStillRefuseValuesOutsideTheirRules) {
  const std::string p = project();
  const std::string s = session(p);
  const std::string q = ok("socratic", "next_question", {{"session_id", s}}).value("id", "");
  const std::vector<std::string> refused = {
      "UPDATE projects SET maturity_score = 101 WHERE id = '" + p + "'",
      "UPDATE projects SET current_phase = 'testing' WHERE id = '" + p + "'",
      "UPDATE projects SET status = 'deleted' WHERE id = '" + p + "'",
      "UPDATE projects SET name = '' WHERE id = '" + p + "'",
      "UPDATE questions SET quality_score = 1.5 WHERE id = '" + q + "'",
      "INSERT INTO conversation_history (session_id, role, content, message_type) VALUES ('" + s +
          "', 'robot', 'x', 'answer')",
      "INSERT INTO conversation_history (session_id, role, content, message_type) VALUES ('" + s +
          "', 'user', 'x', 'shout')",
      "INSERT INTO specifications (project_id, category, key, value, source, confidence) VALUES ('" + p +
          "', 'goals', 'k', 'v', 'guessed', 0.5)",
      "INSERT INTO specifications (project_id, category, key, value, source, confidence) VALUES ('" + p +
          "', 'goals', 'k', 'v', 'extracted', -0.1)",
      "INSERT INTO specifications (project_id, category, key, value, source, confidence, version) VALUES ('" + p +
          "', 'goals', 'k', 'v', 'extracted', 0.5, 0)"};
  for (const std::string& sql : refused) {
    try {
      test::db_exec(databases_.specs_url(), sql);
      ADD_FAILURE() << "accepted: " << sql;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("violates check constraint"), std::string::npos) << sql << ": " << e.what();
    }
  }
  EXPECT_EQ(count("SELECT count(*) FROM specifications WHERE project_id = '" + p + "'"), 0);
}

TEST_F(DialogueTest, ConcurrentAnswersOnOneProjectKeepTheStoredMaturityRight) {
  const std::string p = project();
  std::vector<std::string> sessions;
  for (int i = 0; i < 4; ++i) sessions.push_back(session(p));
  const std::vector<std::string> answers = {"We will use PostgreSQL.", "The backend will be written in Rust.",
                                            "Passwords must be hashed.", "We must back up the database every hour."};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < sessions.size(); ++i)
    threads.emplace_back([&, i] {
      if (!route("socratic", "next_question", {{"session_id", sessions[i]}}).is_ok()) ++failures;
      if (!route("context", "record_answer", {{"session_id", sessions[i]}, {"answer", answers[i]}}).is_ok())
        ++failures;
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  const json maturity = ok("project_manager", "maturity", {{"project_id", p}});
  EXPECT_EQ(count("SELECT maturity_score FROM projects"), maturity["score"].get<std::int64_t>());
  EXPECT_GT(maturity["score"].get<int>(), 0);
}

TEST_F(DialogueTest, ConcurrentAsksOfOneSessionAllGetItsOneWaitingQuestion) {
  const std::string s = session(project());
  constexpr int kAskers = 8;
  std::atomic<int> ready{0};
  std::vector<sdk::Result> results(kAskers, sdk::Result::no_content());
  std::vector<std::thread> threads;
  for (int i = 0; i < kAskers; ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kAskers) std::this_thread::yield();  // all ask at once
      results[i] = route("socratic", "next_question", {{"session_id", s}});
    });
  for (auto& thread : threads) thread.join();
  int created = 0;
  std::set<std::string> ids;
  for (const auto& result : results) {
    ASSERT_TRUE(result.is_ok()) << test::code_of(result);
    if (result.outcome() == sdk::Outcome::kCreated) ++created;
    ids.insert(result.value().value("id", ""));
  }
  EXPECT_EQ(created, 1) << "one asker creates the question; the others are answered with it";
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(count("SELECT count(*) FROM questions"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM conversation_history WHERE message_type = 'question'"), 1);
}

TEST_F(DialogueTest, AnAnswerNamesItsQuestionByIdOrAnswersTheOneWaiting) {
  const std::string p = project();
  const std::string s = session(p);
  const std::string other = session(p);
  const std::string asked = ok("socratic", "next_question", {{"session_id", s}}).value("id", "");
  const std::string elsewhere = ok("socratic", "next_question", {{"session_id", other}}).value("id", "");
  EXPECT_EQ(test::code_of(route("context", "record_answer",
                                {{"session_id", s}, {"answer", "We will use PostgreSQL."}, {"question_id", elsewhere}})),
            "QUESTION_NOT_FOUND")
      << "a question of another session is not this session's";
  const json named =
      ok("context", "record_answer", {{"session_id", s}, {"answer", "We will use PostgreSQL."}, {"question_id", asked}});
  ASSERT_FALSE(named["specifications"].empty()) << named.dump();
  EXPECT_EQ(named["specifications"][0]["question_id"], asked);
  EXPECT_EQ(test::code_of(route("context", "record_answer", {{"session_id", s}, {"answer", "Rust."}})),
            "QUESTION_NOT_FOUND")
      << "nothing waits in the session any more";
  const json waiting = ok("context", "record_answer", {{"session_id", other}, {"answer", "The backend will be written in Rust."}});
  ASSERT_FALSE(waiting["specifications"].empty()) << waiting.dump();
  EXPECT_EQ(waiting["specifications"][0]["question_id"], elsewhere);
  EXPECT_EQ(count("SELECT count(*) FROM questions WHERE answered"), 2);
}

// ---- the orchestrator's flows, as every transport runs them

TEST_F(DialogueTest, TheAnswerFlowRecordsWithContextThenAsksWithSocratic) {
  const std::string s = session(project());
  const json first = ok("socratic", "next_question", {{"session_id", s}});
  sdk::Result turn = flow("answer", {{"session_id", s}, {"answer", "We will use PostgreSQL. Passwords must be hashed."}});
  ASSERT_TRUE(turn.is_ok()) << test::code_of(turn);
  const json& body = turn.value();
  ASSERT_GE(body["specifications"].size(), 2u) << body.dump();
  EXPECT_TRUE(body["maturity"].contains("score")) << body.dump();
  ASSERT_TRUE(body["next_question"].is_object()) << body.dump();
  EXPECT_NE(body["next_question"]["id"], first["id"]);
  EXPECT_EQ(count("SELECT count(*) FROM questions WHERE answered AND id = '" + first["id"].get<std::string>() + "'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM questions WHERE NOT answered AND id = '" +
                  body["next_question"]["id"].get<std::string>() + "'"),
            1)
      << "the question the turn answers is the one now waiting";
  EXPECT_EQ(count("SELECT count(*) FROM specifications WHERE is_current"),
            static_cast<std::int64_t>(body["specifications"].size()));

  // Refused before anything is recorded: nothing is asked either.
  ok("socratic", "pause", {{"session_id", s}});
  EXPECT_EQ(test::code_of(flow("answer", {{"session_id", s}, {"answer", "Rust."}})), "SESSION_NOT_ACTIVE");
  EXPECT_EQ(count("SELECT count(*) FROM questions"), 2);
}

// The answer flow plans the next question on the state the answer handed on (no second read);
// a client asking next-question reads that state from the database. Two interviews given the same
// answers, one asked each way, must be asked the same questions, and the state handed on must be
// the project's current specifications as the database keeps them. The interviewer has a domain
// role, which aims the questions: it goes with the state.
TEST_F(DialogueTest, TheTurnsQuestionIsTheOneAClientAskingNextWouldGet) {
  std::vector<std::string> projects = {project(), project()};
  for (const std::string& p : projects)
    ok("project_manager", "set_member_role", {{"project_id", p}, {"member_id", kAlice}, {"domain_role", "operations"}});
  const std::string by_flow = session(projects[0]);
  const std::string by_client = session(projects[1]);
  EXPECT_EQ(ok("socratic", "next_question", {{"session_id", by_flow}})["category"], "scalability")
      << "operations aims at scalability first";
  ok("socratic", "next_question", {{"session_id", by_client}});
  const std::vector<std::string> answers = {
      "Bakeries take orders online so nobody has to phone at six in the morning.",
      "We will use PostgreSQL and the backend is written in Go.",
      "Customers and bakers log in with email and password; passwords must be hashed.",
      "I don't know yet.",
      "About 300 bakeries at launch, maybe 3,000 within two years.",
      "Search must answer within 200 ms at the 95th percentile.",
      "Bakers publish the menu, customers order and pay online.",
      "Nightly backups kept for 30 days.",
      "Actually we will use MySQL.",
      "No idea.",
      "Errors go to Sentry and we want an alert when checkout fails."};
  for (const std::string& answer : answers) {
    sdk::Result turn = flow("answer", {{"session_id", by_flow}, {"answer", answer}});
    ASSERT_TRUE(turn.is_ok()) << test::code_of(turn);
    EXPECT_TRUE(turn.handed_on().empty()) << "the state is the flow's, not the client's";
    ok("context", "record_answer", {{"session_id", by_client}, {"answer", answer}});
    const json asked = ok("socratic", "next_question", {{"session_id", by_client}});
    ASSERT_TRUE(turn.value()["next_question"].is_object()) << turn.value().dump();
    EXPECT_EQ(turn.value()["next_question"]["text"], asked["text"]) << "after: " << answer;
    EXPECT_EQ(turn.value()["next_question"]["category"], asked["category"]) << "after: " << answer;
  }

  sdk::Result recorded = route("context", "record_answer",
                                {{"session_id", by_flow}, {"answer", "Orders must be kept for ten years."},
                                 {"hand_on_state", true}});
  ASSERT_TRUE(recorded.is_ok()) << test::code_of(recorded);
  EXPECT_FALSE(recorded.value().contains("state")) << recorded.value().dump();
  const std::optional<agents::dialogue::TurnState> state = agents::dialogue::decode_turn_state(recorded.handed_on());
  ASSERT_TRUE(state) << "what record_answer handed on is not a turn's state";
  const std::string project_id = ok("socratic", "get_session", {{"session_id", by_flow}}).at("project_id");
  EXPECT_EQ(state->project_id, project_id);
  EXPECT_EQ(state->domain_role, "operations");
  const json listed = ok("context", "list_specifications", {{"project_id", project_id}, {"limit", 200}}).at("items");
  ASSERT_EQ(state->specifications.size(), listed.size());
  std::multiset<std::string> kept, handed;
  for (const json& spec : listed)
    kept.insert(spec.at("category").get<std::string>() + "/" + spec.at("key").get<std::string>() + "=" +
                spec.at("value").get<std::string>());
  for (const auto& spec : state->specifications) handed.insert(spec.category + "/" + spec.key + "=" + spec.value);
  EXPECT_EQ(handed, kept);
  // And the questions the project was asked, as the answer left them: its own question answered,
  // with what it recorded, the rest as the database keeps them, in the order they were asked.
  ASSERT_TRUE(state->asked) << "the questions asked were not handed on";
  const std::int64_t asked_count = count("SELECT count(*) FROM questions WHERE project_id = '" + project_id + "'");
  ASSERT_EQ(static_cast<std::int64_t>(state->asked->size()), asked_count);
  EXPECT_EQ(count("SELECT count(*) FROM questions WHERE project_id = '" + project_id + "' AND NOT answered"), 0);
  for (const auto& question : *state->asked) EXPECT_TRUE(question.answered) << question.text;
  const auto last_recorded = test::db_scalar(databases_.specs_url(),
                                             "SELECT recorded_categories FROM questions WHERE project_id = '" +
                                                 project_id + "' ORDER BY created_at DESC, id DESC LIMIT 1");
  std::string joined;
  for (const auto& category : state->asked->back().recorded_categories)
    joined += (joined.empty() ? "" : ",") + category;
  EXPECT_EQ(joined, last_recorded.value_or("?"));
  EXPECT_FALSE(joined.empty()) << "the answer recorded nothing";
  ok("socratic", "next_question", {{"session_id", by_flow}});
  sdk::Result plain = route("context", "record_answer", {{"session_id", by_flow}, {"answer", "Invoices are kept too."}});
  ASSERT_TRUE(plain.is_ok()) << test::code_of(plain);
  EXPECT_TRUE(plain.handed_on().empty()) << "nothing is handed on unless the flow asks";

  // The open items each project's row keeps (migration 013) are the items open in it.
  EXPECT_GT(count("SELECT count(*) FROM projects WHERE open_item_counts <> '{}'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM projects p WHERE open_item_counts <> (SELECT COALESCE(jsonb_object_agg("
                  "category, n), '{}') FROM (SELECT category, count(*) AS n FROM open_items WHERE project_id = p.id "
                  "AND status = 'open' GROUP BY category) c)"),
            0);
}

TEST_F(DialogueTest, TheMessageFlowRecordsWithContextThenRepliesWithSocratic) {
  const std::string s =
      ok("socratic", "create_session", {{"project_id", project()}, {"mode", "direct_chat"}}).value("id", "");
  sdk::Result turn = flow("message", {{"session_id", s}, {"message", "The backend will be written in Rust."}});
  ASSERT_TRUE(turn.is_ok()) << test::code_of(turn);
  const json& body = turn.value();
  ASSERT_TRUE(body["reply"].is_string()) << body.dump();
  EXPECT_FALSE(body["reply"].get<std::string>().empty());
  EXPECT_FALSE(body["specifications"].empty()) << body.dump();
  EXPECT_TRUE(body["conflicts"].is_array());
  EXPECT_FALSE(body.contains("duplicates"));
  EXPECT_EQ(test::db_scalar(databases_.specs_url(),
                            "SELECT string_agg(message_type, ',' ORDER BY created_at, id) FROM conversation_history"),
            "message,reply");
  EXPECT_EQ(test::db_scalar(databases_.specs_url(), "SELECT content FROM conversation_history WHERE message_type = 'reply'"),
            body["reply"].get<std::string>());
}

TEST_F(DialogueTest, TheStatsFlowAddsUpWhatEachAgentKeeps) {
  const std::string p = project();
  project(kBob);
  const std::string s = session(p);
  ok("socratic", "end", {{"session_id", session(p)}});
  ok("socratic", "next_question", {{"session_id", s}});
  ASSERT_TRUE(flow("answer", {{"session_id", s}, {"answer", "We will use PostgreSQL. Passwords must be hashed."}}).is_ok());
  ok("context", "create_specification", {{"project_id", p}, {"category", "tech_stack"}, {"key", "cache"}, {"value", "Redis"}});
  ASSERT_EQ(test::code_of(route("context", "create_specification",
                                {{"project_id", p}, {"category", "tech_stack"}, {"key", "cache"}, {"value", "Memcached"}})),
            "CONFLICT_DETECTED");

  sdk::Result figures = flow("stats", json::object());
  ASSERT_TRUE(figures.is_ok()) << test::code_of(figures);
  EXPECT_EQ(figures.value(),
            (json{{"projects_total", count("SELECT count(*) FROM projects")},
                  {"active_sessions", count("SELECT count(*) FROM sessions WHERE status = 'active'")},
                  {"specifications_total", count("SELECT count(*) FROM specifications WHERE is_current")},
                  {"questions_total", count("SELECT count(*) FROM questions")},
                  {"open_conflicts", count("SELECT count(*) FROM conflicts WHERE status = 'open'")}}));
  EXPECT_EQ(figures.value()["projects_total"], 2) << "every owner's";
  EXPECT_EQ(figures.value()["active_sessions"], 1);
  EXPECT_EQ(figures.value()["open_conflicts"], 1);
  // Each agent's `stats` is internal: the generic route does not know it.
  for (const char* agent : {"project_manager", "socratic", "context"})
    EXPECT_EQ(test::code_of(container_.orchestrator().route_public(agent, "stats", json::object(), caller(kAlice))),
              "UNSUPPORTED_ACTION")
        << agent;
}

TEST_F(DialogueTest, ABrokenDataDirRefusesThePluginWithTheReason) {
  test::TempDir data;
  std::ofstream(data.path() / "taxonomy.json") << "{ not json";
  host::ServiceContainer broken(test::integration_config(databases_, {{"PLUGIN_COPY_DIR", (copies_.path() / "b").string()},
                                                                      {"DATA_DIR", data.path().string()},
                                                                      {"PLUGINS", plugin("context")}}));
  try {
    broken.agents().load_configured();
    FAIL() << "the plugin started with broken data";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("DATA_DIR"), std::string::npos) << e.what();
  }
}

// The data layer knows the schema it was written for: against a specifications database migrated
// further (or less far), each dialogue agent refuses to start, and says why; a reload of a running
// agent is refused the same way and the running generation keeps serving.
TEST_F(DialogueTest, AnAgentRefusesADatabaseAtASchemaVersionItDoesNotKnow) {
  const std::string known = *test::db_scalar(
      databases_.specs_url(), "SELECT max(substring(filename from '^[0-9]+')::bigint)::text FROM schema_migrations");
  test::db_exec(databases_.specs_url(),
                "INSERT INTO schema_migrations (filename, checksum) VALUES ('999_from_a_newer_host.sql', 'x')");
  for (const char* agent : {"context", "socratic", "project_manager"}) {
    host::ServiceContainer newer(test::integration_config(
        databases_, {{"PLUGIN_COPY_DIR", (copies_.path() / agent).string()}, {"PLUGINS", plugin(agent)}}));
    try {
      newer.agents().load_configured();
      ADD_FAILURE() << agent << " started against schema version 999";
    } catch (const std::exception& e) {
      const std::string why = e.what();
      EXPECT_NE(why.find("schema version 999"), std::string::npos) << agent << ": " << why;
      EXPECT_NE(why.find("written for version " + known), std::string::npos) << agent << ": " << why;
    }
  }
  // The running container's agents started before the change; a reload now is refused with the
  // reason and the current generation still answers.
  try {
    container_.agents().reload("context", std::nullopt);
    ADD_FAILURE() << "a reload against schema version 999 was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 999"), std::string::npos) << e.what();
  }
  const std::string id = project();
  EXPECT_EQ(ok("context", "list_specifications", {{"project_id", id}})["total"], 0);
}

}  // namespace
}  // namespace socrates

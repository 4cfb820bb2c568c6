// The orchestrator's flows (host/orchestrator/flows.hpp) without HTTP: in-process stand-ins for
// the context and socratic agents, served by a registry, record what each call received and answer
// what the test scripted; the flow is run by name as every transport runs it.
#include "host/error_codes.hpp"
#include "host/orchestrator/orchestrator.hpp"
#include "support/scripted_agents.hpp"

#include <socrates/sdk/testing.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace socrates::host {
namespace {

using nlohmann::json;

sdk::Caller caller() { return sdk::Caller{"0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11", "user", "req-flows"}; }

class FlowsTest : public ::testing::Test {
 protected:
  void serve(const std::string& id, std::map<std::string, test::Script> scripts,
             const std::vector<std::string>& internal = {}) {
    agents_.serve(id, std::move(scripts), internal);
  }

  sdk::Result run(const std::string& flow, json params = json::object()) {
    return orchestrator_.run_flow(flow, std::move(params), caller());
  }

  std::vector<std::string> call_names() const { return agents_.call_names(); }

  test::ScriptedAgents agents_;
  std::vector<test::Call>& calls_ = agents_.calls;
  Orchestrator& orchestrator_ = agents_.orchestrator;
};

json specifications(std::size_t n) {
  json list = json::array();
  for (std::size_t i = 0; i < n; ++i) list.push_back({{"key", "k" + std::to_string(i)}});
  return list;
}

// ---- answer

TEST_F(FlowsTest, AnAnswerIsRecordedThenTheNextQuestionAskedAndBothAnswered) {
  serve("context", {{"record_answer", [](const json&) {
                       return sdk::Result::ok({{"specifications", specifications(2)}, {"maturity", {{"score", 7}}}});
                     }}});
  serve("socratic", {{"next_question", [](const json&) { return sdk::Result::ok({{"id", "q2"}, {"text", "Why?"}}); }}});

  sdk::Result turn = run("answer", {{"session_id", "s1"}, {"answer", "We will use PostgreSQL."}, {"question_id", "q1"}});
  ASSERT_TRUE(turn.is_ok()) << turn.error().message;
  EXPECT_EQ(turn.outcome(), sdk::Outcome::kOk);
  EXPECT_EQ(turn.value(), (json{{"specifications", specifications(2)},
                                {"maturity", {{"score", 7}}},
                                {"next_question", {{"id", "q2"}, {"text", "Why?"}}}}));
  ASSERT_EQ(call_names(), (std::vector<std::string>{"context/record_answer", "socratic/next_question"}));
  // The recorder gets the request as it came (and is asked to hand on the turn's state); the asker
  // only the session when the recorder handed nothing on.
  EXPECT_EQ(calls_[0].params, (json{{"session_id", "s1"},
                                    {"answer", "We will use PostgreSQL."},
                                    {"question_id", "q1"},
                                    {"hand_on_state", true}}));
  EXPECT_EQ(calls_[1].params, (json{{"session_id", "s1"}}));
  EXPECT_EQ(calls_[1].handed, "");
}

// The agents' answers reach the flow as their checked JSON text, and the turn leaves it as text:
// the question is spliced into the recorded answer, so nothing is parsed and written out again on
// the way to the client; the value is the same as the merged one.
TEST_F(FlowsTest, TheTurnIsTheAgentsTextWithTheQuestionSplicedIn) {
  serve("context", {{"record_answer", [](const json&) { return sdk::Result::ok({{"maturity", {{"score", 7}}}}); }}});
  serve("socratic", {{"next_question", [](const json&) { return sdk::Result::ok({{"id", "q2"}}); }}});

  sdk::Result turn = run("answer", {{"session_id", "s1"}, {"answer", "To sell bread."}});
  ASSERT_TRUE(turn.is_ok()) << turn.error().message;
  ASSERT_NE(turn.text(), nullptr) << "the turn was parsed and built again";
  EXPECT_EQ(*turn.text(), R"({"maturity":{"score":7},"next_question":{"id":"q2"}})");
  EXPECT_EQ(turn.value(), (json{{"maturity", {{"score", 7}}}, {"next_question", {{"id", "q2"}}}}));
}

// An empty answer, and an answer that already has a member named next_question (the flow's
// question replaces it, as for any value), are both still one well-formed object.
TEST_F(FlowsTest, TheSplicedTurnIsOneObjectWhateverTheRecordedAnswerHolds) {
  json recorded = json::object();
  serve("context", {{"record_answer", [&](const json&) { return sdk::Result::ok(recorded); }}});
  serve("socratic", {{"next_question", [](const json&) { return sdk::Result::ok({{"id", "q2"}}); }}});

  sdk::Result empty = run("answer", {{"session_id", "s1"}, {"answer", "a"}});
  ASSERT_TRUE(empty.is_ok()) << empty.error().message;
  ASSERT_NE(empty.text(), nullptr);
  EXPECT_EQ(json::parse(*empty.text()), (json{{"next_question", {{"id", "q2"}}}}));

  recorded = {{"next_question", "the agent's own"}, {"note", "says \"next_question\": too"}};
  sdk::Result clash = run("answer", {{"session_id", "s1"}, {"answer", "b"}});
  ASSERT_TRUE(clash.is_ok()) << clash.error().message;
  // Spliced, the text would hold the key twice (and a client may read the first): it is merged.
  EXPECT_EQ(clash.text(), nullptr);
  EXPECT_EQ(clash.value(), (json{{"next_question", {{"id", "q2"}}}, {"note", "says \"next_question\": too"}}));
}

// What the answer left (its project and current specifications) is handed on to the asker's
// internal action, byte for byte, so the next question is planned without reading them again; the
// client never sees it.
TEST_F(FlowsTest, TheStateAnAnswerHandsOnIsWhatTheNextQuestionIsPlannedOn) {
  const std::string state("\x92\xa2p1\x90 and a NUL \0 byte", 22);
  serve("context", {{"record_answer", [&](const json&) {
                       sdk::Result recorded = sdk::Result::ok({{"specifications", specifications(1)}});
                       recorded.hand_on(state);
                       return recorded;
                     }}});
  serve("socratic",
        {{"next_question", [](const json&) { return sdk::Result::ok({{"id", "q-public"}}); }},
         {"next_question_from_state", [](const json&) { return sdk::Result::ok({{"id", "q-turn"}}); }}},
        {"next_question_from_state"});

  sdk::Result turn = run("answer", {{"session_id", "s1"}, {"answer", "To sell bread."}});
  ASSERT_TRUE(turn.is_ok()) << turn.error().message;
  EXPECT_EQ(turn.value(), (json{{"specifications", specifications(1)}, {"next_question", {{"id", "q-turn"}}}}));
  EXPECT_TRUE(turn.handed_on().empty()) << "the flow's bytes are not the client's";
  ASSERT_EQ(call_names(), (std::vector<std::string>{"context/record_answer", "socratic/next_question_from_state"}));
  EXPECT_EQ(calls_[1].params, (json{{"session_id", "s1"}}));
  EXPECT_EQ(calls_[1].handed, state);
}

// A socratic agent of an older build (swapped in) has no such action: it is asked as a client
// would ask it, and what was handed on goes nowhere.
TEST_F(FlowsTest, AnAskerWithoutTheTurnsActionIsAskedAsAClientWould) {
  serve("context", {{"record_answer", [](const json&) {
                       sdk::Result recorded = sdk::Result::ok({{"specifications", json::array()}});
                       recorded.hand_on("state");
                       return recorded;
                     }}});
  serve("socratic", {{"next_question", [](const json&) { return sdk::Result::ok({{"id", "q-public"}}); }}});

  sdk::Result turn = run("answer", {{"session_id", "s1"}, {"answer", "No idea."}});
  ASSERT_TRUE(turn.is_ok()) << turn.error().message;
  EXPECT_EQ(turn.value(), (json{{"specifications", json::array()}, {"next_question", {{"id", "q-public"}}}}));
  ASSERT_EQ(call_names(), (std::vector<std::string>{"context/record_answer", "socratic/next_question"}));
  EXPECT_EQ(calls_[1].params, (json{{"session_id", "s1"}}));
  EXPECT_EQ(calls_[1].handed, "");
}

TEST_F(FlowsTest, AnAnswerWhoseQuestionCannotBeAskedIsStillAnsweredWithNoQuestion) {
  serve("context", {{"record_answer", [](const json&) { return sdk::Result::ok({{"specifications", json::array()}}); }}});
  serve("socratic", {{"next_question", [](const json&) {
                        return sdk::Result::fail(sdk::errc::kLlmUnavailable, "the model is away");
                      }}});

  sdk::Result turn = run("answer", {{"session_id", "s1"}, {"answer", "Rust."}});
  ASSERT_TRUE(turn.is_ok()) << "the answer is committed whatever happens next";
  EXPECT_TRUE(turn.value().at("next_question").is_null()) << turn.value().dump();
  EXPECT_EQ(turn.value().at("specifications"), json::array());
}

TEST_F(FlowsTest, AnAnswerThatCannotBeRecordedAsksNothing) {
  serve("context", {{"record_answer", [](const json&) {
                       return sdk::Result::fail(sdk::errc::kSessionNotActive, "session s1 is paused");
                     }}});
  serve("socratic", {{"next_question", [](const json&) { return sdk::Result::ok({{"id", "q2"}}); }}});

  sdk::Result turn = run("answer", {{"session_id", "s1"}, {"answer", "Rust."}});
  ASSERT_FALSE(turn.is_ok());
  EXPECT_EQ(turn.error().code, sdk::errc::kSessionNotActive);
  EXPECT_EQ(call_names(), (std::vector<std::string>{"context/record_answer"}));
}

TEST_F(FlowsTest, AnAnswerWithoutTheContextAgentIsUnknownAgent) {
  serve("socratic", {{"next_question", [](const json&) { return sdk::Result::ok({{"id", "q2"}}); }}});
  sdk::Result turn = run("answer", {{"session_id", "s1"}, {"answer", "Rust."}});
  ASSERT_FALSE(turn.is_ok());
  EXPECT_EQ(turn.error().code, host::errc::kUnknownAgent);
  EXPECT_TRUE(calls_.empty());
}

// ---- message

TEST_F(FlowsTest, AMessageIsRecordedThenRepliedToWithWhatWasRecorded) {
  serve("context", {{"record_message", [](const json&) {
                       return sdk::Result::ok({{"specifications", specifications(250)},
                                               {"conflicts", json::array({{{"id", "c1"}}, {{"id", "c2"}}})},
                                               {"duplicates", 3},
                                               {"maturity", {{"score", 12}}}});
                     }}});
  serve("socratic", {{"reply", [](const json&) { return sdk::Result::ok({{"reply", "Noted: 250 things."}}); }}},
        {"reply"});

  sdk::Result turn = run("message", {{"session_id", "s1"}, {"message", "The backend will be written in Rust."}});
  ASSERT_TRUE(turn.is_ok()) << turn.error().message;
  ASSERT_EQ(call_names(), (std::vector<std::string>{"context/record_message", "socratic/reply"}));
  EXPECT_EQ(calls_[0].params, (json{{"session_id", "s1"}, {"message", "The backend will be written in Rust."}}));
  // The reply restates at most 200 specifications and learns how many conflicts and duplicates.
  const json& asked = calls_[1].params;
  EXPECT_EQ(asked.at("session_id"), "s1");
  EXPECT_EQ(asked.at("message"), "The backend will be written in Rust.");
  EXPECT_EQ(asked.at("recorded"), specifications(200));
  EXPECT_EQ(asked.at("conflicts"), 2);
  EXPECT_EQ(asked.at("duplicates"), 3);
  // The turn keeps everything recorded, says the reply, and drops the reply's bookkeeping.
  EXPECT_EQ(turn.value().at("specifications").size(), 250u);
  EXPECT_EQ(turn.value().at("conflicts").size(), 2u);
  EXPECT_EQ(turn.value().at("reply"), "Noted: 250 things.");
  EXPECT_EQ(turn.value().at("maturity"), (json{{"score", 12}}));
  EXPECT_FALSE(turn.value().contains("duplicates")) << turn.value().dump();
}

TEST_F(FlowsTest, AMessageWithNothingRecordedStillGetsAReply) {
  serve("context", {{"record_message", [](const json&) { return sdk::Result::ok(json::object()); }}});
  serve("socratic", {{"reply", [](const json&) { return sdk::Result::ok({{"reply", "Tell me more."}}); }}}, {"reply"});

  sdk::Result turn = run("message", {{"session_id", "s1"}, {"message", 42}});
  ASSERT_TRUE(turn.is_ok()) << turn.error().message;
  const json& asked = calls_.at(1).params;
  EXPECT_EQ(asked.at("message"), "") << "a message that is not text is the recorder's to refuse, not the reply's";
  EXPECT_EQ(asked.at("recorded"), json::array());
  EXPECT_EQ(asked.at("conflicts"), 0);
  EXPECT_EQ(asked.at("duplicates"), 0);
  EXPECT_EQ(turn.value(), (json{{"reply", "Tell me more."}}));
}

TEST_F(FlowsTest, AMessageWhoseReplyFailsAnswersTheReplysError) {
  serve("context", {{"record_message", [](const json&) { return sdk::Result::ok({{"specifications", json::array()}}); }}});
  serve("socratic", {{"reply", [](const json&) {
                        return sdk::Result::fail(sdk::errc::kRateLimited, "daily limit", {{"retry_after_s", 60}});
                      }}},
        {"reply"});

  sdk::Result turn = run("message", {{"session_id", "s1"}, {"message", "hi"}});
  ASSERT_FALSE(turn.is_ok());
  EXPECT_EQ(turn.error().code, sdk::errc::kRateLimited);
  EXPECT_EQ(turn.error().details, (json{{"retry_after_s", 60}})) << "the details the REST layer turns into Retry-After";
}

TEST_F(FlowsTest, AMessageThatCannotBeRecordedIsNotRepliedTo) {
  serve("context", {{"record_message", [](const json&) {
                       return sdk::Result::fail(sdk::errc::kWrongMode, "the session is in socratic mode");
                     }}});
  serve("socratic", {{"reply", [](const json&) { return sdk::Result::ok({{"reply", "?"}}); }}}, {"reply"});

  sdk::Result turn = run("message", {{"session_id", "s1"}, {"message", "hi"}});
  ASSERT_FALSE(turn.is_ok());
  EXPECT_EQ(turn.error().code, sdk::errc::kWrongMode);
  EXPECT_EQ(call_names(), (std::vector<std::string>{"context/record_message"}));
}

// ---- stats

TEST_F(FlowsTest, StatsAddUpTheFiguresOfEveryAgentWithAnInternalStatsAction) {
  serve("first", {{"stats", [](const json&) { return sdk::Result::ok({{"a", 1}, {"b", 2}, {"label", "x"}}); }}},
        {"stats"});
  serve("second", {{"stats", [](const json&) { return sdk::Result::ok({{"b", 3}, {"c", 4}, {"ratio", 0.5}}); }}},
        {"stats"});
  // A public action of that name is someone's own business, not figures for the host.
  serve("third", {{"stats", [](const json&) { return sdk::Result::ok({{"a", 100}}); }}});
  serve("fourth", {{"echo", [](const json& params) { return sdk::Result::ok(params); }}});

  sdk::Result figures = run("stats");
  ASSERT_TRUE(figures.is_ok()) << figures.error().message;
  EXPECT_EQ(figures.value(), (json{{"a", 1}, {"b", 5}, {"c", 4}})) << "integers only, added up by name";
  EXPECT_EQ(call_names(), (std::vector<std::string>{"first/stats", "second/stats"}));
}

TEST_F(FlowsTest, StatsFailWhenAnAgentCannotCount) {
  serve("first", {{"stats", [](const json&) { return sdk::Result::ok({{"a", 1}}); }}}, {"stats"});
  serve("second", {{"stats", [](const json&) {
                      return sdk::Result::fail(sdk::errc::kDatabaseUnavailable, "the database is unavailable");
                    }}},
        {"stats"});
  sdk::Result figures = run("stats");
  ASSERT_FALSE(figures.is_ok()) << "a sum without one agent's figures would be read as the total";
  EXPECT_EQ(figures.error().code, sdk::errc::kDatabaseUnavailable);
}

TEST_F(FlowsTest, StatsWithNoAgentAreEmpty) {
  sdk::Result figures = run("stats");
  ASSERT_TRUE(figures.is_ok());
  EXPECT_EQ(figures.value(), json::object());
}

// ---- the table

TEST_F(FlowsTest, AnUnknownFlowIsAnInternalError) {
  sdk::Result result = run("nothing");
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, sdk::errc::kInternal);
}

TEST_F(FlowsTest, AFlowThatThrowsIsAnInternalError) {
  orchestrator_.add_flow("broken", [](Orchestrator&, json, const sdk::Caller&) -> sdk::Result {
    throw std::runtime_error("a bug");
  });
  sdk::Result result = run("broken");
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, sdk::errc::kInternal);
  EXPECT_EQ(result.error().message.find("a bug"), std::string::npos) << "the exception's text is for the log";
}

TEST_F(FlowsTest, ANewFlowIsCallableByNameBesideTheStandardOnes) {
  // What a later step (say, a review after each answer) takes: one more flow, no transport touched.
  serve("context", {{"record_answer", [](const json&) { return sdk::Result::ok({{"specifications", json::array()}}); }}});
  serve("socratic", {{"next_question", [](const json&) { return sdk::Result::ok({{"id", "q2"}}); }}});
  serve("reviewer", {{"review", [](const json& params) { return sdk::Result::ok({{"reviewed", params}}); }}});
  orchestrator_.add_flow("reviewed_answer", [](Orchestrator& o, json params, const sdk::Caller& who) {
    sdk::Result turn = o.run_flow("answer", std::move(params), who);
    if (!turn.is_ok()) return turn;
    sdk::Result review = o.route("reviewer", "review", turn.value(), who);
    if (!review.is_ok()) return review;
    turn.value()["review"] = std::move(review.value());
    return turn;
  });

  sdk::Result turn = run("reviewed_answer", {{"session_id", "s1"}, {"answer", "Rust."}});
  ASSERT_TRUE(turn.is_ok()) << turn.error().message;
  EXPECT_EQ(call_names(),
            (std::vector<std::string>{"context/record_answer", "socratic/next_question", "reviewer/review"}));
  EXPECT_EQ(turn.value().at("review").at("reviewed").at("next_question"), (json{{"id", "q2"}}));
  EXPECT_TRUE(run("answer", {{"session_id", "s1"}, {"answer", "Go."}}).is_ok()) << "the standard flows stay";
}

}  // namespace
}  // namespace socrates::host

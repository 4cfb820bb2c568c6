// libs/dialogue (socrates/dialogue/llm.hpp): the prompts domain.md describes, and table-driven checks of
// what a model may answer — good answers become engine values, anything else is LLM_ERROR.
#include <socrates/dialogue/llm.hpp>

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace socrates::agents::llm_dialogue {
namespace {

const engine::Engine& shipped() {
  static const engine::Engine engine = engine::Engine::load(SOCRATES_ENGINE_DATA_DIR);
  return engine;
}
const engine::Taxonomy& taxonomy() { return shipped().taxonomy(); }

// Answers from a script and keeps every request it was sent.
class ScriptedLlm final : public sdk::LlmClient {
 public:
  const char* provider() const noexcept override { return "scripted"; }
  bool complete(const sdk::LlmRequest& request, sdk::LlmResponse* out, sdk::Error* error) noexcept override {
    requests.push_back(request);
    if (answers.empty()) {
      *error = {sdk::errc::kLlmError, "no scripted answer", {}};
      return false;
    }
    auto next = answers.front();
    answers.pop_front();
    if (!next.first.empty()) {
      *error = {next.first, "scripted failure", {}};
      return false;
    }
    out->text = next.second;
    return true;
  }
  bool complete_for_project(const std::string& project_id, const sdk::LlmRequest& request, sdk::LlmResponse* out,
                            sdk::Error* error) noexcept override {
    projects.push_back(project_id);
    return complete(request, out, error);
  }
  void answer(std::string text) { answers.emplace_back("", std::move(text)); }
  void fail(std::string code) { answers.emplace_back(std::move(code), ""); }

  std::deque<std::pair<std::string, std::string>> answers;  // (error code, text)
  std::vector<sdk::LlmRequest> requests;
  std::vector<std::string> projects;  // of complete_for_project, in order
};

// Keeps log lines with their levels, to check where a model's raw text goes.
class RecordingServices final : public sdk::Services {
 public:
  std::unique_ptr<sdk::DatabaseSession> open_database(sdk::Database, sdk::DbStatus* status) noexcept override {
    status->kind = sdk::DbStatus::Kind::kUnavailable;
    ++database_requests;
    return nullptr;
  }
  void log(sdk::LogLevel level, std::string_view message) noexcept override {
    lines.emplace_back(level, std::string(message));
  }
  std::optional<std::string> setting(std::string_view) const noexcept override { return std::nullopt; }
  sdk::LlmClient* llm() noexcept override { return nullptr; }

  std::vector<std::pair<sdk::LogLevel, std::string>> lines;
  int database_requests = 0;
};

std::string error_code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const sdk::AgentException& e) {
    return e.error().code;
  }
  return "OK";
}

// ---- questions

struct QuestionCase {
  const char* name;
  const char* answer;
  const char* text;  // expected, for a good answer; null: LLM_ERROR
  const char* category;
};

const QuestionCase kQuestionCases[] = {
    {"plain", R"({"text":"Who will use it, and why?","category":"goals","context":"start"})", "Who will use it, and why?", "goals"},
    {"fenced_json", "```json\n{\"text\":\"What must it do?\",\"category\":\"requirements\",\"context\":\"c\"}\n```",
     "What must it do?", "requirements"},
    {"fenced_plain", "```\n{\"text\":\"What must it do?\",\"category\":\"requirements\",\"context\":\"\"}\n```",
     "What must it do?", "requirements"},
    {"surrounding_space", "\n  {\"text\":\"  Why now? \",\"category\":\"goals\",\"context\":\"c\"}  \n", "Why now?", "goals"},
    {"extra_fields_ignored", R"({"text":"Why?","category":"security","context":"c","confidence":1})", "Why?", "security"},
    {"not_json", "Sure! Here is a question: who are the users?", nullptr, nullptr},
    {"broken_json_in_fence", "```json\n{\"text\": \"Why?\",\n```", nullptr, nullptr},
    {"array", R"([{"text":"Why?","category":"goals","context":"c"}])", nullptr, nullptr},
    {"missing_text", R"({"category":"goals","context":"c"})", nullptr, nullptr},
    {"null_text", R"({"text":null,"category":"goals","context":"c"})", nullptr, nullptr},
    {"text_not_string", R"({"text":42,"category":"goals","context":"c"})", nullptr, nullptr},
    {"empty_text", R"({"text":"   ","category":"goals","context":"c"})", nullptr, nullptr},
    {"missing_category", R"({"text":"Why?","context":"c"})", nullptr, nullptr},
    {"unknown_category", R"({"text":"Why?","category":"marketing","context":"c"})", nullptr, nullptr},
    {"category_wrong_case", R"({"text":"Why?","category":"Goals","context":"c"})", nullptr, nullptr},
    {"category_not_string", R"({"text":"Why?","category":["goals"],"context":"c"})", nullptr, nullptr},
    {"missing_context", R"({"text":"Why?","category":"goals"})", nullptr, nullptr},
    {"context_not_string", R"({"text":"Why?","category":"goals","context":{}})", nullptr, nullptr},
    {"empty", "", nullptr, nullptr},
};

class QuestionParsing : public ::testing::TestWithParam<QuestionCase> {};

TEST_P(QuestionParsing, AcceptsOnlyTheAskedForShape) {
  const QuestionCase& c = GetParam();
  if (c.text) {
    const engine::Question q = parse_question(c.answer, taxonomy());
    EXPECT_EQ(q.text, c.text);
    EXPECT_EQ(q.category, c.category);
    EXPECT_EQ(q.source, engine::QuestionSource::kLlm);
  } else {
    EXPECT_EQ(error_code_of([&] { parse_question(c.answer, taxonomy()); }), "LLM_ERROR") << c.answer;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, QuestionParsing, ::testing::ValuesIn(kQuestionCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(LlmDialogueTest, AnOverlongQuestionIsRefused) {
  const std::string text(kMaxQuestionChars + 1, 'a');
  const std::string answer = nlohmann::json{{"text", text}, {"category", "goals"}, {"context", ""}}.dump();
  EXPECT_EQ(error_code_of([&] { parse_question(answer, taxonomy()); }), "LLM_ERROR");
}

TEST(LlmDialogueTest, TheQuestionPromptCarriesWhatDomainMdLists) {
  QuestionContext context;
  context.project = {"Tide Tables", "A harbour schedule app", "analysis", 37};
  for (int i = 1; i <= 25; ++i)
    context.current.push_back({"requirements", "slot_" + std::to_string(i), "value " + std::to_string(i), 0.7});
  for (int i = 1; i <= 14; ++i) context.asked.push_back("Asked question number " + std::to_string(i) + "?");
  context.category = "security";
  const sdk::LlmRequest request = question_request(context, taxonomy());
  EXPECT_EQ(request.purpose, "question");
  ASSERT_EQ(request.messages.size(), 1u);
  const std::string& user = request.messages[0].content;
  EXPECT_EQ(request.messages[0].role, "user");
  for (const char* expected : {"Tide Tables", "A harbour schedule app", "analysis", "37", "Target category: security"})
    EXPECT_NE(user.find(expected), std::string::npos) << expected << " in\n" << user;
  // Up to 20 specifications (the most recent) and the last 10 questions.
  EXPECT_EQ(user.find("slot_5 "), std::string::npos);
  EXPECT_NE(user.find("slot_6 "), std::string::npos);
  EXPECT_NE(user.find("slot_25 "), std::string::npos);
  EXPECT_EQ(user.find("number 4?"), std::string::npos);
  EXPECT_NE(user.find("number 5?"), std::string::npos);
  EXPECT_NE(user.find("number 14?"), std::string::npos);
  for (const char* rule : {"one aspect", "two sentences", "open-ended", "WHAT", "WHY", "never proposes",
                           "never repeats", "\"text\"", "\"category\"", "\"context\""})
    EXPECT_NE(request.system.find(rule), std::string::npos) << rule << " in\n" << request.system;
}

TEST(LlmDialogueTest, GenerateQuestionReturnsACheckedQuestion) {
  ScriptedLlm llm;
  RecordingServices services;
  llm.answer(R"({"text":"Who are the people this serves, and what do they need from it?","category":"goals","context":"c"})");
  QuestionContext context;
  context.category = "goals";
  const engine::Question q = generate_question(llm, services, shipped(), context);
  EXPECT_EQ(q.category, "goals");
  EXPECT_TRUE(q.bias.acceptable);
  EXPECT_DOUBLE_EQ(q.bias.quality_score, 1.0);
  EXPECT_EQ(llm.requests.size(), 1u);
  EXPECT_EQ(services.database_requests, 0) << "llm_dialogue does no database work";
}

TEST(LlmDialogueTest, ALeadingQuestionIsRegeneratedWithTheReason) {
  ScriptedLlm llm;
  RecordingServices services;
  llm.answer(R"({"text":"Obviously you need the industry standard, so should we use the most popular one?","category":"tech_stack","context":"c"})");
  llm.answer(R"({"text":"What existing systems must this fit into, and why those?","category":"tech_stack","context":"c"})");
  QuestionContext context;
  context.category = "tech_stack";
  const engine::Question q = generate_question(llm, services, shipped(), context);
  EXPECT_EQ(q.text, "What existing systems must this fit into, and why those?");
  ASSERT_EQ(llm.requests.size(), 2u);
  ASSERT_EQ(llm.requests[1].messages.size(), 3u);
  EXPECT_EQ(llm.requests[1].messages[1].role, "assistant");
  EXPECT_NE(llm.requests[1].messages[2].content.find("leads the answer"), std::string::npos);
}

TEST(LlmDialogueTest, ARepeatedQuestionIsRegenerated) {
  ScriptedLlm llm;
  RecordingServices services;
  llm.answer(R"({"text":"Who will use it?","category":"goals","context":"c"})");
  llm.answer(R"({"text":"What would make it a success for them?","category":"goals","context":"c"})");
  QuestionContext context;
  context.category = "goals";
  context.asked = {"who will use it"};
  EXPECT_EQ(generate_question(llm, services, shipped(), context).text, "What would make it a success for them?");
  EXPECT_EQ(llm.requests.size(), 2u);
}

TEST(LlmDialogueTest, OnlyLeadingQuestionsEndInLlmErrorNotInASubstitute) {
  ScriptedLlm llm;
  RecordingServices services;
  for (int i = 0; i < kQuestionAttempts; ++i)
    llm.answer(R"({"text":"Obviously, clearly, of course you need the best framework?","category":"goals","context":"c"})");
  QuestionContext context;
  context.category = "goals";
  EXPECT_EQ(error_code_of([&] { generate_question(llm, services, shipped(), context); }), "LLM_ERROR");
  EXPECT_EQ(llm.requests.size(), static_cast<std::size_t>(kQuestionAttempts));
}

TEST(LlmDialogueTest, TheClientsErrorCodeIsKept) {
  for (const char* code : {"LLM_UNAVAILABLE", "LLM_ERROR"}) {
    ScriptedLlm llm;
    RecordingServices services;
    llm.fail(code);
    QuestionContext context;
    context.category = "goals";
    EXPECT_EQ(error_code_of([&] { generate_question(llm, services, shipped(), context); }), code);
    EXPECT_EQ(error_code_of([&] { extract(llm, services, taxonomy(), ExtractionContext{}); }), "LLM_ERROR")
        << "the script is empty now: the client's failure, not a made-up list";
  }
}

TEST(LlmDialogueTest, AnUnusableAnswerIsLoggedRawAtDebugLevelOnly) {
  ScriptedLlm llm;
  RecordingServices services;
  llm.answer("I'd rather not answer in JSON: SECRET-LOOKING-TEXT");
  QuestionContext context;
  context.category = "goals";
  EXPECT_EQ(error_code_of([&] { generate_question(llm, services, shipped(), context); }), "LLM_ERROR");
  bool at_debug = false;
  for (const auto& [level, line] : services.lines) {
    if (line.find("SECRET-LOOKING-TEXT") == std::string::npos) continue;
    EXPECT_EQ(level, sdk::LogLevel::kDebug) << line;
    at_debug = true;
  }
  EXPECT_TRUE(at_debug) << "the raw answer should be in the debug log";
}

// ---- extraction

struct ExtractionCase {
  const char* name;
  const char* answer;
  int count;  // expected candidates; -1: LLM_ERROR
};

const ExtractionCase kExtractionCases[] = {
    {"empty_array", "[]", 0},
    {"one", R"([{"category":"tech_stack","key":"database","value":"PostgreSQL","confidence":0.9,"reasoning":"named"}])", 1},
    {"two_fenced",
     "```json\n[{\"category\":\"security\",\"key\":\"password_storage\",\"value\":\"hashed\",\"confidence\":0.9},"
     "{\"category\":\"performance\",\"key\":\"p95_latency\",\"value\":\"under 200 ms\",\"confidence\":0.7}]\n```",
     2},
    {"confidence_bounds",
     R"([{"category":"goals","key":"a","value":"x","confidence":0},{"category":"goals","key":"b","value":"y","confidence":1}])", 2},
    {"reasoning_optional", R"([{"category":"goals","key":"audience","value":"sailors","confidence":0.7}])", 1},
    {"reasoning_null", R"([{"category":"goals","key":"audience","value":"sailors","confidence":0.7,"reasoning":null}])", 1},
    {"object_not_array", R"({"category":"goals","key":"a","value":"x","confidence":0.7})", -1},
    {"wrapped_object", R"({"specifications":[]})", -1},
    {"not_json", "The answer says they want PostgreSQL.", -1},
    {"item_not_object", R"(["database: PostgreSQL"])", -1},
    {"missing_category", R"([{"key":"a","value":"x","confidence":0.7}])", -1},
    {"unknown_category", R"([{"category":"budget","key":"a","value":"x","confidence":0.7}])", -1},
    {"missing_key", R"([{"category":"goals","value":"x","confidence":0.7}])", -1},
    {"key_of_symbols", R"([{"category":"goals","key":"!!!","value":"x","confidence":0.7}])", -1},
    {"key_starting_with_digit", R"([{"category":"goals","key":"99th","value":"x","confidence":0.7}])", -1},
    {"missing_value", R"([{"category":"goals","key":"a","confidence":0.7}])", -1},
    {"value_number", R"([{"category":"scalability","key":"peak_users","value":10000,"confidence":0.7}])", -1},
    {"empty_value", R"([{"category":"goals","key":"a","value":" ","confidence":0.7}])", -1},
    {"missing_confidence", R"([{"category":"goals","key":"a","value":"x"}])", -1},
    {"confidence_string", R"([{"category":"goals","key":"a","value":"x","confidence":"0.9"}])", -1},
    {"confidence_above_one", R"([{"category":"goals","key":"a","value":"x","confidence":1.5}])", -1},
    {"confidence_negative", R"([{"category":"goals","key":"a","value":"x","confidence":-0.1}])", -1},
    {"confidence_percent", R"([{"category":"goals","key":"a","value":"x","confidence":90}])", -1},
    {"reasoning_number", R"([{"category":"goals","key":"a","value":"x","confidence":0.7,"reasoning":3}])", -1},
    {"one_bad_item_spoils_all",
     R"([{"category":"goals","key":"a","value":"x","confidence":0.7},{"category":"goals","key":"b","value":"y","confidence":7}])", -1},
};

class ExtractionParsing : public ::testing::TestWithParam<ExtractionCase> {};

TEST_P(ExtractionParsing, AcceptsOnlyTheAskedForShape) {
  const ExtractionCase& c = GetParam();
  if (c.count >= 0) {
    EXPECT_EQ(parse_extraction(c.answer, taxonomy()).size(), static_cast<std::size_t>(c.count));
  } else {
    EXPECT_EQ(error_code_of([&] { parse_extraction(c.answer, taxonomy()); }), "LLM_ERROR") << c.answer;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ExtractionParsing, ::testing::ValuesIn(kExtractionCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(LlmDialogueTest, ExtractedCandidatesCarryEveryField) {
  const auto candidates = parse_extraction(
      R"([{"category":"tech_stack","key":"Primary Language","value":" Rust ","confidence":0.9,"reasoning":"they said so"}])",
      taxonomy());
  ASSERT_EQ(candidates.size(), 1u);
  const auto& c = candidates[0];
  EXPECT_EQ(c.specification.category, "tech_stack");
  EXPECT_EQ(c.specification.key, "primary_language") << "a near-miss key is normalised to snake_case";
  EXPECT_EQ(c.specification.value, "Rust");
  EXPECT_DOUBLE_EQ(c.specification.confidence, 0.9);
  EXPECT_EQ(c.origin, engine::Origin::kLlm);
  EXPECT_EQ(c.label, "primary language");
  EXPECT_EQ(c.clause, "they said so");
}

TEST(LlmDialogueTest, TheExtractionPromptCarriesWhatDomainMdLists) {
  ExtractionContext context;
  context.question = "Where will the data live?";
  context.question_category = "tech_stack";
  context.answer = "We must use PostgreSQL 15.";
  for (int i = 1; i <= 35; ++i) context.current.push_back({"goals", "goal_" + std::to_string(i), "v", 0.7});
  const sdk::LlmRequest request = extraction_request(context, taxonomy());
  EXPECT_EQ(request.purpose, "extraction");
  const std::string& user = request.messages.at(0).content;
  for (const char* expected : {"Where will the data live?", "tech_stack", "We must use PostgreSQL 15."})
    EXPECT_NE(user.find(expected), std::string::npos) << expected;
  EXPECT_EQ(user.find("goal_5 "), std::string::npos);
  EXPECT_NE(user.find("goal_6 "), std::string::npos) << "the most recent 30 specifications";
  for (const auto& category : taxonomy().categories()) {
    EXPECT_NE(request.system.find(category.name + ": " + category.description), std::string::npos) << category.name;
  }
  for (const char* field : {"\"category\"", "\"key\"", "\"value\"", "\"confidence\"", "\"reasoning\""})
    EXPECT_NE(request.system.find(field), std::string::npos) << field;
}

TEST(LlmDialogueTest, ExtractCallsTheClientOnce) {
  ScriptedLlm llm;
  RecordingServices services;
  llm.answer(R"([{"category":"tech_stack","key":"database","value":"PostgreSQL","confidence":0.9}])");
  ExtractionContext context;
  context.answer = "PostgreSQL";
  const auto candidates = extract(llm, services, taxonomy(), context);
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].specification.value, "PostgreSQL");
  EXPECT_EQ(llm.requests.size(), 1u);
  EXPECT_EQ(llm.requests[0].purpose, "extraction");
}

// ---- direct-chat reply

TEST(LlmDialogueTest, ReplyIsTheModelsTextTrimmed) {
  ScriptedLlm llm;
  RecordingServices services;
  llm.answer("  Noted: your users are sailors. What would make the app trustworthy to them?\n");
  ReplyContext context;
  context.project = {"Tide Tables", "", "discovery", 3};
  context.message = "It is for sailors.";
  context.recorded = {{"goals", "audience", "sailors", 0.7}};
  context.next_category = "security";
  EXPECT_EQ(reply(llm, services, taxonomy(), context),
            "Noted: your users are sailors. What would make the app trustworthy to them?");
  ASSERT_EQ(llm.requests.size(), 1u);
  const std::string& user = llm.requests[0].messages.at(0).content;
  for (const char* expected : {"It is for sailors.", "goals/audience = sailors", "Suggested category: security", "Tide Tables"})
    EXPECT_NE(user.find(expected), std::string::npos) << expected;
  EXPECT_EQ(llm.requests[0].purpose, "reply");
}

TEST(LlmDialogueTest, EveryCallNamesTheProjectItServes) {
  ScriptedLlm llm;
  RecordingServices services;
  const std::string project = "5d0c3b2a-1f0e-4d9c-8b7a-695847362514";
  ReplyContext replying;
  replying.message = "It is for sailors.";
  replying.next_category = "security";
  replying.project_id = project;
  llm.answer("Noted.");
  reply(llm, services, taxonomy(), replying);
  ExtractionContext extracting;
  extracting.answer = "It is for sailors.";
  extracting.project_id = project;
  llm.answer("[]");
  extract(llm, services, taxonomy(), extracting);
  EXPECT_EQ(llm.projects, (std::vector<std::string>{project, project}));
  EXPECT_EQ(llm.requests.size(), 2u) << "every call goes through complete_for_project";
}

TEST(LlmDialogueTest, AnEmptyOrOverlongReplyIsLlmError) {
  EXPECT_EQ(error_code_of([] { parse_reply(" \n\t "); }), "LLM_ERROR");
  EXPECT_EQ(error_code_of([] { parse_reply(std::string(kMaxReplyChars + 1, 'x')); }), "LLM_ERROR");
  EXPECT_EQ(error_code_of([] { parse_reply("Fine."); }), "OK");
}

// ---- rewording: the model's wording is taken only when IDs, categories, numbers, units and the
// EARS form all survive.

std::vector<engine::Requirement> reword_input() {
  const auto& writer = shipped().requirements();
  return {writer.write({"performance", "p95_latency", "\xE2\x89\xA4 200 ms", 0.9}, 1),
          writer.write({"disaster_recovery", "rto", "\xE2\x89\xA4 15 minutes", 0.9}, 2),
          writer.write({"requirements", "order_placed", "When an order is placed, notify the bakery", 0.9}, 3)};
}

std::string answer_with(const std::string& perf, const std::string& dr, const std::string& fr,
                        const std::string& perf_category = "performance") {
  return nlohmann::json::array({{{"id", "PERF-001"}, {"category", perf_category}, {"statement", perf}},
                                {{"id", "DR-002"}, {"category", "disaster_recovery"}, {"statement", dr}},
                                {{"id", "FR-003"}, {"category", "requirements"}, {"statement", fr}}})
      .dump();
}

const std::string kPerf = "The system shall answer requests within 200 ms at the 95th percentile.";
const std::string kDr = "If the system fails, then it shall be serving again within 15 min.";
const std::string kFr = "When an order is placed, the system shall notify the bakery.";

struct RewordCase {
  const char* name;
  std::string answer;
  const char* refusal;  // a part of the LLM_ERROR message; "" for an accepted answer
};

TEST(LlmDialogueTest, RewordingKeepsIdsCategoriesNumbersUnitsAndForms) {
  const std::vector<RewordCase> cases = {
      {"good", answer_with(kPerf, kDr, kFr), ""},
      {"fenced and reordered", "```json\n" + nlohmann::json::parse(answer_with(kPerf, kDr, kFr)).dump() + "\n```", ""},
      {"the same number in words", answer_with(kPerf, "If the system fails, then it shall be serving again within fifteen minutes.", kFr), ""},
      {"a changed number", answer_with("The system shall answer requests within 250 ms at the 95th percentile.", kDr, kFr), "PERF-001 changes its numbers"},
      {"a converted unit", answer_with("The system shall answer requests within 0.2 s at the 95th percentile.", kDr, kFr), "PERF-001 changes its numbers"},
      {"a dropped number", answer_with("The system shall answer quickly.", kDr, kFr), "PERF-001 changes its numbers"},
      {"an added number", answer_with(kPerf, kDr, "When an order is placed, the system shall notify the bakery within 2 minutes."), "FR-003 changes its numbers"},
      {"95% of requests for the 95th percentile", answer_with("The system shall answer 95% of requests within 200 ms.", kDr, kFr), "PERF-001 changes its numbers"},
      {"a changed category", answer_with(kPerf, kDr, kFr, "scalability"), "PERF-001 changes its category"},
      {"a lost EARS opening", answer_with(kPerf, kDr, "The system shall notify the bakery of every order."), "FR-003 is no longer a event-driven"},
      {"an unwanted form without then", answer_with(kPerf, "If the system fails, it shall be serving again within 15 min.", kFr), "DR-002 is no longer a unwanted"},
      {"no shall", answer_with("Requests are answered within 200 ms at the 95th percentile.", kDr, kFr), "PERF-001 is no longer a ubiquitous"},
      {"an unknown ID", R"([{"id":"PERF-009","category":"performance","statement":"x"}])", "unknown ID 'PERF-009'"},
      {"a requirement left out", nlohmann::json::array({{{"id", "PERF-001"}, {"category", "performance"}, {"statement", kPerf}}}).dump(), "DR-002 is missing"},
      {"an ID twice", nlohmann::json::array({{{"id", "PERF-001"}, {"category", "performance"}, {"statement", kPerf}}, {{"id", "PERF-001"}, {"category", "performance"}, {"statement", kPerf}}}).dump(), "PERF-001 comes back twice"},
      {"prose", "Here are better statements!", "not JSON"},
      {"an object", R"({"id":"PERF-001"})", "not a JSON array"},
      {"an empty statement", answer_with("", kDr, kFr), "PERF-001 has an empty statement"},
  };
  const auto input = reword_input();
  for (const auto& c : cases) {
    std::string message;
    try {
      const auto out = parse_rewording(c.answer, input, shipped().requirements());
      EXPECT_EQ(out.size(), 3u) << c.name;
    } catch (const sdk::AgentException& e) {
      EXPECT_EQ(e.error().code, "LLM_ERROR") << c.name;
      message = e.error().message;
    }
    if (std::string(c.refusal).empty()) {
      EXPECT_EQ(message, "") << c.name;
    } else {
      EXPECT_NE(message.find(c.refusal), std::string::npos) << c.name << ": " << message;
    }
  }
}

TEST(LlmDialogueTest, TheRewordingPromptCarriesEveryIdCategoryFormAndStatement) {
  const auto input = reword_input();
  const sdk::LlmRequest request = reword_request(input);
  EXPECT_EQ(request.purpose, "reword");
  ASSERT_EQ(request.messages.size(), 1u);
  for (const auto& r : input) {
    EXPECT_NE(request.messages[0].content.find("\"" + r.id + "\""), std::string::npos) << r.id;
    EXPECT_NE(request.messages[0].content.find(r.statement), std::string::npos) << r.id;
    EXPECT_NE(request.messages[0].content.find(std::string(engine::to_string(r.form))), std::string::npos) << r.id;
  }
  EXPECT_NE(request.system.find("keep every number with its unit"), std::string::npos);
}

}  // namespace
}  // namespace socrates::agents::llm_dialogue

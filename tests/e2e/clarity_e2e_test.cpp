// Clarity over real HTTP (docs/domain.md "Clarity and open items"): "I don't know" opens an item
// that /clarity lists and a later answer resolves; an item accepted as an assumption becomes a
// specification of source "assumed"; a vague answer yields a finding with its rule and question,
// lowers its category's clarity in the maturity answer, and the next question asks to sharpen it;
// a usability requirement ("easy to use") is flagged in /clarity and in the export's clarity section.
#include "e2e/host_suite.hpp"

#include <algorithm>
#include <string>

namespace socrates::test::e2e {
namespace {

class ClarityE2eTest : public HostSuite {
 protected:
  ClarityE2eTest() : HostSuite("clarity") {}

  std::string new_project() const { return HostSuite::new_project({{"name", "Bookshop"}}); }
  std::string new_session(const std::string& project_id) {
    const auto response = client().post("/api/v1/projects/" + project_id + "/sessions", nlohmann::json::object(), token());
    EXPECT_EQ(response.status, 201) << describe(response);
    return response.json().value("id", "");
  }
  nlohmann::json next_question(const std::string& session_id) {
    const auto response =
        client().post("/api/v1/sessions/" + session_id + "/next-question", nlohmann::json::object(), token());
    EXPECT_TRUE(response.status == 200 || response.status == 201) << describe(response);
    return response.json();
  }
  nlohmann::json answer(const std::string& session_id, const std::string& text) {
    const auto response = client().post("/api/v1/sessions/" + session_id + "/answer", {{"answer", text}}, token());
    EXPECT_EQ(response.status, 200) << describe(response);
    return response.json();
  }
  nlohmann::json get(const std::string& path) {
    const auto response = client().get(path, token());
    EXPECT_EQ(response.status, 200) << describe(response);
    return response.json();
  }
  static const nlohmann::json& category(const nlohmann::json& maturity, const std::string& name) {
    for (const auto& c : maturity["categories"])
      if (c["category"] == name) return c;
    throw std::out_of_range(name);
  }
};

TEST_F(ClarityE2eTest, IDontKnowOpensAnItemThatALaterAnswerResolves) {
  const std::string project = new_project();
  const std::string session = new_session(project);
  const auto question = next_question(session);
  ASSERT_EQ(question["category"], "goals");

  const auto unsure = answer(session, "Honestly, I don't know yet.");
  EXPECT_TRUE(unsure["specifications"].empty());
  ASSERT_EQ(unsure["open_items"].size(), 1u) << unsure.dump();
  const auto item = unsure["open_items"][0];
  EXPECT_TRUE(is_lower_uuid(item["id"]));
  EXPECT_EQ(item["status"], "open");
  EXPECT_EQ(item["category"], "goals");
  EXPECT_EQ(item["question"], question["text"]);
  EXPECT_EQ(item["question_id"], question["id"]);
  EXPECT_EQ(item["session_id"], session);
  EXPECT_EQ(item["said"], "Honestly, I don't know yet");
  EXPECT_TRUE(is_rfc3339_utc(item["created_at"]));
  EXPECT_TRUE(item["closed_at"].is_null());

  const auto clarity = get("/api/v1/projects/" + project + "/clarity");
  ASSERT_EQ(clarity["open_items"].size(), 1u) << clarity.dump();
  EXPECT_EQ(clarity["open_items"][0]["id"], item["id"]);
  EXPECT_TRUE(clarity["assumptions"].empty());
  const auto maturity = get("/api/v1/projects/" + project + "/maturity");
  EXPECT_EQ(maturity["open_items"], 1);
  EXPECT_EQ(category(maturity, "goals")["open_items"], 1);
  EXPECT_EQ(category(maturity, "goals")["clarity"], 0);
  EXPECT_EQ(get("/api/v1/projects/" + project + "/open-items")["total"], 1);

  // The person had no answer about goals: the planner lets goals rest for three answers, then asks
  // it again (it is still the least covered), and that answer resolves the item.
  nlohmann::json pending = unsure["next_question"];
  for (const char* said : {"We will use PostgreSQL.", "The backend is written in Go.", "We host it on AWS."}) {
    ASSERT_NE(pending["category"], "goals") << pending.dump();
    pending = answer(session, said)["next_question"];
  }
  ASSERT_EQ(pending["category"], "goals") << pending.dump();
  const auto sure = answer(session, "The goal is to help students sell their used textbooks to each other.");
  ASSERT_EQ(sure["specifications"].size(), 1u) << sure.dump();
  ASSERT_EQ(sure["open_items"].size(), 1u) << sure.dump();
  EXPECT_EQ(sure["open_items"][0]["id"], item["id"]);
  EXPECT_EQ(sure["open_items"][0]["status"], "resolved");
  EXPECT_EQ(sure["open_items"][0]["specification_id"], sure["specifications"][0]["id"]);
  EXPECT_TRUE(is_rfc3339_utc(sure["open_items"][0]["closed_at"]));

  EXPECT_TRUE(get("/api/v1/projects/" + project + "/clarity")["open_items"].empty());
  EXPECT_EQ(get("/api/v1/projects/" + project + "/open-items")["total"], 0);
  EXPECT_EQ(get("/api/v1/projects/" + project + "/open-items?status=resolved")["total"], 1);
  const auto after = get("/api/v1/projects/" + project + "/maturity");
  EXPECT_EQ(after["open_items"], 0);
  EXPECT_EQ(category(after, "goals")["clarity"], 100);
  EXPECT_EQ(get("/api/v1/projects/" + project)["maturity_score"], after["score"]);
}

TEST_F(ClarityE2eTest, AnOpenItemAcceptedAsAnAssumptionIsRecordedAsOne) {
  const std::string project = new_project();
  const std::string session = new_session(project);
  next_question(session);
  const auto unsure = answer(session, "Not sure yet");
  ASSERT_EQ(unsure["open_items"].size(), 1u) << unsure.dump();
  const std::string id = unsure["open_items"][0]["id"];

  const auto assumed = client().post("/api/v1/open-items/" + id + "/assume",
                                     {{"value", "Sell used textbooks to students"}}, token());
  ASSERT_EQ(assumed.status, 200) << describe(assumed);
  const auto body = assumed.json();
  EXPECT_EQ(body["open_item"]["status"], "assumed");
  EXPECT_EQ(body["open_item"]["assumption"], "Sell used textbooks to students");
  EXPECT_EQ(body["open_item"]["specification_id"], body["specification"]["id"]);
  EXPECT_EQ(body["specification"]["source"], "assumed");
  EXPECT_EQ(body["specification"]["category"], "goals");
  EXPECT_LE(body["specification"]["confidence"].get<double>(), 0.5);
  EXPECT_EQ(body["specification"]["question_id"], unsure["open_items"][0]["question_id"]);

  const auto clarity = get("/api/v1/projects/" + project + "/clarity");
  EXPECT_TRUE(clarity["open_items"].empty());
  ASSERT_EQ(clarity["assumptions"].size(), 1u) << clarity.dump();
  EXPECT_EQ(clarity["assumptions"][0]["id"], id);
  const auto specs = get("/api/v1/projects/" + project + "/specifications");
  ASSERT_EQ(specs["items"].size(), 1u);
  EXPECT_EQ(specs["items"][0]["source"], "assumed");
  EXPECT_GT(get("/api/v1/projects/" + project)["maturity_score"].get<int>(), 0);

  // Shown as an assumption in both exports.
  const auto markdown = client().get("/api/v1/projects/" + project + "/export?format=markdown", token());
  ASSERT_EQ(markdown.status, 200) << describe(markdown);
  EXPECT_NE(markdown.body.find("## Open items and assumptions"), std::string::npos) << markdown.body;
  EXPECT_NE(markdown.body.find("assumed: Sell used textbooks to students"), std::string::npos) << markdown.body;
  EXPECT_NE(markdown.body.find("## Clarity findings"), std::string::npos) << markdown.body;
  const auto json = get("/api/v1/projects/" + project + "/export?format=json");
  ASSERT_EQ(json["open_items"]["assumptions"].size(), 1u) << json.dump();
  EXPECT_EQ(json["open_items"]["assumptions"][0]["assumption"], "Sell used textbooks to students");
  EXPECT_TRUE(json["open_items"]["open"].empty());

  // Only an open item can be assumed; another user's item does not exist for this one.
  EXPECT_TRUE(IsValidationError(
      client().post("/api/v1/open-items/" + id + "/assume", {{"value", "Something else"}}, token()), "open_item_id"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/open-items/00000000-0000-4000-8000-000000000000/assume",
                                       {{"value", "x"}}, token()),
                         404, "NOT_FOUND"));
  const TestUser other = new_user(client(), "clarity-other");
  EXPECT_TRUE(IsApiError(client().post("/api/v1/open-items/" + id + "/assume", {{"value", "x"}}, other.access_token),
                         404, "NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/projects/" + project + "/clarity", other.access_token), 404,
                         "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsValidationError(client().post("/api/v1/open-items/" + id + "/assume", {{"value", ""}}, token()),
                                "value"));
}

TEST_F(ClarityE2eTest, AVagueAnswerYieldsAFindingAndTheNextQuestionSharpensIt) {
  const std::string project = new_project();
  // Every other category holds a clear specification, so goals stays the least covered.
  const auto categories = get("/api/v1/categories");
  for (const auto& c : categories["items"]) {
    if (c["name"] == "goals") continue;
    const auto added = client().post("/api/v1/projects/" + project + "/specifications",
                                     {{"category", c["name"]}, {"key", "noted"}, {"value", "Recorded by hand"},
                                      {"confidence", 1.0}},
                                     token());
    ASSERT_EQ(added.status, 201) << describe(added);
  }
  const std::string session = new_session(project);
  ASSERT_EQ(next_question(session)["category"], "goals");

  const auto vague = answer(session, "We want the best and most modern bookshop");
  ASSERT_EQ(vague["specifications"].size(), 1u) << vague.dump();
  const auto spec = vague["specifications"][0];
  ASSERT_EQ(spec["category"], "goals") << vague.dump();

  const auto clarity = get("/api/v1/projects/" + project + "/clarity");
  EXPECT_EQ(clarity["specifications_checked"], 10);
  ASSERT_EQ(clarity["specifications"].size(), 1u) << clarity.dump();
  const auto unclear = clarity["specifications"][0];
  EXPECT_EQ(unclear["specification_id"], spec["id"]);
  EXPECT_EQ(unclear["category"], "goals");
  EXPECT_EQ(unclear["key"], spec["key"]);
  EXPECT_EQ(unclear["value"], spec["value"]);
  ASSERT_EQ(unclear["findings"].size(), 2u) << unclear.dump();
  EXPECT_EQ(unclear["findings"][0]["rule"], "vague_term");
  EXPECT_EQ(unclear["findings"][0]["words"], nlohmann::json::array({"modern"}));
  EXPECT_EQ(unclear["findings"][1]["rule"], "superlative");
  EXPECT_EQ(unclear["findings"][1]["words"], nlohmann::json::array({"best"}));

  const auto maturity = get("/api/v1/projects/" + project + "/maturity");
  EXPECT_EQ(category(maturity, "goals")["clarity"], 0);
  EXPECT_EQ(category(maturity, "goals")["unclear_specifications"], 1);
  EXPECT_EQ(category(maturity, "goals")["covered"], spec["confidence"].get<double>() / 2);

  // The next question asks to sharpen it, with the finding's question.
  const auto sharpen = vague["next_question"];
  EXPECT_EQ(sharpen["category"], "goals");
  EXPECT_EQ(sharpen["text"], unclear["findings"][0]["question"]);
  EXPECT_EQ(sharpen["text"].get<std::string>().rfind("You said ", 0), 0u) << sharpen.dump();
  EXPECT_NE(sharpen["text"].get<std::string>().find("'modern'"), std::string::npos) << sharpen.dump();
  EXPECT_EQ(sharpen["context"].get<std::string>().rfind("sharpen: goals/", 0), 0u) << sharpen.dump();

  // Sharpened once: whatever the answer, the same specification is not asked about again.
  const auto next = answer(session, "Students find a book in three clicks")["next_question"];
  EXPECT_NE(next["text"], sharpen["text"]);
  EXPECT_NE(next["context"].get<std::string>().rfind("sharpen:", 0), 0u) << next.dump();
}

TEST_F(ClarityE2eTest, AUsabilityRequirementIsFlaggedInClarityAndInTheExport) {
  const std::string project = new_project();
  const std::string session = new_session(project);
  next_question(session);
  const auto answered = answer(session, "Our older volunteers need the rota screen to be easy to use.");
  const auto& recorded = answered["specifications"];
  const auto usability = std::find_if(recorded.begin(), recorded.end(),
                                      [](const nlohmann::json& s) { return s["key"] == "usability_easy_to_use"; });
  ASSERT_NE(usability, recorded.end()) << answered.dump();
  EXPECT_EQ((*usability)["category"], "requirements");

  // GET /clarity lists it with the vague-term finding, whose question asks for a measurable criterion.
  const auto clarity = get("/api/v1/projects/" + project + "/clarity");
  const auto& unclear = clarity["specifications"];
  const auto flagged = std::find_if(unclear.begin(), unclear.end(), [&](const nlohmann::json& s) {
    return s["specification_id"] == (*usability)["id"];
  });
  ASSERT_NE(flagged, unclear.end()) << clarity.dump();
  ASSERT_FALSE((*flagged)["findings"].empty());
  const auto& finding = (*flagged)["findings"][0];
  EXPECT_EQ(finding["rule"], "vague_term");
  EXPECT_EQ(finding["words"], nlohmann::json::array({"easy to use"}));
  const std::string question = finding["question"];
  EXPECT_NE(question.find("how many minutes"), std::string::npos) << question;
  EXPECT_NE(question.find("training"), std::string::npos) << question;

  // The markdown export's clarity section carries the same finding and question.
  const auto exported = client().get("/api/v1/projects/" + project + "/export?format=markdown", token());
  ASSERT_EQ(exported.status, 200) << describe(exported);
  const std::string& markdown = exported.body;
  const auto section = markdown.find("Clarity findings");
  ASSERT_NE(section, std::string::npos) << markdown;
  const auto line = markdown.find("**requirements/usability_easy_to_use** (vague_term: 'easy to use'): " + question, section);
  EXPECT_NE(line, std::string::npos) << markdown.substr(section);
}

}  // namespace
}  // namespace socrates::test::e2e

// The specification document over real HTTP (docs/domain.md "Exports"): a scripted interview
// exported as markdown, JSON (valid against docs/export.schema.json), spec-kit's spec.md and Kiro's
// requirements.md; every requirement in each, IDs the same across two exports and across an edit,
// numbers and units intact; conflicts resolved and how; [NEEDS CLARIFICATION] markers.
#include "e2e/host_suite.hpp"

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace socrates::test::e2e {
namespace {

namespace fs = std::filesystem;

class ExportE2eTest : public HostSuite {
 protected:
  ExportE2eTest() : HostSuite("export") {}

  std::string new_project() const {
    return HostSuite::new_project({{"name", "Bakery orders"}, {"description", "Online orders for small bakeries"}});
  }
  std::string export_text(const std::string& project, const std::string& format) {
    const auto response = client().get("/api/v1/projects/" + project + "/export?format=" + format, token());
    EXPECT_EQ(response.status, 200) << format << ": " << describe(response);
    EXPECT_NE(response.header("content-type").value_or("").find("text/markdown"), std::string::npos) << format;
    return response.body;
  }
  nlohmann::json export_json(const std::string& project) {
    const auto response = client().get("/api/v1/projects/" + project + "/export?format=json", token());
    EXPECT_EQ(response.status, 200) << describe(response);
    return response.json();
  }
  // The current requirements by ID, as GET .../requirements lists them.
  std::map<std::string, nlohmann::json> requirements(const std::string& project) {
    const auto response = client().get("/api/v1/projects/" + project + "/requirements?limit=200", token());
    EXPECT_EQ(response.status, 200) << describe(response);
    const nlohmann::json body = response.json();
    std::map<std::string, nlohmann::json> out;
    for (const auto& item : body["items"]) out[item.value("id", "")] = item;
    return out;
  }

  // A socratic interview answered from a script by the category of each question asked.
  void interview(const std::string& project) {
    static const std::map<std::string, std::vector<std::string>> script = {
        {"goals", {"We must help small bakeries take orders online, so that they stop losing phone orders."}},
        {"requirements",
         {"When an order is placed, notify the bakery by email.", "If a payment fails, then keep the order as unpaid."}},
        {"tech_stack", {"The backend will be written in Python with PostgreSQL as the database."}},
        {"scalability", {"We expect at most 500 concurrent users at peak."}},
        {"security", {"Sessions must time out after 30 minutes of inactivity."}},
        {"performance", {"Pages must respond with a p95 latency under 200 ms."}},
        {"testing", {"We need at least 80% test coverage."}},
        {"monitoring", {"We must notice an outage within 5 minutes."}},
        {"data_retention", {"Order data must be retained for 7 years."}},
        {"disaster_recovery", {"After a failure we must be back online within 15 minutes."}},
    };
    std::map<std::string, std::size_t> used;
    const auto session = client().post("/api/v1/projects/" + project + "/sessions", nlohmann::json::object(), token());
    ASSERT_EQ(session.status, 201) << describe(session);
    const std::string session_id = session.json()["id"];
    for (int turn = 0; turn < 16; ++turn) {
      const auto question =
          client().post("/api/v1/sessions/" + session_id + "/next-question", nlohmann::json::object(), token());
      ASSERT_TRUE(question.status == 200 || question.status == 201) << describe(question);
      const std::string category = question.json().value("category", "");
      const auto it = script.find(category);
      std::string text = "I don't know yet.";
      if (it != script.end() && used[category] < it->second.size()) text = it->second[used[category]++];
      const auto answered = client().post("/api/v1/sessions/" + session_id + "/answer", {{"answer", text}}, token());
      ASSERT_EQ(answered.status, 200) << describe(answered);
    }
  }
};

// The number and unit a measurable requirement's value states: "≤ 200 ms" → "200 ms".
std::string quantity_of(const std::string& value) {
  for (const char* sign : {"\xE2\x89\xA4 ", "\xE2\x89\xA5 "})
    if (value.rfind(sign, 0) == 0) return value.substr(std::string(sign).size());
  return value;
}

std::set<std::string> ids_of(const nlohmann::json& document) {
  std::set<std::string> ids;
  for (const auto& r : document["requirements"]) ids.insert(r.value("id", ""));
  return ids;
}

// Validates `document` against docs/export.schema.json with python3-jsonschema (scripts/install-deps.sh);
// answers the validator's complaint, or "" when it is valid.
std::string schema_errors(const nlohmann::json& document) {
  const fs::path dir = fs::temp_directory_path() / ("socrates-export-" + random_suffix());
  fs::create_directories(dir);
  std::ofstream(dir / "document.json") << document.dump(2);
  const fs::path schema = fs::path(SOCRATES_SOURCE_DIR) / "docs" / "export.schema.json";
  const std::string command =
      "python3 -c 'import json, sys, jsonschema\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "validator = jsonschema.validators.validator_for(schema)\n"
      "validator.check_schema(schema)\n"
      "errors = [e.message + \" at \" + \"/\".join(map(str, e.absolute_path)) for e in validator(schema).iter_errors(json.load(open(sys.argv[2])))]\n"
      "print(\"\\n\".join(errors))\n"
      "sys.exit(1 if errors else 0)' '" +
      schema.string() + "' '" + (dir / "document.json").string() + "' > '" + (dir / "out.txt").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(dir / "out.txt");
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove_all(dir);
  return status == 0 ? "" : "exit " + std::to_string(status) + ": " + out;
}

TEST_F(ExportE2eTest, AScriptedInterviewExportsEveryRequirementWithStableIdsInEveryFormat) {
  const std::string project = new_project();
  interview(project);
  const auto listed = requirements(project);
  ASSERT_GE(listed.size(), 8u) << "the scripted interview should record most of its answers";

  const nlohmann::json first = export_json(project);
  EXPECT_EQ(schema_errors(first), "") << first.dump(2);
  std::set<std::string> listed_ids;
  for (const auto& [id, r] : listed) listed_ids.insert(id);
  EXPECT_EQ(ids_of(first), listed_ids);

  const std::map<std::string, std::string> texts = {{"markdown", export_text(project, "markdown")},
                                                    {"spec-kit", export_text(project, "spec-kit")},
                                                    {"kiro", export_text(project, "kiro")}};
  std::size_t measurable = 0;
  for (const auto& [id, r] : listed) {
    const bool has_criteria = !r["acceptance_criteria"].empty();
    measurable += has_criteria;
    for (const auto& [format, text] : texts) {
      EXPECT_NE(text.find(id), std::string::npos) << format << " lacks " << id << "\n" << text;
      if (!has_criteria) continue;
      // Numbers and units intact: the value's quantity and the criterion's wording, as written.
      EXPECT_NE(text.find(quantity_of(r["value"])), std::string::npos) << format << " lacks the quantity of " << id;
      EXPECT_NE(text.find(r["acceptance_criteria"][0]["then"].get<std::string>()), std::string::npos)
          << format << " lacks the acceptance criterion of " << id;
    }
    EXPECT_NE(texts.at("markdown").find(r["statement"].get<std::string>()), std::string::npos) << id;
    EXPECT_NE(texts.at("spec-kit").find(r["statement"].get<std::string>()), std::string::npos) << id;
  }
  EXPECT_GE(measurable, 4u) << "latency, sessions, coverage, detection, retention and recovery are measurable";

  // A second export is the same document.
  EXPECT_EQ(export_json(project), first);
  EXPECT_EQ(export_text(project, "markdown"), texts.at("markdown"));

  // An edit makes a new version under the same ID; every other ID stays as it was.
  std::string latency_id;
  for (const auto& [id, r] : listed)
    if (r["key"] == "p95_latency") latency_id = id;
  ASSERT_FALSE(latency_id.empty()) << "the performance answer records a p95 latency";
  const std::string spec_id = listed.at(latency_id)["trace"]["specification_id"];
  const auto edited = client().request("PUT", "/api/v1/specifications/" + spec_id,
                                       nlohmann::json{{"value", "\xE2\x89\xA4 300 ms"}}.dump(), bearer(token()));
  ASSERT_EQ(edited.status, 200) << describe(edited);
  const nlohmann::json after = export_json(project);
  EXPECT_EQ(ids_of(after), listed_ids);
  for (const auto& r : after["requirements"]) {
    if (r["id"] != latency_id) continue;
    EXPECT_EQ(r["trace"]["version"], 2);
    EXPECT_EQ(r["statement"], "The system shall respond within 300 ms at the 95th percentile.");
  }
  const std::string markdown = export_text(project, "markdown");
  EXPECT_NE(markdown.find("#### " + latency_id), std::string::npos);
  EXPECT_NE(markdown.find("300 ms"), std::string::npos);
  EXPECT_EQ(markdown.find("within 200 ms"), std::string::npos) << "the old version is not a requirement any more";
  EXPECT_EQ(schema_errors(after), "");
}

TEST_F(ExportE2eTest, ConflictsShowHowTheyWereResolvedAndOpenOnesNeedClarification) {
  const std::string project = new_project();
  const auto added = client().post("/api/v1/projects/" + project + "/specifications",
                                   {{"category", "tech_stack"}, {"key", "database"}, {"value", "PostgreSQL"}}, token());
  ASSERT_EQ(added.status, 201) << describe(added);
  const auto contradiction =
      client().post("/api/v1/projects/" + project + "/specifications",
                    {{"category", "tech_stack"}, {"key", "database"}, {"value", "MySQL"}}, token());
  ASSERT_EQ(contradiction.status, 409) << describe(contradiction);
  const std::string conflict = contradiction.json()["error"]["details"]["conflict"]["id"];

  // Open: spec-kit asks for clarification on the requirement it is about.
  std::string spec_kit = export_text(project, "spec-kit");
  EXPECT_NE(spec_kit.find("**TECH-001**: The system shall use PostgreSQL for its database. [NEEDS CLARIFICATION:"),
            std::string::npos)
      << spec_kit;
  EXPECT_NE(spec_kit.find("- [ ] No [NEEDS CLARIFICATION] markers remain"), std::string::npos);

  const auto resolved = client().post("/api/v1/conflicts/" + conflict + "/resolve",
                                      {{"resolution", "keep_existing"}, {"notes", "the team knows PostgreSQL"}}, token());
  ASSERT_EQ(resolved.status, 200) << describe(resolved);
  const std::string markdown = export_text(project, "markdown");
  const auto section = markdown.find("### Resolved conflicts");
  ASSERT_NE(section, std::string::npos) << markdown;
  const std::string resolved_part = markdown.substr(section);
  EXPECT_NE(resolved_part.find("**TECH-001** contradiction"), std::string::npos) << markdown;
  EXPECT_NE(resolved_part.find("keep_existing"), std::string::npos) << markdown;
  EXPECT_NE(resolved_part.find("the team knows PostgreSQL"), std::string::npos) << markdown;
  EXPECT_NE(resolved_part.find("`MySQL`"), std::string::npos) << markdown;

  const nlohmann::json document = export_json(project);
  EXPECT_TRUE(document["conflicts"]["open"].empty());
  ASSERT_EQ(document["conflicts"]["resolved"].size(), 1u);
  EXPECT_EQ(document["conflicts"]["resolved"][0]["requirement_id"], "TECH-001");
  EXPECT_EQ(document["conflicts"]["resolved"][0]["resolution"], "keep_existing");
  EXPECT_EQ(schema_errors(document), "");
  spec_kit = export_text(project, "spec-kit");
  EXPECT_EQ(spec_kit.find("[NEEDS CLARIFICATION: contradiction"), std::string::npos) << spec_kit;
}

TEST_F(ExportE2eTest, SpecKitAndKiroHaveTheirToolsLayouts) {
  const std::string project = new_project();
  for (const auto& [category, key, value] : std::vector<std::array<std::string, 3>>{
           {"goals", "bakeries_orders", "Help bakeries take orders online"},
           {"requirements", "order_placed_email", "When an order is placed, notify the bakery by email"},
           {"performance", "p95_latency", "\xE2\x89\xA4 200 ms"},
           {"data_retention", "orders_retention_period", "7 years"}}) {
    const auto added = client().post("/api/v1/projects/" + project + "/specifications",
                                     {{"category", category}, {"key", key}, {"value", value}}, token());
    ASSERT_EQ(added.status, 201) << describe(added);
  }
  const std::string spec_kit = export_text(project, "spec-kit");
  for (const char* heading :
       {"# Feature Specification: Bakery orders", "**Status**: Draft", "## User Scenarios & Testing *(mandatory)*",
        "### Primary User Story", "### Acceptance Scenarios", "### Edge Cases", "## Requirements *(mandatory)*",
        "### Functional Requirements", "### Key Entities", "## Review & Acceptance Checklist"})
    EXPECT_NE(spec_kit.find(heading), std::string::npos) << heading << "\n" << spec_kit;
  EXPECT_NE(spec_kit.find("- **FR-001**: When an order is placed, the system shall notify the bakery by email."),
            std::string::npos)
      << spec_kit;
  EXPECT_NE(spec_kit.find("1. **Given** the system under its expected load, **When** response times are measured"),
            std::string::npos)
      << spec_kit;
  // Categories with nothing recorded are marked, not silently left out.
  EXPECT_NE(spec_kit.find("[NEEDS CLARIFICATION: nothing recorded about security yet]"), std::string::npos);

  const std::string kiro = export_text(project, "kiro");
  for (const char* heading : {"# Requirements Document", "## Introduction", "## Requirements", "**User Story:** As",
                              "#### Acceptance Criteria"})
    EXPECT_NE(kiro.find(heading), std::string::npos) << heading << "\n" << kiro;
  EXPECT_NE(kiro.find("WHEN an order is placed, the system SHALL notify the bakery by email. (FR-001, from " +
                      user_.email + ")"),
            std::string::npos)
      << kiro;
  EXPECT_NE(kiro.find("THE system SHALL respond within 200 ms at the 95th percentile. (PERF-001, from " +
                      user_.email + ")"),
            std::string::npos)
      << kiro;
}

TEST_F(ExportE2eTest, RewordingWithoutAnLlmProviderIsUnavailable) {
  const std::string project = new_project();
  EXPECT_TRUE(IsApiError(client().post("/api/v1/projects/" + project + "/requirements/reword", nlohmann::json::object(),
                                       token()),
                         503, "LLM_UNAVAILABLE"));
  const TestUser stranger = new_user(client(), "stranger");
  EXPECT_TRUE(IsApiError(client().post("/api/v1/projects/" + project + "/requirements/reword",
                                       nlohmann::json::object(), stranger.access_token),
                         404, "PROJECT_NOT_FOUND"));
}

}  // namespace
}  // namespace socrates::test::e2e

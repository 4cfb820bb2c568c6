// libs/dialogue (socrates/dialogue/llm_plans.hpp): the design outline's prompt names every
// requirement by ID, and what a model may answer — an outline whose every section cites current
// requirement IDs is kept, anything else is LLM_ERROR naming the place.
#include <socrates/dialogue/llm_plans.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace socrates::agents::llm_dialogue {
namespace {

engine::Requirement requirement(const std::string& id, const std::string& statement) {
  engine::Requirement r;
  r.id = id;
  r.category = "security";
  r.key = "tls";
  r.value = "TLS";
  r.statement = statement;
  return r;
}

const std::vector<std::string> kIds = {"SEC-001", "PERF-002"};

std::string code_of(const std::string& raw) {
  try {
    parse_outline(raw, kIds);
  } catch (const sdk::AgentException& e) {
    return e.error().code + ": " + e.error().message;
  }
  return "accepted";
}

TEST(LlmOutlineTest, ThePromptListsEveryRequirementByIdAndAsksForJson) {
  OutlineContext context;
  context.project = {"Bakery", "orders online", "analysis", 85};
  context.requirements = {requirement("SEC-001", "The system shall encrypt all traffic with TLS."),
                          requirement("PERF-002", "The system shall answer within 300 ms.")};
  const sdk::LlmRequest request = outline_request(context);
  EXPECT_EQ(request.purpose, "design_outline");
  ASSERT_EQ(request.messages.size(), 1u);
  EXPECT_NE(request.messages[0].content.find("- SEC-001 (security): The system shall encrypt all traffic with TLS."),
            std::string::npos);
  EXPECT_NE(request.messages[0].content.find("PERF-002"), std::string::npos);
  EXPECT_NE(request.system.find("requirement_ids"), std::string::npos);
}

TEST(LlmOutlineTest, AnOutlineCitingCurrentIdsIsKeptEvenInAFence) {
  const std::string raw =
      "```json\n{\"sections\":[{\"id\":\"edge\",\"kind\":\"interface\",\"title\":\"Edge\",\"summary\":\"TLS in front.\","
      "\"requirement_ids\":[\"SEC-001\"]},{\"kind\":\"constraint\",\"title\":\"Speed\",\"requirement_ids\":[\"PERF-002\"]}]}\n```";
  const engine::DesignOutline outline = parse_outline(raw, kIds);
  ASSERT_EQ(outline.sections.size(), 2u);
  EXPECT_EQ(outline.sections[0].kind, engine::SectionKind::kInterface);
  EXPECT_EQ(outline.sections[1].id, "section_2");
  EXPECT_EQ(outline.sections[1].requirement_ids, std::vector<std::string>{"PERF-002"});
}

struct Refusal {
  const char* name;
  const char* raw;
  const char* says;
};

class LlmOutlineRefusalTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(LlmOutlineRefusalTest, IsLlmErrorNamingThePlace) {
  const std::string result = code_of(GetParam().raw);
  EXPECT_EQ(result.rfind("LLM_ERROR: ", 0), 0u) << result;
  EXPECT_NE(result.find(GetParam().says), std::string::npos) << result;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LlmOutlineRefusalTest,
    ::testing::Values(
        Refusal{"unknown_id", R"({"sections":[{"kind":"data","title":"A","requirement_ids":["SEC-001","GHOST-9"]}]})",
                "sections/0/requirement_ids/1: 'GHOST-9' is not a current requirement"},
        Refusal{"cites_nothing", R"({"sections":[{"kind":"data","title":"A","requirement_ids":[]}]})",
                "sections/0/requirement_ids"},
        Refusal{"unknown_kind", R"({"sections":[{"kind":"widget","title":"A","requirement_ids":["SEC-001"]}]})",
                "sections/0/kind"},
        Refusal{"no_sections", R"({"outline":"a web app"})", "'sections' must be an array"},
        Refusal{"empty_outline", R"({"sections":[]})", "no section"},
        Refusal{"prose", "Here is a design: a web app with a database.", "not JSON"}),
    [](const auto& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace socrates::agents::llm_dialogue

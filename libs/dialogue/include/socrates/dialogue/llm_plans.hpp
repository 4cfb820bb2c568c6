#pragma once
// The LLM's design outline (docs/domain.md "Plans"): the prompt, and the check of what the model
// answers, in the manner of llm.hpp. The model's outline is kept only when every section cites at
// least one requirement and every cited ID is one of the project's current requirements; any
// other answer is LLM_ERROR and nothing is saved. No database work happens here.

#include <socrates/dialogue/llm.hpp>
#include <socrates/engine/plans.hpp>
#include <socrates/engine/requirement.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace socrates::agents::llm_dialogue {

// The most requirements one prompt quotes (the rest are not offered to be cited).
inline constexpr std::size_t kOutlinePromptRequirements = 200;

struct OutlineContext {
  ProjectFacts project;
  std::vector<engine::Requirement> requirements;  // the project's current requirements
  std::string project_id{};                       // recorded with the call's usage
};

sdk::LlmRequest outline_request(const OutlineContext& context);

// {"sections":[{"id"?,"kind","title","summary","requirement_ids":[...]}]}, checked by the engine's
// read_outline against `requirement_ids`: an unknown ID, a section citing none, an unknown kind →
// LLM_ERROR naming the place.
engine::DesignOutline parse_outline(std::string_view raw, const std::vector<std::string>& requirement_ids);

engine::DesignOutline design_outline(sdk::LlmClient& llm, sdk::Services& services, const OutlineContext& context);

}  // namespace socrates::agents::llm_dialogue

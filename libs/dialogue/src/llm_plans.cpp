#include <socrates/dialogue/llm_plans.hpp>

namespace socrates::agents::llm_dialogue {

sdk::LlmRequest outline_request(const OutlineContext& context) {
  sdk::LlmRequest request;
  request.purpose = "design_outline";
  request.max_tokens = 3000;
  request.temperature = 0.2;
  request.system =
      "You write the design outline of a software project from its requirements: the components, data, "
      "interfaces and constraints the requirements imply. Every section serves requirements and cites their "
      "IDs exactly as given; cite only IDs from the list, and every requirement should be cited by at least one "
      "section. Keep to what the requirements state; do not invent features. Answer with one JSON object and "
      "nothing else: {\"sections\": [{\"id\": a snake_case name, \"kind\": \"component\" | \"data\" | "
      "\"interface\" | \"constraint\", \"title\": ..., \"summary\": one or two sentences, \"requirement_ids\": "
      "[IDs]}]}.";
  std::string user = detail::project_block(context.project) + "\nRequirements:\n";
  if (context.requirements.empty()) user += "(none)\n";
  for (std::size_t i = 0; i < context.requirements.size() && i < kOutlinePromptRequirements; ++i) {
    const auto& r = context.requirements[i];
    user += "- " + r.id + " (" + r.category + "): " + r.statement + "\n";
  }
  request.messages.push_back({"user", std::move(user)});
  return request;
}

engine::DesignOutline parse_outline(std::string_view raw, const std::vector<std::string>& requirement_ids) {
  const std::string task = "design outline";
  const nlohmann::json document = detail::parse_json(raw, task);
  engine::DesignOutline outline;
  const auto problems = engine::read_outline(document, requirement_ids, outline);
  if (!problems.empty())
    detail::invalid((problems[0].field.empty() ? std::string("the outline") : problems[0].field) + ": " +
                        problems[0].message,
                    task);
  if (outline.sections.empty() && !requirement_ids.empty()) detail::invalid("it has no section", task);
  return outline;
}

engine::DesignOutline design_outline(sdk::LlmClient& llm, sdk::Services& services, const OutlineContext& context) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < context.requirements.size() && i < kOutlinePromptRequirements; ++i)
    ids.push_back(context.requirements[i].id);
  const std::string text = detail::call(llm, outline_request(context), context.project_id);
  return detail::checked(services, "design outline", text, [&](const std::string& t) { return parse_outline(t, ids); });
}

}  // namespace socrates::agents::llm_dialogue

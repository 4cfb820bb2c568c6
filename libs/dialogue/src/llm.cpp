#include <socrates/dialogue/llm.hpp>

namespace socrates::agents::llm_dialogue {

namespace detail {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string unfenced(std::string_view raw) {
  std::string text = trim(raw);
  if (text.rfind("```", 0) != 0) return text;
  const auto line_end = text.find('\n');
  const auto close = text.rfind("```");
  if (line_end == std::string::npos || close == std::string::npos || close <= line_end) return text;
  return trim(std::string_view(text).substr(line_end + 1, close - line_end - 1));
}

nlohmann::json parse_json(std::string_view raw, const std::string& task) {
  auto document = nlohmann::json::parse(unfenced(raw), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) invalid("it is not JSON", task);
  return document;
}

const nlohmann::json& field(const nlohmann::json& object, const char* name, const std::string& where,
                            const std::string& task) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) invalid(where + " has no '" + name + "'", task);
  return *it;
}

std::string text_field(const nlohmann::json& object, const char* name, const std::string& where,
                       const std::string& task) {
  const auto& value = field(object, name, where, task);
  if (!value.is_string()) invalid(where + " '" + name + "' is not a string", task);
  return trim(value.get<std::string>());
}

std::string category_field(const nlohmann::json& object, const std::string& where,
                           const engine::Taxonomy& taxonomy, const std::string& task) {
  const std::string category = text_field(object, "category", where, task);
  if (!taxonomy.find(category)) invalid(where + " names an unknown category '" + category + "'", task);
  return category;
}

std::string snake_case(const std::string& key) {
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c)) {
      out += static_cast<char>(std::tolower(c));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string quote_specifications(const std::vector<engine::Specification>& current, std::size_t limit) {
  if (current.empty()) return "(none yet)\n";
  std::string out;
  const std::size_t from = current.size() > limit ? current.size() - limit : 0;  // the most recent
  for (std::size_t i = from; i < current.size(); ++i) {
    const auto& s = current[i];
    char confidence[16];
    std::snprintf(confidence, sizeof confidence, "%.2f", s.confidence);
    out += "- " + s.category + "/" + s.key + " = " + s.value + " (confidence " + confidence + ")\n";
  }
  return out;
}

std::string category_definitions(const engine::Taxonomy& taxonomy) {
  std::string out;
  for (const auto& c : taxonomy.categories()) out += "- " + c.name + ": " + c.description + "\n";
  return out;
}

std::string category_names(const engine::Taxonomy& taxonomy) {
  std::string out;
  for (const auto& c : taxonomy.categories()) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

std::string project_block(const ProjectFacts& p) {
  return "Project: " + p.name + "\nDescription: " + (p.description.empty() ? "(none)" : p.description) +
         "\nPhase: " + p.phase + "\nMaturity: " + std::to_string(p.maturity) + "/100\n";
}

std::string call(sdk::LlmClient& llm, const sdk::LlmRequest& request, const std::string& project_id) {
  sdk::LlmResponse response;
  sdk::Error error;
  if (!llm.complete_for_project(project_id, request, &response, &error)) {
    if (error.code.empty()) error.code = sdk::errc::kLlmError;
    if (error.message.empty()) error.message = "the LLM call failed";
    throw sdk::AgentException(std::move(error));
  }
  return response.text;
}

bool same_text(const std::string& a, const std::string& b) {
  auto norm = [](const std::string& s) {
    std::string out;
    for (unsigned char c : s)
      if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    return out;
  };
  return norm(a) == norm(b);
}

}  // namespace detail

sdk::LlmRequest question_request(const QuestionContext& context, const engine::Taxonomy& taxonomy) {
  const engine::Category* target = taxonomy.find(context.category);
  sdk::LlmRequest request;
  request.purpose = "question";
  request.max_tokens = 400;
  request.temperature = 0.4;
  request.system =
      "You are Socrates, who helps a person turn a software idea into a complete specification by asking one "
      "good question at a time. Rules for the question:\n"
      "- it is about exactly one aspect of the target category;\n"
      "- at most two sentences;\n"
      "- open-ended (not answerable with yes or no);\n"
      "- it asks WHAT is needed and WHY, never HOW to build it;\n"
      "- it never proposes or names a technology, product or solution;\n"
      "- it never repeats or rephrases a question already asked.\n"
      "Answer with one JSON object and nothing else: "
      "{\"text\": the question, \"category\": the target category's name, "
      "\"context\": one sentence on why this question matters now}.";
  std::string user = detail::project_block(context.project);
  user += "\nCurrent specifications (most recent " + std::to_string(kQuestionPromptSpecifications) + "):\n" +
          detail::quote_specifications(context.current, kQuestionPromptSpecifications);
  user += "\nQuestions already asked (most recent " + std::to_string(kQuestionPromptQuestions) + "):\n";
  if (context.asked.empty()) user += "(none yet)\n";
  const std::size_t from = context.asked.size() > kQuestionPromptQuestions ? context.asked.size() - kQuestionPromptQuestions : 0;
  for (std::size_t i = from; i < context.asked.size(); ++i) user += "- " + context.asked[i] + "\n";
  user += "\nTarget category: " + context.category;
  if (target) user += " — " + target->description;
  user += "\n";
  request.messages.push_back({"user", std::move(user)});
  return request;
}

engine::Question parse_question(std::string_view raw, const engine::Taxonomy& taxonomy) {
  const std::string task = "question";
  const nlohmann::json document = detail::parse_json(raw, task);
  if (!document.is_object()) detail::invalid("it is not a JSON object", task);
  engine::Question question;
  question.text = detail::text_field(document, "text", "the question", task);
  if (question.text.empty()) detail::invalid("the question's 'text' is empty", task);
  if (question.text.size() > kMaxQuestionChars)
    detail::invalid("the question is longer than " + std::to_string(kMaxQuestionChars) + " characters", task);
  question.category = detail::category_field(document, "the question", taxonomy, task);
  question.context = detail::text_field(document, "context", "the question", task);
  question.source = engine::QuestionSource::kLlm;
  return question;
}

engine::Question generate_question(sdk::LlmClient& llm, sdk::Services& services, const engine::Engine& engine,
                                   const QuestionContext& context) {
  const engine::Taxonomy& taxonomy = engine.taxonomy();
  if (!taxonomy.find(context.category))
    throw sdk::AgentException(sdk::errc::kInternal, "unknown target category '" + context.category + "'");
  sdk::LlmRequest request = question_request(context, taxonomy);
  std::string refusal;
  for (int attempt = 0; attempt < kQuestionAttempts; ++attempt) {
    const std::string text = detail::call(llm, request, context.project_id);
    engine::Question question =
        detail::checked(services, "question", text, [&](const std::string& t) { return parse_question(t, taxonomy); });
    question.bias = engine.check_bias(question.text);
    const bool repeated = std::any_of(context.asked.begin(), context.asked.end(),
                                      [&](const std::string& asked) { return detail::same_text(asked, question.text); });
    if (question.bias.acceptable && !repeated) return question;
    refusal = repeated ? "it repeats a question already asked" : "it leads the answer (bias " +
                                                                     std::to_string(question.bias.bias).substr(0, 4) + ")";
    services.log(sdk::LogLevel::kDebug, "llm question refused: " + refusal + ": " + question.text);
    // Tell the model what was wrong; the next answer replaces this one.
    request.messages.push_back({"assistant", text});
    request.messages.push_back({"user", "That question is not acceptable: " + refusal +
                                            ". Ask a different, neutral, open question following every rule, as JSON."});
  }
  throw sdk::AgentException(sdk::errc::kLlmError,
                            "the LLM's questions were not acceptable after " + std::to_string(kQuestionAttempts) +
                                " attempts: " + refusal,
                            {{"task", "question"}});
}

sdk::LlmRequest extraction_request(const ExtractionContext& context, const engine::Taxonomy& taxonomy) {
  sdk::LlmRequest request;
  request.purpose = "extraction";
  request.max_tokens = 1500;
  request.temperature = 0.0;
  request.system =
      "You read a person's answer about the software they want and record what it states as specifications. "
      "Record only what the answer states or clearly implies; never add suggestions of your own. Each "
      "specification has a category (one of the category names below), a key (snake_case, naming one slot such "
      "as database, primary_language, peak_concurrent_users, p95_latency), a value (what the answer says, "
      "briefly), a confidence between 0 and 1 (0.9 for firm statements such as 'must' or 'will', 0.7 by "
      "default, 0.5 for hedged ones such as 'maybe' or 'I think') and a short reasoning. An answer that "
      "states nothing (\"I don't know\") yields an empty array. Reuse the key of a current specification when "
      "the answer speaks about the same slot.\n"
      "Categories:\n" +
      detail::category_definitions(taxonomy) +
      "Answer with one JSON array and nothing else: "
      "[{\"category\": ..., \"key\": ..., \"value\": ..., \"confidence\": ..., \"reasoning\": ...}].";
  std::string user;
  if (!context.question.empty())
    user += "Question (category " + (context.question_category.empty() ? std::string("none") : context.question_category) +
            "): " + context.question + "\n";
  user += "Answer: " + context.answer + "\n";
  user += "\nCurrent specifications (most recent " + std::to_string(kExtractionPromptSpecifications) + "):\n" +
          detail::quote_specifications(context.current, kExtractionPromptSpecifications);
  request.messages.push_back({"user", std::move(user)});
  return request;
}

std::vector<engine::Candidate> parse_extraction(std::string_view raw, const engine::Taxonomy& taxonomy) {
  const std::string task = "extraction";
  const nlohmann::json document = detail::parse_json(raw, task);
  if (!document.is_array()) detail::invalid("it is not a JSON array", task);
  std::vector<engine::Candidate> candidates;
  for (std::size_t i = 0; i < document.size(); ++i) {
    const auto& item = document[i];
    const std::string where = "specification " + std::to_string(i + 1);
    if (!item.is_object()) detail::invalid(where + " is not an object", task);
    engine::Candidate candidate;
    auto& s = candidate.specification;
    s.category = detail::category_field(item, where, taxonomy, task);
    const std::string key = detail::text_field(item, "key", where, task);
    s.key = detail::snake_case(key);
    if (s.key.empty() || s.key.size() > kMaxKeyChars || !std::isalpha(static_cast<unsigned char>(s.key[0])))
      detail::invalid(where + " has an unusable key '" + key + "'", task);
    s.value = detail::text_field(item, "value", where, task);
    if (s.value.empty()) detail::invalid(where + " has an empty value", task);
    if (s.value.size() > kMaxValueChars)
      detail::invalid(where + "'s value is longer than " + std::to_string(kMaxValueChars) + " characters", task);
    const auto& confidence = detail::field(item, "confidence", where, task);
    if (!confidence.is_number()) detail::invalid(where + " 'confidence' is not a number", task);
    s.confidence = confidence.get<double>();
    if (!std::isfinite(s.confidence) || s.confidence < 0.0 || s.confidence > 1.0)
      detail::invalid(where + " has a confidence outside 0..1", task);
    if (item.contains("reasoning") && !item["reasoning"].is_null()) {
      if (!item["reasoning"].is_string()) detail::invalid(where + " 'reasoning' is not a string", task);
      candidate.clause = detail::trim(item["reasoning"].get<std::string>());
    }
    candidate.origin = engine::Origin::kLlm;
    candidate.label = s.key;
    std::replace(candidate.label.begin(), candidate.label.end(), '_', ' ');
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

std::vector<engine::Candidate> extract(sdk::LlmClient& llm, sdk::Services& services,
                                       const engine::Taxonomy& taxonomy, const ExtractionContext& context) {
  const std::string text = detail::call(llm, extraction_request(context, taxonomy), context.project_id);
  return detail::checked(services, "extraction", text,
                         [&](const std::string& t) { return parse_extraction(t, taxonomy); });
}

sdk::LlmRequest reply_request(const ReplyContext& context, const engine::Taxonomy& taxonomy) {
  sdk::LlmRequest request;
  request.purpose = "reply";
  request.max_tokens = 500;
  request.temperature = 0.5;
  const engine::Category* next = taxonomy.find(context.next_category);
  request.system =
      "You are Socrates, who helps a person turn a software idea into a complete specification. Reply to the "
      "person's message in at most four sentences of plain text (no JSON, no lists, no markdown): acknowledge "
      "what was recorded from it, then invite them to talk about the suggested category with one open question "
      "that asks WHAT is needed and WHY. Never propose or name a technology, product or solution.";
  std::string user = detail::project_block(context.project);
  user += "\nCurrent specifications (most recent " + std::to_string(kReplyPromptSpecifications) + "):\n" +
          detail::quote_specifications(context.current, kReplyPromptSpecifications);
  user += "\nRecorded from this message:\n" +
          detail::quote_specifications(context.recorded, context.recorded.size() + 1);
  user += "\nSuggested category: " + context.next_category;
  if (next) user += " — " + next->description;
  user += "\n\nMessage: " + context.message + "\n";
  request.messages.push_back({"user", std::move(user)});
  return request;
}

std::string parse_reply(std::string_view raw) {
  std::string text = detail::trim(raw);
  if (text.empty()) detail::invalid("it is empty", "reply");
  if (text.size() > kMaxReplyChars)
    detail::invalid("it is longer than " + std::to_string(kMaxReplyChars) + " characters", "reply");
  return text;
}

std::string reply(sdk::LlmClient& llm, sdk::Services& services, const engine::Taxonomy& taxonomy,
                  const ReplyContext& context) {
  const std::string text = detail::call(llm, reply_request(context, taxonomy), context.project_id);
  return detail::checked(services, "reply", text, [](const std::string& t) { return parse_reply(t); });
}

sdk::LlmRequest reword_request(const std::vector<engine::Requirement>& requirements) {
  sdk::LlmRequest request;
  request.purpose = "reword";
  request.max_tokens = static_cast<int>(std::min<std::size_t>(8000, 200 + 120 * requirements.size()));
  request.temperature = 0.2;
  request.system =
      "You improve the wording of software requirements written in EARS form. Keep each requirement's meaning, "
      "its ID and its category; keep every number with its unit exactly as written (never convert units, never "
      "round); keep its EARS pattern: ubiquitous \"The system shall ...\", event-driven \"When ..., the system "
      "shall ...\", state-driven \"While ..., the system shall ...\", unwanted behaviour \"If ..., then the system "
      "shall ...\", optional feature \"Where ..., the system shall ...\". One sentence each, clear and testable; "
      "add nothing the requirement does not say. Answer with one JSON array and nothing else, one element per "
      "requirement: [{\"id\": ..., \"category\": ..., \"statement\": ...}].";
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : requirements)
    list.push_back({{"id", r.id}, {"category", r.category}, {"form", std::string(engine::to_string(r.form))},
                    {"statement", r.statement}});
  request.messages.push_back({"user", "Requirements:\n" + list.dump(2) + "\n"});
  return request;
}

namespace {

// The words a statement of `form` opens with in EARS, lower case; empty for ubiquitous ones.
std::string ears_opening(engine::EarsForm form) {
  switch (form) {
    case engine::EarsForm::kEventDriven: return "when ";
    case engine::EarsForm::kStateDriven: return "while ";
    case engine::EarsForm::kUnwanted: return "if ";
    case engine::EarsForm::kOptional: return "where ";
    case engine::EarsForm::kUbiquitous: break;
  }
  return "";
}

bool has_word(const std::string& lower_text, const std::string& word) {
  for (auto at = lower_text.find(word); at != std::string::npos; at = lower_text.find(word, at + 1)) {
    const bool start = at == 0 || !std::isalnum(static_cast<unsigned char>(lower_text[at - 1]));
    const std::size_t end = at + word.size();
    if (start && (end == lower_text.size() || !std::isalnum(static_cast<unsigned char>(lower_text[end])))) return true;
  }
  return false;
}

std::string joined(std::vector<std::string> items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return "[" + out + "]";
}

}  // namespace

std::map<std::string, std::string> parse_rewording(std::string_view raw,
                                                   const std::vector<engine::Requirement>& requirements,
                                                   const engine::RequirementWriter& writer) {
  const std::string task = "rewording";
  const nlohmann::json document = detail::parse_json(raw, task);
  if (!document.is_array()) detail::invalid("it is not a JSON array", task);
  std::map<std::string, const engine::Requirement*> by_id;
  for (const auto& r : requirements) by_id[r.id] = &r;
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < document.size(); ++i) {
    const auto& item = document[i];
    std::string where = "requirement " + std::to_string(i + 1);
    if (!item.is_object()) detail::invalid(where + " is not an object", task);
    const std::string id = detail::text_field(item, "id", where, task);
    const auto known = by_id.find(id);
    if (known == by_id.end()) detail::invalid(where + " has an unknown ID '" + id + "'", task);
    if (out.count(id)) detail::invalid(id + " comes back twice", task);
    const engine::Requirement& r = *known->second;
    where = id;
    if (detail::text_field(item, "category", where, task) != r.category)
      detail::invalid(where + " changes its category (" + r.category + ")", task);
    const std::string statement = detail::text_field(item, "statement", where, task);
    if (statement.empty()) detail::invalid(where + " has an empty statement", task);
    if (statement.size() > kMaxStatementChars)
      detail::invalid(where + "'s statement is longer than " + std::to_string(kMaxStatementChars) + " characters", task);
    auto expected = writer.quantities(r.statement);
    auto got = writer.quantities(statement);
    std::sort(expected.begin(), expected.end());
    std::sort(got.begin(), got.end());
    if (expected != got)
      detail::invalid(where + " changes its numbers or units: " + joined(expected) + " became " + joined(got), task);
    std::string lower = statement;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string opening = ears_opening(r.form);
    if (!has_word(lower, "shall") || lower.rfind(opening, 0) != 0 ||
        (r.form == engine::EarsForm::kUnwanted && !has_word(lower, "then")))
      detail::invalid(where + " is no longer a " + std::string(engine::to_string(r.form)) + " EARS statement", task);
    out.emplace(id, statement);
  }
  for (const auto& r : requirements)
    if (!out.count(r.id)) detail::invalid(r.id + " is missing from the answer", task);
  return out;
}

std::map<std::string, std::string> reword(sdk::LlmClient& llm, sdk::Services& services, const engine::Engine& engine,
                                          const std::vector<engine::Requirement>& requirements,
                                          const std::string& project_id) {
  const std::string text = detail::call(llm, reword_request(requirements), project_id);
  return detail::checked(services, "rewording", text, [&](const std::string& t) {
    return parse_rewording(t, requirements, engine.requirements());
  });
}

}  // namespace socrates::agents::llm_dialogue

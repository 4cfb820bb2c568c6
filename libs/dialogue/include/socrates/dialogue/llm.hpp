#pragma once
// The LLM side of the dialogue (domain.md "Choosing and generating the next question" step 3,
// "Extracting specifications" LLM engine, "Direct chat"): the prompts, and the checks of what the
// model answers. Part of libs/dialogue (socrates_dialogue).
//
// Each task comes in three parts: *_request builds the sdk::LlmRequest (pure), parse_* checks the
// model's text and turns it into engine values (pure; throws), and the function named after the
// task does both around one call (or a few, for a question that fails the bias check).
//
// No silent fallbacks: an LLM failure is thrown as the client reported it (LLM_UNAVAILABLE or
// LLM_ERROR), and an answer that is not what the prompt asked for — not JSON (a ```json fence is
// tolerated), a field missing or of the wrong type, an unknown category, a confidence outside
// 0..1 — is an sdk::AgentException with code LLM_ERROR. The model's raw text goes to the log at
// debug level only. No database work happens here: read what the prompt needs, release the
// connection, call these, then write.
//
// Threading: every function is reentrant; the client and services are the host's thread-safe ones.

#include <socrates/engine/engine.hpp>
#include <socrates/engine/question_planner.hpp>
#include <socrates/engine/requirement.hpp>
#include <socrates/engine/specification.hpp>
#include <socrates/engine/taxonomy.hpp>
#include <socrates/sdk/error.hpp>
#include <socrates/sdk/llm.hpp>
#include <socrates/sdk/services.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::agents::llm_dialogue {

// What domain.md puts in the prompts.
inline constexpr std::size_t kQuestionPromptSpecifications = 20;
inline constexpr std::size_t kQuestionPromptQuestions = 10;
inline constexpr std::size_t kExtractionPromptSpecifications = 30;
inline constexpr std::size_t kReplyPromptSpecifications = 20;
// A question the bias check refuses is regenerated; this many calls in all, then LLM_ERROR.
inline constexpr int kQuestionAttempts = 3;
inline constexpr std::size_t kMaxQuestionChars = 600;
inline constexpr std::size_t kMaxKeyChars = 64;
inline constexpr std::size_t kMaxValueChars = 1000;
inline constexpr std::size_t kMaxReplyChars = 4000;
inline constexpr std::size_t kMaxStatementChars = 1000;

struct ProjectFacts {
  std::string name;
  std::string description;
  std::string phase;
  int maturity = 0;  // 0..100
};

struct QuestionContext {
  ProjectFacts project;
  std::vector<engine::Specification> current;  // current specifications, oldest first
  std::vector<std::string> asked;              // texts of the project's questions, oldest first
  std::string category;                        // the target category (the least-covered one)
  std::string project_id{};                    // recorded with the calls' usage
};

struct ExtractionContext {
  std::string question;           // empty for a direct-chat message
  std::string question_category;  // empty for a direct-chat message
  std::string answer;
  std::vector<engine::Specification> current;  // oldest first
  std::string project_id{};                    // recorded with the call's usage
};

struct ReplyContext {
  ProjectFacts project;
  std::string message;
  std::vector<engine::Specification> recorded;  // what this message added
  std::vector<engine::Specification> current;   // after the message, oldest first
  std::string next_category;                    // the least-covered category, to steer towards
  std::string project_id{};                     // recorded with the call's usage
};

namespace detail {

[[noreturn]] inline void invalid(const std::string& what, const std::string& task) {
  throw sdk::AgentException(sdk::errc::kLlmError, "the LLM's " + task + " is unusable: " + what, {{"task", task}});
}

std::string trim(std::string_view text);

// The JSON document in a model's answer: the whole text, or the inside of one ``` fence around it.
std::string unfenced(std::string_view raw);

nlohmann::json parse_json(std::string_view raw, const std::string& task);

const nlohmann::json& field(const nlohmann::json& object, const char* name, const std::string& where,
                            const std::string& task);

std::string text_field(const nlohmann::json& object, const char* name, const std::string& where,
                       const std::string& task);

std::string category_field(const nlohmann::json& object, const std::string& where,
                           const engine::Taxonomy& taxonomy, const std::string& task);

// "Primary Language" → "primary_language"; a model's near-miss is normalised, nonsense refused.
std::string snake_case(const std::string& key);

std::string quote_specifications(const std::vector<engine::Specification>& current, std::size_t limit);

std::string category_definitions(const engine::Taxonomy& taxonomy);

std::string category_names(const engine::Taxonomy& taxonomy);

std::string project_block(const ProjectFacts& p);

// One call for `project_id`; the client's error (LLM_UNAVAILABLE / LLM_ERROR, or RATE_LIMITED
// over the caller's daily limit) is thrown as it came.
std::string call(sdk::LlmClient& llm, const sdk::LlmRequest& request, const std::string& project_id);

// Runs `parse` on the model's text; on refusal the raw text is logged at debug level, never higher.
template <typename Parse>
auto checked(sdk::Services& services, const std::string& task, const std::string& text, Parse parse) {
  try {
    return parse(text);
  } catch (const sdk::AgentException& e) {
    services.log(sdk::LogLevel::kDebug, "llm " + task + " refused (" + e.error().message + "); raw answer: " + text);
    throw;
  }
}

bool same_text(const std::string& a, const std::string& b);

}  // namespace detail

// ---- (a) the next question

sdk::LlmRequest question_request(const QuestionContext& context, const engine::Taxonomy& taxonomy);

// {"text","category","context"} → an engine Question (source kLlm; bias not yet checked).
engine::Question parse_question(std::string_view raw, const engine::Taxonomy& taxonomy);

// Asks for a question about context.category; a question the engine's bias check refuses, or one
// already asked, is asked for again (kQuestionAttempts calls in all), then LLM_ERROR.
engine::Question generate_question(sdk::LlmClient& llm, sdk::Services& services, const engine::Engine& engine,
                                   const QuestionContext& context);

// ---- (b) extraction

sdk::LlmRequest extraction_request(const ExtractionContext& context, const engine::Taxonomy& taxonomy);

// [{"category","key","value","confidence","reasoning"?}] → candidates (origin kLlm; `clause` holds
// the model's reasoning, `label` the key in words).
std::vector<engine::Candidate> parse_extraction(std::string_view raw, const engine::Taxonomy& taxonomy);

std::vector<engine::Candidate> extract(sdk::LlmClient& llm, sdk::Services& services,
                                       const engine::Taxonomy& taxonomy, const ExtractionContext& context);

// ---- (c) the direct-chat reply

sdk::LlmRequest reply_request(const ReplyContext& context, const engine::Taxonomy& taxonomy);

std::string parse_reply(std::string_view raw);

std::string reply(sdk::LlmClient& llm, sdk::Services& services, const engine::Taxonomy& taxonomy,
                  const ReplyContext& context);

// ---- (d) rewording requirements (domain.md "Requirements")

// Every requirement's ID, category, form and the template's statement, in one prompt.
sdk::LlmRequest reword_request(const std::vector<engine::Requirement>& requirements);

// [{"id","category","statement"}] → ID → reworded statement. Refused (LLM_ERROR) unless every
// requirement comes back exactly once under its own ID and category, and each statement keeps the
// template statement's numbers with their units (engine::RequirementWriter::quantities, compared
// as multisets), its EARS form's opening ("When", "While", "If … then", "Where") and a "shall".
std::map<std::string, std::string> parse_rewording(std::string_view raw,
                                                   const std::vector<engine::Requirement>& requirements,
                                                   const engine::RequirementWriter& writer);

// `requirements` carry the template's statements.
std::map<std::string, std::string> reword(sdk::LlmClient& llm, sdk::Services& services, const engine::Engine& engine,
                                          const std::vector<engine::Requirement>& requirements,
                                          const std::string& project_id);

}  // namespace socrates::agents::llm_dialogue

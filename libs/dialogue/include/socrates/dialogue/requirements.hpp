#pragma once
// The project's requirements as the document hands them over (docs/domain.md "Requirements"): each
// current specification written by the engine's RequirementWriter, with the ID the store gave its
// (category, key) (migration 005), the LLM's rewording of this version when there is one, and where
// it came from. The one place baselines, plans and exports read requirements from. Part of
// libs/dialogue (socrates_dialogue).

#include <socrates/engine/engine.hpp>
#include <socrates/engine/requirement.hpp>
#include <socrates/sdk.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace socrates::agents::dialogue {

// One version of a specification, oldest first in Traceability::versions.
struct SpecificationVersion {
  std::string id;
  long long version = 1;
  std::string value;
  std::string source;  // extracted | user_input | inferred
  bool is_current = false;
  std::string created_at;
  std::optional<std::string> author_id;     // who made it (migration 010)
  std::optional<std::string> author_email;  // who that is (people), when known
};

// Where a requirement's current version came from.
struct Traceability {
  std::string specification_id;  // the current version
  long long version = 1;
  std::string source;
  double confidence = 0;
  std::string created_at;
  std::vector<SpecificationVersion> versions;  // every version of the (category, key), oldest first
  std::optional<std::string> session_id;
  std::optional<std::string> question_id;
  std::optional<std::string> question;      // the question's text
  std::optional<std::string> history_id;    // the conversation_history row of the answer or message
  std::optional<std::string> history_type;  // "answer" or "message"
  std::optional<std::string> author_id;     // who made the current version
  std::optional<std::string> author_email;
};

// How a requirement is attributed in the exports: the author's email, else their user id, else
// "unknown" (a version written before attribution by nobody known).
std::string attributed_to(const Traceability& trace);

struct TracedRequirement {
  engine::Requirement requirement;  // statement: the reworded one when `reworded`
  std::string template_statement;   // the engine's statement from the templates
  bool reworded = false;
  Traceability trace;
};

// The project's current requirements, in taxonomy order and then by ID number. Reads in one
// statement; run it inside a transaction to see the same snapshot as other reads.
std::vector<TracedRequirement> current_requirements(sdk::Db& db, const engine::Engine& engine,
                                                    const std::string& project_id);

// {"id","category","key","value","form","statement","template_statement","reworded",
//  "acceptance_criteria":[{"given","when","then"}],"trace":{...}}
nlohmann::json requirement_json(const TracedRequirement& requirement);

// Stores reworded statements for the given specification versions (those still current); answers
// how many were stored. Part of the caller's transaction.
std::size_t store_rewordings(sdk::Db& db, const std::string& project_id,
                             const std::vector<std::pair<std::string, std::string>>& by_specification_id);

}  // namespace socrates::agents::dialogue

#pragma once
// The values the engine works on: specifications (as stored), and candidates (what extraction
// proposes, with where each came from). Plain data; copy freely between threads.

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace socrates::engine {

// A current specification as the caller stores it. `key` is snake_case and names a slot
// (`database`, `p95_latency`) or a statement (`passwords_hashed`).
struct Specification {
  std::string category;
  std::string key;
  std::string value;
  double confidence = 0.7;  // 0..1
};

// Which way a number limits its metric: "under 200 ms" is kAtMost, "at least 99.9%" kAtLeast,
// a bare "200 ms" kApproximately (the target itself).
enum class BoundDirection { kAtMost, kAtLeast, kApproximately };

// A number with its unit, as read from an answer or from a stored value such as "≤ 200 ms".
struct Bound {
  double amount = 0;       // in `unit`, as the user said it (2 for "2 seconds")
  std::string unit;        // display unit ("s", "ms", "days", "%", "GB"); empty for plain counts
  std::string family;      // "duration", "percent", "size" or "count"
  double base_amount = 0;  // in the family's base unit (ms, %, MB, count): what comparisons use
  BoundDirection direction = BoundDirection::kApproximately;
};

// How a candidate was found, which decides how it is shown back to the user.
enum class Origin {
  kTerm,              // a known technology or choice named a slot: tech_stack/database = PostgreSQL
  kMetric,            // a number with its unit next to its trigger words: performance/p95_latency
  kKeyword,           // category keywords; key derived from the clause's salient words
  kQuestionCategory,  // nothing recognised: the question's category, key from salient words
  kLlm,               // proposed by an LLM provider (libs/dialogue (socrates/dialogue/llm.hpp)): a slot and its value
};

struct Candidate {
  Specification specification;
  Origin origin = Origin::kQuestionCategory;
  std::string clause;          // the clause of the answer it came from
  std::string label;           // how to name the slot to a person ("database", "p95 latency"); empty for statements
  std::optional<Bound> bound;  // set for metrics
  // A functional requirement's actor and action ("sellers", "list"); empty for anything else.
  std::string actor;
  std::string action;
};

const char* to_string(BoundDirection direction) noexcept;
const char* to_string(Origin origin) noexcept;

void to_json(nlohmann::json& out, const Specification& specification);
void to_json(nlohmann::json& out, const Candidate& candidate);  // the specification's fields + origin, bound

}  // namespace socrates::engine

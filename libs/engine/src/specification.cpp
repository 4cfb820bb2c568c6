#include <socrates/engine/specification.hpp>

#include <nlohmann/json.hpp>

namespace socrates::engine {

const char* to_string(BoundDirection direction) noexcept {
  switch (direction) {
    case BoundDirection::kAtMost:
      return "at_most";
    case BoundDirection::kAtLeast:
      return "at_least";
    case BoundDirection::kApproximately:
      return "approximately";
  }
  return "approximately";
}

const char* to_string(Origin origin) noexcept {
  switch (origin) {
    case Origin::kTerm:
      return "term";
    case Origin::kMetric:
      return "metric";
    case Origin::kKeyword:
      return "keyword";
    case Origin::kQuestionCategory:
      return "question_category";
    case Origin::kLlm:
      return "llm";
  }
  return "question_category";
}

void to_json(nlohmann::json& out, const Specification& specification) {
  out = {{"category", specification.category},
         {"key", specification.key},
         {"value", specification.value},
         {"confidence", specification.confidence}};
}

void to_json(nlohmann::json& out, const Candidate& candidate) {
  to_json(out, candidate.specification);
  out["origin"] = to_string(candidate.origin);
  if (candidate.bound) {
    out["bound"] = {{"amount", candidate.bound->amount},
                    {"unit", candidate.bound->unit},
                    {"family", candidate.bound->family},
                    {"base_amount", candidate.bound->base_amount},
                    {"direction", to_string(candidate.bound->direction)}};
  }
  if (!candidate.actor.empty()) out["actor"] = candidate.actor;
  if (!candidate.action.empty()) out["action"] = candidate.action;
}

}  // namespace socrates::engine

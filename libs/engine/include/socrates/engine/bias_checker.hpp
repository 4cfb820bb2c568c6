#pragma once
// The bias check every question passes before it is asked (domain.md "Choosing and generating
// the next question", step 4):
//
//   bias = min(Σ weight × hits / max(1, words / 50), 1),   quality_score = 1 − bias
//
// `words / 50` is a real division (60 words count as 1.2 units). A question with bias above the
// lexicon's max_bias (0.5) is not asked. Pure: thread-safe.

#include <socrates/engine/lexicon.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

struct BiasHit {
  std::string kind;    // "solution_leading", "technology_leading", "leading"
  std::string phrase;  // the pattern that matched
  int count = 0;       // how many times it occurs
  double weight = 0;
};

struct BiasReport {
  double bias = 0;           // 0..1
  double quality_score = 1;  // 1 − bias
  int words = 0;
  std::vector<BiasHit> hits;
  bool acceptable = true;  // bias <= max_bias
};

BiasReport check_bias(std::string_view question, const BiasRules& rules);

}  // namespace socrates::engine

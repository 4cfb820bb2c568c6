#include <socrates/engine/bias_checker.hpp>

#include "text.hpp"

#include <algorithm>

namespace socrates::engine {

BiasReport check_bias(std::string_view question, const BiasRules& rules) {
  BiasReport report;
  const std::string text = detail::match_form(detail::normalise_input(question));
  report.words = static_cast<int>(detail::split_words(text).size());
  double weighted_hits = 0;
  for (const BiasPattern& pattern : rules.patterns) {
    for (const std::string& phrase : pattern.phrases) {
      const auto count = static_cast<int>(detail::find_phrase(text, phrase).size());
      if (count == 0) continue;
      report.hits.push_back({pattern.kind, phrase, count, pattern.weight});
      weighted_hits += pattern.weight * count;
    }
  }
  // Long questions dilute a leading phrase: one "clearly" in 100 words weighs half as much.
  const double units = std::max(1.0, report.words / rules.words_per_unit);
  report.bias = std::min(weighted_hits / units, 1.0);
  report.quality_score = 1.0 - report.bias;
  report.acceptable = report.bias <= rules.max_bias + 1e-9;
  return report;
}

}  // namespace socrates::engine

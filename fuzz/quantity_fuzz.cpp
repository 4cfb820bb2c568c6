// The quantity parser (libs/engine/src/quantity.cpp): numbers with their units and bound
// directions, scanned from an answer ("under 200 ms", "10k users", "at least 99.9%", "nightly"),
// and a stored value read back as a bound (Lexicon::parse_bound) and written out again
// (format_bound), as conflict detection compares "≤ 200 ms" with "under 0.5 s".
// Input: a text (valid UTF-8 without NUL, as every request string is; anything else is skipped).
// Checked: the match form keeps the text's length; every quantity's spans lie inside the text and
// are in text order; amounts are numbers (no NaN), never negative, in a family of the lexicon;
// a bound written out reads back as the same bound (same direction, family and unit, the amount
// within the three decimals format_number keeps), and writing that out again gives the same text.

#include "fuzz_check.hpp"

#include <socrates/engine/engine.hpp>

#include "quantity.hpp"
#include "text.hpp"

#include <cmath>
#include <string>

namespace engine = socrates::engine;
namespace detail = socrates::engine::detail;

namespace {

const engine::Lexicon& lexicon() {
  static const engine::Engine instance = engine::Engine::load(SOCRATES_ENGINE_DATA_DIR);
  return instance.lexicon();
}

void check_bound(const engine::Bound& b, const std::string& what) {
  FUZZ_CHECK(!std::isnan(b.amount) && !std::isnan(b.base_amount), what + ": NaN");
  FUZZ_CHECK(b.amount >= 0 && b.base_amount >= 0, what + ": negative amount");
  FUZZ_CHECK(lexicon().unit_families().count(b.family) == 1 || b.family == "count", what + ": family " + b.family);
}

// format_number keeps three decimals.
bool same_amount(double a, double b) {
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= 0.0005 + 1e-9 * std::fabs(a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = socrates::fuzz::as_text(data, size);
  if (!socrates::fuzz::valid_utf8(input) || input.find('\0') != std::string_view::npos) return 0;

  const std::string text = detail::normalise_input(input);
  const std::string form = detail::match_form(text);
  FUZZ_CHECK(form.size() == text.size(), "match_form changed the length");
  std::size_t previous = 0;
  for (const auto& q : detail::scan_quantities(form, lexicon())) {
    FUZZ_CHECK(q.span.begin < q.span.end && q.span.end <= form.size(), "a span outside the text");
    FUZZ_CHECK(q.span.begin >= previous, "quantities out of text order");
    previous = q.span.begin;
    if (q.direction_span)
      FUZZ_CHECK(q.direction_span->begin < q.direction_span->end && q.direction_span->end <= form.size(),
                 "a direction span outside the text");
    check_bound(q.bound, "quantity '" + form.substr(q.span.begin, q.span.size()) + "'");
  }

  const auto bound = lexicon().parse_bound(input);
  if (!bound) return 0;
  check_bound(*bound, "bound of '" + std::string(input) + "'");
  const std::string written = lexicon().format_bound(*bound);
  const auto again = lexicon().parse_bound(written);
  FUZZ_CHECK(again, "'" + std::string(input) + "' is written '" + written + "', which is no bound");
  FUZZ_CHECK(again->direction == bound->direction && again->family == bound->family && again->unit == bound->unit &&
                 same_amount(again->amount, bound->amount),
             "'" + std::string(input) + "' is written '" + written + "', which reads as " +
                 std::to_string(again->amount) + " " + again->unit + " (" + again->family + ")");
  FUZZ_CHECK(lexicon().format_bound(*again) == written, "'" + written + "' is not written the same way twice");
  return 0;
}

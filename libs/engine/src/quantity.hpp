#pragma once
// Numbers with their units and bound direction, as written in an answer: "under 200 ms",
// "10k concurrent users", "at least 99.9%", "half a second", "nightly". Internal.

#include <socrates/engine/lexicon.hpp>
#include <socrates/engine/specification.hpp>

#include "text.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine::detail {

struct Quantity {
  Span span;                           // the number and its unit
  std::optional<Span> direction_span;  // "under", "or less"
  Bound bound;
  bool frequency = false;  // "nightly", "every week": a period without a number
  // "double that", "ten times more": a factor (bound.amount, family "relative") of the figure said
  // before it; no metric takes it as it is.
  bool relative = false;
};

// Every quantity of `text`, which must be in match_form(), in text order.
std::vector<Quantity> scan_quantities(std::string_view text, const Lexicon& lexicon);

}  // namespace socrates::engine::detail

#pragma once
// Numbers with their units and bound direction, as written in an answer: "under 200 ms",
// "10k concurrent users", "at least 99.9%", "half a second", "nightly". Internal.

#include <socrates/engine/lexicon.hpp>
#include <socrates/engine/specification.hpp>

#include "text.hpp"

#include <memory>
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

// What the scanner looks for, derived from a lexicon once (Lexicon::parse builds it): owns copies,
// so it never points into the lexicon it came from.
struct QuantityTables {
  struct UnitName {
    std::string name;  // one of the unit's names: "ms", "milliseconds"
    Unit unit;
    std::string family;
  };
  struct DirectionPhrase {
    std::string phrase;
    BoundDirection direction;
  };
  std::vector<UnitName> units;              // longest name first
  std::vector<DirectionPhrase> before;      // "under", "at least": longest first
  std::vector<DirectionPhrase> after;       // "or less", "or more": longest first
  // The first two bytes of every word a figure can start with (number, relative and unit-only
  // words), and the first byte of one-letter ones: a word that matches none starts no figure.
  std::vector<bool> starts_two = std::vector<bool>(256 * 256, false);
  std::vector<bool> starts_one = std::vector<bool>(256, false);
};

std::shared_ptr<const QuantityTables> make_quantity_tables(const Lexicon& lexicon);

// Every quantity of `text`, which must be in match_form(), in text order.
std::vector<Quantity> scan_quantities(std::string_view text, const Lexicon& lexicon);

}  // namespace socrates::engine::detail

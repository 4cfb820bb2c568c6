#include "quantity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

namespace socrates::engine::detail {
namespace {

using UnitName = QuantityTables::UnitName;
using DirectionPhrase = QuantityTables::DirectionPhrase;

std::size_t skip_spaces(std::string_view text, std::size_t pos) {
  while (pos < text.size() && text[pos] == ' ') ++pos;
  return pos;
}

std::size_t word_end(std::string_view text, std::size_t pos) {
  while (pos < text.size() && is_word_char(text[pos])) ++pos;
  return pos;
}

std::string display_of(const Unit& unit, double amount) {
  return (amount != 1 && !unit.display_plural.empty()) ? unit.display_plural : unit.display;
}

std::vector<DirectionPhrase> direction_phrases(const Lexicon& lexicon, bool before) {
  std::vector<DirectionPhrase> out;
  const BoundRules& rules = lexicon.bounds();
  const std::pair<const BoundPhrases*, BoundDirection> groups[] = {
      {&rules.at_most, BoundDirection::kAtMost},
      {&rules.at_least, BoundDirection::kAtLeast},
      {&rules.approximately, BoundDirection::kApproximately}};
  for (const auto& [phrases, direction] : groups)
    for (const std::string& phrase : before ? phrases->before : phrases->after) out.push_back({phrase, direction});
  std::stable_sort(out.begin(), out.end(), [](const DirectionPhrase& a, const DirectionPhrase& b) {
    return a.phrase.size() > b.phrase.size();
  });
  return out;
}

// The start of the `count`-th word before `pos`, stopping at punctuation that ends a phrase.
std::size_t words_back(std::string_view text, std::size_t pos, std::size_t count) {
  std::size_t start = pos;
  std::size_t seen = 0;
  std::size_t i = pos;
  while (i > 0 && seen < count) {
    const char c = text[i - 1];
    if (c == ',' || c == ';' || c == ':' || c == '.' || c == '(' || c == '!' || c == '?') break;
    if (is_word_char(c) || c == '\'') {
      while (i > 0 && (is_word_char(text[i - 1]) || text[i - 1] == '\'')) --i;
      start = i;
      ++seen;
    } else {
      --i;
    }
  }
  return start;
}

void find_direction(std::string_view text, Quantity& q, const std::vector<DirectionPhrase>& before,
                    const std::vector<DirectionPhrase>& after, const BoundRules& rules) {
  std::size_t end = q.span.begin;
  while (end > 0 && text[end - 1] == ' ') --end;
  for (const auto& candidate : before) {
    const std::string& phrase = candidate.phrase;
    if (end < phrase.size()) continue;
    const std::size_t begin = end - phrase.size();
    if (text.compare(begin, phrase.size(), phrase) != 0) continue;
    if (is_word_char(phrase.front()) && begin > 0 && is_word_char(text[begin - 1])) continue;
    q.bound.direction = candidate.direction;
    q.direction_span = Span{begin, end};
    break;
  }
  if (!q.direction_span) {
    const std::size_t begin = skip_spaces(text, q.span.end);
    for (const auto& candidate : after) {
      if (phrase_at(text, begin, candidate.phrase)) {
        q.bound.direction = candidate.direction;
        q.direction_span = Span{begin, begin + candidate.phrase.size()};
        break;
      }
    }
  }
  // "must not take more than 2 s" limits from above although "more than" alone limits from below.
  if (q.direction_span && q.bound.direction != BoundDirection::kApproximately) {
    const std::size_t from = words_back(text, q.direction_span->begin, rules.negator_window_words);
    if (contains_any(text.substr(from, q.direction_span->begin - from), rules.negators))
      q.bound.direction =
          q.bound.direction == BoundDirection::kAtMost ? BoundDirection::kAtLeast : BoundDirection::kAtMost;
  }
}


struct Reading {
  double value = 0;
  std::size_t end = 0;
};

std::optional<Reading> listed_at(std::string_view text, std::size_t pos,
                                 const std::vector<std::pair<std::string, double>>& list) {
  for (const auto& [phrase, amount] : list)
    if (phrase_at(text, pos, phrase)) return Reading{amount, pos + phrase.size()};
  return std::nullopt;
}

std::optional<std::size_t> any_at(std::string_view text, std::size_t pos, const std::vector<std::string>& list) {
  for (const std::string& phrase : list)
    if (phrase_at(text, pos, phrase)) return pos + phrase.size();
  return std::nullopt;
}

bool is_whole(double value, double from, double to) {
  return value >= from && value <= to && std::floor(value) == value;
}

// A spelled-out number below `limit`: "twenty five", "two hundred and fifty", "two thousand five
// hundred", "ninety nine point five".
std::optional<Reading> spelled(std::string_view text, std::size_t pos, const NumberWords& numbers, double limit) {
  auto r = listed_at(text, pos, numbers.words);
  if (!r) return std::nullopt;
  if (is_whole(r->value / 10, 2, 9)) {
    const auto unit = listed_at(text, skip_spaces(text, r->end), numbers.words);
    if (unit && is_whole(unit->value, 1, 9)) r = Reading{r->value + unit->value, unit->end};
  }
  if (const auto point = any_at(text, skip_spaces(text, r->end), numbers.decimal_points)) {
    double scale = 0.1;
    double decimals = 0;
    std::size_t end = *point;
    for (auto digit = listed_at(text, skip_spaces(text, end), numbers.words); digit && is_whole(digit->value, 0, 9);
         digit = listed_at(text, skip_spaces(text, end), numbers.words)) {
      decimals += digit->value * scale;
      scale /= 10;
      end = digit->end;
    }
    if (end != *point) r = Reading{r->value + decimals, end};
  }
  const std::size_t next = skip_spaces(text, r->end);
  for (const auto& [word, factor] : numbers.multipliers) {
    if (factor < 100 || factor >= limit || word.size() < 2 || !phrase_at(text, next, word)) continue;
    r = Reading{r->value * factor, next + word.size()};
    std::size_t rest = skip_spaces(text, r->end);
    if (const auto joined = any_at(text, rest, numbers.joiners)) rest = skip_spaces(text, *joined);
    if (const auto smaller = spelled(text, rest, numbers, factor); smaller && smaller->value < factor)
      r = Reading{r->value + smaller->value, smaller->end};
    break;
  }
  return r;
}

// At the end of a phrase, or before one of `followers`: "double that", "twice as many".
bool before_follower(std::string_view text, std::size_t pos, const std::vector<std::string>& followers) {
  const std::size_t next = skip_spaces(text, pos);
  if (next >= text.size() || !is_word_char(text[next])) return true;
  return any_at(text, next, followers).has_value();
}

struct Scanner {
  std::string_view text;
  const NumberWords& numbers;
  const QuantityTables& tables;
  const std::vector<UnitName>& names = tables.units;

  // Whether a figure may start at word start `i`: a digit, or the first bytes of a number,
  // relative or unit-only word (most words are none, and are passed over at this one lookup).
  bool may_start(std::size_t i) const {
    const auto first = static_cast<unsigned char>(text[i]);
    if (is_digit(text[i]) || tables.starts_one[first]) return true;
    return i + 1 < text.size() && tables.starts_two[first * 256 + static_cast<unsigned char>(text[i + 1])];
  }

  // "an ordinary one": a word of 1 after an article (and at most one word between) that no unit
  // follows.
  bool pronoun(std::size_t begin, std::size_t end) const {
    if (numbers.pronoun_after.empty() || unit_at(skip_spaces(text, end))) return false;
    std::size_t from = words_back(text, begin, 2);
    for (const auto& word : split_words(text.substr(from, begin - from)))
      if (std::find(numbers.pronoun_after.begin(), numbers.pronoun_after.end(), word.text) != numbers.pronoun_after.end())
        return true;
    return false;
  }

  const UnitName* unit_at(std::size_t pos) const {
    for (const UnitName& name : names)
      if (phrase_at(text, pos, name.name)) return &name;
    return nullptr;
  }

  Quantity relative(std::size_t begin, std::size_t end, double factor) const {
    Quantity q;
    q.span = Span{begin, end};
    q.relative = true;
    q.bound = Bound{factor, "", "relative", factor, BoundDirection::kApproximately};
    return q;
  }

  // The figure starting at word start `i`: a number with its multiplier and unit, a relative
  // figure, or nines; nullopt when none starts there.
  std::optional<Quantity> figure_at(std::size_t i) const {
    if (!may_start(i)) return std::nullopt;
    if (const auto word = listed_at(text, i, numbers.relative_words);
        word && before_follower(text, word->end, numbers.relative_followers))
      return relative(i, word->end, word->value);
    double value = 0;
    std::size_t pos = i;
    bool needs_unit = false;
    bool multiplied = false;
    const UnitName* unit = nullptr;

    if (is_digit(text[i])) {
      std::size_t j = i;
      std::string digits;
      while (j < text.size() && is_digit(text[j])) digits += text[j++];
      // Thousands separators: "10,000" but not "5,6" (a list) or "1,5" (a decimal comma).
      while (j + 3 < text.size() && text[j] == ',' && is_digit(text[j + 1]) && is_digit(text[j + 2]) &&
             is_digit(text[j + 3]) && (j + 4 >= text.size() || !is_digit(text[j + 4]))) {
        digits.append(text.substr(j + 1, 3));
        j += 4;
      }
      // "12 000": a space between groups of three, after a group of one to three digits.
      if (digits.size() <= 3 && j == i + digits.size()) {
        while (j + 3 < text.size() && text[j] == ' ' && is_digit(text[j + 1]) && is_digit(text[j + 2]) &&
               is_digit(text[j + 3]) && (j + 4 >= text.size() || !is_word_char(text[j + 4]))) {
          digits.append(text.substr(j + 1, 3));
          j += 4;
        }
      }
      if (j + 1 < text.size() && text[j] == '.' && is_digit(text[j + 1])) {
        digits += '.';
        ++j;
        while (j < text.size() && is_digit(text[j])) digits += text[j++];
      }
      value = std::strtod(digits.c_str(), nullptr);
      pos = j;
      const std::string_view suffix = text.substr(j, word_end(text, j) - j);
      if (!suffix.empty()) {
        // "200ms", "2s", "10k", "10x"; anything else ("2fa", "3rd") is no quantity.
        const auto named =
            std::find_if(names.begin(), names.end(), [&](const UnitName& n) { return n.name == suffix; });
        const auto multiplier = std::find_if(numbers.multipliers.begin(), numbers.multipliers.end(),
                                             [&](const auto& m) { return m.first == suffix; });
        const bool times = std::find(numbers.times.begin(), numbers.times.end(), suffix) != numbers.times.end();
        if (named != names.end()) {
          unit = &*named;
        } else if (multiplier != numbers.multipliers.end()) {
          value *= multiplier->second;
          multiplied = true;
        } else if (times && before_follower(text, j + suffix.size(), numbers.relative_followers)) {
          return relative(i, j + suffix.size(), value);
        } else {
          return std::nullopt;
        }
        pos = j + suffix.size();
      }
    } else if (const auto number = spelled(text, i, numbers, std::numeric_limits<double>::infinity())) {
      if (number->value == 1 && pronoun(i, number->end)) return std::nullopt;
      value = number->value;
      pos = number->end;
    } else if (const auto article = listed_at(text, i, numbers.unit_only_words)) {
      value = article->value;
      pos = article->end;
      needs_unit = true;
    } else {
      return std::nullopt;
    }

    if (!unit && !needs_unit) {
      // "ten times more", "three nines"
      const std::size_t p = skip_spaces(text, pos);
      if (const auto times = any_at(text, p, numbers.times);
          times && before_follower(text, *times, numbers.relative_followers))
        return relative(i, *times, value);
      if (const auto nines = any_at(text, p, numbers.nines); nines && is_whole(value, 1, 9)) {
        if (const UnitName* percent = find_unit(numbers.nines_unit)) {
          const double amount = std::round((100 - std::pow(10.0, 2 - value)) * 1e6) / 1e6;
          Quantity q;
          q.span = Span{i, *nines};
          q.bound = Bound{amount, display_of(percent->unit, amount), percent->family,
                          amount * percent->unit.factor, BoundDirection::kApproximately};
          return q;
        }
      }
    }
    if (!unit && !multiplied) {
      const std::size_t p = skip_spaces(text, pos);
      for (const auto& [word, factor] : numbers.multipliers) {
        if (phrase_at(text, p, word)) {
          value *= factor;
          pos = p + word.size();
          multiplied = true;
          break;
        }
      }
    }
    if (const auto fraction = listed_at(text, skip_spaces(text, pos), numbers.fractions); fraction && !needs_unit) {
      value += fraction->value;  // "one and a half hours"
      pos = fraction->end;
      if (!unit && !multiplied) {
        // "two and a half thousand"
        const std::size_t p = skip_spaces(text, pos);
        for (const auto& [word, factor] : numbers.multipliers) {
          if (word.size() < 2 || !phrase_at(text, p, word)) continue;
          value *= factor;
          pos = p + word.size();
          multiplied = true;
          break;
        }
      }
    }
    if (!unit) {
      std::size_t p = skip_spaces(text, pos);
      unit = unit_at(p);
      // "two school years", "a whole day"
      if (const auto adjective = any_at(text, p, numbers.unit_adjectives); !unit && adjective) {
        p = skip_spaces(text, *adjective);
        unit = unit_at(p);
      }
      if (unit) pos = p + unit->name.size();
      if (const auto fraction = listed_at(text, skip_spaces(text, pos), numbers.fractions); unit && fraction) {
        value += fraction->value;  // "an hour and a half"
        pos = fraction->end;
      }
    }
    if (needs_unit && !unit && !multiplied) return std::nullopt;

    Quantity q;
    q.span = Span{i, pos};
    q.bound = unit ? Bound{value, display_of(unit->unit, value), unit->family, value * unit->unit.factor,
                           BoundDirection::kApproximately}
                   : Bound{value, "", "count", value, BoundDirection::kApproximately};
    return q;
  }

  const UnitName* find_unit(std::string_view name) const {
    for (const UnitName& n : names)
      if (n.name == name) return &n;
    return nullptr;
  }

  // "200 to 300 ms", "between 200 and 300 ms", "an hour or two": the upper figure, with the unit
  // either side gave. `q` ends where the joiner may start.
  void join_range(Quantity& q) const {
    if (q.relative) return;
    const std::size_t before = words_back(text, q.span.begin, 1);
    if (before < q.span.begin && any_at(text, before, numbers.range_not_after) == q.span.begin - 1) return;
    const bool started = before < q.span.begin && any_at(text, before, numbers.range_starts) == q.span.begin - 1;
    const std::size_t p = skip_spaces(text, q.span.end);
    auto joined = any_at(text, p, numbers.range_joiners);
    if (!joined && started) joined = any_at(text, p, numbers.joiners);
    if (!joined) return;
    const std::size_t second = skip_spaces(text, *joined);
    if (second >= text.size() || !is_word_char(text[second])) return;
    auto upper = figure_at(second);
    if (!upper || upper->relative) return;
    Bound bound = upper->bound;
    if (bound.family == "count" && q.bound.family != "count") {
      // "an hour or two": the second figure has the first's unit.
      bound.unit = q.bound.unit;
      for (const UnitName& name : names)
        if (name.family == q.bound.family &&
            (name.unit.display == q.bound.unit || name.unit.display_plural == q.bound.unit))
          bound.unit = display_of(name.unit, bound.amount);
      bound.family = q.bound.family;
      bound.base_amount = bound.amount * (q.bound.base_amount / q.bound.amount);
    } else if (bound.family != q.bound.family && q.bound.family != "count") {
      return;
    }
    const double lower = q.bound.family == "count" && bound.family != "count"
                             ? q.bound.amount * (bound.base_amount / bound.amount)
                             : q.bound.base_amount;
    if (!(bound.base_amount > lower)) return;
    q.bound = bound;
    q.span.end = upper->span.end;
  }
};

}  // namespace

std::vector<Quantity> scan_quantities(std::string_view text, const Lexicon& lexicon) {
  std::vector<Quantity> out;
  const QuantityTables& tables = lexicon.quantity_tables();
  const NumberWords& numbers = lexicon.numbers();
  const Scanner scanner{text, numbers, tables};
  const UnitFamily* duration = nullptr;
  if (auto it = lexicon.unit_families().find("duration"); it != lexicon.unit_families().end()) duration = &it->second;

  // Frequencies first: "every week" is a period, and its "week" must not be read again below.
  if (duration) {
    const WordStarts starts(text);
    for (const Frequency& frequency : numbers.frequencies) {
      const Unit* unit = nullptr;
      for (const Unit& u : duration->units)
        if (std::find(u.names.begin(), u.names.end(), frequency.unit) != u.names.end()) unit = &u;
      if (!unit) continue;  // refused at load time
      for (const std::string& phrase : frequency.phrases) {
        if (!starts.may_contain(phrase)) continue;
        for (const Span& span : find_phrase(text, phrase)) {
          const bool taken =
              std::any_of(out.begin(), out.end(), [&](const Quantity& q) { return q.span.overlaps(span); });
          if (taken) continue;
          Quantity q;
          q.span = span;
          q.frequency = true;
          q.bound = Bound{frequency.amount, display_of(*unit, frequency.amount), duration->name,
                          frequency.amount * unit->factor, BoundDirection::kApproximately};
          out.push_back(q);
        }
      }
    }
  }
  const std::size_t frequency_count = out.size();
  auto in_frequency = [&](std::size_t pos) {
    for (std::size_t k = 0; k < frequency_count; ++k)
      if (pos >= out[k].span.begin && pos < out[k].span.end) return true;
    return false;
  };


  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_word_char(text[i]) || (i > 0 && is_word_char(text[i - 1]))) {
      ++i;
      continue;
    }
    const std::size_t end_of_word = word_end(text, i);
    std::optional<Quantity> q = in_frequency(i) ? std::nullopt : scanner.figure_at(i);
    if (!q) {
      i = end_of_word;
      continue;
    }
    scanner.join_range(*q);
    if (!q->relative) find_direction(text, *q, tables.before, tables.after, lexicon.bounds());
    // "every 30 seconds" is a period, as "nightly" is.
    if (q->bound.family == "duration" && !q->direction_span) {
      const std::size_t word = words_back(text, q->span.begin, 1);
      q->frequency = word < q->span.begin && any_at(text, word, numbers.period_before) == q->span.begin - 1;
    }
    out.push_back(*q);
    i = std::max(q->span.end, i + 1);
  }
  std::sort(out.begin(), out.end(), [](const Quantity& a, const Quantity& b) { return a.span.begin < b.span.begin; });
  return out;
}

std::shared_ptr<const QuantityTables> make_quantity_tables(const Lexicon& lexicon) {
  auto tables = std::make_shared<QuantityTables>();
  for (const auto& [family_name, family] : lexicon.unit_families())
    for (const Unit& unit : family.units)
      for (const std::string& name : unit.names) tables->units.push_back({name, unit, family.name});
  std::stable_sort(tables->units.begin(), tables->units.end(),
                   [](const UnitName& a, const UnitName& b) { return a.name.size() > b.name.size(); });
  tables->before = direction_phrases(lexicon, true);
  tables->after = direction_phrases(lexicon, false);
  const NumberWords& numbers = lexicon.numbers();
  for (const auto* list : {&numbers.words, &numbers.relative_words, &numbers.unit_only_words}) {
    for (const auto& [word, value] : *list) {
      if (word.empty()) continue;
      const auto first = static_cast<unsigned char>(word[0]);
      if (word.size() == 1)
        tables->starts_one[first] = true;
      else
        tables->starts_two[first * 256 + static_cast<unsigned char>(word[1])] = true;
    }
  }
  return tables;
}

}  // namespace socrates::engine::detail

namespace socrates::engine {

const detail::QuantityTables& Lexicon::quantity_tables() const noexcept {
  static const detail::QuantityTables none;  // a lexicon that was never loaded has nothing to find
  return quantity_tables_ ? *quantity_tables_ : none;
}

}  // namespace socrates::engine

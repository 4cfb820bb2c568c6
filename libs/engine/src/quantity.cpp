#include "quantity.hpp"

#include <algorithm>
#include <cstdlib>

namespace socrates::engine::detail {
namespace {

struct UnitName {
  std::string_view name;  // the lexicon's, which outlives every scan
  const Unit* unit;
  const UnitFamily* family;
};

std::vector<UnitName> unit_names(const Lexicon& lexicon) {
  std::vector<UnitName> names;
  for (const auto& [family_name, family] : lexicon.unit_families())
    for (const Unit& unit : family.units)
      for (const std::string& name : unit.names) names.push_back({name, &unit, &family});
  std::stable_sort(names.begin(), names.end(),
                   [](const UnitName& a, const UnitName& b) { return a.name.size() > b.name.size(); });
  return names;
}

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

struct DirectionPhrase {
  const std::string* phrase;
  BoundDirection direction;
};

std::vector<DirectionPhrase> direction_phrases(const Lexicon& lexicon, bool before) {
  std::vector<DirectionPhrase> out;
  const BoundRules& rules = lexicon.bounds();
  const std::pair<const BoundPhrases*, BoundDirection> groups[] = {
      {&rules.at_most, BoundDirection::kAtMost},
      {&rules.at_least, BoundDirection::kAtLeast},
      {&rules.approximately, BoundDirection::kApproximately}};
  for (const auto& [phrases, direction] : groups)
    for (const std::string& phrase : before ? phrases->before : phrases->after) out.push_back({&phrase, direction});
  std::stable_sort(out.begin(), out.end(), [](const DirectionPhrase& a, const DirectionPhrase& b) {
    return a.phrase->size() > b.phrase->size();
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
    const std::string& phrase = *candidate.phrase;
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
      if (phrase_at(text, begin, *candidate.phrase)) {
        q.bound.direction = candidate.direction;
        q.direction_span = Span{begin, begin + candidate.phrase->size()};
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

}  // namespace

std::vector<Quantity> scan_quantities(std::string_view text, const Lexicon& lexicon) {
  std::vector<Quantity> out;
  const auto names = unit_names(lexicon);
  const NumberWords& numbers = lexicon.numbers();
  const UnitFamily* duration = nullptr;
  if (auto it = lexicon.unit_families().find("duration"); it != lexicon.unit_families().end()) duration = &it->second;

  // Frequencies first: "every week" is a period, and its "week" must not be read again below.
  if (duration) {
    for (const Frequency& frequency : numbers.frequencies) {
      const Unit* unit = nullptr;
      for (const Unit& u : duration->units)
        if (std::find(u.names.begin(), u.names.end(), frequency.unit) != u.names.end()) unit = &u;
      if (!unit) continue;  // refused at load time
      for (const std::string& phrase : frequency.phrases) {
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

  const auto before = direction_phrases(lexicon, true);
  const auto after = direction_phrases(lexicon, false);

  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_word_char(text[i]) || (i > 0 && is_word_char(text[i - 1]))) {
      ++i;
      continue;
    }
    const std::size_t end_of_word = word_end(text, i);
    if (in_frequency(i)) {
      i = end_of_word;
      continue;
    }
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
      if (j + 1 < text.size() && text[j] == '.' && is_digit(text[j + 1])) {
        digits += '.';
        ++j;
        while (j < text.size() && is_digit(text[j])) digits += text[j++];
      }
      value = std::strtod(digits.c_str(), nullptr);
      pos = j;
      const std::string_view suffix = text.substr(j, word_end(text, j) - j);
      if (!suffix.empty()) {
        // "200ms", "2s", "10k"; anything else ("2fa", "3rd") is no quantity.
        const auto named =
            std::find_if(names.begin(), names.end(), [&](const UnitName& n) { return n.name == suffix; });
        const auto multiplier = std::find_if(numbers.multipliers.begin(), numbers.multipliers.end(),
                                             [&](const auto& m) { return m.first == suffix; });
        if (named != names.end()) {
          unit = &*named;
        } else if (multiplier != numbers.multipliers.end()) {
          value *= multiplier->second;
          multiplied = true;
        } else {
          i = end_of_word;
          continue;
        }
        pos = j + suffix.size();
      }
    } else {
      bool matched = false;
      for (const auto& [phrase, amount] : numbers.words) {
        if (phrase_at(text, i, phrase)) {
          value = amount;
          pos = i + phrase.size();
          matched = true;
          break;
        }
      }
      if (!matched) {
        for (const auto& [phrase, amount] : numbers.unit_only_words) {
          if (phrase_at(text, i, phrase)) {
            value = amount;
            pos = i + phrase.size();
            needs_unit = true;
            matched = true;
            break;
          }
        }
      }
      if (!matched) {
        i = end_of_word;
        continue;
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
    if (!unit) {
      const std::size_t p = skip_spaces(text, pos);
      for (const UnitName& name : names) {
        if (phrase_at(text, p, name.name)) {
          unit = &name;
          pos = p + name.name.size();
          break;
        }
      }
    }
    if (needs_unit && !unit && !multiplied) {
      i = end_of_word;
      continue;
    }

    Quantity q;
    q.span = Span{i, pos};
    if (unit) {
      q.bound = Bound{value, display_of(*unit->unit, value), unit->family->name, value * unit->unit->factor,
                      BoundDirection::kApproximately};
    } else {
      q.bound = Bound{value, "", "count", value, BoundDirection::kApproximately};
    }
    find_direction(text, q, before, after, lexicon.bounds());
    out.push_back(q);
    i = std::max(pos, i + 1);
  }
  std::sort(out.begin(), out.end(), [](const Quantity& a, const Quantity& b) { return a.span.begin < b.span.begin; });
  return out;
}

}  // namespace socrates::engine::detail

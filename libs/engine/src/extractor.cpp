#include <socrates/engine/extractor.hpp>

#include <socrates/engine/clause_splitter.hpp>

#include "quantity.hpp"
#include "text.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <map>
#include <set>
#include <tuple>

namespace socrates::engine {
namespace {

using detail::Span;

bool overlaps_any(const std::vector<Span>& spans, const Span& span) {
  return std::any_of(spans.begin(), spans.end(), [&](const Span& s) { return s.overlaps(span); });
}

bool listed(const std::vector<std::string>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// The clause's words joined by single spaces: "Good question!" → "good question".
std::string bare_words(std::string_view text) {
  std::string out;
  const std::string form = detail::match_form(text);
  for (const auto& word : detail::split_words(form)) {
    if (!out.empty()) out += ' ';
    out += word.text;
  }
  return out;
}

// "Ok.", "Thanks, that's all": a clause made of nothing but filler phrases (`bare_filler`: each
// through bare_words).
bool only_filler(std::string_view clause, const std::vector<std::string>& bare_filler) {
  std::string rest = bare_words(clause);
  for (bool changed = true; changed && !rest.empty();) {
    changed = false;
    for (const std::string& bare : bare_filler) {
      if (!bare.empty() && rest.compare(0, bare.size(), bare) == 0 &&
          (rest.size() == bare.size() || rest[bare.size()] == ' ')) {
        rest.erase(0, std::min(rest.size(), bare.size() + 1));
        changed = true;
        break;
      }
    }
  }
  return rest.empty();
}

struct TermHit {
  Span span;
  const Term* term;
};

// Every term named in the clause; where matches overlap the longest wins ("React Native" over
// "React", "Docker Swarm" over "Docker"), then the earliest.
std::vector<TermHit> find_terms(const std::string& match, const std::string& cased, const Lexicon& lexicon) {
  std::vector<TermHit> hits;
  const detail::WordStarts match_starts(match);
  const detail::WordStarts cased_starts(cased);
  for (const Term& term : lexicon.terms()) {
    auto add = [&](const std::vector<Span>& spans) {
      for (const Span& span : spans) {
        const bool false_friend =
            std::any_of(term.false_friends.begin(), term.false_friends.end(),
                        [&](const std::string& f) { return detail::phrase_at(match, span.begin, f); });
        if (!false_friend) hits.push_back({span, &term});
      }
    };
    for (const std::string& alias : term.aliases)
      if (match_starts.may_contain(alias)) add(detail::find_phrase(match, alias));
    for (const std::string& alias : term.case_sensitive_aliases)
      if (cased_starts.may_contain(alias)) add(detail::find_phrase(cased, alias));
  }
  std::stable_sort(hits.begin(), hits.end(), [](const TermHit& a, const TermHit& b) {
    if (a.span.size() != b.span.size()) return a.span.size() > b.span.size();
    return a.span.begin < b.span.begin;
  });
  std::vector<TermHit> kept;
  for (const TermHit& hit : hits) {
    const bool taken =
        std::any_of(kept.begin(), kept.end(), [&](const TermHit& k) { return k.span.overlaps(hit.span); });
    if (!taken) kept.push_back(hit);
  }
  std::sort(kept.begin(), kept.end(), [](const TermHit& a, const TermHit& b) { return a.span.begin < b.span.begin; });
  return kept;
}

// True when a negation ("not", "instead of", "don't") stands within a few words before `begin`,
// with no punctuation or barrier word ("but", "and") in between: "PostgreSQL, not MySQL".
bool negated(const std::string& match, std::size_t begin, const NegationRules& rules) {
  std::size_t from = begin;
  std::size_t i = begin;
  std::size_t words = 0;
  while (i > 0 && words < rules.window_words) {
    const char c = match[i - 1];
    if (c == ',' || c == ';' || c == ':' || c == '.' || c == '!' || c == '?' || c == '(') break;
    if (detail::is_word_char(c) || c == '\'') {
      std::size_t start = i;
      while (start > 0 && (detail::is_word_char(match[start - 1]) || match[start - 1] == '\'')) --start;
      if (listed(rules.barriers, std::string_view(match).substr(start, i - start))) break;
      from = start;
      i = start;
      ++words;
    } else {
      --i;
    }
  }
  return detail::contains_any(std::string_view(match).substr(from, begin - from), rules.words);
}

// "C# is not an option": a refusal right after the term.
bool refused_after(const std::string& match, std::size_t end, const NegationRules& rules) {
  while (end < match.size() && match[end] == ' ') ++end;
  return std::any_of(rules.after.begin(), rules.after.end(),
                     [&](const std::string& phrase) { return detail::phrase_at(match, end, phrase); });
}

// A unit's name: "hours", "days".
bool unit_name(const Lexicon& lexicon, std::string_view word) {
  for (const auto& [name, family] : lexicon.unit_families())
    for (const Unit& unit : family.units)
      if (listed(unit.names, word)) return true;
  return false;
}

// A plural word: "trucks", "policyholders"; not "class", "bus" or a stop word.
bool plural_word(std::string_view word, const std::vector<std::string>& stop_words) {
  return word.size() > 3 && word.back() == 's' && word[word.size() - 2] != 's' && !listed(stop_words, word);
}

// The noun a count is about, among the next few words: "10,000 concurrent users".
std::optional<Span> noun_after(const std::string& match, std::size_t pos, const std::vector<std::string>& nouns) {
  constexpr std::size_t kMaxWordsBetween = 3;
  std::size_t seen = 0;
  std::size_t i = pos;
  while (i < match.size() && seen <= kMaxWordsBetween) {
    const char c = match[i];
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '(' || c == '!' || c == '?') return std::nullopt;
    if (!detail::is_word_char(c)) {
      ++i;
      continue;
    }
    if (detail::is_digit(c)) return std::nullopt;  // the next number has nouns of its own
    for (const std::string& noun : nouns)
      if (detail::phrase_at(match, i, noun)) return Span{i, i + noun.size()};
    while (i < match.size() && (detail::is_word_char(match[i]) || match[i] == '\'')) ++i;
    ++seen;
  }
  return std::nullopt;
}

// Any plural noun right after a count (an adjective may stand between): "350 trucks", "40 cars a
// day"; not a unit, a number or a stop word.
std::optional<Span> plural_after(const std::string& match, std::size_t pos, const std::vector<std::string>& stop_words) {
  constexpr std::size_t kMaxWords = 2;
  std::size_t i = pos;
  for (std::size_t seen = 0; seen < kMaxWords; ++seen) {
    while (i < match.size() && match[i] == ' ') ++i;
    if (i >= match.size() || !detail::is_word_char(match[i]) || detail::is_digit(match[i])) return std::nullopt;
    std::size_t end = i;
    while (end < match.size() && detail::is_word_char(match[end])) ++end;
    const std::string_view word = std::string_view(match).substr(i, end - i);
    if (listed(stop_words, word)) return std::nullopt;
    if (plural_word(word, stop_words)) return Span{i, end};
    i = end;
  }
  return std::nullopt;
}

// The noun a count names in a heading before it: "Nurses: 450", "Members of the club: 2,300",
// "Pharmacists with an account: roughly 900". Only across a colon right before the figure (its bound
// words aside), within the heading's first few words: one of `nouns`, or, when `any_plural`, the
// first plural word. Without a colon, a part of the clause that starts with the noun and is joined to
// the figure by `links` alone ("drivers are around 500", "lifetime players around 400k") names it
// too, but only with one of `nouns`.
std::optional<Span> heading_noun(const std::string& match, std::size_t figure_begin, const std::vector<std::string>& nouns,
                                 bool any_plural, const std::vector<std::string>& stop_words,
                                 const std::vector<std::string>& links) {
  constexpr std::size_t kMaxHeadingWords = 5;
  std::size_t end = figure_begin;
  while (end > 0 && match[end - 1] == ' ') --end;
  std::string_view stops = ".;:!?(";
  if (end > 0 && match[end - 1] == ':') {
    --end;
  } else {
    if (links.empty()) return std::nullopt;
    for (bool stripped = true; stripped;) {
      stripped = false;
      for (const std::string& link : links) {
        if (end < link.size() || match.compare(end - link.size(), link.size(), link) != 0) continue;
        if (end > link.size() && detail::is_word_char(match[end - link.size() - 1])) continue;
        end -= link.size();
        while (end > 0 && match[end - 1] == ' ') --end;
        stripped = true;
        break;
      }
    }
    // "Homeowners with a login, I'd guess 9,000": the heading may end at a comma.
    if (end > 0 && match[end - 1] == ',') {
      --end;
      while (end > 0 && match[end - 1] == ' ') --end;
    }
    stops = ".;:!?(,";
    any_plural = false;
  }
  std::size_t start = end;
  while (start > 0 && stops.find(match[start - 1]) == std::string_view::npos) --start;
  const auto words = detail::split_words(std::string_view(match).substr(start, end - start));
  if (words.empty() || words.size() > kMaxHeadingWords) return std::nullopt;
  for (const detail::Word& word : words)
    if (detail::is_digit(word.text.front())) return std::nullopt;
  for (const detail::Word& word : words)
    for (const std::string& noun : nouns)
      if (detail::phrase_at(match, start + word.begin, noun)) return Span{start + word.begin, start + word.begin + noun.size()};
  if (!any_plural) return std::nullopt;
  for (const detail::Word& word : words)
    if (plural_word(word.text, stop_words)) return Span{start + word.begin, start + word.end};
  return std::nullopt;
}

std::string strip_leading_words(std::string text, const std::vector<std::string>& words) {
  for (bool changed = true; changed;) {
    changed = false;
    const std::string form = detail::match_form(text);
    for (const std::string& word : words) {
      if (detail::phrase_at(form, 0, word)) {
        std::size_t cut = word.size();
        while (cut < text.size() && (detail::is_space(text[cut]) || text[cut] == ',')) ++cut;
        if (cut >= text.size()) return text;  // the clause is nothing but that word: keep it
        text.erase(0, cut);
        changed = true;
        break;
      }
    }
  }
  return text;
}

// The lemma forms of `phrases`, sorted, for binary_search.
std::vector<std::string> sorted_lemmas(const std::vector<std::string>& phrases) {
  std::vector<std::string> out;
  for (const std::string& phrase : phrases) out.push_back(detail::lemma_phrase(phrase));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool any_word_in(const detail::LemmaText& lemmas, const std::vector<std::string>& sorted) {
  return std::any_of(lemmas.words.begin(), lemmas.words.end(), [&](const detail::LemmaText::Entry& word) {
    return std::binary_search(sorted.begin(), sorted.end(),
                              std::string_view(lemmas.text).substr(word.lemma.begin, word.lemma.size()));
  });
}

std::size_t gap(const Span& a, const Span& b) {
  return a.end <= b.begin ? b.begin - a.end : b.end <= a.begin ? a.begin - b.end : 0;
}

// "by 2027", "in 2030", "projected for 2028", "end of 2027": a year to come marks a growth figure
// like "later" does.
std::vector<Span> year_phrases(const std::string& match) {
  std::vector<Span> out;
  for (const char* word : {"by", "in", "until", "around", "for", "before", "end of"}) {
    for (const Span& span : detail::find_phrase(match, word)) {
      const std::size_t year = span.end + 1;
      if (year + 4 > match.size() || match[span.end] != ' ' || match.compare(year, 2, "20") != 0) continue;
      if (!detail::is_digit(match[year + 2]) || !detail::is_digit(match[year + 3])) continue;
      if (year + 4 < match.size() && detail::is_word_char(match[year + 4])) continue;
      out.push_back({span.begin, year + 4});
    }
  }
  return out;
}

// A figure with its bound's words: "under 400 ms".
Span with_direction(const detail::Quantity& quantity) {
  Span figure = quantity.span;
  if (quantity.direction_span) {
    figure.begin = std::min(figure.begin, quantity.direction_span->begin);
    figure.end = std::max(figure.end, quantity.direction_span->end);
  }
  return figure;
}

struct RolePhrase {
  Span span;
  const char* role;
};

// The clause's role phrases ("later", "peak", "normally", "by 2027", "in two years"), longest
// first where they overlap; none right after a `not_after` word ("at once").
std::vector<RolePhrase> role_phrases(const std::string& match, const std::vector<detail::Quantity>& quantities,
                                     const UnderstandingRules& rules) {
  std::vector<RolePhrase> found;
  auto add = [&](const Span& span, const char* role) {
    std::size_t before = span.begin;
    while (before > 0 && match[before - 1] == ' ') --before;
    std::size_t word = before;
    while (word > 0 && detail::is_word_char(match[word - 1])) --word;
    if (word < before && listed(rules.role_not_after, std::string_view(match).substr(word, before - word))) return;
    found.push_back({span, role});
  };
  const std::pair<const std::vector<std::string>*, const char*> lists[] = {
      {&rules.later, "later"}, {&rules.peak, "peak"}, {&rules.ordinary, "ordinary"}};
  for (const auto& [phrases, role] : lists)
    for (const std::string& phrase : *phrases)
      for (const Span& span : detail::find_phrase(match, phrase)) add(span, role);
  if (!rules.later.empty()) {
    for (const Span& span : year_phrases(match)) add(span, "later");
    // "in two years", "within 18 months": a duration of a month or more ahead.
    constexpr double kMonthMs = 2629800000.0;
    for (const detail::Quantity& q : quantities) {
      if (q.bound.family != "duration" || q.frequency || q.bound.base_amount < kMonthMs) continue;
      std::size_t end = q.span.begin;
      while (end > 0 && match[end - 1] == ' ') --end;
      std::size_t begin = end;
      while (begin > 0 && detail::is_word_char(match[begin - 1])) --begin;
      if (begin < end && listed(rules.ahead, std::string_view(match).substr(begin, end - begin)))
        found.push_back({Span{begin, q.span.end}, "later"});
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const RolePhrase& a, const RolePhrase& b) { return a.span.size() > b.span.size(); });
  std::vector<RolePhrase> kept;
  for (const RolePhrase& phrase : found)
    if (std::none_of(kept.begin(), kept.end(), [&](const RolePhrase& k) { return k.span.overlaps(phrase.span); }))
      kept.push_back(phrase);
  return kept;
}

// True when punctuation, or a conjunction that starts another part ("and", "but"), stands between
// two spans: "600 requests per second at the evening peak and a tenth of that before dawn".
bool across_parts(const std::string& match, const Span& a, const Span& b) {
  const std::size_t from = std::min(a.end, b.end);
  const std::size_t to = std::max(a.begin, b.begin);
  if (from >= to) return false;
  const std::string_view between = std::string_view(match).substr(from, to - from);
  return between.find_first_of(",;:()!?") != std::string_view::npos || detail::contains_phrase(between, "and") ||
         detail::contains_phrase(between, "but");
}

// How far a role phrase is from a figure: in another part of the clause it is farther than any
// figure on its own side.
std::size_t role_distance(const std::string& match, const Span& figure, const Span& phrase) {
  constexpr std::size_t kAcrossPunctuation = 100000;
  return gap(figure, phrase) + (across_parts(match, figure, phrase) ? kAcrossPunctuation : 0);
}

// True when a figure of the clause other than `at`, of its family and not yet read, stands nearer
// to `span` than `distance`: a trigger or a data kind said beside one figure is that figure's.
bool nearer_figure(const std::string& match, const std::vector<detail::Quantity>& quantities, std::size_t at,
                   const Span& span, std::size_t distance, bool frequencies, const std::vector<Span>& consumed) {
  for (std::size_t i = 0; i < quantities.size(); ++i) {
    const detail::Quantity& other = quantities[i];
    if (i == at || other.relative || (other.frequency && !frequencies) ||
        other.bound.family != quantities[at].bound.family || other.span.overlaps(quantities[at].span) ||
        other.span.overlaps(span) || overlaps_any(consumed, other.span))
      continue;
    if (role_distance(match, with_direction(other), span) < distance) return true;
  }
  return false;
}

// The role of the figure `at` among the clause's figures: that of the role phrase (not used
// otherwise) nearest to it, if no other figure is nearer to that phrase (figures inside the
// phrase — "in two years" — aside); empty for none. Only figures of the roles' families have one.
// A count of things no metric counts ("two new depots") takes a role phrase from no other figure:
// in "next year, with two new depots, about 700 drivers", the drivers grow.
std::string role_of(const std::string& match, const std::vector<detail::Quantity>& quantities, std::size_t at,
                    const std::vector<bool>& things, const std::vector<RolePhrase>& phrases,
                    const std::vector<Span>& consumed, const UnderstandingRules& rules) {
  // Only figures of the roles' families take a role, or stand nearer to one: "a second" in "50
  // requests a second on a normal afternoon" is part of a rate.
  auto eligible = [&](std::size_t i) {
    return quantities[i].relative || rules.role_families.empty() || listed(rules.role_families, quantities[i].bound.family);
  };
  const detail::Quantity& figure = quantities[at];
  if (!eligible(at)) return {};
  const RolePhrase* best = nullptr;
  std::size_t best_distance = 0;
  for (const RolePhrase& phrase : phrases) {
    if (overlaps_any(consumed, phrase.span) || figure.span.overlaps(phrase.span)) continue;
    const std::size_t distance = role_distance(match, figure.span, phrase.span);
    bool nearest = true;
    for (std::size_t i = 0; i < quantities.size() && nearest; ++i)
      if (i != at && !quantities[i].span.overlaps(phrase.span) && !quantities[i].frequency && eligible(i) &&
          (!things[i] || things[at]) && role_distance(match, quantities[i].span, phrase.span) < distance)
        nearest = false;
    if (nearest && (!best || distance < best_distance)) {
      best = &phrase;
      best_distance = distance;
    }
  }
  return best ? best->role : std::string();
}

}  // namespace

Extractor::Extractor(const Taxonomy& taxonomy, const Lexicon& lexicon) : taxonomy_(taxonomy), lexicon_(lexicon) {
  for (const auto& [category, phrases] : lexicon_.keywords()) {
    const std::size_t index = taxonomy_.index_of(category);
    for (const std::string& phrase : phrases) keyword_lemmas_.push_back({detail::lemma_phrase(phrase), index});
  }
  const UnderstandingRules& rules = lexicon_.understanding();
  for (std::size_t i = 0; i < rules.usability.size(); ++i)
    usability_lemmas_.push_back({detail::lemma_phrase(rules.usability[i]), i});
  action_lemmas_ = sorted_lemmas(rules.action_verbs);
  // A one-word trigger also matches its inflections: "detecting" is "detect" (but "page" is not
  // "paged": the word must start with the trigger, less a final "e").
  for (const Metric& metric : lexicon_.metrics()) {
    std::vector<TriggerLemma> forms;
    for (const std::string& trigger : metric.triggers) {
      if (!std::all_of(trigger.begin(), trigger.end(), [](char c) { return detail::is_word_char(c); })) continue;
      std::string stem = trigger;
      if (stem.size() > 3 && stem.back() == 'e') stem.pop_back();
      forms.push_back({detail::lemma(trigger), std::move(stem)});
    }
    trigger_lemmas_.push_back(std::move(forms));
  }
  protection_lemmas_ = sorted_lemmas(rules.protection_verbs);
  access_lemmas_ = sorted_lemmas(rules.access_verbs);
  for (const std::string& phrase : lexicon_.filler()) bare_filler_.push_back(bare_words(phrase));
}

std::vector<Candidate> Extractor::extract(std::string_view answer, std::string_view question_category) const {
  std::vector<Candidate> found;
  const std::string category(question_category);
  AnswerContext context;
  for (const std::string& clause : split_clauses(answer, lexicon_.clauses()))
    extract_clause(clause, category, context, found);

  // "3,000 orders on Valentine's Day, normally 200": beside an ordinary figure, a larger one of the
  // same metric without a role of its own is the peak.
  for (const auto& [ordinary, role] : context.roles) {
    if (role != "ordinary") continue;
    const Specification& usual = found[ordinary].specification;
    if (usual.key.find("peak") != std::string::npos) continue;
    for (const auto& [other, other_role] : context.roles) {
      Candidate& c = found[other];
      if (!other_role.empty() || c.specification.category != usual.category || c.specification.key != usual.key ||
          !c.bound || c.bound->base_amount <= found[ordinary].bound->base_amount)
        continue;
      c.specification.key += "_peak";
      c.label = lexicon_.label_of(c.specification.category, c.specification.key);
    }
  }

  // "We're eleven clinics and about 24,000 pet owners": places count only where nothing else of
  // their metric is counted.
  std::vector<bool> dropped(found.size(), false);
  for (const std::size_t place : context.places) {
    dropped[place] = std::any_of(context.roles.begin(), context.roles.end(), [&](const auto& figure) {
      const Candidate& c = found[figure.first];
      return figure.first != place && c.bound && c.specification.key == found[place].specification.key &&
             std::find(context.places.begin(), context.places.end(), figure.first) == context.places.end();
    });
  }
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (dropped[i]) continue;
    Candidate& candidate = found[i];
    const Specification& spec = candidate.specification;
    const std::string normalised = lexicon_.normalise_value(spec.value);
    auto same_key = [&](const Candidate& c) {
      return c.specification.category == spec.category && c.specification.key == spec.key;
    };
    // The same thing said twice counts once, as firmly as it was said the firmest time.
    const auto twin = std::find_if(out.begin(), out.end(), [&](const Candidate& c) {
      return same_key(c) && lexicon_.normalise_value(c.specification.value) == normalised;
    });
    if (twin != out.end()) {
      twin->specification.confidence = std::max(twin->specification.confidence, spec.confidence);
      continue;
    }
    out.push_back(std::move(candidate));
  }
  return out;
}

void Extractor::extract_clause(const std::string& clause, const std::string& question_category,
                               AnswerContext& answer_context, std::vector<Candidate>& out) const {
  const std::string match = detail::match_form(clause);
  const std::string cased = detail::case_form(clause);

  // 1. Nothing said. A figure with its unit is said even beside a shrug: "Coverage, no idea, maybe 60%?"
  std::vector<detail::Quantity> quantities = detail::scan_quantities(match, lexicon_);
  const bool unit_figure = std::any_of(quantities.begin(), quantities.end(), [](const detail::Quantity& q) {
    return !q.frequency && q.bound.family != "count" && q.bound.family != "relative";
  });
  if (only_filler(clause, bare_filler_) ||
      (!unit_figure && detail::contains_any(match, lexicon_.no_information())))
    return;

  const ConfidenceRules& rules = lexicon_.confidence();
  const double confidence = detail::contains_any(match, rules.hedged_markers) ? rules.hedged_value
                            : detail::contains_any(match, rules.firm_markers) ? rules.firm_value
                                                                              : rules.default_value;
  const std::size_t first = out.size();
  std::vector<Span> consumed;
  const detail::LemmaText lemmas = detail::lemma_text(match);

  // 2. Known terms. Several values of one single-value slot in one clause are one list: "our
  // developers know C++ and Rust" is backend_language "C++, Rust". Across clauses they stay apart,
  // and the later one conflicts with the earlier: "Maybe MongoDB, but I think MySQL" is a choice
  // for the user to make, not a list.
  for (const TermHit& hit : find_terms(match, cased, lexicon_)) {
    consumed.push_back(hit.span);
    if (negated(match, hit.span.begin, lexicon_.negation()) || refused_after(match, hit.span.end, lexicon_.negation()))
      continue;
    const Term& term = *hit.term;
    // "The backend is in Go and the frontend in TypeScript": the role word nearest to the term
    // decides its slot, not any role word of the clause.
    std::string slot_name = term.slot;
    std::size_t nearest = std::string::npos;
    for (const ContextSlot& context : term.context_slots) {
      for (const std::string& word : context.words) {
        for (const Span& span : detail::find_phrase(match, word)) {
          const std::size_t distance = span.end <= hit.span.begin   ? hit.span.begin - span.end
                                       : hit.span.end <= span.begin ? span.begin - hit.span.end
                                                                    : 0;
          if (distance < nearest) {
            nearest = distance;
            slot_name = context.slot;
          }
        }
      }
    }
    const Slot* slot = lexicon_.find_slot(slot_name);
    if (!slot) continue;  // refused at load time
    if (slot->cardinality == Cardinality::kSingle) {
      const auto listed_before =
          std::find_if(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), [&](const Candidate& c) {
            return c.origin == Origin::kTerm && c.specification.category == slot->category &&
                   c.specification.key == slot->name;
          });
      if (listed_before != out.end()) {
        Specification& kept = listed_before->specification;
        if (lexicon_.normalise_value(kept.value + ", " + term.value) != lexicon_.normalise_value(kept.value))
          kept.value += ", " + term.value;
        continue;
      }
    }
    Candidate candidate;
    candidate.specification.category = slot->category;
    candidate.specification.key =
        slot->cardinality == Cardinality::kSingle ? slot->name : slot->name + "_" + detail::snake_case(term.value);
    candidate.specification.value = term.value;
    candidate.specification.confidence = confidence;
    candidate.origin = Origin::kTerm;
    candidate.clause = clause;
    candidate.label = slot->label;
    out.push_back(std::move(candidate));
  }

  // 3. Numbers that fill a metric. Of the metrics a number fits, the one with a trigger nearest to
  // it wins ("back online within 15 minutes, with no more than 5 minutes of lost data": 15 minutes
  // is the RTO, 5 minutes the RPO); a metric's marker ("p99") wins for the figure nearest to it
  // wherever it stands; a metric without triggers comes next, and one that only fits because the
  // question was about its category comes last. Ties keep file order.
  std::set<std::string> used_metrics;
  const UnderstandingRules& understanding = lexicon_.understanding();
  const std::vector<RolePhrase> role_spans =
      quantities.empty() ? std::vector<RolePhrase>{} : role_phrases(match, quantities, understanding);
  // Figures whose noun the metric lists come first, then those whose noun is only a guess or a
  // weak one ("80 trucks, maybe 5,000 users": the users are the user count, not the trucks), the
  // larger first ("25 gyms, 30k members": beside a count of places, the count of people is the
  // larger one), then, in the order said, figures without a noun, relative ones ("double that"),
  // and figures with a role but no noun of their own, which take the metric of the figure before.
  std::vector<Figure> figures;
  figures.reserve(quantities.size());
  // Each metric's triggers in the clause, as written or inflected; found when first needed.
  std::vector<std::optional<std::vector<Span>>> trigger_cache(quantities.empty() ? 0 : lexicon_.metrics().size());
  auto trigger_spans = [&](std::size_t m) -> const std::vector<Span>& {
    if (trigger_cache[m]) return *trigger_cache[m];
    std::vector<Span>& spans = trigger_cache[m].emplace();
    for (const std::string& trigger : lexicon_.metrics()[m].triggers)
      for (const Span& span : detail::find_phrase(match, trigger)) spans.push_back(span);
    for (const TriggerLemma& form : trigger_lemmas_[m])
      for (const Span& span : detail::find_phrase(lemmas.text, form.lemma)) {
        const Span original = lemmas.original(span);
        if (match.compare(original.begin, form.stem.size(), form.stem) == 0 && !overlaps_any(spans, original))
          spans.push_back(original);
      }
    return spans;
  };
  // "Uptime 99.9", "coverage: 80": a count right after a trigger of a percentage metric is that
  // percentage, its sign left out; so is a fraction just under 100 ("our uptime promise is 99.9",
  // "up around the clock, so 99.95") with the metric's trigger anywhere in the clause, or asked for.
  for (detail::Quantity& quantity : quantities) {
    if (quantity.bound.family != "count" || quantity.relative || quantity.bound.amount <= 0 ||
        quantity.bound.amount > 100)
      continue;
    constexpr double kNearlyAll = 90;
    const bool nearly_all = quantity.bound.amount > kNearlyAll && quantity.bound.amount < 100 &&
                            std::floor(quantity.bound.amount) != quantity.bound.amount;
    std::size_t end = quantity.span.begin;
    while (end > 0 && (match[end - 1] == ' ' || match[end - 1] == ':')) --end;
    for (std::size_t m = 0; m < lexicon_.metrics().size() && quantity.bound.family == "count"; ++m) {
      const Metric& metric = lexicon_.metrics()[m];
      const auto family = lexicon_.unit_families().find(metric.family);
      if (family == lexicon_.unit_families().end() || family->second.base != "%" || family->second.units.empty()) continue;
      const std::vector<Span>& spans = trigger_spans(m);
      const bool named = std::any_of(spans.begin(), spans.end(), [&](const Span& span) { return span.end == end; }) ||
                         (nearly_all && (!spans.empty() || (metric.question_default && question_category == metric.category)));
      if (!named) continue;
      const Unit& unit = family->second.units.front();
      quantity.bound = Bound{quantity.bound.amount, unit.display, family->first, quantity.bound.amount * unit.factor,
                             quantity.bound.direction};
    }
  }
  // "by 2027" is a year, not a count.
  const std::vector<Span> years = year_phrases(match);
  // Counts of things no metric counts: a plural noun after them, none a metric's (role_of); only
  // needed where a role phrase was said.
  std::vector<bool> things(quantities.size(), false);
  if (!role_spans.empty()) {
    for (std::size_t i = 0; i < quantities.size(); ++i) {
      if (quantities[i].bound.family != "count" || quantities[i].relative) continue;
      const std::optional<Span> noun = plural_after(match, quantities[i].span.end, lexicon_.keys().stop_words);
      if (!noun) continue;
      things[i] = true;
      for (std::size_t m = 0; m < lexicon_.metrics().size() && things[i]; ++m) {
        const Metric& metric = lexicon_.metrics()[m];
        if (metric.family != "count") continue;
        if (noun_after(match, quantities[i].span.end, metric.nouns)) things[i] = false;
        // "6,000 passes a day" is a rate, whatever is counted.
        if (!metric.nouns.empty() && metric.any_noun_when_asked)
          for (const Span& span : trigger_spans(m))
            if (span.begin >= noun->end && span.begin <= noun->end + 1) things[i] = false;
      }
    }
  }
  // "Monday at 9 everyone books", "between six and eight": a whole count up to 24 right after a
  // clock word, with no noun or rate of its own, is a time of day.
  auto clock_time = [&](std::size_t i) {
    constexpr double kHours = 24;
    const detail::Quantity& q = quantities[i];
    if (q.bound.family != "count" || q.relative || q.direction_span || q.bound.amount > kHours ||
        std::floor(q.bound.amount) != q.bound.amount)
      return false;
    std::size_t end = q.span.begin;
    while (end > 0 && match[end - 1] == ' ') --end;
    std::size_t begin = end;
    while (begin > 0 && detail::is_word_char(match[begin - 1])) --begin;
    if (begin == end || !listed(understanding.clock_before, std::string_view(match).substr(begin, end - begin)))
      return false;
    std::size_t next = q.span.end;
    while (next < match.size() && match[next] == ' ') ++next;
    std::size_t next_end = next;
    while (next_end < match.size() && detail::is_word_char(match[next_end])) ++next_end;
    if (plural_word(std::string_view(match).substr(next, next_end - next), lexicon_.keys().stop_words)) return false;
    for (std::size_t m = 0; m < lexicon_.metrics().size(); ++m) {
      const Metric& metric = lexicon_.metrics()[m];
      if (metric.family != "count") continue;
      if (noun_after(match, q.span.end, metric.nouns)) return false;
      for (const Span& span : trigger_spans(m))
        if (span.begin >= q.span.end && span.begin <= q.span.end + 1) return false;
    }
    return true;
  };
  // "in 5 second, no, better 3 second": a figure taken back by a later one of its kind is not read.
  for (std::size_t i = 0; i + 1 < quantities.size(); ++i) {
    for (std::size_t j = i + 1; j < quantities.size(); ++j) {
      if (quantities[i].relative || quantities[j].bound.family != quantities[i].bound.family ||
          quantities[j].span.begin < quantities[i].span.end)
        continue;
      const std::string_view between =
          std::string_view(match).substr(quantities[i].span.end, quantities[j].span.begin - quantities[i].span.end);
      if (detail::contains_any(between, understanding.corrections)) {
        consumed.push_back(quantities[i].span);
        break;
      }
    }
  }
  std::vector<std::size_t> by_size(quantities.size());
  for (std::size_t i = 0; i < by_size.size(); ++i) by_size[i] = i;
  std::stable_sort(by_size.begin(), by_size.end(), [&](std::size_t a, std::size_t b) {
    return quantities[a].bound.base_amount > quantities[b].bound.base_amount;
  });
  // The figure said last before `pos` in this answer (this clause first).
  auto previous_figure = [&](std::size_t pos) -> const Figure* {
    const Figure* found = nullptr;
    for (const Figure& figure : figures)
      if (quantities[figure.at].span.begin < pos && (!found || quantities[figure.at].span.begin > quantities[found->at].span.begin))
        found = &figure;
    if (!found && !answer_context.figures.empty()) found = &answer_context.figures.back();
    return found;
  };
  auto suffix_of = [](const Metric& metric, const std::string& role) {
    if (role == "ordinary" || (role == "peak" && metric.key.find("peak") != std::string::npos)) return std::string();
    return role.empty() ? role : "_" + role;
  };
  // A metric is used once per role and key: "receipts 6 years, raw sensor data 3 months" has two
  // retention periods, one qualified and one not.
  auto used_key = [&](const Metric& metric, const std::string& base_key, const std::string& role) {
    return metric.category + "/" + base_key + "/" + (suffix_of(metric, role).empty() && role != "ordinary" ? "" : role);
  };
  // The metric's key for what the clause names, and where it names it: "audit log" makes
  // `audit_logs_retention_period`. By lemma: "order history" is the "orders" qualifier.
  // A noun said before a figure without a colon names only a figure said as it is or about so:
  // "drivers are around 500", not "volunteers are over 70" (an age) or "agents publish up to 30".
  const std::vector<std::string> no_links;
  auto links_for = [&](const detail::Quantity& q) -> const std::vector<std::string>& {
    return q.bound.direction == BoundDirection::kApproximately ? understanding.heading_links : no_links;
  };
  // One of `phrases` stands in the two words before `pos`, in its part of the clause.
  auto said_before = [&](std::size_t pos, const std::vector<std::string>& phrases) {
    constexpr std::size_t kWords = 2;
    std::size_t from = pos;
    for (std::size_t words = 0; words < kWords; ++words) {
      while (from > 0 && match[from - 1] == ' ') --from;
      if (from == 0 || !detail::is_word_char(match[from - 1])) break;
      while (from > 0 && (detail::is_word_char(match[from - 1]) || match[from - 1] == '\'')) --from;
    }
    return detail::contains_any(std::string_view(match).substr(from, pos - from), phrases);
  };
  // The data kind nearest to the figure `at` (in its own part of the clause first), and none that
  // another figure stands nearer to: "Audit trail 7y, app logs 30d".
  auto qualified = [&](const Metric& metric, std::size_t at) {
    std::pair<std::string, std::optional<Span>> keyed{metric.key, std::nullopt};
    std::size_t keyed_distance = 0;
    const Span figure = with_direction(quantities[at]);
    for (const Qualifier& qualifier : metric.qualifiers) {
      for (const std::string& phrase : qualifier.phrases) {
        for (const Span& lemma_span : detail::find_phrase(lemmas.text, detail::lemma_phrase(phrase))) {
          const Span span = lemmas.original(lemma_span);
          if (overlaps_any(consumed, span)) continue;
          // In the figure's own part of the clause first, then the earliest said.
          const std::size_t distance = across_parts(match, figure, span) ? 1 : 0;
          const bool better = !keyed.second || distance < keyed_distance ||
                              (distance == keyed_distance && (span.begin < keyed.second->begin ||
                                                              (span.begin == keyed.second->begin && span.size() > keyed.second->size())));
          if (!better || nearer_figure(match, quantities, at, span, role_distance(match, figure, span), false, consumed))
            continue;
          keyed.second = span;
          keyed_distance = distance;
          keyed.first = detail::render(metric.qualified_key, {{"qualifier", qualifier.name}});
        }
      }
    }
    return keyed;
  };
  auto record = [&](std::size_t at, const Metric& metric, const std::string& base_key, const std::string& role,
                    const Bound& bound) {
    Candidate candidate;
    candidate.specification.category = metric.category;
    candidate.specification.key = base_key + suffix_of(metric, role);
    candidate.specification.value = lexicon_.format_bound(bound);
    candidate.specification.confidence = confidence;
    candidate.origin = Origin::kMetric;
    candidate.clause = clause;
    candidate.label = lexicon_.label_of(metric.category, candidate.specification.key);
    candidate.bound = bound;
    figures.push_back({at, std::move(candidate), &metric, base_key, role});
    used_metrics.insert(used_key(metric, base_key, role));
  };
  for (int pass = 0; pass < 3; ++pass)
  for (std::size_t order = 0; order < quantities.size(); ++order) {
    const std::size_t at = pass == 1 ? by_size[order] : order;
    const detail::Quantity& quantity = quantities[at];
    if (overlaps_any(consumed, quantity.span)) continue;
    if (quantity.bound.family == "count" && overlaps_any(years, quantity.span)) continue;
    if (clock_time(at)) {
      consumed.push_back(quantity.span);
      continue;
    }
    // "maybe 20,000 later": a growth figure beside today's; "peak" beside an ordinary figure.
    const std::string role = role_of(match, quantities, at, things, role_spans, consumed, understanding);
    if (quantity.relative) {
      // "double that by next year": the figure before, times the factor; growth unless said otherwise.
      const Figure* base = pass == 2 ? previous_figure(quantity.span.begin) : nullptr;
      // (A part of it — "a tenth of that at night" — is no growth.)
      const std::string relative_role = !role.empty() ? role : quantity.bound.amount > 1 ? "later" : "";
      if (!base || used_metrics.count(used_key(*base->metric, base->base_key, relative_role))) continue;
      Bound bound = *base->candidate.bound;
      bound.amount *= quantity.bound.amount;
      bound.base_amount *= quantity.bound.amount;
      bound.direction = BoundDirection::kApproximately;
      record(at, *base->metric, base->base_key, relative_role, bound);
      consumed.push_back(quantity.span);
      continue;
    }
    struct Choice {
      const Metric* metric = nullptr;
      bool guessed_noun = false;  // a weak noun, any plural noun or none: not one of the metric's
      std::size_t distance = 0;
      std::optional<Span> noun;
      std::vector<Span> triggers;
      std::string key;
      std::optional<Span> qualifier;
    };
    constexpr std::size_t kNoTrigger = static_cast<std::size_t>(-1) / 4;
    constexpr std::size_t kQuestionDefault = static_cast<std::size_t>(-1) / 2;
    // "p95 under 400 ms and p99 under 1.5 s": the bound's words belong to the number.
    const Span figure = with_direction(quantity);
    std::optional<Choice> best;
    for (std::size_t m = 0; m < lexicon_.metrics().size(); ++m) {
      const Metric& metric = lexicon_.metrics()[m];
      if (metric.family != quantity.bound.family) continue;
      if (quantity.frequency && !metric.accepts_frequency) continue;
      if (metric.max_base && quantity.bound.base_amount > *metric.max_base) continue;
      if (!metric.not_followed_by.empty() || !metric.not_followed_by_plural.empty()) {
        std::size_t next = quantity.span.end;
        while (next < match.size() && match[next] == ' ') ++next;
        if (std::any_of(metric.not_followed_by.begin(), metric.not_followed_by.end(),
                        [&](const std::string& phrase) { return detail::phrase_at(match, next, phrase); }))
          continue;
        // "for 99% of users": a share of things (not of hours or days), not this metric.
        if (std::any_of(metric.not_followed_by_plural.begin(), metric.not_followed_by_plural.end(),
                        [&](const std::string& phrase) {
                          if (!detail::phrase_at(match, next, phrase)) return false;
                          const auto noun = plural_after(match, next + phrase.size(), lexicon_.keys().stop_words);
                          return noun && !unit_name(lexicon_, std::string_view(match).substr(noun->begin, noun->size()));
                        }))
          continue;
      }
      Choice choice;
      choice.metric = &metric;
      choice.key = metric.key;
      if (metric.qualifiers.empty() && used_metrics.count(used_key(metric, choice.key, role))) continue;
      const bool asked = metric.any_noun_when_asked && question_category == metric.category;
      if (metric.family == "count") {
        choice.noun = noun_after(match, quantity.span.end, metric.nouns);
        if (!choice.noun) {
          choice.noun = noun_after(match, quantity.span.end, metric.weak_nouns);
          choice.guessed_noun = choice.noun.has_value();
        }
        if (!choice.noun && asked) {
          choice.noun = plural_after(match, quantity.span.end, lexicon_.keys().stop_words);
          choice.guessed_noun = true;
        }
        // "Nurses: 450": the noun of a heading before the figure.
        if (!choice.noun) {
          choice.noun = heading_noun(match, figure.begin, metric.nouns, false, lexicon_.keys().stop_words,
                                     links_for(quantity));
          choice.guessed_noun = false;
        }
        if (!choice.noun) {
          choice.noun = heading_noun(match, figure.begin, metric.weak_nouns, asked, lexicon_.keys().stop_words,
                                     links_for(quantity));
          choice.guessed_noun = true;
        }
        // "Members: 85,000, of which 52,000 are active": the noun of the figure before.
        if (!choice.noun && at > 0 && said_before(figure.begin, understanding.same_noun_before)) {
          const detail::Quantity& previous = quantities[at - 1];
          const Span previous_figure_span = with_direction(previous);
          choice.noun = noun_after(match, previous.span.end, metric.nouns);
          if (!choice.noun)
            choice.noun = heading_noun(match, previous_figure_span.begin, metric.nouns, false, lexicon_.keys().stop_words,
                                       links_for(previous));
          choice.guessed_noun = false;
        }
        if (!choice.noun && !(asked && !metric.triggers.empty())) continue;
      }
      choice.distance = metric.triggers.empty() ? kNoTrigger : kQuestionDefault;
      // A trigger is as near as it is to the figure with its noun: in "peak 8k parcels a day",
      // "a day" is as near as "peak".
      Span with_noun = figure;
      if (choice.noun && choice.noun->begin >= figure.end) with_noun.end = choice.noun->end;
      for (const Span& span : trigger_spans(m)) {
        if (span.overlaps(quantity.span) || overlaps_any(consumed, span) || (choice.noun && span.overlaps(*choice.noun)))
          continue;
        // A bare count takes its meaning from its own part of the clause: in "peak 9k tickets a
        // day, off season around 1k", "peak" says nothing about the 1k.
        if (metric.family == "count" && !choice.noun && across_parts(match, figure, span)) continue;
        // A trigger is the nearest figure's: in "Members: 85,000, of which 52,000 are active each
        // month", "each month" says nothing about the 85,000; and one in another part of the
        // clause is farther than any in the figure's own ("recovery time objective 4 hours,
        // recovery point objective 15 minutes").
        const std::size_t distance = role_distance(match, with_noun, span);
        if (nearer_figure(match, quantities, at, span, distance, metric.accepts_frequency, consumed)) continue;
        choice.triggers.push_back(span);
        choice.distance = std::min(choice.distance, distance);
      }
      for (const std::string& marker : metric.markers) {
        for (const Span& span : detail::find_phrase(match, marker)) {
          if (span.overlaps(quantity.span) || overlaps_any(consumed, span)) continue;
          const bool nearest = std::none_of(quantities.begin(), quantities.end(), [&](const detail::Quantity& other) {
            return other.bound.family == quantity.bound.family && !other.span.overlaps(quantity.span) &&
                   gap(with_direction(other), span) < gap(figure, span);
          });
          if (!nearest) continue;
          choice.triggers.push_back(span);
          choice.distance = 0;
        }
      }
      if (!metric.triggers.empty() && choice.triggers.empty() &&
          !(metric.question_default && question_category == metric.category))
        continue;
      if (!metric.requires_any.empty() && !quantity.frequency && !detail::contains_any(match, metric.requires_any))
        continue;
      // The data kind is looked for only once the metric fits otherwise.
      if (!metric.qualifiers.empty()) {
        std::tie(choice.key, choice.qualifier) = qualified(metric, at);
        if (used_metrics.count(used_key(metric, choice.key, role))) continue;
      }
      // At equal distance a metric that names the figure's noun wins over one that does not:
      // "of which 52,000 are active each month" counts members, not requests.
      if (!best || choice.guessed_noun < best->guessed_noun ||
          (choice.guessed_noun == best->guessed_noun &&
           (choice.distance < best->distance ||
            (choice.distance == best->distance && choice.noun && !best->noun))))
        best = std::move(choice);
    }
    if (pass == 0 && best && best->guessed_noun) continue;
    // A metric only the question suggests waits for figures a trigger names: in "Five-minute
    // readings we keep for 3 years", the 3 years are kept.
    if (pass == 0 && best && best->distance == kQuestionDefault) continue;
    // "About 6 therapists and perhaps 400 patients": of two counts of people, the larger is the
    // number of users; the smaller waits for the last pass.
    if (pass == 0 && best && best->metric->family == "count" && best->metric->triggers.empty() &&
        std::any_of(quantities.begin(), quantities.end(), [&](const detail::Quantity& other) {
          return &other != &quantity && !other.relative && other.bound.family == "count" &&
                 other.bound.base_amount > quantity.bound.base_amount && !overlaps_any(consumed, other.span) &&
                 noun_after(match, other.span.end, best->metric->nouns).has_value() &&
                 role_of(match, quantities, static_cast<std::size_t>(&other - quantities.data()), things, role_spans,
                         consumed, understanding) == role;
        }))
      continue;
    if (pass == 1 && (!best || !best->guessed_noun || !best->noun)) continue;
    // A figure with a role and no noun of its own is the previous figure's: "around 2,000
    // students in the first semester, maybe 20,000 later"; "3,000 orders a day on Valentine's
    // Day, normally 200"; so is a bounded one that fits no metric at all: "... that goes up to
    // 25 000" (not "between six and eight", a time of day).
    const bool bounded = quantity.direction_span.has_value();
    // So is a bare count right after a figure of this clause that fits no metric of its own:
    // "300 bookings per day on average, 900 on bank holidays".
    const Figure* before = pass == 2 ? previous_figure(quantity.span.begin) : nullptr;
    const bool in_clause =
        before && std::any_of(figures.begin(), figures.end(), [&](const Figure& f) { return &f == before; });
    // (Or the answer's figure before, in a clause of its own: "On a quiet weekday we might see 400
    // visitors, but on the first Sunday of the month it can be three thousand".)
    const bool bare = before && !best && quantity.bound.family == "count" &&
                      !plural_after(match, quantity.span.end, lexicon_.keys().stop_words) &&
                      std::none_of(lexicon_.metrics().begin(), lexicon_.metrics().end(), [&](const Metric& m) {
                        return noun_after(match, quantity.span.end, m.nouns).has_value();
                      });
    // (In a clause of its own, the figure must end its part or come before a stop word: not "one
    // frontend person".)
    const auto ends_part = [&] {
      std::size_t next = quantity.span.end;
      while (next < match.size() && match[next] == ' ') ++next;
      std::size_t end = next;
      while (end < match.size() && detail::is_word_char(match[end])) ++end;
      return end == next || listed(lexicon_.keys().stop_words, std::string_view(match).substr(next, end - next));
    };
    const bool bare_after_figure =
        !best && quantity.bound.family == "count" && before && (in_clause || (bare && ends_part()));
    if (pass == 2 && ((!best && (bounded || bare_after_figure)) ||
                      (!role.empty() && (!best || !best->noun || best->guessed_noun)))) {
      std::string taken_role = role;
      // "Pickups, maybe 180 a day, Mondays closer to 400": a second figure of the metric, neither
      // with a role, and the larger of the two is the peak.
      if (before && bare_after_figure && bare && role.empty() && before->role.empty() && before->candidate.bound &&
          before->metric->family == quantity.bound.family &&
          !used_metrics.count(used_key(*before->metric, before->base_key, "peak"))) {
        const double earlier = before->candidate.bound->base_amount;
        if (quantity.bound.base_amount > earlier) {
          // A rate peaks ("180 a day, Mondays closer to 400"); a number of people grows.
          taken_role = before->metric->triggers.empty() ? "later" : "peak";
        } else if (quantity.bound.base_amount < earlier && !before->metric->triggers.empty()) {
          // The figure before is the peak: in this clause's figures, or already among the answer's.
          Figure* peak = nullptr;
          Candidate* said = nullptr;
          if (in_clause) {
            peak = &figures[static_cast<std::size_t>(before - figures.data())];
            said = &peak->candidate;
            used_metrics.erase(used_key(*peak->metric, peak->base_key, peak->role));
          } else {
            const auto k = static_cast<std::size_t>(before - answer_context.figures.data());
            peak = &answer_context.figures[k];
            said = &out[answer_context.roles[k].first];
            answer_context.roles[k].second = "peak";
          }
          peak->role = "peak";
          said->specification.key = peak->base_key + suffix_of(*peak->metric, peak->role);
          said->label = lexicon_.label_of(peak->metric->category, said->specification.key);
          if (in_clause) used_metrics.insert(used_key(*peak->metric, peak->base_key, peak->role));
        }
      }
      if (before && before->metric->family == quantity.bound.family &&
          !used_metrics.count(used_key(*before->metric, before->base_key, taken_role))) {
        record(at, *before->metric, before->base_key, taken_role, quantity.bound);
        consumed.push_back(quantity.span);
        if (quantity.direction_span) consumed.push_back(*quantity.direction_span);
        continue;
      }
    }
    if (!best) continue;
    record(at, *best->metric, best->key, role, quantity.bound);
    figures.back().place = best->noun && listed(best->metric->places, std::string_view(match).substr(best->noun->begin, best->noun->size()));

    consumed.push_back(quantity.span);
    if (quantity.direction_span) consumed.push_back(*quantity.direction_span);
    if (best->noun) consumed.push_back(*best->noun);
    if (best->qualifier) consumed.push_back(*best->qualifier);
    consumed.insert(consumed.end(), best->triggers.begin(), best->triggers.end());
  }
  // In the order said, whichever pass found them.
  std::stable_sort(figures.begin(), figures.end(), [&](const Figure& a, const Figure& b) {
    return quantities[a.at].span.begin < quantities[b.at].span.begin;
  });
  for (Figure& figure : figures) {
    if (figure.place) answer_context.places.push_back(out.size());
    answer_context.roles.push_back({out.size(), figure.role});
    out.push_back(figure.candidate);
    figure.at = 0;  // positions of this clause mean nothing in the next
    answer_context.figures.push_back(std::move(figure));
  }

  // 4. Category keywords not used above.
  struct KeywordHit {
    Span span;
    std::size_t category;  // taxonomy order
  };
  // Keywords match by lemma: "encrypting" is "encrypt", "logged in" is "log in" (security), which
  // is longer than, and so wins over, "logged" (monitoring).
  std::vector<KeywordHit> hits;
  const detail::WordStarts lemma_starts(lemmas.text);
  for (const LemmaPhrase& keyword : keyword_lemmas_) {
    if (!lemma_starts.may_contain(keyword.lemmas)) continue;
    for (const Span& span : detail::find_phrase(lemmas.text, keyword.lemmas)) {
      const Span original = lemmas.original(span);
      if (!overlaps_any(consumed, original)) hits.push_back({original, keyword.index});
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [](const KeywordHit& a, const KeywordHit& b) {
    if (a.span.size() != b.span.size()) return a.span.size() > b.span.size();
    if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
    return a.category < b.category;
  });
  std::vector<KeywordHit> kept;
  for (const KeywordHit& hit : hits)
    if (std::none_of(kept.begin(), kept.end(), [&](const KeywordHit& k) { return k.span.overlaps(hit.span); }))
      kept.push_back(hit);
  // The category the clause says most about; the question's category breaks a tie, then the
  // earliest keyword.
  std::optional<std::string> keyword_category;
  if (!kept.empty()) {
    std::map<std::size_t, std::size_t> counts;
    for (const KeywordHit& k : kept) ++counts[k.category];
    std::size_t most = 0;
    for (const auto& [index, count] : counts) most = std::max(most, count);
    const std::size_t question_index = taxonomy_.index_of(question_category);
    if (counts.count(question_index) && counts[question_index] == most) {
      keyword_category = question_category;
    } else {
      std::optional<KeywordHit> earliest;
      for (const KeywordHit& k : kept)
        if (counts[k.category] == most &&
            (!earliest || k.span.begin < earliest->span.begin ||
             (k.span.begin == earliest->span.begin && k.category < earliest->category)))
          earliest = k;
      keyword_category = taxonomy_.categories().at(earliest->category).name;
    }
  }

  // 5. A statement. A clause that named nothing known is a statement in its keywords' category, or
  // else in the question's. A clause that did fill slots adds a statement only when its keywords
  // are about the question's category and its slots are not: "passwords must be hashed and stored
  // in PostgreSQL", said about security, is both a database and a security requirement; "we lose
  // the business if we lose the database, so daily backups" is no statement about the tech stack.
  // A count of people said in passing, answering about something else ("Our 30 volunteers spend every
  // Sunday sorting food by hand"), leaves the clause its statement.
  const bool only_passing_counts =
      out.size() > first && std::all_of(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), [&](const Candidate& c) {
        return c.origin == Origin::kMetric && c.bound && c.bound->family == "count" && !question_category.empty() &&
               c.specification.category != question_category;
      });
  const bool filled_slots = out.size() > first && !only_passing_counts;
  // An actor logging in or encrypting is a security statement, not a feature.
  const bool about_protection = keyword_category == lexicon_.understanding().protection_category;
  // A clause whose slots came from terms alone may still state a feature when the question asked
  // for features: "Listeners can play episodes in the browser".
  const bool only_terms =
      std::all_of(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                  [](const Candidate& c) { return c.origin == Origin::kTerm; }) &&
      question_category == lexicon_.understanding().functional_category;
  if (!filled_slots && (read_protection(clause, match, lemmas, question_category, confidence, out) ||
                        read_usability(clause, lemmas.text, confidence, out)))
    return;
  if ((!filled_slots || only_terms) && !about_protection &&
      read_functional(clause, question_category, keyword_category, consumed, confidence, out))
    return;

  std::string statement_category;
  Origin origin = Origin::kKeyword;
  if (keyword_category) {
    const bool covered = std::any_of(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                                     [&](const Candidate& c) { return c.specification.category == *keyword_category; });
    if (!filled_slots || (!covered && *keyword_category == question_category)) statement_category = *keyword_category;
  } else if (!filled_slots) {
    statement_category = taxonomy_.find(question_category) ? question_category : lexicon_.fallback_category();
    origin = Origin::kQuestionCategory;
  }
  if (statement_category.empty()) return;
  const std::string key = derive_key(clause);
  if (key.empty()) return;
  Candidate candidate;
  candidate.specification.category = statement_category;
  candidate.specification.key = key;
  candidate.specification.value = strip_leading_words(clause, lexicon_.clauses().leading_words);
  candidate.specification.confidence = confidence;
  candidate.origin = origin;
  candidate.clause = clause;
  out.push_back(std::move(candidate));
}

bool Extractor::read_protection(const std::string& clause, const std::string& match,
                                const detail::LemmaText& lemmas, const std::string& question_category,
                                double confidence, std::vector<Candidate>& out) const {
  const UnderstandingRules& rules = lexicon_.understanding();
  if (protection_lemmas_.empty() && access_lemmas_.empty() && rules.restrictions.empty()) return false;
  const bool negated = detail::contains_any(match, rules.negations);
  const bool restricted = detail::contains_any(match, rules.restrictions);
  const std::string stripped = detail::match_form(strip_leading_words(clause, lexicon_.clauses().leading_words));
  // "Only logged-in students with a university email can buy or sell."
  const bool starts_restricted =
      std::any_of(rules.restrictions.begin(), rules.restrictions.end(),
                  [&](const std::string& r) { return detail::phrase_at(stripped, 0, r); }) &&
      detail::contains_any(match, rules.modals);
  // "Students can only view them", answering about features, is a feature with its limit; the
  // same said about security, or a negated access ("must not see"), is a protection rule.
  const bool access = any_word_in(lemmas, access_lemmas_);
  const bool rule = (negated && (any_word_in(lemmas, protection_lemmas_) || access)) || starts_restricted ||
                    (restricted && access && question_category != rules.functional_category);
  if (!rule) return false;
  const std::string key = derive_key(clause);
  if (key.empty()) return false;
  Candidate candidate;
  candidate.specification = {rules.protection_category, key,
                             strip_leading_words(clause, lexicon_.clauses().leading_words), confidence};
  candidate.origin = Origin::kKeyword;
  candidate.clause = clause;
  out.push_back(std::move(candidate));
  return true;
}

bool Extractor::read_usability(const std::string& clause, const std::string& lemmas, double confidence,
                               std::vector<Candidate>& out) const {
  const UnderstandingRules& rules = lexicon_.understanding();
  for (const LemmaPhrase& phrase : usability_lemmas_) {
    if (!detail::contains_phrase(lemmas, phrase.lemmas)) continue;
    Candidate candidate;
    candidate.specification = {rules.usability_category,
                               rules.usability_prefix + "_" + detail::snake_case(rules.usability[phrase.index]),
                               strip_leading_words(clause, lexicon_.clauses().leading_words), confidence};
    candidate.origin = Origin::kKeyword;
    candidate.clause = clause;
    out.push_back(std::move(candidate));
    return true;
  }
  return false;
}

// "Sellers list a book by scanning its ISBN": actor "sellers", action "list", key fr_list_book.
// The actor is the few words before a modal ("buyers can search") or before a known action verb;
// the object the first one or two salient words after the action, up to the next stop word.
bool Extractor::read_functional(const std::string& clause, const std::string& question_category,
                                const std::optional<std::string>& keyword_category,
                                const std::vector<Span>& consumed, double confidence,
                                std::vector<Candidate>& out) const {
  const UnderstandingRules& rules = lexicon_.understanding();
  if (action_lemmas_.empty() && rules.modals.empty()) return false;
  const bool asked_for_features = question_category == rules.functional_category;
  // Keywords of another category that agree with the question: a statement of that category
  // ("Submitted work can be deleted", answering about retention).
  if (keyword_category && *keyword_category != rules.functional_category &&
      (*keyword_category == question_category || question_category.empty()))
    return false;
  std::string text = strip_leading_words(clause, lexicon_.clauses().leading_words);
  {
    const std::string form = detail::match_form(text);
    const std::size_t comma = text.find(',');
    const bool subordinate = std::any_of(rules.subordinators.begin(), rules.subordinators.end(),
                                         [&](const std::string& s) { return detail::phrase_at(form, 0, s); });
    if (subordinate && comma != std::string::npos) text = detail::trim(text.substr(comma + 1));
  }
  const std::string match = detail::match_form(text);
  const auto words = detail::split_words(match);
  if (words.size() < 3 || listed(rules.not_actors, words[0].text)) return false;
  const std::vector<std::string>& stop_words = lexicon_.keys().stop_words;

  std::size_t action = words.size();
  std::size_t actor_end = 0;
  bool with_modal = false;
  for (std::size_t i = 1; i < words.size() && i <= rules.max_actor_words; ++i) {
    // The actor is one phrase: "Staff, not managers, approve" has none.
    const auto between = std::string_view(match).substr(words[i - 1].end, words[i].begin - words[i - 1].end);
    if (between.find_first_of(",;:.!?()") != std::string_view::npos) return false;
    const auto modal = std::find_if(rules.modals.begin(), rules.modals.end(),
                                    [&](const std::string& m) { return detail::phrase_at(match, words[i].begin, m); });
    if (modal != rules.modals.end()) {
      std::size_t j = i;
      while (j < words.size() && words[j].begin < words[i].begin + modal->size()) ++j;
      while (j < words.size() && listed(rules.adverbs, words[j].text)) ++j;
      // After a modal any verb is an action when features were asked for; else a known one.
      if (j < words.size() &&
          (asked_for_features ||
           std::binary_search(action_lemmas_.begin(), action_lemmas_.end(), detail::lemma(words[j].text)))) {
        action = j;
        actor_end = i;
        with_modal = true;
      }
      break;
    }
    if (std::binary_search(action_lemmas_.begin(), action_lemmas_.end(), detail::lemma(words[i].text))) {
      action = i;
      actor_end = i;
      break;
    }
    // "Closed tickets are archived", "Go live is planned": a state, not an actor acting.
    if (listed(rules.copulas, words[i].text)) return false;
  }
  if (action >= words.size() || listed(stop_words, words[action].text)) return false;  // "must be", "can have"
  if (!with_modal && listed(rules.descriptive_categories, question_category)) return false;
  // "Nurses see the schedule", answering about security, is an access rule.
  if (question_category == rules.protection_category &&
      std::binary_search(access_lemmas_.begin(), access_lemmas_.end(), detail::lemma(words[action].text)))
    return false;
  // A term already said it: "The app must work offline" is the connectivity term, not a feature.
  const std::size_t offset = clause.size() >= text.size() ? clause.rfind(text) : std::string::npos;
  if (offset != std::string::npos) {
    const Span said{offset + words[action].begin, offset + words[action].end};
    if (overlaps_any(consumed, said)) return false;
  }

  std::string actor;
  for (std::size_t k = 0; k < actor_end; ++k) {
    if (listed(rules.determiners, words[k].text)) continue;
    if (detail::is_digit(words[k].text.front())) return false;  // "2,000 users" is a figure
    actor += (actor.empty() ? "" : " ") + std::string(words[k].text);
  }
  if (actor.empty()) return false;

  const std::string verb = detail::base_verb(words[action].text);
  std::string key = rules.functional_prefix + "_" + verb;
  std::size_t object_words = 0;
  for (std::size_t j = action + 1; j < words.size() && object_words < 2; ++j) {
    const std::string word(words[j].text);
    if (listed(stop_words, word) || listed(rules.determiners, word) || listed(rules.adverbs, word)) {
      if (object_words > 0) break;
      continue;
    }
    const std::string part = detail::snake_case(detail::base_verb(word));
    if (part.empty() || !detail::is_snake_case(part)) continue;
    key += "_" + part;
    ++object_words;
  }
  if (!detail::is_snake_case(key)) return false;
  Candidate candidate;
  candidate.specification = {rules.functional_category, key, text, confidence};
  candidate.origin = Origin::kKeyword;
  candidate.clause = clause;
  candidate.actor = actor;
  candidate.action = verb;
  out.push_back(std::move(candidate));
  return true;
}

std::string Extractor::derive_key(std::string_view clause) const {
  const KeyRules& rules = lexicon_.keys();
  const std::string text = detail::normalise_input(clause);
  const std::string lowered = detail::lower_ascii(text);
  const std::string match = detail::match_form(text);
  // Known terms keep their identity in the key: "C# is not an option" → "csharp_no_option", not "c_no_option".
  const auto terms = find_terms(match, detail::case_form(text), lexicon_);

  // Words of the clause; a hyphenated compound stays one word ("end-to-end" → "end_to_end").
  struct Token {
    std::string text;
    std::size_t begin;
  };
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < lowered.size();) {
    if (!detail::is_word_char(lowered[i])) {
      ++i;
      continue;
    }
    const std::size_t begin = i;
    std::string token;
    while (i < lowered.size()) {
      const char c = lowered[i];
      const bool joins = (c == '\'' || c == '-') && i + 1 < lowered.size() && detail::is_word_char(lowered[i + 1]);
      if (detail::is_word_char(c)) {
        token += c;
      } else if (joins) {
        token += c;
      } else {
        break;
      }
      ++i;
    }
    tokens.push_back({std::move(token), begin});
  }

  std::vector<std::string> words;
  bool salient = false;
  std::size_t skip_until = 0;
  for (const Token& word : tokens) {
    if (words.size() >= rules.max_words) break;
    if (word.begin < skip_until) continue;
    std::string token;
    const auto term = std::find_if(terms.begin(), terms.end(), [&](const TermHit& t) {
      return word.begin >= t.span.begin && word.begin < t.span.end;
    });
    if (term != terms.end()) {
      token = detail::snake_case(term->term->value);
      skip_until = term->span.end;
    } else if (listed(rules.negations, word.text)) {
      // "we don't want MongoDB" → "no_mongodb": the negation is what the statement is about.
      token = rules.negation_word;
      if (!words.empty() && words.back() == token) continue;
      words.push_back(std::move(token));
      continue;
    } else if (listed(rules.stop_words, word.text)) {
      continue;
    } else {
      for (char c : word.text) {
        if (c == '-')
          token += '_';
        else if (c != '\'')
          token += c;
      }
      // Keys are ASCII snake_case; a word in another script cannot be part of one.
      if (!detail::is_snake_case(token)) continue;
    }
    if (token.empty()) continue;
    salient = true;
    words.push_back(std::move(token));
  }
  if (!salient) return {};
  // A key is a name, not a sentence: at most kMaxKeyBytes, whole words where they fit (a single
  // longer word is cut), so one long word cannot make a key the API or the index refuses.
  constexpr std::size_t kMaxKeyBytes = 64;
  std::string key;
  for (const auto& word : words) {
    const std::size_t needed = key.size() + (key.empty() ? 0 : 1) + word.size();
    if (needed > kMaxKeyBytes) {
      if (key.empty()) key = word.substr(0, kMaxKeyBytes);
      break;
    }
    key += (key.empty() ? "" : "_") + word;
  }
  return key;
}

}  // namespace socrates::engine

#include <socrates/engine/extractor.hpp>

#include <socrates/engine/clause_splitter.hpp>

#include "quantity.hpp"
#include "text.hpp"

#include <algorithm>
#include <optional>
#include <set>

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

// "Ok.", "Thanks, that's all": a clause made of nothing but filler phrases.
bool only_filler(std::string_view clause, const std::vector<std::string>& filler) {
  std::string rest = bare_words(clause);
  for (bool changed = true; changed && !rest.empty();) {
    changed = false;
    for (const std::string& phrase : filler) {
      const std::string bare = bare_words(phrase);
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
  for (const Term& term : lexicon.terms()) {
    auto add = [&](const std::vector<Span>& spans) {
      for (const Span& span : spans) {
        const bool false_friend =
            std::any_of(term.false_friends.begin(), term.false_friends.end(),
                        [&](const std::string& f) { return detail::phrase_at(match, span.begin, f); });
        if (!false_friend) hits.push_back({span, &term});
      }
    };
    for (const std::string& alias : term.aliases) add(detail::find_phrase(match, alias));
    for (const std::string& alias : term.case_sensitive_aliases) add(detail::find_phrase(cased, alias));
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

}  // namespace

std::vector<Candidate> Extractor::extract(std::string_view answer, std::string_view question_category) const {
  std::vector<Candidate> found;
  const std::string category(question_category);
  for (const std::string& clause : split_clauses(answer, lexicon_.clauses())) extract_clause(clause, category, found);

  std::vector<Candidate> out;
  for (Candidate& candidate : found) {
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
                               std::vector<Candidate>& out) const {
  const std::string match = detail::match_form(clause);
  const std::string cased = detail::case_form(clause);

  // 1. Nothing said.
  if (only_filler(clause, lexicon_.filler()) || detail::contains_any(match, lexicon_.no_information())) return;

  const ConfidenceRules& rules = lexicon_.confidence();
  const double confidence = detail::contains_any(match, rules.hedged_markers) ? rules.hedged_value
                            : detail::contains_any(match, rules.firm_markers) ? rules.firm_value
                                                                              : rules.default_value;
  const std::size_t first = out.size();
  std::vector<Span> consumed;

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
  // is the RTO, 5 minutes the RPO); a metric without triggers comes next, and one that only fits
  // because the question was about its category comes last. Ties keep file order.
  std::set<std::string> used_metrics;
  for (const detail::Quantity& quantity : detail::scan_quantities(match, lexicon_)) {
    if (overlaps_any(consumed, quantity.span)) continue;
    struct Choice {
      const Metric* metric = nullptr;
      std::size_t distance = 0;
      std::optional<Span> noun;
      std::vector<Span> triggers;
    };
    constexpr std::size_t kNoTrigger = static_cast<std::size_t>(-1) / 4;
    constexpr std::size_t kQuestionDefault = static_cast<std::size_t>(-1) / 2;
    std::optional<Choice> best;
    for (const Metric& metric : lexicon_.metrics()) {
      if (used_metrics.count(metric.category + "/" + metric.key)) continue;
      if (metric.family != quantity.bound.family) continue;
      if (quantity.frequency && !metric.accepts_frequency) continue;
      if (metric.max_base && quantity.bound.base_amount > *metric.max_base) continue;
      if (!metric.not_followed_by.empty()) {
        std::size_t next = quantity.span.end;
        while (next < match.size() && match[next] == ' ') ++next;
        if (std::any_of(metric.not_followed_by.begin(), metric.not_followed_by.end(),
                        [&](const std::string& phrase) { return detail::phrase_at(match, next, phrase); }))
          continue;
      }
      Choice choice;
      choice.metric = &metric;
      if (metric.family == "count") {
        choice.noun = noun_after(match, quantity.span.end, metric.nouns);
        if (!choice.noun) continue;
      }
      choice.distance = metric.triggers.empty() ? kNoTrigger : kQuestionDefault;
      for (const std::string& trigger : metric.triggers) {
        for (const Span& span : detail::find_phrase(match, trigger)) {
          if (span.overlaps(quantity.span) || overlaps_any(consumed, span) ||
              (choice.noun && span.overlaps(*choice.noun)))
            continue;
          choice.triggers.push_back(span);
          const std::size_t distance = span.end <= quantity.span.begin   ? quantity.span.begin - span.end
                                       : quantity.span.end <= span.begin ? span.begin - quantity.span.end
                                                                         : 0;
          choice.distance = std::min(choice.distance, distance);
        }
      }
      if (!metric.triggers.empty() && choice.triggers.empty() &&
          !(metric.question_default && question_category == metric.category))
        continue;
      if (!metric.requires_any.empty() && !quantity.frequency && !detail::contains_any(match, metric.requires_any))
        continue;
      if (!best || choice.distance < best->distance) best = std::move(choice);
    }
    if (!best) continue;
    const Metric& metric = *best->metric;

    std::string key = metric.key;
    std::optional<Span> qualifier_span;
    for (const Qualifier& qualifier : metric.qualifiers) {
      for (const std::string& phrase : qualifier.phrases) {
        for (const Span& span : detail::find_phrase(match, phrase)) {
          if (overlaps_any(consumed, span)) continue;
          const bool better = !qualifier_span || span.begin < qualifier_span->begin ||
                              (span.begin == qualifier_span->begin && span.size() > qualifier_span->size());
          if (better) {
            qualifier_span = span;
            key = detail::render(metric.qualified_key, {{"qualifier", qualifier.name}});
          }
        }
      }
    }

    Candidate candidate;
    candidate.specification.category = metric.category;
    candidate.specification.key = key;
    candidate.specification.value = lexicon_.format_bound(quantity.bound);
    candidate.specification.confidence = confidence;
    candidate.origin = Origin::kMetric;
    candidate.clause = clause;
    candidate.label = lexicon_.label_of(metric.category, key);
    candidate.bound = quantity.bound;
    out.push_back(std::move(candidate));

    consumed.push_back(quantity.span);
    if (quantity.direction_span) consumed.push_back(*quantity.direction_span);
    if (best->noun) consumed.push_back(*best->noun);
    if (qualifier_span) consumed.push_back(*qualifier_span);
    consumed.insert(consumed.end(), best->triggers.begin(), best->triggers.end());
    used_metrics.insert(metric.category + "/" + metric.key);
  }

  // 4. Category keywords not used above.
  struct KeywordHit {
    Span span;
    std::size_t category;  // taxonomy order
  };
  std::vector<KeywordHit> hits;
  for (const auto& [category, phrases] : lexicon_.keywords()) {
    const std::size_t index = taxonomy_.index_of(category);
    for (const std::string& phrase : phrases)
      for (const Span& span : detail::find_phrase(match, phrase))
        if (!overlaps_any(consumed, span)) hits.push_back({span, index});
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
  std::optional<std::string> keyword_category;
  if (!kept.empty()) {
    const std::size_t question_index = taxonomy_.index_of(question_category);
    const bool answers_question =
        std::any_of(kept.begin(), kept.end(), [&](const KeywordHit& k) { return k.category == question_index; });
    if (answers_question) {
      keyword_category = question_category;
    } else {
      const auto earliest = std::min_element(kept.begin(), kept.end(), [](const KeywordHit& a, const KeywordHit& b) {
        if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
        return a.category < b.category;
      });
      keyword_category = taxonomy_.categories().at(earliest->category).name;
    }
  }

  // 5. A statement. A clause that named nothing known is a statement in its keywords' category, or
  // else in the question's. A clause that did fill slots adds a statement only when its keywords
  // are about the question's category and its slots are not: "passwords must be hashed and stored
  // in PostgreSQL", said about security, is both a database and a security requirement; "we lose
  // the business if we lose the database, so daily backups" is no statement about the tech stack.
  std::string statement_category;
  Origin origin = Origin::kKeyword;
  const bool filled_slots = out.size() > first;
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

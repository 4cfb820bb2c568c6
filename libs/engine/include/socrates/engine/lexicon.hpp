#pragma once
// Lexicon: every word list and rule the deterministic engine uses to read answers — known terms
// and their slots, units and number words, metrics, category keywords, confidence markers,
// "no information" phrases, clause splitting words, key derivation, mutually exclusive choices,
// bias patterns and conflict wording.
//
// Loaded from lexicon.json so that a deployment can tune the engine without a rebuild. Phrases
// are stored in their matching form (ASCII lower case, '-' read as a space) except the
// case-sensitive aliases, which keep their case (so "Go" the language is not "go" the verb).
// Immutable after loading: share one instance between threads freely.

#include <socrates/engine/specification.hpp>

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace socrates::engine {

namespace detail {
struct QuantityTables;
}

// A slot holds one value (`database`), or many (`compliance`: GDPR and HIPAA together), in which
// case each value gets its own key: `compliance_gdpr`.
enum class Cardinality { kSingle, kMulti };

struct Slot {
  std::string name;
  std::string category;
  std::string label;
  Cardinality cardinality = Cardinality::kSingle;
};

// A clause mentioning one of `words` moves the term to `slot` ("TypeScript on the server").
struct ContextSlot {
  std::string slot;
  std::vector<std::string> words;
};

struct Term {
  std::string value;  // the normalised value recorded: "PostgreSQL"
  std::string slot;
  std::vector<std::string> aliases;                 // matched ignoring case
  std::vector<std::string> case_sensitive_aliases;  // matched as written: "Go", "React"
  std::vector<std::string> false_friends;           // "go live": a match starting with one is no term
  std::vector<ContextSlot> context_slots;
};

struct Unit {
  std::vector<std::string> names;  // "s", "sec", "seconds"
  double factor = 1;               // to the family's base unit
  std::string display;             // "s"; "day"
  std::string display_plural;      // "days"; empty: same as display
  bool attached = false;           // written without a space: "99.9%"
};

struct UnitFamily {
  std::string name;  // "duration", "percent", "size"
  std::string base;  // display of the base unit
  std::vector<Unit> units;
};

// A number-free duration: "nightly" is every 1 day. Only metrics that accept frequencies use them.
struct Frequency {
  std::vector<std::string> phrases;
  double amount = 1;
  std::string unit;  // a unit name of the duration family
};

// Phrase lists are sorted longest first, so that "a dozen" wins over "a".
struct NumberWords {
  std::vector<std::pair<std::string, double>> words;            // "two" → 2, "a dozen" → 12
  std::vector<std::pair<std::string, double>> unit_only_words;  // "a" → 1, only before a unit ("a second")
  std::vector<std::pair<std::string, double>> multipliers;      // "k", "thousand" → 1000
  std::vector<Frequency> frequencies;
  // Compound numbers: "twenty five", "two hundred and fifty", "ninety-nine point five", "one and
  // a half": `joiners` ("and") join a smaller number after a multiplier, `decimal_points`
  // ("point") start spelled-out decimals, `fractions` ("and a half" → 0.5) add to a number.
  std::vector<std::string> joiners;
  std::vector<std::string> decimal_points;
  std::vector<std::pair<std::string, double>> fractions;
  // "three nines" of availability: 99.9 in `nines_unit` (a unit name).
  std::vector<std::string> nines;
  std::string nines_unit;
  // A range is read as its upper figure, the one a system must hold: "between 200 and 300 ms",
  // "200 to 300 ms", "an hour or two". `range_joiners` ("to", "or") join two figures;
  // `range_starts` ("between") allow `joiners` ("and") too; none after `range_not_after`
  // ("from 5 to 50 stores" is growth, not a range).
  std::vector<std::string> range_starts;
  std::vector<std::string> range_joiners;
  std::vector<std::string> range_not_after;
  // A figure relative to the one said before it: "double that", "twice as many", "ten times
  // more", "10x". `relative_words` ("double" → 2) stand alone; `times` ("times", "x") follow a
  // number; either only before one of `relative_followers` ("that", "more", "by", …) or at the
  // end of a phrase, so that "double booking" and "three times a day" stay what they are.
  std::vector<std::pair<std::string, double>> relative_words;
  std::vector<std::string> times;
  std::vector<std::string> relative_followers;
  // "an ordinary one", "the new one": a number word of 1 after one of these, next to it or with one
  // word between, is a pronoun, not a figure.
  std::vector<std::string> pronoun_after;
  // Words that may stand between a number and its unit: "two school years", "30 working days",
  // "a whole day".
  std::vector<std::string> unit_adjectives;
  // Before a figure with a unit they make it a period, like "nightly": "every 30 seconds".
  std::vector<std::string> period_before;
};

struct BoundPhrases {
  std::vector<std::string> before;  // "under" 200 ms; longest first
  std::vector<std::string> after;   // 200 ms "or less"; longest first
};

struct BoundRules {
  BoundPhrases at_most;
  BoundPhrases at_least;
  BoundPhrases approximately;
  std::vector<std::string> negators;  // "must not take more than 2 s" turns at-least into at-most
  std::size_t negator_window_words = 3;
};

struct Qualifier {
  std::string name;  // snake_case, fills {qualifier} of Metric::qualified_key
  std::vector<std::string> phrases;
};

// A number of `family` next to one of `triggers` (and, for counts, followed by one of `nouns`)
// fills category/key. Metrics are tried in file order; the first that fits claims the number.
struct Metric {
  std::string category;
  std::string key;
  std::string qualified_key;                 // with {qualifier}: "logs_retention_period"
  std::string family;                        // a unit family, or "count" for plain numbers
  std::vector<std::string> triggers;         // empty: the number (and noun) alone suffice
  std::vector<std::string> nouns;            // counts only: "users", "requests"
  // Counts only: nouns that count only where no figure of the clause has one of `nouns`: "three
  // schools, about 1,100 kids" — the kids are the users.
  std::vector<std::string> weak_nouns;
  // Counts only: places ("six branches", "eleven clinics"), which count only where the answer
  // counts nothing else: beside "24,000 pet owners", "eleven clinics" is no user count.
  std::vector<std::string> places;
  // Markers that name the metric wherever they stand in the clause, for the figure nearest to
  // them: "p99 of the tracking page under 800 ms" (a trigger nearer to the figure — "page" —
  // names another metric).
  std::vector<std::string> markers;
  std::vector<std::string> requires_any;     // besides a trigger, one of these must appear ("every")
  std::vector<std::string> not_followed_by;  // "95% of requests" is a percentile, not an availability
  // Followed by a plural noun (not a unit's name), these rule the metric out too: "99% of
  // submissions" is a share of things, "99.9% of working hours" still an availability.
  std::vector<std::string> not_followed_by_plural;
  std::vector<Qualifier> qualifiers;
  std::optional<double> max_base;  // larger numbers are not this metric (a latency of 3 days)
  bool question_default = false;   // no trigger needed when answering a question of the category
  bool accepts_frequency = false;
  // Counts only: when answering a question of the category, any plural noun after the number will
  // do ("350 trucks"), and with a trigger none is needed ("maybe 400 at once").
  bool any_noun_when_asked = false;
};

struct ConfidenceRules {
  double default_value = 0.7;
  double firm_value = 0.9;
  double hedged_value = 0.5;
  std::vector<std::string> firm_markers;    // "must", "will", "we need", "has to"
  std::vector<std::string> hedged_markers;  // "maybe", "probably", "might", "i think"; hedging wins
};

struct NegationRules {
  std::vector<std::string> words;     // before a term: "not", "instead of", "don't"
  std::vector<std::string> after;     // right after a term: "is not an option"
  std::size_t window_words = 3;       // how far before a term a negation reaches
  std::vector<std::string> barriers;  // words that stop the look-back: "Go, not Java but Rust"
};

struct ClauseRules {
  std::vector<std::string> conjunctions;  // split between full clauses only: "and", "but"
  // Split as soon as the part after is a full clause: "not sure yet, but I think Python".
  std::vector<std::string> right_full_conjunctions;
  std::vector<std::string> abbreviations;  // a '.' after these ends no sentence before a lower-case word
  std::vector<std::string> subjects;       // a part starting with one is a full clause
  std::vector<std::string> skip_words;     // ignored when looking for that subject: "then we …"
  std::vector<std::string> verbs;          // a part containing one is a full clause
  std::vector<std::string> verb_suffixes;  // "'s", "'ll"
  std::vector<std::string> leading_words;  // dropped from the start of a recorded statement
};

struct KeyRules {
  std::size_t max_words = 4;
  std::string negation_word = "no";  // every negation becomes this word: "no_mongodb"
  std::vector<std::string> negations;
  std::vector<std::string> stop_words;
};

// How a sentence is read beyond its known terms and numbers (domain.md "How answers are
// understood"). Words are compared by their lemma ("scans", "scanned" → "scan"). Optional in the
// file: without it, sentences are read by their keywords only.
struct UnderstandingRules {
  // A functional requirement: an actor, optionally one of `modals` (then `adverbs` may follow),
  // and an action (the word after the modal, or one of `action_verbs`): "Sellers list a book",
  // "buyers can search by course code". A clause starting with one of `not_actors` ("we", "I")
  // states a wish, not a requirement; `determiners` are dropped from the actor.
  std::vector<std::string> modals;
  std::vector<std::string> adverbs;
  std::vector<std::string> action_verbs;
  std::vector<std::string> not_actors;
  std::vector<std::string> determiners;
  std::size_t max_actor_words = 4;
  // A leading "When a class is full, ..." is skipped up to its comma.
  std::vector<std::string> subordinators;
  // Between an actor and an action they make a state, not an action: "tickets are archived".
  std::vector<std::string> copulas;
  // Answering a question of these categories, an actor doing something without a modal describes
  // how things are today ("Podcasters pay too much for hosting"), not a requirement.
  std::vector<std::string> descriptive_categories;
  std::string functional_category = "requirements";
  std::string functional_prefix = "fr";  // key: fr_<action>_<object>
  // A protection rule, recorded under `protection_category`: a negated `protection_verbs`
  // ("must never be stored", "we don't save"), or an `access_verbs` restricted by `restrictions`
  // or a negation ("only ... can see", "must not see"), or a clause starting with a restriction
  // and a modal ("Only logged-in students ... can buy").
  std::string protection_category = "security";
  std::vector<std::string> protection_verbs;
  std::vector<std::string> access_verbs;
  std::vector<std::string> restrictions;
  std::vector<std::string> negations;
  // Quality of use ("easy to use", "accessible"): `usability_category`, key usability_<phrase>.
  std::string usability_category = "requirements";
  std::string usability_prefix = "usability";
  std::vector<std::string> usability;
  // The role of a further figure of one metric in a clause: a growth figure ("maybe 20,000
  // later": key `<metric>_later`) or a peak beside an ordinary one (`<metric>_peak`).
  // `ordinary` ("normally", "on average") marks the ordinary figure: another figure of its metric
  // in the answer without a role is then the peak ("3,000 orders on Valentine's Day, normally
  // 200"). A role phrase right after one of `not_after` is none ("at once" is no "once"); roles
  // apply to figures of `families` (a count, a data volume), not to durations or percentages.
  // The phrase nearest to a figure decides its role (one across a comma only when no figure is
  // on its side); "in two years", "within 18 months" (in, within + a duration in months or
  // years) and "by 2027" are `later` too.
  std::vector<std::string> later;
  std::vector<std::string> peak;
  std::vector<std::string> ordinary;
  std::vector<std::string> role_not_after;
  std::vector<std::string> role_families;
  std::vector<std::string> ahead;  // "in", "within": before a duration, a time to come
  // A count's noun said before it without a colon, joined to it by these words only: "Drivers are
  // around 500", "Customers with an account maybe 60 thousand".
  std::vector<std::string> heading_links;
  // Before a count, these make it a count of the previous figure's noun: "Members: 85,000, of which
  // 52,000 are active each month".
  std::vector<std::string> same_noun_before;
  // A small bare count after these is a time of day, not an amount: "Monday at 9 everyone books".
  std::vector<std::string> clock_before;
  // Between two figures of one kind, these take the first back: "in 5 second, no, better 3 second".
  std::vector<std::string> corrections;
};

// Choices that exclude each other even in different slots: "on-premises" against any cloud provider.
struct ExclusiveChoice {
  std::string label;
  std::string category;
  std::string slot;
  std::vector<std::string> values;  // normalised; "*" matches any value of the slot
};

struct ExclusiveGroup {
  std::string name;
  std::string description;
  std::vector<ExclusiveChoice> choices;
};

struct BiasPattern {
  std::string kind;
  double weight = 0;
  std::vector<std::string> phrases;
};

struct BiasRules {
  double max_bias = 0.5;       // a question with more bias is not asked
  double words_per_unit = 50;  // bias = min(Σ weight × hits / max(1, words / words_per_unit), 1)
  std::vector<BiasPattern> patterns;
};

struct ConflictRules {
  std::vector<std::string> high_severity_categories;
  double low_severity_below_confidence = 0.6;
  std::string same_slot_description;
  std::string exclusive_description;
  std::string numeric_description;
};

class Lexicon {
 public:
  // Throws DataError naming `file`.
  static Lexicon load(const std::filesystem::path& file);
  static Lexicon parse(const nlohmann::json& document, std::string source);

  const std::string& fallback_category() const noexcept { return fallback_category_; }
  const std::vector<Slot>& slots() const noexcept { return slots_; }
  const std::vector<Term>& terms() const noexcept { return terms_; }
  const std::map<std::string, UnitFamily>& unit_families() const noexcept { return unit_families_; }
  const NumberWords& numbers() const noexcept { return numbers_; }
  const BoundRules& bounds() const noexcept { return bounds_; }
  const std::vector<Metric>& metrics() const noexcept { return metrics_; }
  // Category → phrases.
  const std::map<std::string, std::vector<std::string>>& keywords() const noexcept { return keywords_; }
  const ConfidenceRules& confidence() const noexcept { return confidence_; }
  const NegationRules& negation() const noexcept { return negation_; }
  const std::vector<std::string>& no_information() const noexcept { return no_information_; }
  const std::vector<std::string>& filler() const noexcept { return filler_; }
  const ClauseRules& clauses() const noexcept { return clauses_; }
  const KeyRules& keys() const noexcept { return keys_; }
  const std::vector<ExclusiveGroup>& exclusive_groups() const noexcept { return exclusive_groups_; }
  const BiasRules& bias() const noexcept { return bias_; }
  const UnderstandingRules& understanding() const noexcept { return understanding_; }
  const ConflictRules& conflicts() const noexcept { return conflicts_; }
  const std::string& source() const noexcept { return source_; }

  const Slot* find_slot(std::string_view name) const noexcept;
  // The slot a stored key belongs to: the key itself, or a multi slot's `<slot>_<value>` key.
  const Slot* slot_of(std::string_view category, std::string_view key) const noexcept;
  // How to name a key to a person: its slot's label, else the key with spaces ("p95 latency").
  std::string label_of(std::string_view category, std::string_view key) const;
  const Metric* find_metric(std::string_view category, std::string_view key) const noexcept;

  // The canonical spelling of a whole value that is a known term or alias ("postgres" →
  // "PostgreSQL"); other values unchanged.
  std::string canonical_value(std::string_view value) const;
  // The comparison form of a value: canonical terms, lower case, single spaces, no trailing
  // punctuation, list items ("Python, Go") sorted. Equal forms mean "the same value restated".
  std::string normalise_value(std::string_view value) const;
  // A value that is nothing but a bound — "≤ 200 ms", "at least 99.9%", "10000", "2 seconds".
  std::optional<Bound> parse_bound(std::string_view value) const;
  // "≤ 200 ms", "≥ 99.9%", "10000", "30 days".
  std::string format_bound(const Bound& bound) const;
  // The quantity scanner's tables, derived from the units, numbers and bounds once at load (they
  // own what they hold, so copies of the lexicon share them safely). Internal.
  const detail::QuantityTables& quantity_tables() const noexcept;

 private:
  std::string fallback_category_;
  std::vector<Slot> slots_;
  std::vector<Term> terms_;
  std::map<std::string, UnitFamily> unit_families_;
  NumberWords numbers_;
  BoundRules bounds_;
  std::vector<Metric> metrics_;
  std::map<std::string, std::vector<std::string>> keywords_;
  ConfidenceRules confidence_;
  NegationRules negation_;
  std::vector<std::string> no_information_;
  std::vector<std::string> filler_;
  ClauseRules clauses_;
  KeyRules keys_;
  std::vector<ExclusiveGroup> exclusive_groups_;
  BiasRules bias_;
  UnderstandingRules understanding_;
  ConflictRules conflicts_;
  std::string source_;
  std::unordered_map<std::string, std::string> canonical_by_alias_;  // matching form → term value
  std::shared_ptr<const detail::QuantityTables> quantity_tables_;
};

}  // namespace socrates::engine

#pragma once
// The clarity check (domain.md "Clarity and open items"): a specification's value read against the
// requirement-language rules of ISO/IEC/IEEE 29148 §5.2.7 — vague words ("fast"), superlatives,
// comparatives without a reference ("faster" with no "than"), loopholes ("if possible"), open ends
// ("etc."), unbounded quantities ("many"), a number without the unit its metric needs (a latency of
// "200") and values left to be decided (TBD). The rules are data (clarity_rules.json); each finding
// names its rule, the words that triggered it and a question that would sharpen it.
//
// Phrases match as whole words, ignoring case ("breakfast" is not "fast"). The rules are compiled
// once, at load, into an index by first word, so a check costs one pass over the value's words
// (clarity runs on every turn, over every current specification).
//
// ClarityRules is plain data; a ClarityChecker borrows it and the lexicon (both must outlive it)
// and is thread-safe (const, apart from a cache of findings by value, guarded by its own lock).
// Loading throws DataError naming the file and the place.

#include <socrates/engine/lexicon.hpp>
#include <socrates/engine/specification.hpp>

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

struct ClarityPhrase {
  std::string phrase;    // matching form ("user friendly")
  std::string question;  // this phrase's own question; empty: the rule's
};

// A unit family a number needs when one of `words` is in the specification's key or value.
struct UnitNeed {
  std::string family;  // a unit family of the lexicon ("duration")
  std::vector<std::string> words;
  std::string question;  // empty: the rule's
};

struct ClarityRule {
  std::string id;  // "vague_term"
  std::string description;
  std::string question;  // template: {marked}, {words}, {word}, {value}, {label}
  std::vector<ClarityPhrase> phrases;
  std::vector<std::string> unless_any;  // the rule holds back when one of these is in the value ("than")
  bool unless_quantity = false;         // ... or when the value has a number ("fast: under 200 ms")
  std::vector<UnitNeed> needs_unit;     // the missing-unit rule
};

// How clarity counts in maturity: a specification with findings counts confidence × unclear_factor,
// and each open item takes open_item_gap off what its category can cover.
struct ClarityWeights {
  double unclear_factor = 0.5;
  double open_item_gap = 1;
};

class ClarityRules {
 public:
  ClarityRules() = default;  // no rule: every value is clear
  static ClarityRules load(const std::filesystem::path& file);
  static ClarityRules parse(const nlohmann::json& document, std::string source);

  const std::vector<ClarityRule>& rules() const noexcept { return rules_; }
  const ClarityWeights& weights() const noexcept { return weights_; }
  // Template of a sharpening question's context: {label}, {rule}, {words}.
  const std::string& sharpen_context() const noexcept { return sharpen_context_; }
  const std::string& source() const noexcept { return source_; }

 private:
  std::vector<ClarityRule> rules_;
  ClarityWeights weights_;
  std::string sharpen_context_;
  std::string source_;
};

struct ClarityFinding {
  std::string rule;                // the rule's id
  std::vector<std::string> words;  // as written in the value, in order: "fast", "etc."
  std::string question;            // "You said search must be 'fast' — how fast, at which percentile, …?"
};

class ClarityChecker {
 public:
  // Throws DataError (naming the rules' file) for a unit family the lexicon does not know.
  ClarityChecker(const ClarityRules& rules, const Lexicon& lexicon);
  ~ClarityChecker();
  ClarityChecker(ClarityChecker&&) noexcept;

  // The findings of one specification, in rule order; empty when its value is clear. A number
  // is written in digits ("200", "99.9%"): "two seconds" does not hold back a vague word.
  std::vector<ClarityFinding> check(const Specification& specification) const;
  bool is_clear(const Specification& specification) const;
  // is_clear of each specification, in order, with the cache's lock taken once for all of them
  // (and once more for those not seen before): a project's every specification at each turn.
  std::vector<bool> are_clear(const std::vector<Specification>& specifications) const;

  const ClarityRules& rules() const noexcept { return rules_; }

 private:
  std::vector<ClarityFinding> find(const Specification& specification) const;
  std::shared_ptr<const std::vector<ClarityFinding>> cached(const Specification& specification) const;
  const ClarityRules& rules_;
  const Lexicon& lexicon_;
  struct Index;
  std::unique_ptr<Index> index_;
};

// "I don't know" and its variants: the clauses of `answer` that hold one of the lexicon's
// no-information phrases (an open item of the project, domain.md "Clarity and open items").
std::vector<std::string> unknown_clauses(std::string_view answer, const Lexicon& lexicon);

// {"rule","words","question"}
void to_json(nlohmann::json& out, const ClarityFinding& finding);

}  // namespace socrates::engine

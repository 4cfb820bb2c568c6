#pragma once
// Extraction: reads the specifications an answer states (domain.md "Extracting specifications
// from an answer", the built-in engine). Deterministic: the same answer and question category
// always give the same candidates, in answer order.
//
// Per clause:
//  1. a clause holding a "no information" phrase ("I don't know", "not sure yet") or consisting of
//     filler ("ok", "good question") yields nothing;
//  2. known terms fill their slot (negated ones — "not MySQL", "instead of Java" — do not);
//  3. numbers with units next to a metric's trigger words fill the metric, with their bound (the
//     metric whose trigger is nearest to the number wins: "back online within 15 minutes, with no
//     more than 5 minutes of lost data" is an RTO of 15 and an RPO of 5 minutes). A figure with a
//     role word near it keeps its role in its key ("2,000 students now, maybe 20,000 later":
//     total_users and total_users_later); a figure without a noun of its own that has a role takes
//     the count metric of the figure before it in the answer;
//  4. a clause that gave nothing in 2–3 is read by what it says (the lexicon's `understanding`):
//     a protection rule ("card numbers must never be stored", "only staff may see the records")
//     is a security statement; a quality of use ("easy to use", "accessible") a usability
//     requirement `usability_<phrase>`; an actor with an action ("Sellers list a book", "buyers can
//     search by course code") a functional requirement `fr_<action>_<object>` with its actor and
//     action; else a statement in the category with the most keywords (matched by lemma: "logged
//     in" is "log in", not "logged"), the question's category breaking ties, else in the
//     question's category (the lexicon's fallback category in direct chat), keyed by its salient
//     words (snake_case, stop words removed, at most 4);
//  5. a clause that did fill slots adds a statement only when its remaining keywords are about the
//     question's category and no slot of that category was filled ("passwords must be hashed and
//     stored in PostgreSQL", answering about security).
// Confidence per clause: hedged 0.5 (wins), firm 0.9, else 0.7.
// Several values of one single-value slot in one clause form a list ("C++ and Rust" → "C++, Rust");
// in different clauses they stay separate candidates, so that the later conflicts with the earlier
// and the user decides. A candidate repeated identically is kept once, with its highest confidence.
//
// An Extractor borrows the taxonomy and lexicon: they must outlive it. Thread-safe (const).

#include <socrates/engine/lexicon.hpp>
#include <socrates/engine/specification.hpp>
#include <socrates/engine/taxonomy.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

namespace detail {
struct Span;
struct LemmaText;
}

class Extractor {
 public:
  Extractor(const Taxonomy& taxonomy, const Lexicon& lexicon);

  // `question_category` is the category of the question answered, empty in direct chat.
  std::vector<Candidate> extract(std::string_view answer, std::string_view question_category) const;

  // The statement key of a clause: "Passwords must be hashed" → "passwords_hashed"; empty when
  // no salient word is left.
  std::string derive_key(std::string_view clause) const;

 private:
  // What one clause leaves to the next of the same answer.
  // A figure that filled a metric: `at` its place among the clause's quantities, `base_key` its
  // key without the role suffix, `role` "later", "peak", "ordinary" or empty.
  struct Figure {
    std::size_t at = 0;
    Candidate candidate;
    const Metric* metric = nullptr;
    std::string base_key;
    std::string role;
    bool place = false;  // a count of places: "six branches"
  };
  struct AnswerContext {
    std::vector<Figure> figures;  // in the order said: "2,000 students now, and maybe 20,000 later"
    std::vector<std::pair<std::size_t, std::string>> roles;  // each figure's place among the candidates, its role
    std::vector<std::size_t> places;  // the places among the candidates of figures that count places
  };
  // A data phrase as the lemma of each of its words, and what it stands for.
  struct LemmaPhrase {
    std::string lemmas;
    std::size_t index;  // a category's taxonomy position, or the phrase's position in its list
  };

  void extract_clause(const std::string& clause, const std::string& question_category, AnswerContext& context,
                      std::vector<Candidate>& out) const;
  // Step 4's readings; each adds one candidate and returns true when the clause is of its kind.
  bool read_protection(const std::string& clause, const std::string& match, const detail::LemmaText& lemmas,
                       const std::string& question_category, double confidence, std::vector<Candidate>& out) const;
  bool read_usability(const std::string& clause, const std::string& lemmas, double confidence,
                      std::vector<Candidate>& out) const;
  bool read_functional(const std::string& clause, const std::string& question_category,
                       const std::optional<std::string>& keyword_category, const std::vector<detail::Span>& consumed,
                       double confidence, std::vector<Candidate>& out) const;

  const Taxonomy& taxonomy_;
  const Lexicon& lexicon_;
  std::vector<LemmaPhrase> keyword_lemmas_;    // every category keyword
  std::vector<LemmaPhrase> usability_lemmas_;  // understanding().usability, longest first
  std::vector<std::string> action_lemmas_;     // understanding().action_verbs, sorted
  std::vector<std::string> protection_lemmas_;
  std::vector<std::string> access_lemmas_;
  struct TriggerLemma {
    std::string lemma;  // "detect"
    std::string stem;   // what an inflection starts with: "detect", "stor" (of "store")
  };
  std::vector<std::vector<TriggerLemma>> trigger_lemmas_;  // per metric: its one-word triggers
  std::vector<std::string> bare_filler_;                   // lexicon filler, its words joined by one space
};

}  // namespace socrates::engine

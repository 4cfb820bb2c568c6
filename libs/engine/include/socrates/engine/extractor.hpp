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
//     more than 5 minutes of lost data" is an RTO of 15 and an RPO of 5 minutes);
//  4. a clause that gave nothing in 2–3 becomes a statement: in the category of its keywords (those
//     not used by 2–3; the question's category when it is among them, else the earliest keyword),
//     else in the question's category (the lexicon's fallback category in direct chat). A statement
//     is the clause itself, keyed by its salient words (snake_case, stop words removed, at most 4);
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

#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

class Extractor {
 public:
  Extractor(const Taxonomy& taxonomy, const Lexicon& lexicon) : taxonomy_(taxonomy), lexicon_(lexicon) {}

  // `question_category` is the category of the question answered, empty in direct chat.
  std::vector<Candidate> extract(std::string_view answer, std::string_view question_category) const;

  // The statement key of a clause: "Passwords must be hashed" → "passwords_hashed"; empty when
  // no salient word is left.
  std::string derive_key(std::string_view clause) const;

 private:
  void extract_clause(const std::string& clause, const std::string& question_category,
                      std::vector<Candidate>& out) const;

  const Taxonomy& taxonomy_;
  const Lexicon& lexicon_;
};

}  // namespace socrates::engine

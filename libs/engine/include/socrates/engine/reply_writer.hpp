#pragma once
// The built-in direct-chat reply (domain.md "Direct chat"): restates what was recorded and names
// the least-covered category to discuss next; says so when nothing was recorded.
//
//   "Recorded database: PostgreSQL; cache: Redis. Next, let's talk about goals: What the software
//    is for, who it serves and what success looks like."
//
// Borrows its data. Thread-safe (const).

#include <socrates/engine/lexicon.hpp>
#include <socrates/engine/question_bank.hpp>
#include <socrates/engine/specification.hpp>
#include <socrates/engine/taxonomy.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace socrates::engine {

struct ReplyFacts {
  std::vector<Candidate> recorded;  // saved as new specifications
  std::size_t conflicts = 0;        // candidates waiting in open conflicts
  std::size_t duplicates = 0;       // candidates that were already recorded
};

class ReplyWriter {
 public:
  ReplyWriter(const Taxonomy& taxonomy, const QuestionBank& bank, const Lexicon& lexicon)
      : taxonomy_(taxonomy), bank_(bank), lexicon_(lexicon) {}

  // `current` are the specifications after saving, so that "next" is already up to date.
  std::string reply(const ReplyFacts& facts, const std::vector<Specification>& current) const;

 private:
  const Taxonomy& taxonomy_;
  const QuestionBank& bank_;
  const Lexicon& lexicon_;
};

}  // namespace socrates::engine

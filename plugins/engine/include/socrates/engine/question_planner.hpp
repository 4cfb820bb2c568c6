#pragma once
// The built-in engine's question choice (DOMAIN.md "Choosing and generating the next question"):
//  1. the least-covered category (ties: taxonomy order);
//  2. its first bank question not yet asked in this project (compared by text, ignoring case and
//     spacing) whose bias is acceptable;
//  3. once the bank is used up, a follow-up quoting the most recent specification of the category
//     ("You said '…'. What …?"), or, without any specification, a follow-up about the category;
//     the first template whose text was not asked yet and passes the bias check;
//  4. when every text was asked already, the first acceptable follow-up again: a fixed bank has
//     nothing new left to say, and repeating beats asking nothing.
//
// Borrows its data (it must outlive the planner). Thread-safe (const).

#include <socrates/engine/bias_checker.hpp>
#include <socrates/engine/lexicon.hpp>
#include <socrates/engine/question_bank.hpp>
#include <socrates/engine/specification.hpp>
#include <socrates/engine/taxonomy.hpp>

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

enum class QuestionSource {
  kBank,                   // from the category's bank
  kSpecificationFollowUp,  // the bank is used up: quotes the latest specification
  kCategoryFollowUp,       // the bank is used up and the category has no specification
};

const char* to_string(QuestionSource source) noexcept;

struct Question {
  std::string text;
  std::string category;
  std::string context;  // why this question: "least-covered category: goals (0 of 10 covered)"
  QuestionSource source = QuestionSource::kBank;
  bool repeated = false;  // every candidate text had been asked already
  BiasReport bias;
};

class QuestionPlanner {
 public:
  QuestionPlanner(const Taxonomy& taxonomy, const QuestionBank& bank, const Lexicon& lexicon)
      : taxonomy_(taxonomy), bank_(bank), lexicon_(lexicon) {}

  // `current` in creation order (the last of a category is its most recent); `asked` the texts of
  // every question asked in the project so far.
  Question next_question(const std::vector<Specification>& current, const std::vector<std::string>& asked) const;

  // The same for a given category (for callers that choose the category themselves).
  Question question_for(const Category& category, const std::vector<Specification>& current,
                        const std::vector<std::string>& asked) const;

  // How a follow-up quotes a specification: "database: PostgreSQL", or the statement itself.
  std::string quote(const Specification& specification) const;

 private:
  const Taxonomy& taxonomy_;
  const QuestionBank& bank_;
  const Lexicon& lexicon_;
};

// {"text","category","context","quality_score"}
void to_json(nlohmann::json& out, const Question& question);

}  // namespace socrates::engine

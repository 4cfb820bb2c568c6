#pragma once
// Engine: the deterministic built-in engine in one object — its data (taxonomy, question bank,
// lexicon, requirement templates, clarity rules) and everything the agents ask of it. No database, no network:
// the caller reads specifications, asks the engine, and writes what it answers.
//
// Ownership and threading: an Engine owns its data, is immutable after construction and every
// member is const, so one instance serves every worker thread at once. It is movable, and the
// references taxonomy(), question_bank() and lexicon() return stay valid across a move (the data
// lives on the heap) for as long as the Engine they came from lives.
//
// Failure: loading throws DataError (a missing or malformed file, or files that do not agree with
// each other — a lexicon slot in a category the taxonomy lacks); nothing else throws except on a
// caller bug (an unknown phase: std::invalid_argument).

#include <socrates/engine/bias_checker.hpp>
#include <socrates/engine/clarity.hpp>
#include <socrates/engine/clause_splitter.hpp>
#include <socrates/engine/conflict_detector.hpp>
#include <socrates/engine/data_error.hpp>
#include <socrates/engine/domain_roles.hpp>
#include <socrates/engine/extractor.hpp>
#include <socrates/engine/lexicon.hpp>
#include <socrates/engine/maturity.hpp>
#include <socrates/engine/question_bank.hpp>
#include <socrates/engine/question_planner.hpp>
#include <socrates/engine/reply_writer.hpp>
#include <socrates/engine/requirement.hpp>
#include <socrates/engine/requirement_writer.hpp>
#include <socrates/engine/specification.hpp>
#include <socrates/engine/taxonomy.hpp>

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

// The file names inside a data directory.
inline constexpr const char* kTaxonomyFile = "taxonomy.json";
inline constexpr const char* kQuestionBankFile = "question_bank.json";
inline constexpr const char* kLexiconFile = "lexicon.json";
inline constexpr const char* kClarityRulesFile = "clarity_rules.json";

// One candidate of an answer and what the conflict check decided for it.
struct Finding {
  Candidate candidate;
  CheckResult check;
};

// An answer read and checked: save the kNew candidates in order, skip the duplicates, open one
// conflict per Conflict of the kConflict ones (the candidate is its proposal). A conflict may
// refer to a candidate of the same answer accepted before it (SpecificationRef::kThisAnswer).
struct AnswerAnalysis {
  std::vector<Finding> findings;

  std::vector<Candidate> accepted() const;
  std::size_t duplicate_count() const noexcept;
  std::size_t conflicting_count() const noexcept;  // candidates, not conflicts
};

class Engine {
 public:
  // Reads taxonomy.json, question_bank.json, lexicon.json, requirement_templates.json,
  // clarity_rules.json and domain_roles.json from `data_dir`.
  static Engine load(const std::filesystem::path& data_dir);
  // Checks that the files agree with each other; throws DataError naming the offending file.
  // Without clarity rules every specification is clear (tests that replace another file); without
  // domain roles no question is aimed at a member's role.
  Engine(Taxonomy taxonomy, QuestionBank question_bank, Lexicon lexicon, RequirementTemplates requirement_templates,
         ClarityRules clarity_rules = {}, DomainRoles domain_roles = {});

  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  const Taxonomy& taxonomy() const noexcept;
  const QuestionBank& question_bank() const noexcept;
  const Lexicon& lexicon() const noexcept;
  // Writes specifications as requirements (IDs, EARS statements, acceptance criteria).
  const RequirementWriter& requirements() const noexcept;
  const ClarityChecker& clarity() const noexcept;
  const DomainRoles& domain_roles() const noexcept;

  // --- maturity and phases: unclear specifications count less and open items are gaps
  // (domain.md "Clarity and open items").
  std::vector<CategoryCoverage> coverage(const std::vector<Specification>& current,
                                         const OpenItemCounts& open_items = {}) const;
  const Category& next_category(const std::vector<Specification>& current) const;
  Maturity maturity(const std::vector<Specification>& current, std::string_view phase, int open_conflicts,
                    const OpenItemCounts& open_items = {}) const;
  int maturity_score(const std::vector<Specification>& current, const OpenItemCounts& open_items = {}) const;

  // --- clarity
  std::vector<ClarityFinding> check_clarity(const Specification& specification) const;
  // The clauses of an answer that say "I don't know" (or a variant): each answer with one opens an
  // item of the project.
  std::vector<std::string> unknowns(std::string_view answer) const;

  // --- questions
  Question next_question(const std::vector<Specification>& current, const std::vector<std::string>& asked) const;
  // Following the person: what each earlier question's answer recorded (QuestionPlanner), and aimed
  // at the categories of the asking member's `domain_role` (domain_roles.json; none when empty or
  // unknown).
  Question next_question_after(const std::vector<Specification>& current, const std::vector<AskedQuestion>& asked,
                               std::string_view domain_role = {}) const;
  BiasReport check_bias(std::string_view question) const;

  // --- answers
  std::vector<std::string> split_clauses(std::string_view text) const;
  std::vector<Candidate> extract(std::string_view answer, std::string_view question_category) const;
  CheckResult check(const Specification& candidate, const std::vector<Specification>& current) const;
  // extract + check, each candidate against `current` and the candidates accepted before it.
  AnswerAnalysis analyse(std::string_view answer, std::string_view question_category,
                         const std::vector<Specification>& current) const;
  // The check half of analyse, for candidates found elsewhere (an LLM's extraction).
  AnswerAnalysis check_all(std::vector<Candidate> candidates, const std::vector<Specification>& current) const;
  // True when both values say the same thing ("postgres" and "PostgreSQL").
  bool same_value(std::string_view a, std::string_view b) const;

  // --- direct chat
  std::string direct_reply(const ReplyFacts& facts, const std::vector<Specification>& current_after) const;
  std::string direct_reply(const AnswerAnalysis& analysis, const std::vector<Specification>& current_after) const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace socrates::engine

#include <socrates/engine/engine.hpp>

#include "text.hpp"

#include <nlohmann/json.hpp>

namespace socrates::engine {
namespace {

// The three files are written separately (a deployment may replace one); they must still agree.
void cross_check(const Taxonomy& taxonomy, const QuestionBank& bank, const Lexicon& lexicon) {
  auto require_category = [&](const std::string& file, const std::string& where, const std::string& name) {
    if (!taxonomy.find(name))
      throw DataError(file, where + ": unknown category '" + name + "' (the taxonomy in " + taxonomy.source() +
                                " does not list it)");
  };
  const std::string& lx = lexicon.source();
  require_category(lx, "fallback_category", lexicon.fallback_category());
  for (const Slot& slot : lexicon.slots()) require_category(lx, "slots." + slot.name, slot.category);
  for (const Metric& metric : lexicon.metrics()) require_category(lx, "metrics (" + metric.key + ")", metric.category);
  for (const auto& [category, phrases] : lexicon.keywords()) require_category(lx, "keywords", category);
  const UnderstandingRules& understanding = lexicon.understanding();
  if (!understanding.action_verbs.empty() || !understanding.modals.empty())
    require_category(lx, "understanding.functional.category", understanding.functional_category);
  if (!understanding.protection_verbs.empty() || !understanding.access_verbs.empty())
    require_category(lx, "understanding.protection.category", understanding.protection_category);
  if (!understanding.usability.empty())
    require_category(lx, "understanding.usability.category", understanding.usability_category);
  for (const auto& category : lexicon.conflicts().high_severity_categories)
    require_category(lx, "conflicts.high_severity_categories", category);

  for (const auto& [category, questions] : bank.all_questions()) require_category(bank.source(), "questions", category);
  // A category follow-up is the last resort of question choice; one that fails the bias check
  // would leave a category without any askable question.
  for (const Category& category : taxonomy.categories()) {
    for (const std::string& pattern : bank.category_follow_ups()) {
      const std::string text = detail::render(pattern, {{"category", category.label}});
      if (!check_bias(text, lexicon.bias()).acceptable)
        throw DataError(bank.source(), "follow_ups.about_category: '" + text + "' fails the bias check of " + lx);
    }
  }
}

}  // namespace

struct Engine::Parts {
  Parts(Taxonomy t, QuestionBank b, Lexicon l, RequirementTemplates r, ClarityRules c, DomainRoles d)
      : taxonomy(std::move(t)),
        bank(std::move(b)),
        lexicon(std::move(l)),
        requirement_templates(std::move(r)),
        clarity_rules(std::move(c)),
        domain_roles(std::move(d)),
        clarity(clarity_rules, lexicon),
        extractor(taxonomy, lexicon),
        detector(taxonomy, lexicon),
        planner(taxonomy, bank, lexicon, &clarity),
        replies(taxonomy, bank, lexicon),
        requirements(taxonomy, lexicon, requirement_templates) {}

  ClarityAdjustment adjustment(const OpenItemCounts& open_items) const { return {&clarity, open_items}; }

  // Declaration order matters: the helpers below reference the data above.
  Taxonomy taxonomy;
  QuestionBank bank;
  Lexicon lexicon;
  RequirementTemplates requirement_templates;
  ClarityRules clarity_rules;
  DomainRoles domain_roles;
  ClarityChecker clarity;  // compiles the rules once, at load
  Extractor extractor;
  ConflictDetector detector;
  QuestionPlanner planner;
  ReplyWriter replies;
  RequirementWriter requirements;
};

std::vector<Candidate> AnswerAnalysis::accepted() const {
  std::vector<Candidate> out;
  for (const Finding& finding : findings)
    if (finding.check.outcome == CheckOutcome::kNew) out.push_back(finding.candidate);
  return out;
}

std::size_t AnswerAnalysis::duplicate_count() const noexcept {
  std::size_t n = 0;
  for (const Finding& finding : findings) n += finding.check.outcome == CheckOutcome::kDuplicate;
  return n;
}

std::size_t AnswerAnalysis::conflicting_count() const noexcept {
  std::size_t n = 0;
  for (const Finding& finding : findings) n += finding.check.outcome == CheckOutcome::kConflict;
  return n;
}

Engine Engine::load(const std::filesystem::path& data_dir) {
  // One after the other, so that the first problem reported is the same on every compiler.
  Taxonomy taxonomy = Taxonomy::load(data_dir / kTaxonomyFile);
  QuestionBank bank = QuestionBank::load(data_dir / kQuestionBankFile);
  Lexicon lexicon = Lexicon::load(data_dir / kLexiconFile);
  RequirementTemplates requirement_templates = RequirementTemplates::load(data_dir / kRequirementTemplatesFile);
  ClarityRules clarity_rules = ClarityRules::load(data_dir / kClarityRulesFile);
  DomainRoles domain_roles = DomainRoles::load(data_dir / kDomainRolesFile);
  return Engine(std::move(taxonomy), std::move(bank), std::move(lexicon), std::move(requirement_templates),
                std::move(clarity_rules), std::move(domain_roles));
}

Engine::Engine(Taxonomy taxonomy, QuestionBank question_bank, Lexicon lexicon,
               RequirementTemplates requirement_templates, ClarityRules clarity_rules, DomainRoles domain_roles) {
  cross_check(taxonomy, question_bank, lexicon);
  for (const DomainRole& role : domain_roles.roles())
    for (const std::string& category : role.categories)
      if (!taxonomy.find(category))
        throw DataError(domain_roles.source(), "roles." + role.name + ".categories: unknown category '" + category +
                                                   "' (the taxonomy in " + taxonomy.source() + " does not list it)");
  // The writer checks the templates against the taxonomy (every category has an ID prefix); the
  // clarity checker refuses a unit family the lexicon lacks (DataError naming the rules' file).
  parts_ = std::make_unique<Parts>(std::move(taxonomy), std::move(question_bank), std::move(lexicon),
                                   std::move(requirement_templates), std::move(clarity_rules),
                                   std::move(domain_roles));
}

Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

const Taxonomy& Engine::taxonomy() const noexcept { return parts_->taxonomy; }
const QuestionBank& Engine::question_bank() const noexcept { return parts_->bank; }
const Lexicon& Engine::lexicon() const noexcept { return parts_->lexicon; }
const RequirementWriter& Engine::requirements() const noexcept { return parts_->requirements; }
const ClarityChecker& Engine::clarity() const noexcept { return parts_->clarity; }
const DomainRoles& Engine::domain_roles() const noexcept { return parts_->domain_roles; }

std::vector<CategoryCoverage> Engine::coverage(const std::vector<Specification>& current,
                                               const OpenItemCounts& open_items) const {
  return compute_coverage(parts_->taxonomy, current, parts_->adjustment(open_items));
}

const Category& Engine::next_category(const std::vector<Specification>& current) const {
  return least_covered_category(parts_->taxonomy, current, parts_->adjustment({}));
}

Maturity Engine::maturity(const std::vector<Specification>& current, std::string_view phase, int open_conflicts,
                          const OpenItemCounts& open_items) const {
  return compute_maturity(parts_->taxonomy, current, phase, open_conflicts, parts_->adjustment(open_items));
}

int Engine::maturity_score(const std::vector<Specification>& current, const OpenItemCounts& open_items) const {
  return engine::maturity_score(parts_->taxonomy, current, parts_->adjustment(open_items));
}

std::vector<ClarityFinding> Engine::check_clarity(const Specification& specification) const {
  return parts_->clarity.check(specification);
}

std::vector<std::string> Engine::unknowns(std::string_view answer) const {
  return unknown_clauses(answer, parts_->lexicon);
}

Question Engine::next_question(const std::vector<Specification>& current, const std::vector<std::string>& asked) const {
  return parts_->planner.next_question(current, asked);
}

Question Engine::next_question_after(const std::vector<Specification>& current,
                                     const std::vector<AskedQuestion>& asked, std::string_view domain_role) const {
  return parts_->planner.next_question_after(current, asked, parts_->domain_roles.categories_of(domain_role));
}

BiasReport Engine::check_bias(std::string_view question) const {
  return engine::check_bias(question, parts_->lexicon.bias());
}

std::vector<std::string> Engine::split_clauses(std::string_view text) const {
  return engine::split_clauses(text, parts_->lexicon.clauses());
}

std::vector<Candidate> Engine::extract(std::string_view answer, std::string_view question_category) const {
  return parts_->extractor.extract(answer, question_category);
}

CheckResult Engine::check(const Specification& candidate, const std::vector<Specification>& current) const {
  return parts_->detector.check(candidate, current);
}

AnswerAnalysis Engine::analyse(std::string_view answer, std::string_view question_category,
                               const std::vector<Specification>& current) const {
  return check_all(parts_->extractor.extract(answer, question_category), current);
}

AnswerAnalysis Engine::check_all(std::vector<Candidate> candidates, const std::vector<Specification>& current) const {
  AnswerAnalysis analysis;
  std::vector<ExistingSpecification> existing;
  existing.reserve(current.size() + candidates.size());
  for (std::size_t i = 0; i < current.size(); ++i)
    existing.push_back({current[i], {SpecificationRef::Source::kCurrent, i}});
  for (Candidate& candidate : candidates) {
    CheckResult check = parts_->detector.check(candidate.specification, existing);
    // An accepted candidate is saved before the next one is checked, so the next one must see it.
    if (check.outcome == CheckOutcome::kNew)
      existing.push_back({candidate.specification, {SpecificationRef::Source::kThisAnswer, analysis.findings.size()}});
    analysis.findings.push_back({std::move(candidate), std::move(check)});
  }
  return analysis;
}

bool Engine::same_value(std::string_view a, std::string_view b) const { return parts_->detector.same_value(a, b); }

std::string Engine::direct_reply(const ReplyFacts& facts, const std::vector<Specification>& current_after) const {
  return parts_->replies.reply(facts, current_after);
}

std::string Engine::direct_reply(const AnswerAnalysis& analysis,
                                 const std::vector<Specification>& current_after) const {
  ReplyFacts facts;
  facts.recorded = analysis.accepted();
  facts.conflicts = analysis.conflicting_count();
  facts.duplicates = analysis.duplicate_count();
  return direct_reply(facts, current_after);
}

}  // namespace socrates::engine

#pragma once
// Requirements (domain.md "Requirements"): a current specification written as a requirement with
// an ID, a statement in EARS form and, when it holds a quantity, Given/When/Then acceptance
// criteria with the number and unit in them.
//
// The wording is data, not code: requirement_templates.json beside the lexicon (a deployment may
// ship its own). Per category an ID prefix ("PERF"); then templates tried in file order, the first
// whose conditions all hold writing the statement (the last one must hold for everything):
//
//   latency slot, "≤ 200 ms"        → ubiquitous   "The system shall respond within 200 ms at the 95th percentile."
//   rto slot, "≤ 15 minutes"        → unwanted     "If the system fails, then the system shall be back in service within 15 minutes."
//   "When an order is placed, notify the warehouse"
//                                   → event-driven "When an order is placed, the system shall notify the warehouse."
//
// The store gives each (project, category, key) its number once (migration 005); this writer only
// formats it ("PERF-003"). Borrows the taxonomy and lexicon (they must outlive it). Immutable after
// loading and thread-safe (const).

#include <socrates/engine/lexicon.hpp>
#include <socrates/engine/requirement.hpp>
#include <socrates/engine/specification.hpp>
#include <socrates/engine/taxonomy.hpp>

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

inline constexpr const char* kRequirementTemplatesFile = "requirement_templates.json";

// One template: the conditions that choose it (all that are set must hold), and its wording.
struct RequirementTemplate {
  std::string name;  // for people and tests: "latency"
  // Conditions.
  std::vector<std::string> categories;   // the specification's category is one of these
  std::vector<std::string> keys;         // its key, its slot, or a key ending in "_<key>" ("logs_retention_period")
  std::vector<std::string> key_words;    // a phrase among the key's words ("backup" in "offsite_backup_copies")
  std::vector<std::string> value_words;  // a phrase in the value, whole words, any case
  std::vector<std::string> lead_words;   // the value starts with one of these and a comma ends its condition
  std::optional<bool> measurable;        // the value holds a quantity (or must not)
  std::optional<bool> modal;             // the value (or, after a lead word, its response) has a modal verb
  std::optional<bool> slot;              // the key is a slot or metric of the lexicon (or a free statement)
  // Wording.
  EarsForm form = EarsForm::kUbiquitous;
  std::string statement;
  std::vector<AcceptanceCriterion> acceptance;  // empty: the file's default_acceptance
};

class RequirementTemplates {
 public:
  // Throws DataError naming `file` and the place inside it.
  static RequirementTemplates load(const std::filesystem::path& file);
  static RequirementTemplates parse(const nlohmann::json& document, std::string source);

  const std::string& system() const noexcept { return system_; }
  int id_digits() const noexcept { return id_digits_; }
  // Category → ID prefix.
  const std::map<std::string, std::string>& prefixes() const noexcept { return prefixes_; }
  const std::vector<std::string>& modals() const noexcept { return modals_; }
  const std::vector<RequirementTemplate>& templates() const noexcept { return templates_; }
  const std::vector<AcceptanceCriterion>& default_acceptance() const noexcept { return default_acceptance_; }
  // Direction → wording around {quantity}: "at most {quantity}".
  const std::string& limit_wording(BoundDirection direction) const noexcept;
  const std::string& source() const noexcept { return source_; }

 private:
  std::string system_;
  int id_digits_ = 3;
  std::map<std::string, std::string> prefixes_;
  std::vector<std::string> modals_;  // matching form, longest first
  std::vector<RequirementTemplate> templates_;
  std::vector<AcceptanceCriterion> default_acceptance_;
  std::string at_most_, at_least_, approximately_;
  std::string source_;
};

class RequirementWriter {
 public:
  // Throws DataError (naming the templates' file) when a category of the taxonomy has no prefix,
  // or the templates name a category the taxonomy lacks.
  RequirementWriter(const Taxonomy& taxonomy, const Lexicon& lexicon, const RequirementTemplates& templates);

  // The requirement of `spec`; `number` is the one the store gave its (category, key), 0 for none
  // yet (the ID is then empty).
  Requirement write(const Specification& spec, int number) const;
  // "PERF-003"; empty for number 0 or an unknown category.
  std::string id(std::string_view category, int number) const;
  // The name of the template write() would use (for tests and explanations).
  const std::string& template_for(const Specification& spec) const;
  // Every number of `text` with its unit, as written back ("200 ms", "99.9%", "10000"), in text
  // order: what a reworded statement must keep.
  std::vector<std::string> quantities(std::string_view text) const;

  const RequirementTemplates& templates() const noexcept { return templates_; }

 private:
  const Taxonomy& taxonomy_;
  const Lexicon& lexicon_;
  const RequirementTemplates& templates_;
};

}  // namespace socrates::engine

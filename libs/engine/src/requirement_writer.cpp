#include <socrates/engine/requirement_writer.hpp>

#include <socrates/engine/data_error.hpp>

#include "json_reader.hpp"
#include "quantity.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <set>

namespace socrates::engine {
namespace {

const std::vector<std::string> kPlaceholders = {"system", "label",     "value",    "clause", "quantity", "limit",
                                                "amount", "unit",      "category", "condition", "response", "shall"};

EarsForm form_of(const detail::Node& node) {
  const std::string name = node.string();
  for (EarsForm form : {EarsForm::kUbiquitous, EarsForm::kEventDriven, EarsForm::kStateDriven, EarsForm::kUnwanted,
                        EarsForm::kOptional})
    if (to_string(form) == name) return form;
  node.fail("unknown EARS form '" + name + "' (ubiquitous, event-driven, state-driven, unwanted, optional)");
}

std::vector<AcceptanceCriterion> criteria_of(const detail::Node& node) {
  std::vector<AcceptanceCriterion> out;
  for (const auto& item : node.elements()) {
    AcceptanceCriterion c{item.member("given").string(), item.member("when").string(), item.member("then").string()};
    for (const char* part : {"given", "when", "then"}) {
      const auto member = item.member(part);
      detail::require_placeholders(member, member.string(), kPlaceholders);
    }
    out.push_back(std::move(c));
  }
  return out;
}

bool uses(const std::string& pattern, const char* name) {
  const auto names = detail::placeholders(pattern);
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::optional<bool> optional_flag(const detail::Node& node, const char* name) {
  if (const auto member = node.optional_member(name)) return member->boolean();
  return std::nullopt;
}

std::vector<std::string> phrases(const detail::Node& node, const char* name) {
  std::vector<std::string> out;
  for (const auto& phrase : node.strings_or_empty(name)) out.push_back(detail::phrase_form(phrase));
  return detail::longest_first(std::move(out));
}

// The value as a clause inside a sentence: trimmed, no closing punctuation, a capital that only
// starts the sentence lowered ("Passwords must …" → "passwords must …"; "PostgreSQL", "GDPR" kept).
std::string as_clause(std::string_view value) {
  std::string text = detail::trim(value);
  while (!text.empty() && (text.back() == '.' || text.back() == '!' || text.back() == ';' || text.back() == ','))
    text.pop_back();
  if (text.size() >= 2 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'a' && text[1] <= 'z')
    text[0] = detail::lower(text[0]);
  return detail::trim(text);
}

std::string capitalised(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text;
}

// `text` with its first modal verb ("must", "has to") written as "shall"; nullopt when it has none.
std::optional<std::string> with_shall(const std::string& text, const std::vector<std::string>& modals) {
  const std::string match = detail::match_form(text);
  std::optional<detail::Span> first;
  for (const auto& modal : modals)  // longest first: "must not" before "must"
    for (const auto& span : detail::find_phrase(match, modal))
      if (!first || span.begin < first->begin) first = detail::Span{span.begin, span.end};
  if (!first) return std::nullopt;
  const bool negated = detail::contains_phrase(match.substr(first->begin, first->size()), "not");
  return text.substr(0, first->begin) + (negated ? "shall not" : "shall") + text.substr(first->end);
}

// "When an order is placed, notify the warehouse" with lead words {"when"}: the condition "an
// order is placed" and the response "notify the warehouse"; a comma or "then" ends the condition.
struct Split {
  std::string condition;
  std::string response;
};

std::optional<Split> split_on_lead(const std::string& clause, const std::vector<std::string>& leads) {
  const std::string match = detail::match_form(clause);
  for (const auto& lead : leads) {
    if (!detail::phrase_at(match, 0, lead)) continue;
    std::size_t end = clause.find(',', lead.size());
    std::size_t next = end == std::string::npos ? std::string::npos : end + 1;
    const auto then = detail::find_phrase(match, "then");
    for (const auto& span : then)
      if (span.begin > lead.size() && (end == std::string::npos || span.begin < end)) {
        end = span.begin;
        next = span.end;
        break;
      }
    if (end == std::string::npos) return std::nullopt;
    Split split{detail::trim(clause.substr(lead.size(), end - lead.size())), as_clause(clause.substr(next))};
    // "If X, then Y": the comma ended the condition, and "then" still opens the response.
    if (detail::phrase_at(detail::match_form(split.response), 0, "then"))
      split.response = detail::trim(split.response.substr(4));
    while (!split.condition.empty() && split.condition.back() == ',') split.condition.pop_back();
    if (split.condition.empty() || split.response.empty()) return std::nullopt;
    return split;
  }
  return std::nullopt;
}

}  // namespace

RequirementTemplates RequirementTemplates::load(const std::filesystem::path& file) {
  return parse(detail::read_json_file(file), file.string());
}

RequirementTemplates RequirementTemplates::parse(const nlohmann::json& document, std::string source) {
  RequirementTemplates t;
  t.source_ = std::move(source);
  const detail::Node root(document, t.source_);
  detail::require_format(root, 1);
  t.system_ = root.member("system").string();
  if (const auto digits = root.optional_member("id_digits")) t.id_digits_ = digits->integer_in(1, 6);

  std::set<std::string> seen_prefixes;
  for (const auto& [category, node] : root.member("prefixes").members()) {
    const std::string prefix = node.string();
    for (char c : prefix)
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) node.fail("a prefix is upper-case letters and digits");
    // Two categories with one prefix would number their requirements into each other's IDs.
    if (!seen_prefixes.insert(prefix).second) node.fail("the prefix '" + prefix + "' is used by another category");
    t.prefixes_.emplace(category, prefix);
  }
  t.modals_ = phrases(root, "modals");

  const auto limits = root.member("limits");
  auto limit = [&](const char* name, std::string& target) {
    const auto node = limits.member(name);
    target = node.string();
    detail::require_placeholders(node, target, {"quantity"});
  };
  limit("at_most", t.at_most_);
  limit("at_least", t.at_least_);
  limit("approximately", t.approximately_);

  t.default_acceptance_ = criteria_of(root.member("default_acceptance"));
  if (t.default_acceptance_.empty()) root.member("default_acceptance").fail("expected at least one criterion");

  std::set<std::string> names;
  const auto templates = root.member("templates");
  for (const auto& node : templates.elements()) {
    RequirementTemplate r;
    r.name = node.member("name").string();
    if (!names.insert(r.name).second) node.member("name").fail("the name '" + r.name + "' is used twice");
    r.categories = node.strings_or_empty("categories");
    r.keys = node.strings_or_empty("keys");
    r.key_words = phrases(node, "key_words");
    r.value_words = phrases(node, "value_words");
    r.lead_words = phrases(node, "lead_words");
    r.measurable = optional_flag(node, "measurable");
    r.modal = optional_flag(node, "modal");
    r.slot = optional_flag(node, "slot");
    r.form = form_of(node.member("form"));
    const auto statement = node.member("statement");
    r.statement = statement.string();
    detail::require_placeholders(statement, r.statement, kPlaceholders);
    if (const auto acceptance = node.optional_member("acceptance")) r.acceptance = criteria_of(*acceptance);

    // A placeholder must have a value whenever the template can be chosen.
    std::vector<std::string> patterns = {r.statement};
    for (const auto& c : r.acceptance) patterns.insert(patterns.end(), {c.given, c.when, c.then});
    for (const auto& pattern : patterns) {
      for (const char* name : {"quantity", "limit", "amount", "unit"})
        if (uses(pattern, name) && r.measurable != std::optional<bool>(true))
          statement.fail(std::string("{") + name + "} needs \"measurable\": true");
      for (const char* name : {"condition", "response"})
        if (uses(pattern, name) && r.lead_words.empty()) statement.fail(std::string("{") + name + "} needs lead_words");
      if (uses(pattern, "shall") && r.modal != std::optional<bool>(true)) statement.fail("{shall} needs \"modal\": true");
    }
    if (!r.acceptance.empty() && r.measurable != std::optional<bool>(true))
      node.member("acceptance").fail("acceptance criteria are written only for measurable specifications");
    t.templates_.push_back(std::move(r));
  }
  if (t.templates_.empty()) templates.fail("expected at least one template");
  const RequirementTemplate& last = t.templates_.back();
  if (!last.categories.empty() || !last.keys.empty() || !last.key_words.empty() || !last.value_words.empty() ||
      !last.lead_words.empty() || last.measurable || last.modal || last.slot)
    templates.elements().back().fail("the last template must have no conditions, so that every specification has one");
  return t;
}

const std::string& RequirementTemplates::limit_wording(BoundDirection direction) const noexcept {
  switch (direction) {
    case BoundDirection::kAtMost: return at_most_;
    case BoundDirection::kAtLeast: return at_least_;
    case BoundDirection::kApproximately: break;
  }
  return approximately_;
}

RequirementWriter::RequirementWriter(const Taxonomy& taxonomy, const Lexicon& lexicon,
                                     const RequirementTemplates& templates)
    : taxonomy_(taxonomy), lexicon_(lexicon), templates_(templates) {
  for (const Category& category : taxonomy.categories())
    if (!templates.prefixes().count(category.name))
      throw DataError(templates.source(), "prefixes: the category '" + category.name + "' of " + taxonomy.source() +
                                              " has no ID prefix");
  for (const auto& [category, prefix] : templates.prefixes())
    if (!taxonomy.find(category))
      throw DataError(templates.source(), "prefixes." + category + ": unknown category (the taxonomy in " +
                                              taxonomy.source() + " does not list it)");
  for (std::size_t i = 0; i < templates.templates().size(); ++i)
    for (const auto& category : templates.templates()[i].categories)
      if (!taxonomy.find(category))
        throw DataError(templates.source(), "templates[" + std::to_string(i) + "].categories: unknown category '" +
                                                category + "'");
}

namespace {

// What the templates' conditions look at, read once per specification.
struct Facts {
  const Specification& spec;
  std::string clause;
  std::string value_match;  // the value in matching form
  std::string key_words;    // "offsite backup copies"
  std::string slot_name;    // the lexicon slot or metric the key belongs to, empty for a statement
  std::optional<Bound> bound;
};

bool holds(const RequirementTemplate& t, const Facts& f, const std::vector<std::string>& modals,
           std::optional<Split>& split) {
  auto listed = [](const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  if (!t.categories.empty() && !listed(t.categories, f.spec.category)) return false;
  if (!t.keys.empty()) {
    const bool match = std::any_of(t.keys.begin(), t.keys.end(), [&](const std::string& key) {
      const std::string& k = f.spec.key;
      return k == key || f.slot_name == key ||
             (k.size() > key.size() + 1 && k.compare(k.size() - key.size(), key.size(), key) == 0 &&
              k[k.size() - key.size() - 1] == '_');
    });
    if (!match) return false;
  }
  if (!t.key_words.empty() && !detail::contains_any(f.key_words, t.key_words)) return false;
  if (!t.value_words.empty() && !detail::contains_any(f.value_match, t.value_words)) return false;
  if (t.measurable && *t.measurable != f.bound.has_value()) return false;
  if (t.slot && *t.slot != !f.slot_name.empty()) return false;
  split.reset();
  if (!t.lead_words.empty()) {
    split = split_on_lead(f.clause, t.lead_words);
    if (!split) return false;
  }
  if (t.modal && *t.modal != with_shall(split ? split->response : f.clause, modals).has_value()) return false;
  return true;
}

Facts facts_of(const Specification& spec, const Lexicon& lexicon) {
  Facts f{spec, as_clause(spec.value), detail::match_form(detail::normalise_input(spec.value)), {}, {}, {}};
  f.key_words = detail::phrase_form(spec.key);
  if (const Slot* slot = lexicon.slot_of(spec.category, spec.key)) f.slot_name = slot->name;
  if (const Metric* metric = lexicon.find_metric(spec.category, spec.key)) f.slot_name = metric->key;
  if (f.slot_name.empty())
    for (const Metric& metric : lexicon.metrics())  // a qualified key: "logs_retention_period"
      if (metric.category == spec.category && !metric.qualified_key.empty() && spec.key.size() > metric.key.size() &&
          spec.key.compare(spec.key.size() - metric.key.size(), metric.key.size(), metric.key) == 0)
        f.slot_name = metric.key;
  f.bound = lexicon.parse_bound(spec.value);
  if (!f.bound) {
    // A statement with a number and its unit in it ("pages load in under 2 seconds") is measurable
    // too; a bare count in free text ("fails five times") is not a target to test against.
    for (const auto& q : detail::scan_quantities(f.value_match, lexicon))
      if (!q.bound.unit.empty()) {
        f.bound = q.bound;
        break;
      }
  }
  return f;
}

}  // namespace

const std::string& RequirementWriter::template_for(const Specification& spec) const {
  const Facts f = facts_of(spec, lexicon_);
  std::optional<Split> split;
  for (const auto& t : templates_.templates())
    if (holds(t, f, templates_.modals(), split)) return t.name;
  return templates_.templates().back().name;  // unreachable: the last one always holds
}

Requirement RequirementWriter::write(const Specification& spec, int number) const {
  const Facts f = facts_of(spec, lexicon_);
  std::optional<Split> split;
  const RequirementTemplate* chosen = &templates_.templates().back();
  for (const auto& t : templates_.templates())
    if (holds(t, f, templates_.modals(), split)) {
      chosen = &t;
      break;
    }

  std::vector<std::pair<std::string, std::string>> values = {
      {"system", templates_.system()},
      {"label", lexicon_.label_of(spec.category, spec.key)},
      {"value", detail::trim(spec.value)},
      {"clause", f.clause},
      {"category", taxonomy_.find(spec.category) ? taxonomy_.find(spec.category)->label : spec.category}};
  if (f.bound) {
    Bound plain = *f.bound;
    plain.direction = BoundDirection::kApproximately;
    const std::string quantity = lexicon_.format_bound(plain);
    values.insert(values.end(), {{"quantity", quantity},
                                 {"limit", detail::render(templates_.limit_wording(f.bound->direction),
                                                          {{"quantity", quantity}})},
                                 {"amount", detail::format_number(f.bound->amount)},
                                 {"unit", f.bound->unit}});
  }
  if (split) values.insert(values.end(), {{"condition", split->condition}, {"response", split->response}});
  if (auto shall = with_shall(split ? split->response : f.clause, templates_.modals()))
    values.emplace_back("shall", *shall);

  Requirement r;
  r.id = id(spec.category, number);
  r.category = spec.category;
  r.key = spec.key;
  r.value = spec.value;
  r.form = chosen->form;
  r.statement = capitalised(detail::render(chosen->statement, values));
  if (f.bound)
    for (const auto& c : chosen->acceptance.empty() ? templates_.default_acceptance() : chosen->acceptance)
      r.acceptance.push_back(
          {detail::render(c.given, values), detail::render(c.when, values), detail::render(c.then, values)});
  return r;
}

std::string RequirementWriter::id(std::string_view category, int number) const {
  const auto it = templates_.prefixes().find(std::string(category));
  if (number <= 0 || it == templates_.prefixes().end()) return "";
  char digits[16];
  std::snprintf(digits, sizeof digits, "%0*d", templates_.id_digits(), number);
  return it->second + "-" + digits;
}

std::vector<std::string> RequirementWriter::quantities(std::string_view text) const {
  std::vector<std::string> out;
  for (const auto& q : detail::scan_quantities(detail::match_form(detail::normalise_input(text)), lexicon_)) {
    Bound plain = q.bound;
    plain.direction = BoundDirection::kApproximately;
    out.push_back(lexicon_.format_bound(plain));
  }
  return out;
}

}  // namespace socrates::engine

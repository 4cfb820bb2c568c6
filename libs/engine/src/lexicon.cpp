#include <socrates/engine/lexicon.hpp>

#include "json_reader.hpp"
#include "quantity.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace socrates::engine {
namespace {

using detail::Node;

// Data phrases are compared with text in matching form; reading them in that form once here keeps
// "On-Premises" in the file equal to "on premises" in an answer.
std::vector<std::string> phrases(const Node& node) {
  std::vector<std::string> out;
  for (const Node& element : node.elements()) {
    std::string phrase = detail::phrase_form(element.string());
    if (phrase.empty()) element.fail("expected a phrase");
    out.push_back(std::move(phrase));
  }
  return out;
}

std::vector<std::string> phrases_or_empty(const Node& parent, std::string_view name) {
  const auto node = parent.optional_member(name);
  return node ? phrases(*node) : std::vector<std::string>{};
}

std::vector<std::pair<std::string, double>> number_map(const Node& node) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [phrase, value] : node.members()) {
    const std::string form = detail::phrase_form(phrase);
    if (form.empty()) value.fail("expected a phrase as the name");
    out.emplace_back(form, value.number_in(0, 1e15));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return out;
}

BoundPhrases bound_phrases(const Node& node) {
  BoundPhrases out;
  out.before = detail::longest_first(phrases_or_empty(node, "before"));
  out.after = detail::longest_first(phrases_or_empty(node, "after"));
  return out;
}

}  // namespace

Lexicon Lexicon::load(const std::filesystem::path& file) { return parse(detail::read_json_file(file), file.string()); }

Lexicon Lexicon::parse(const nlohmann::json& document, std::string source) {
  Lexicon lx;
  lx.source_ = std::move(source);
  const Node root(document, lx.source_);
  detail::require_format(root, 1);

  lx.fallback_category_ = root.member("fallback_category").string();

  // --- slots and terms
  for (const Node& node : root.member("slots").elements()) {
    Slot slot;
    slot.name = node.member("name").string();
    if (!detail::is_snake_case(slot.name)) node.member("name").fail("a slot name must be snake_case");
    if (lx.find_slot(slot.name)) node.member("name").fail("slot '" + slot.name + "' appears twice");
    slot.category = node.member("category").string();
    slot.label = node.string_or("label", slot.name);
    std::replace(slot.label.begin(), slot.label.end(), '_', ' ');
    const std::string cardinality = node.string_or("cardinality", "single");
    if (cardinality == "multi") {
      slot.cardinality = Cardinality::kMulti;
    } else if (cardinality != "single") {
      node.member("cardinality").fail("expected \"single\" or \"multi\"");
    }
    lx.slots_.push_back(std::move(slot));
  }

  std::map<std::string, std::string> alias_owner;  // matching form → term value, to refuse ambiguity
  for (const Node& node : root.member("terms").elements()) {
    Term term;
    term.value = node.member("value").string();
    term.slot = node.member("slot").string();
    if (!lx.find_slot(term.slot)) node.member("slot").fail("unknown slot '" + term.slot + "' (declare it in 'slots')");
    term.aliases = phrases_or_empty(node, "aliases");
    if (const auto sensitive = node.optional_member("case_sensitive_aliases"))
      for (const Node& alias : sensitive->elements())
        term.case_sensitive_aliases.push_back(detail::case_form(alias.string()));
    if (term.aliases.empty() && term.case_sensitive_aliases.empty())
      node.fail("term '" + term.value + "' needs at least one alias or case-sensitive alias");
    term.false_friends = phrases_or_empty(node, "false_friends");
    if (const auto contexts = node.optional_member("context_slots")) {
      for (const Node& context : contexts->elements()) {
        ContextSlot cs;
        cs.slot = context.member("slot").string();
        if (!lx.find_slot(cs.slot)) context.member("slot").fail("unknown slot '" + cs.slot + "'");
        cs.words = phrases(context.member("words"));
        term.context_slots.push_back(std::move(cs));
      }
    }
    // One alias naming two terms would make extraction depend on file order.
    std::vector<std::string> forms = term.aliases;
    for (const auto& alias : term.case_sensitive_aliases) forms.push_back(detail::phrase_form(alias));
    forms.push_back(detail::phrase_form(term.value));
    for (const std::string& form : forms) {
      const auto [it, inserted] = alias_owner.emplace(form, term.value);
      if (!inserted && it->second != term.value)
        node.fail("alias '" + form + "' of '" + term.value + "' already names '" + it->second + "'");
      lx.canonical_by_alias_.emplace(form, term.value);
    }
    lx.terms_.push_back(std::move(term));
  }

  // --- negation
  {
    const Node node = root.member("negation");
    lx.negation_.words = phrases(node.member("words"));
    lx.negation_.after = phrases_or_empty(node, "after");
    lx.negation_.window_words = static_cast<std::size_t>(node.member("window_words").integer_in(1, 10));
    lx.negation_.barriers = phrases_or_empty(node, "barriers");
  }

  // --- units and numbers
  for (const auto& [name, node] : root.member("units").members()) {
    if (name == "count") node.fail("'count' is the family of plain numbers and cannot have units");
    UnitFamily family;
    family.name = name;
    family.base = node.member("base").string();
    for (const Node& unit_node : node.member("units").elements()) {
      Unit unit;
      unit.names = phrases(unit_node.member("names"));
      if (unit.names.empty()) unit_node.member("names").fail("expected at least one name");
      unit.factor = unit_node.member("factor").number_in(1e-12, 1e15);
      unit.display = unit_node.member("display").string();
      unit.display_plural = unit_node.string_or("display_plural", "");
      unit.attached = unit_node.boolean_or("attached", false);
      family.units.push_back(std::move(unit));
    }
    if (family.units.empty()) node.member("units").fail("expected at least one unit");
    lx.unit_families_.emplace(name, std::move(family));
  }
  {
    const Node node = root.member("numbers");
    lx.numbers_.words = number_map(node.member("words"));
    lx.numbers_.unit_only_words = number_map(node.member("unit_only_words"));
    lx.numbers_.multipliers = number_map(node.member("multipliers"));
    lx.numbers_.joiners = phrases_or_empty(node, "joiners");
    lx.numbers_.decimal_points = phrases_or_empty(node, "decimal_points");
    lx.numbers_.pronoun_after = phrases_or_empty(node, "pronoun_after");
    lx.numbers_.unit_adjectives = phrases_or_empty(node, "unit_adjectives");
    lx.numbers_.period_before = phrases_or_empty(node, "period_before");
    if (const auto fractions = node.optional_member("fractions")) lx.numbers_.fractions = number_map(*fractions);
    if (const auto nines = node.optional_member("nines")) {
      lx.numbers_.nines = phrases(nines->member("words"));
      lx.numbers_.nines_unit = detail::phrase_form(nines->member("unit").string());
      bool known = false;
      for (const auto& [family_name, family] : lx.unit_families_)
        for (const Unit& unit : family.units)
          known = known || std::find(unit.names.begin(), unit.names.end(), lx.numbers_.nines_unit) != unit.names.end();
      if (!known) nines->member("unit").fail("'" + lx.numbers_.nines_unit + "' is no unit");
    }
    if (const auto ranges = node.optional_member("ranges")) {
      lx.numbers_.range_starts = phrases_or_empty(*ranges, "starts");
      lx.numbers_.range_joiners = phrases_or_empty(*ranges, "joiners");
      lx.numbers_.range_not_after = phrases_or_empty(*ranges, "not_after");
    }
    if (const auto relative = node.optional_member("relative")) {
      lx.numbers_.relative_words = number_map(relative->member("words"));
      lx.numbers_.times = phrases_or_empty(*relative, "times");
      lx.numbers_.relative_followers = phrases_or_empty(*relative, "followers");
    }
    const auto duration = lx.unit_families_.find("duration");
    if (const auto frequencies = node.optional_member("frequencies")) {
      for (const Node& f : frequencies->elements()) {
        Frequency frequency;
        frequency.phrases = phrases(f.member("phrases"));
        frequency.amount = f.member("amount").number_in(1e-9, 1e9);
        frequency.unit = detail::phrase_form(f.member("unit").string());
        bool known = false;
        if (duration != lx.unit_families_.end())
          for (const Unit& unit : duration->second.units)
            known = known || std::find(unit.names.begin(), unit.names.end(), frequency.unit) != unit.names.end();
        if (!known) f.member("unit").fail("'" + frequency.unit + "' is no unit of the 'duration' family");
        lx.numbers_.frequencies.push_back(std::move(frequency));
      }
    }
  }
  {
    const Node node = root.member("bounds");
    lx.bounds_.at_most = bound_phrases(node.member("at_most"));
    lx.bounds_.at_least = bound_phrases(node.member("at_least"));
    lx.bounds_.approximately = bound_phrases(node.member("approximately"));
    lx.bounds_.negators = phrases_or_empty(node, "negators");
    if (const auto window = node.optional_member("negator_window_words"))
      lx.bounds_.negator_window_words = static_cast<std::size_t>(window->integer_in(0, 10));
  }

  // --- metrics
  for (const Node& node : root.member("metrics").elements()) {
    Metric metric;
    metric.category = node.member("category").string();
    metric.key = node.member("key").string();
    if (!detail::is_snake_case(metric.key)) node.member("key").fail("a key must be snake_case");
    metric.family = node.member("family").string();
    if (metric.family != "count" && !lx.unit_families_.count(metric.family))
      node.member("family").fail("unknown unit family '" + metric.family +
                                 "' (declare it in 'units', or use \"count\")");
    metric.triggers = phrases_or_empty(node, "triggers");
    metric.nouns = detail::longest_first(phrases_or_empty(node, "nouns"));
    if (metric.family == "count" && metric.nouns.empty())
      node.fail("a count metric needs 'nouns': a bare number says nothing about what it counts");
    metric.weak_nouns = detail::longest_first(phrases_or_empty(node, "weak_nouns"));
    metric.places = phrases_or_empty(node, "places");
    metric.markers = phrases_or_empty(node, "markers");
    metric.requires_any = phrases_or_empty(node, "requires_any");
    metric.not_followed_by = phrases_or_empty(node, "not_followed_by");
    metric.not_followed_by_plural = phrases_or_empty(node, "not_followed_by_plural");
    if (const auto qualifiers = node.optional_member("qualifiers")) {
      for (const Node& q : qualifiers->elements()) {
        Qualifier qualifier;
        qualifier.name = q.member("name").string();
        if (!detail::is_snake_case(qualifier.name)) q.member("name").fail("a qualifier name must be snake_case");
        qualifier.phrases = phrases(q.member("phrases"));
        metric.qualifiers.push_back(std::move(qualifier));
      }
    }
    metric.qualified_key = node.string_or("qualified_key", "");
    if (!metric.qualifiers.empty()) {
      if (metric.qualified_key.empty())
        node.fail("a metric with 'qualifiers' needs a 'qualified_key' using {qualifier}");
      detail::require_placeholders(node.member("qualified_key"), metric.qualified_key, {"qualifier"});
    }
    if (const auto max = node.optional_member("max_base")) metric.max_base = max->number_in(0, 1e18);
    metric.question_default = node.boolean_or("question_default", false);
    metric.accepts_frequency = node.boolean_or("accepts_frequency", false);
    metric.any_noun_when_asked = node.boolean_or("any_noun_when_asked", false);
    lx.metrics_.push_back(std::move(metric));
  }

  // --- keywords, confidence, no information
  for (const auto& [category, node] : root.member("keywords").members()) lx.keywords_.emplace(category, phrases(node));
  {
    const Node node = root.member("confidence");
    lx.confidence_.default_value = node.member("default").number_in(0.01, 1);
    lx.confidence_.firm_value = node.member("firm").member("value").number_in(0.01, 1);
    lx.confidence_.firm_markers = phrases(node.member("firm").member("markers"));
    lx.confidence_.hedged_value = node.member("hedged").member("value").number_in(0.01, 1);
    lx.confidence_.hedged_markers = phrases(node.member("hedged").member("markers"));
  }
  lx.no_information_ = phrases(root.member("no_information"));
  lx.filler_ = detail::longest_first(phrases(root.member("filler")));  // "no more" before "no"

  // --- clauses and keys
  {
    const Node node = root.member("clauses");
    lx.clauses_.conjunctions = phrases(node.member("conjunctions"));
    lx.clauses_.right_full_conjunctions = phrases_or_empty(node, "right_full_conjunctions");
    lx.clauses_.abbreviations = phrases_or_empty(node, "abbreviations");
    lx.clauses_.subjects = phrases(node.member("subjects"));
    lx.clauses_.skip_words = phrases_or_empty(node, "skip_words");
    lx.clauses_.verbs = phrases(node.member("verbs"));
    lx.clauses_.verb_suffixes = phrases_or_empty(node, "verb_suffixes");
    lx.clauses_.leading_words = phrases_or_empty(node, "leading_words");
  }
  {
    const Node node = root.member("keys");
    lx.keys_.max_words = static_cast<std::size_t>(node.member("max_words").integer_in(1, 10));
    lx.keys_.negation_word = node.string_or("negation_word", "no");
    if (!detail::is_snake_case(lx.keys_.negation_word)) node.member("negation_word").fail("must be snake_case");
    lx.keys_.negations = phrases(node.member("negations"));
    lx.keys_.stop_words = phrases(node.member("stop_words"));
  }

  // --- exclusive groups
  if (const auto groups = root.optional_member("exclusive_groups")) {
    for (const Node& node : groups->elements()) {
      ExclusiveGroup group;
      group.name = node.member("name").string();
      group.description = node.string_or("description", group.name);
      std::set<std::string> labels;
      for (const Node& c : node.member("choices").elements()) {
        ExclusiveChoice choice;
        choice.label = c.member("label").string();
        choice.category = c.member("category").string();
        choice.slot = c.member("slot").string();
        const Slot* slot = lx.find_slot(choice.slot);
        if (!slot) c.member("slot").fail("unknown slot '" + choice.slot + "'");
        if (slot->category != choice.category)
          c.member("category").fail("slot '" + choice.slot + "' belongs to category '" + slot->category + "'");
        for (const Node& value : c.member("values").elements())
          choice.values.push_back(value.string() == "*" ? "*" : lx.normalise_value(value.string()));
        if (choice.values.empty()) c.member("values").fail("expected at least one value, or \"*\"");
        labels.insert(choice.label);
        group.choices.push_back(std::move(choice));
      }
      if (labels.size() < 2) node.member("choices").fail("a group needs at least two differently labelled choices");
      lx.exclusive_groups_.push_back(std::move(group));
    }
  }

  // --- bias
  {
    const Node node = root.member("bias");
    lx.bias_.max_bias = node.member("max_bias").number_in(0, 1);
    lx.bias_.words_per_unit = node.member("words_per_unit").number_in(1, 10000);
    for (const Node& p : node.member("patterns").elements()) {
      BiasPattern pattern;
      pattern.kind = p.member("kind").string();
      pattern.weight = p.member("weight").number_in(0, 1);
      pattern.phrases = phrases(p.member("phrases"));
      lx.bias_.patterns.push_back(std::move(pattern));
    }
  }

  // --- understanding (optional)
  if (const auto node = root.optional_member("understanding")) {
    UnderstandingRules& u = lx.understanding_;
    if (const auto functional = node->optional_member("functional")) {
      u.modals = detail::longest_first(phrases_or_empty(*functional, "modals"));
      u.adverbs = phrases_or_empty(*functional, "adverbs");
      u.action_verbs = phrases_or_empty(*functional, "action_verbs");
      u.not_actors = phrases_or_empty(*functional, "not_actors");
      u.determiners = phrases_or_empty(*functional, "determiners");
      u.subordinators = phrases_or_empty(*functional, "subordinators");
      u.copulas = phrases_or_empty(*functional, "copulas");
      if (const auto descriptive = functional->optional_member("descriptive_categories"))
        u.descriptive_categories = descriptive->strings();
      if (const auto max = functional->optional_member("max_actor_words"))
        u.max_actor_words = static_cast<std::size_t>(max->integer_in(1, 10));
      u.functional_category = functional->string_or("category", u.functional_category);
      u.functional_prefix = functional->string_or("key_prefix", u.functional_prefix);
      if (!detail::is_snake_case(u.functional_prefix))
        functional->member("key_prefix").fail("a key prefix must be snake_case");
    }
    if (const auto protection = node->optional_member("protection")) {
      u.protection_category = protection->string_or("category", u.protection_category);
      u.protection_verbs = phrases_or_empty(*protection, "verbs");
      u.access_verbs = phrases_or_empty(*protection, "access_verbs");
      u.restrictions = phrases_or_empty(*protection, "restrictions");
      u.negations = phrases_or_empty(*protection, "negations");
    }
    if (const auto usability = node->optional_member("usability")) {
      u.usability_category = usability->string_or("category", u.usability_category);
      u.usability_prefix = usability->string_or("key_prefix", u.usability_prefix);
      if (!detail::is_snake_case(u.usability_prefix))
        usability->member("key_prefix").fail("a key prefix must be snake_case");
      u.usability = detail::longest_first(phrases_or_empty(*usability, "phrases"));
    }
    if (const auto roles = node->optional_member("roles")) {
      u.later = phrases_or_empty(*roles, "later");
      u.peak = phrases_or_empty(*roles, "peak");
      u.ordinary = phrases_or_empty(*roles, "ordinary");
      u.role_not_after = phrases_or_empty(*roles, "not_after");
      u.ahead = phrases_or_empty(*roles, "ahead");
      u.heading_links = detail::longest_first(phrases_or_empty(*roles, "heading_links"));
      u.same_noun_before = phrases_or_empty(*roles, "same_noun_before");
      u.clock_before = phrases_or_empty(*roles, "clock_before");
      u.corrections = phrases_or_empty(*roles, "corrections");
      if (const auto families = roles->optional_member("families")) {
        u.role_families = families->strings();
        for (const std::string& family : u.role_families)
          if (family != "count" && !lx.unit_families_.count(family))
            families->fail("unknown unit family '" + family + "'");
      }
    }
  }

  // --- conflicts
  {
    const Node node = root.member("conflicts");
    lx.conflicts_.high_severity_categories = node.member("high_severity_categories").strings();
    lx.conflicts_.low_severity_below_confidence = node.member("low_severity_below_confidence").number_in(0, 1);
    const Node descriptions = node.member("descriptions");
    const std::vector<std::string> slot_names = {"category", "label", "existing", "proposed"};
    lx.conflicts_.same_slot_description = descriptions.member("same_slot").string();
    detail::require_placeholders(descriptions.member("same_slot"), lx.conflicts_.same_slot_description, slot_names);
    lx.conflicts_.numeric_description = descriptions.member("numeric").string();
    detail::require_placeholders(descriptions.member("numeric"), lx.conflicts_.numeric_description, slot_names);
    lx.conflicts_.exclusive_description = descriptions.member("exclusive").string();
    detail::require_placeholders(descriptions.member("exclusive"), lx.conflicts_.exclusive_description,
                                 {"existing", "proposed", "existing_label", "proposed_label", "group"});
  }
  lx.quantity_tables_ = detail::make_quantity_tables(lx);
  return lx;
}

const Slot* Lexicon::find_slot(std::string_view name) const noexcept {
  for (const Slot& slot : slots_)
    if (slot.name == name) return &slot;
  return nullptr;
}

const Slot* Lexicon::slot_of(std::string_view category, std::string_view key) const noexcept {
  for (const Slot& slot : slots_) {
    if (slot.category != category) continue;
    if (key == slot.name) return &slot;
    if (slot.cardinality == Cardinality::kMulti && key.size() > slot.name.size() + 1 &&
        key.compare(0, slot.name.size(), slot.name) == 0 && key[slot.name.size()] == '_')
      return &slot;
  }
  return nullptr;
}

std::string Lexicon::label_of(std::string_view category, std::string_view key) const {
  if (const Slot* slot = slot_of(category, key)) return slot->label;
  std::string label(key);
  std::replace(label.begin(), label.end(), '_', ' ');
  return label;
}

const Metric* Lexicon::find_metric(std::string_view category, std::string_view key) const noexcept {
  for (const Metric& metric : metrics_)
    if (metric.category == category && metric.key == key) return &metric;
  return nullptr;
}

std::string Lexicon::canonical_value(std::string_view value) const {
  const auto it = canonical_by_alias_.find(detail::phrase_form(value));
  return it == canonical_by_alias_.end() ? detail::trim(value) : it->second;
}

std::string Lexicon::normalise_value(std::string_view value) const {
  std::string text = detail::trim(detail::normalise_input(value));
  while (!text.empty() &&
         (text.back() == '.' || text.back() == '!' || text.back() == '?' || text.back() == ';' || text.back() == ','))
    text.pop_back();
  // Lists compare as sets: "Python, Go" restates "Go, Python".
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string item =
        detail::trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) items.push_back(detail::phrase_form(canonical_value(item)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::optional<Bound> Lexicon::parse_bound(std::string_view value) const {
  const std::string text = detail::match_form(detail::trim(detail::normalise_input(value)));
  const auto quantities = detail::scan_quantities(text, *this);
  if (quantities.size() != 1) return std::nullopt;
  const auto& q = quantities.front();
  // Nothing but the number, its unit and its direction: "≤ 200 ms" is a bound, "200 ms on 3G" is not.
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool inside = (i >= q.span.begin && i < q.span.end) ||
                        (q.direction_span && i >= q.direction_span->begin && i < q.direction_span->end);
    if (!inside && !detail::is_space(text[i]) && text[i] != '.') return std::nullopt;
  }
  return q.bound;
}

std::string Lexicon::format_bound(const Bound& bound) const {
  std::string out;
  if (bound.direction == BoundDirection::kAtMost) out = "\xE2\x89\xA4 ";   // ≤
  if (bound.direction == BoundDirection::kAtLeast) out = "\xE2\x89\xA5 ";  // ≥
  out += detail::format_number(bound.amount);
  if (!bound.unit.empty()) {
    bool attached = false;
    if (const auto family = unit_families_.find(bound.family); family != unit_families_.end())
      for (const Unit& unit : family->second.units)
        if (unit.display == bound.unit || unit.display_plural == bound.unit) attached = unit.attached;
    out += attached ? bound.unit : " " + bound.unit;
  }
  return out;
}

}  // namespace socrates::engine

#include <socrates/engine/plans.hpp>

#include <socrates/engine/requirement_diff.hpp>

#include "json_reader.hpp"
#include "text.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

namespace socrates::engine {
namespace {

// What one edit may hold: more is not a plan a person reads.
constexpr std::size_t kMaxPlanItems = 500;
constexpr std::size_t kMaxPlanText = 10000;

bool key_matches(const std::string& key, const std::string& slot) {
  // A multi-valued slot keeps each value under its own key ("compliance_gdpr").
  return key == slot || (key.size() > slot.size() && key.compare(0, slot.size(), slot) == 0 && key[slot.size()] == '_');
}

std::string sentence_case(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

bool starts_with_word(const std::string& text, const std::string& word) {
  if (text.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != word[i]) return false;
  return text.size() == word.size() || text[word.size()] == ' ';
}

// "Given …, when …, then …", without doubling a keyword the criterion already starts with.
std::string criterion_text(const AcceptanceCriterion& criterion) {
  auto part = [](const std::string& keyword, const std::string& text) {
    return starts_with_word(text, keyword) ? text : keyword + " " + text;
  };
  std::string given = part("given", criterion.given);
  given[0] = 'G';
  return given + ", " + part("when", criterion.when) + ", " + part("then", criterion.then);
}

std::vector<TaskCriterion> criteria_of(const Requirement& requirement) {
  std::vector<TaskCriterion> out;
  for (const auto& criterion : requirement.acceptance) out.push_back({requirement.id, criterion_text(criterion)});
  if (out.empty()) out.push_back({requirement.id, "Holds as written: " + requirement.statement});
  return out;
}

std::string task_id(std::size_t index, std::size_t count) {
  std::string number = std::to_string(index + 1);
  const std::size_t width = count > 99 ? 3 : 2;
  if (number.size() < width) number.insert(0, width - number.size(), '0');
  return "T-" + number;
}

PlanCoverage coverage_of(const std::set<std::string>& cited, const std::vector<std::string>& requirement_ids) {
  PlanCoverage out;
  std::set<std::string> all(requirement_ids.begin(), requirement_ids.end());
  out.requirements = all.size();
  for (const auto& id : all)
    if (cited.count(id))
      ++out.covered;
    else
      out.uncovered.push_back(id);
  std::sort(out.uncovered.begin(), out.uncovered.end(), [](const std::string& a, const std::string& b) { return id_less(a, b); });
  return out;
}

// ---- reading an edited or generated plan: each reader stops at the first problem of an item
// and goes on with the next, so an editor sees every bad item at once (at most a few dozen).

class PlanReader {
 public:
  explicit PlanReader(const std::vector<std::string>& ids) : known_(ids.begin(), ids.end()) {}

  const nlohmann::json* array(const nlohmann::json& plan, const char* name) {
    if (!plan.is_object()) return problem("", "the plan must be a JSON object"), nullptr;
    const auto it = plan.find(name);
    if (it == plan.end() || !it->is_array()) return problem(name, std::string("'") + name + "' must be an array"), nullptr;
    if (it->size() > kMaxPlanItems)
      return problem(name, std::string("'") + name + "' holds at most " + std::to_string(kMaxPlanItems) + " items"),
             nullptr;
    return &*it;
  }

  // A string member; empty when missing and optional, nullopt (with a problem) when wrong.
  std::optional<std::string> text(const nlohmann::json& item, const std::string& at, const char* name, bool required) {
    const auto it = item.find(name);
    if (it == item.end() || it->is_null()) {
      if (required) return problem(at + "/" + name, std::string("'") + name + "' is required"), std::nullopt;
      return std::string();
    }
    if (!it->is_string() || (required && it->get_ref<const std::string&>().empty()) ||
        it->get_ref<const std::string&>().size() > kMaxPlanText)
      return problem(at + "/" + name, std::string("'") + name + "' must be a string of " + (required ? "1" : "0") +
                                          " to " + std::to_string(kMaxPlanText) + " characters"),
             std::nullopt;
    return it->get<std::string>();
  }

  // An array of strings; each must be one of `allowed` (when given) or a known requirement ID.
  std::optional<std::vector<std::string>> ids(const nlohmann::json& item, const std::string& at, const char* name,
                                              bool non_empty, const std::set<std::string>* allowed = nullptr) {
    const auto it = item.find(name);
    if (it == item.end() || it->is_null()) {
      if (non_empty) return problem(at + "/" + name, std::string("'") + name + "' must cite at least one"), std::nullopt;
      return std::vector<std::string>{};
    }
    if (!it->is_array() || it->size() > kMaxPlanItems)
      return problem(at + "/" + name, std::string("'") + name + "' must be an array of ids"), std::nullopt;
    if (non_empty && it->empty())
      return problem(at + "/" + name, std::string("'") + name + "' must cite at least one"), std::nullopt;
    std::vector<std::string> out;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto& value = (*it)[i];
      const std::string where = at + "/" + name + "/" + std::to_string(i);
      if (!value.is_string()) return problem(where, "expected an id (a string)"), std::nullopt;
      const std::string& id = value.get_ref<const std::string&>();
      const auto& set = allowed ? *allowed : known_;
      if (!set.count(id))
        return problem(where, allowed ? "'" + id + "' is not an earlier task of this list"
                                      : "'" + id + "' is not a current requirement of this project"),
               std::nullopt;
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
    return out;
  }

  void problem(std::string field, std::string message) { problems_.push_back({std::move(field), std::move(message)}); }
  bool known(const std::string& id) const { return known_.count(id) > 0; }
  std::vector<PlanProblem>& problems() { return problems_; }

 private:
  std::set<std::string> known_;
  std::vector<PlanProblem> problems_;
};

}  // namespace

std::string_view to_string(SectionKind kind) noexcept {
  switch (kind) {
    case SectionKind::kComponent: return "component";
    case SectionKind::kData: return "data";
    case SectionKind::kInterface: return "interface";
    case SectionKind::kConstraint: return "constraint";
  }
  return "component";
}

std::optional<SectionKind> section_kind_from(std::string_view text) noexcept {
  for (SectionKind kind : {SectionKind::kComponent, SectionKind::kData, SectionKind::kInterface, SectionKind::kConstraint})
    if (to_string(kind) == text) return kind;
  return std::nullopt;
}

PlanRules PlanRules::load(const std::filesystem::path& data_dir, const Taxonomy& taxonomy) {
  const auto file = data_dir / kPlanRulesFile;
  return parse(detail::read_json_file(file), file.string(), taxonomy);
}

PlanRules PlanRules::parse(const nlohmann::json& document, std::string source, const Taxonomy& taxonomy) {
  PlanRules rules;
  rules.source_ = std::move(source);
  for (const auto& category : taxonomy.categories()) {
    rules.category_names_.push_back(category.name);
    rules.category_labels_.push_back(category.label);
  }
  const detail::Node root(document, rules.source_);
  detail::require_format(root, 1);
  const auto sections = root.member("sections").elements();
  for (const auto& node : sections) {
    Rule rule;
    rule.id = node.member("id").string();
    if (!detail::is_snake_case(rule.id)) node.member("id").fail("a section id must be snake_case");
    for (const auto& other : rules.rules_)
      if (other.id == rule.id) node.member("id").fail("section '" + rule.id + "' appears twice");
    const auto kind = section_kind_from(node.member("kind").string());
    if (!kind) node.member("kind").fail("expected one of component, data, interface, constraint");
    rule.kind = *kind;
    rule.title = node.member("title").string();
    rule.summary = node.member("summary").string();
    rule.task = node.member("task").string();
    for (const auto& match : node.member("match").elements()) {
      Match m;
      m.category = match.member("category").string();
      if (!taxonomy.find(m.category))
        match.member("category").fail("unknown category '" + m.category + "' (the taxonomy's categories only)");
      m.keys = match.strings_or_empty("keys");
      rule.matches.push_back(std::move(m));
    }
    if (rule.matches.empty()) node.member("match").fail("a section matches at least one category");
    rule.after = node.strings_or_empty("after");
    rules.rules_.push_back(std::move(rule));
  }
  // Every `after` names a rule, and following them never comes back: the tasks have an order.
  for (std::size_t i = 0; i < rules.rules_.size(); ++i) {
    for (const auto& after : rules.rules_[i].after)
      if (std::none_of(rules.rules_.begin(), rules.rules_.end(), [&](const Rule& r) { return r.id == after; }))
        sections[i].member("after").fail("unknown section '" + after + "'");
  }
  std::map<std::string, int> state;  // 1: on the path, 2: done
  std::function<void(const Rule&)> visit = [&](const Rule& rule) {
    state[rule.id] = 1;
    for (const auto& after : rule.after) {
      const auto& next = *std::find_if(rules.rules_.begin(), rules.rules_.end(), [&](const Rule& r) { return r.id == after; });
      if (state[after] == 1) root.member("sections").fail("sections '" + rule.id + "' and '" + after + "' build on each other");
      if (state[after] == 0) visit(next);
    }
    state[rule.id] = 2;
  };
  for (const auto& rule : rules.rules_)
    if (state[rule.id] == 0) visit(rule);
  return rules;
}

const PlanRules::Rule* PlanRules::rule_for(const Requirement& requirement) const {
  // A rule that names the requirement's slot wins over one that takes its whole category.
  for (bool by_key : {true, false})
    for (const auto& rule : rules_)
      for (const auto& match : rule.matches) {
        if (match.category != requirement.category || match.keys.empty() != !by_key) continue;
        if (!by_key) return &rule;
        for (const auto& key : match.keys)
          if (key_matches(requirement.key, key)) return &rule;
      }
  return nullptr;
}

DesignOutline PlanRules::design_outline(const std::vector<Requirement>& requirements) const {
  std::map<std::string, std::vector<std::string>> cited;  // rule id -> requirement ids
  std::map<std::string, std::vector<std::string>> other;  // category -> requirement ids
  for (const auto& requirement : requirements) {
    if (requirement.id.empty()) continue;
    if (const Rule* rule = rule_for(requirement))
      cited[rule->id].push_back(requirement.id);
    else
      other[requirement.category].push_back(requirement.id);
  }
  auto sorted = [](std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) { return id_less(a, b); });
    return ids;
  };
  DesignOutline outline;
  for (const auto& rule : rules_) {
    auto it = cited.find(rule.id);
    if (it == cited.end()) continue;
    outline.sections.push_back({rule.id, rule.kind, rule.title, rule.summary, sorted(it->second)});
  }
  // Requirements no rule places (a category a replaced taxonomy added): one section per category.
  for (std::size_t c = 0; c < category_names_.size(); ++c) {
    auto it = other.find(category_names_[c]);
    if (it == other.end()) continue;
    outline.sections.push_back({"other_" + category_names_[c], SectionKind::kComponent,
                                "Other " + category_labels_[c] + " requirements",
                                "Requirements of " + category_labels_[c] + " that no section rule places.",
                                sorted(it->second)});
  }
  return outline;
}

std::vector<std::string> PlanRules::present_after(const std::string& rule_id,
                                                  const std::vector<std::string>& present) const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::vector<std::string> todo;
  auto rule = std::find_if(rules_.begin(), rules_.end(), [&](const Rule& r) { return r.id == rule_id; });
  if (rule == rules_.end()) return out;
  todo = rule->after;
  while (!todo.empty()) {
    const std::string id = todo.back();
    todo.pop_back();
    if (!seen.insert(id).second) continue;
    if (std::find(present.begin(), present.end(), id) != present.end()) {
      out.push_back(id);
      continue;
    }
    // An absent section passes on what it builds on.
    auto absent = std::find_if(rules_.begin(), rules_.end(), [&](const Rule& r) { return r.id == id; });
    if (absent != rules_.end()) todo.insert(todo.end(), absent->after.begin(), absent->after.end());
  }
  return out;
}

TaskList PlanRules::task_list(const std::vector<Requirement>& requirements) const {
  const DesignOutline outline = design_outline(requirements);
  std::vector<std::string> present;
  for (const auto& section : outline.sections) present.push_back(section.id);
  std::map<std::string, const Requirement*> by_id;
  for (const auto& requirement : requirements)
    if (!requirement.id.empty()) by_id.emplace(requirement.id, &requirement);

  // Kahn's order over the sections, ties in outline order: every section after those it builds on.
  std::vector<std::vector<std::string>> after(outline.sections.size());
  for (std::size_t i = 0; i < outline.sections.size(); ++i) after[i] = present_after(outline.sections[i].id, present);
  std::vector<std::size_t> order;
  std::set<std::string> placed;
  for (bool progress = true; progress && order.size() < outline.sections.size();) {
    progress = false;  // never false while sections wait: the rules were checked to have no cycle
    for (std::size_t i = 0; i < outline.sections.size(); ++i) {
      if (placed.count(outline.sections[i].id)) continue;
      if (std::all_of(after[i].begin(), after[i].end(), [&](const std::string& id) { return placed.count(id) > 0; })) {
        order.push_back(i);
        placed.insert(outline.sections[i].id);
        progress = true;
        break;
      }
    }
  }

  TaskList list;
  std::map<std::string, std::string> task_of;  // section id -> task id
  for (std::size_t n = 0; n < order.size(); ++n) {
    const OutlineSection& section = outline.sections[order[n]];
    const auto rule = std::find_if(rules_.begin(), rules_.end(), [&](const Rule& r) { return r.id == section.id; });
    PlanTask task;
    task.id = task_id(n, order.size());
    task.title = rule != rules_.end() ? rule->task : "Deliver the " + sentence_case(section.title);
    task.description = section.summary;
    task.requirement_ids = section.requirement_ids;
    for (const auto& id : section.requirement_ids) {
      auto criteria = criteria_of(*by_id.at(id));
      task.acceptance.insert(task.acceptance.end(), criteria.begin(), criteria.end());
    }
    for (const auto& id : present) {  // in outline order, for a stable list
      if (std::find(after[order[n]].begin(), after[order[n]].end(), id) != after[order[n]].end())
        task.depends_on.push_back(task_of.at(id));
    }
    task_of[section.id] = task.id;
    list.tasks.push_back(std::move(task));
  }
  return list;
}

nlohmann::json outline_json(const DesignOutline& outline) {
  nlohmann::json sections = nlohmann::json::array();
  for (const auto& section : outline.sections)
    sections.push_back({{"id", section.id},
                        {"kind", to_string(section.kind)},
                        {"title", section.title},
                        {"summary", section.summary},
                        {"requirement_ids", section.requirement_ids}});
  return {{"sections", std::move(sections)}};
}

nlohmann::json tasks_json(const TaskList& list) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& task : list.tasks) {
    nlohmann::json acceptance = nlohmann::json::array();
    for (const auto& criterion : task.acceptance)
      acceptance.push_back({{"requirement_id", criterion.requirement_id}, {"text", criterion.text}});
    tasks.push_back({{"id", task.id},
                     {"title", task.title},
                     {"description", task.description},
                     {"requirement_ids", task.requirement_ids},
                     {"acceptance", std::move(acceptance)},
                     {"depends_on", task.depends_on}});
  }
  return {{"tasks", std::move(tasks)}};
}

std::vector<PlanProblem> read_outline(const nlohmann::json& plan, const std::vector<std::string>& requirement_ids,
                                      DesignOutline& out) {
  PlanReader reader(requirement_ids);
  out = {};
  const nlohmann::json* sections = reader.array(plan, "sections");
  if (!sections) return reader.problems();
  std::set<std::string> seen;
  for (std::size_t i = 0; i < sections->size(); ++i) {
    const auto& item = (*sections)[i];
    const std::string at = "sections/" + std::to_string(i);
    if (!item.is_object()) {
      reader.problem(at, "a section must be an object");
      continue;
    }
    OutlineSection section;
    const auto id = reader.text(item, at, "id", false);
    const auto kind = reader.text(item, at, "kind", true);
    const auto title = reader.text(item, at, "title", true);
    const auto summary = reader.text(item, at, "summary", false);
    const auto cited = reader.ids(item, at, "requirement_ids", true);
    if (!id || !kind || !title || !summary || !cited) continue;
    section.id = id->empty() ? "section_" + std::to_string(i + 1) : *id;
    if (!seen.insert(section.id).second) {
      reader.problem(at + "/id", "section '" + section.id + "' appears twice");
      continue;
    }
    const auto parsed = section_kind_from(*kind);
    if (!parsed) {
      reader.problem(at + "/kind", "'kind' must be one of component, data, interface, constraint");
      continue;
    }
    section.kind = *parsed;
    section.title = *title;
    section.summary = *summary;
    section.requirement_ids = *cited;
    out.sections.push_back(std::move(section));
  }
  return reader.problems();
}

std::vector<PlanProblem> read_tasks(const nlohmann::json& plan, const std::vector<std::string>& requirement_ids,
                                    TaskList& out) {
  PlanReader reader(requirement_ids);
  out = {};
  const nlohmann::json* tasks = reader.array(plan, "tasks");
  if (!tasks) return reader.problems();
  std::set<std::string> earlier;
  for (std::size_t i = 0; i < tasks->size(); ++i) {
    const auto& item = (*tasks)[i];
    const std::string at = "tasks/" + std::to_string(i);
    if (!item.is_object()) {
      reader.problem(at, "a task must be an object");
      continue;
    }
    PlanTask task;
    const auto id = reader.text(item, at, "id", true);
    const auto title = reader.text(item, at, "title", true);
    const auto description = reader.text(item, at, "description", false);
    const auto cited = reader.ids(item, at, "requirement_ids", true);
    const auto depends = reader.ids(item, at, "depends_on", false, &earlier);
    if (!id || !title || !description || !cited || !depends) continue;
    if (earlier.count(*id)) {
      reader.problem(at + "/id", "task '" + *id + "' appears twice");
      continue;
    }
    task.id = *id;
    task.title = *title;
    task.description = *description;
    task.requirement_ids = *cited;
    task.depends_on = *depends;
    bool good = true;
    if (auto it = item.find("acceptance"); it != item.end() && !it->is_null()) {
      if (!it->is_array() || it->size() > kMaxPlanItems) {
        reader.problem(at + "/acceptance", "'acceptance' must be an array of {requirement_id, text}");
        continue;
      }
      for (std::size_t c = 0; c < it->size() && good; ++c) {
        const std::string where = at + "/acceptance/" + std::to_string(c);
        const auto& criterion = (*it)[c];
        if (!criterion.is_object()) {
          reader.problem(where, "a criterion must be an object {requirement_id, text}");
          good = false;
          break;
        }
        const auto requirement = reader.text(criterion, where, "requirement_id", true);
        const auto text = reader.text(criterion, where, "text", true);
        if (!requirement || !text) {
          good = false;
          break;
        }
        if (!reader.known(*requirement)) {
          reader.problem(where + "/requirement_id", "'" + *requirement + "' is not a current requirement of this project");
          good = false;
          break;
        }
        task.acceptance.push_back({*requirement, *text});
      }
    }
    earlier.insert(task.id);
    if (good) out.tasks.push_back(std::move(task));
  }
  return reader.problems();
}

PlanCoverage coverage(const DesignOutline& outline, const std::vector<std::string>& requirement_ids) {
  std::set<std::string> cited;
  for (const auto& section : outline.sections) cited.insert(section.requirement_ids.begin(), section.requirement_ids.end());
  return coverage_of(cited, requirement_ids);
}

PlanCoverage coverage(const TaskList& tasks, const std::vector<std::string>& requirement_ids) {
  std::set<std::string> cited;
  for (const auto& task : tasks.tasks) cited.insert(task.requirement_ids.begin(), task.requirement_ids.end());
  return coverage_of(cited, requirement_ids);
}

nlohmann::json coverage_json(const PlanCoverage& coverage) {
  return {{"requirements", coverage.requirements},
          {"covered", coverage.covered},
          {"uncovered", coverage.uncovered},
          {"complete", coverage.complete()}};
}

}  // namespace socrates::engine

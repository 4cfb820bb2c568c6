#include <socrates/engine/taxonomy.hpp>

#include "json_reader.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace socrates::engine {

Taxonomy Taxonomy::load(const std::filesystem::path& file) {
  return parse(detail::read_json_file(file), file.string());
}

Taxonomy Taxonomy::parse(const nlohmann::json& document, std::string source) {
  Taxonomy taxonomy;
  taxonomy.source_ = std::move(source);
  const detail::Node root(document, taxonomy.source_);
  detail::require_format(root, 1);

  taxonomy.phases_ = root.member("phases").strings();
  if (taxonomy.phases_.size() < 2) root.member("phases").fail("expected at least two phases");
  for (std::size_t i = 0; i < taxonomy.phases_.size(); ++i) {
    const auto where = root.member("phases").elements()[i];
    if (!detail::is_snake_case(taxonomy.phases_[i])) where.fail("a phase must be snake_case");
    if (std::count(taxonomy.phases_.begin(), taxonomy.phases_.end(), taxonomy.phases_[i]) > 1)
      where.fail("phase '" + taxonomy.phases_[i] + "' appears twice");
  }

  const auto categories = root.member("categories").elements();
  if (categories.empty()) root.member("categories").fail("expected at least one category");
  for (const auto& node : categories) {
    Category category;
    category.name = node.member("name").string();
    if (!detail::is_snake_case(category.name)) node.member("name").fail("a category name must be snake_case");
    if (taxonomy.find(category.name)) node.member("name").fail("category '" + category.name + "' appears twice");
    category.label = node.string_or("label", category.name);
    std::replace(category.label.begin(), category.label.end(), '_', ' ');
    category.description = node.member("description").string();
    // A target of 0 would divide by zero in the coverage; a huge one means a typo.
    category.target = node.member("target").number_in(0.1, 10000);
    category.phase = node.member("phase").string();
    if (!taxonomy.has_phase(category.phase))
      node.member("phase").fail("unknown phase '" + category.phase + "' (the phases are listed in 'phases')");
    taxonomy.total_target_ += category.target;
    taxonomy.categories_.push_back(std::move(category));
  }

  if (const auto gates = root.optional_member("gates")) {
    for (const auto& node : gates->elements()) {
      Gate gate;
      gate.phase = node.member("phase").string();
      if (!taxonomy.has_phase(gate.phase)) node.member("phase").fail("unknown phase '" + gate.phase + "'");
      if (gate.phase == taxonomy.phases_.front())
        node.member("phase").fail("'" + gate.phase + "' is the first phase: nothing advances into it");
      if (taxonomy.gate(gate.phase)) node.member("phase").fail("a second gate for phase '" + gate.phase + "'");
      gate.required_score = node.member("required_score").integer_in(0, 100);
      gate.max_open_conflicts =
          node.optional_member("max_open_conflicts") ? node.member("max_open_conflicts").integer_in(0, 1000000) : 0;
      taxonomy.gates_.push_back(std::move(gate));
    }
  }
  return taxonomy;
}

const Category* Taxonomy::find(std::string_view name) const noexcept {
  for (const auto& category : categories_)
    if (category.name == name) return &category;
  return nullptr;
}

std::size_t Taxonomy::index_of(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < categories_.size(); ++i)
    if (categories_[i].name == name) return i;
  return static_cast<std::size_t>(-1);
}

bool Taxonomy::has_phase(std::string_view phase) const noexcept {
  return std::find(phases_.begin(), phases_.end(), phase) != phases_.end();
}

std::optional<std::string> Taxonomy::next_phase(std::string_view phase) const {
  const auto it = std::find(phases_.begin(), phases_.end(), phase);
  if (it == phases_.end()) throw std::invalid_argument("unknown phase '" + std::string(phase) + "'");
  if (it + 1 == phases_.end()) return std::nullopt;
  return *(it + 1);
}

const Gate* Taxonomy::gate(std::string_view phase) const noexcept {
  for (const auto& gate : gates_)
    if (gate.phase == phase) return &gate;
  return nullptr;
}

void to_json(nlohmann::json& out, const Category& category) {
  out = {{"name", category.name},
         {"label", category.label},
         {"description", category.description},
         {"target", category.target},
         {"phase", category.phase}};
  // Whole targets as integers: the API shows "target": 10, not 10.0.
  if (std::floor(category.target) == category.target) out["target"] = static_cast<long long>(category.target);
}

}  // namespace socrates::engine

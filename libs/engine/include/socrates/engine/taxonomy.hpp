#pragma once
// Taxonomy: the categories a specification can belong to, the project phases and their gates.
//
// Data, not code (domain.md): loaded from taxonomy.json at start-up; a deployment may ship its
// own. Immutable after loading: share one instance between threads freely.

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

struct Category {
  std::string name;         // snake_case id: "tech_stack"
  std::string label;        // for people: "technology stack"
  std::string description;  // one sentence a user understands
  double target = 0;        // the Σ confidence at which the category counts as covered
  std::string phase;        // the phase where it matters most
};

// What advancing INTO `phase` requires.
struct Gate {
  std::string phase;
  int required_score = 0;      // maturity, 0..100
  int max_open_conflicts = 0;  // DOMAIN: every gate needs zero
};

class Taxonomy {
 public:
  // Throws DataError naming `file` when it cannot be read or does not describe a valid taxonomy.
  static Taxonomy load(const std::filesystem::path& file);
  // `source` names the document in error messages.
  static Taxonomy parse(const nlohmann::json& document, std::string source);

  // In taxonomy order, which is also the tie-break order for choosing the next category.
  const std::vector<Category>& categories() const noexcept { return categories_; }
  const Category* find(std::string_view name) const noexcept;
  // Position in taxonomy order, or npos.
  std::size_t index_of(std::string_view name) const noexcept;
  double total_target() const noexcept { return total_target_; }

  // In order: discovery → analysis → design → implementation by default.
  const std::vector<std::string>& phases() const noexcept { return phases_; }
  bool has_phase(std::string_view phase) const noexcept;
  // The phase after `phase`, or nullopt for the last one. Throws std::invalid_argument for an unknown phase.
  std::optional<std::string> next_phase(std::string_view phase) const;
  // The gate of advancing into `phase`, or null when advancing there needs nothing.
  const Gate* gate(std::string_view phase) const noexcept;
  const std::vector<Gate>& gates() const noexcept { return gates_; }

  const std::string& source() const noexcept { return source_; }

 private:
  std::vector<Category> categories_;
  std::vector<std::string> phases_;
  std::vector<Gate> gates_;
  double total_target_ = 0;
  std::string source_;
};

void to_json(nlohmann::json& out,
             const Category& category);  // the API's {"name","description","target","phase"} (+ "label")

}  // namespace socrates::engine

#pragma once
// Reading the data files with error messages that name the file and the place inside it
// ("lexicon.json: terms[3].aliases[0]: expected a non-empty string"). Internal.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine::detail {

// Reads and parses a JSON file; throws DataError naming the file (missing, unreadable, invalid JSON
// with line and column).
nlohmann::json read_json_file(const std::filesystem::path& file);

class Node {
 public:
  Node(const nlohmann::json& value, const std::string& source, std::string where = {})
      : value_(&value), source_(&source), where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& problem) const;

  const nlohmann::json& json() const noexcept { return *value_; }
  const std::string& where() const noexcept { return where_; }
  const std::string& source() const noexcept { return *source_; }

  void require_object() const;
  void require_array() const;
  bool has(std::string_view name) const;
  Node member(std::string_view name) const;  // required
  std::optional<Node> optional_member(std::string_view name) const;
  std::vector<Node> elements() const;                         // of an array
  std::vector<std::pair<std::string, Node>> members() const;  // of an object, sorted by name

  std::string string() const;  // non-empty
  double number() const;
  double number_in(double min, double max) const;
  int integer_in(int min, int max) const;
  bool boolean() const;
  std::vector<std::string> strings() const;  // array of non-empty strings

  // Optional members with defaults.
  std::string string_or(std::string_view name, std::string fallback) const;
  bool boolean_or(std::string_view name, bool fallback) const;
  std::vector<std::string> strings_or_empty(std::string_view name) const;

 private:
  std::string child(std::string_view name) const;
  const nlohmann::json* value_;
  const std::string* source_;
  std::string where_;
};

// Checks a document's "format" member: the engine reads format 1.
void require_format(const Node& root, int supported);

// Refuses a template that uses a {placeholder} outside `allowed`.
void require_placeholders(const Node& node, const std::string& pattern, const std::vector<std::string>& allowed);

}  // namespace socrates::engine::detail

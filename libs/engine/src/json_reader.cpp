#include "json_reader.hpp"

#include <socrates/engine/data_error.hpp>

#include "text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace socrates::engine::detail {

nlohmann::json read_json_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    throw DataError(file.string(), "the file does not exist (set the engine's data directory to a folder holding it)");
  if (std::filesystem::is_directory(file, ec)) throw DataError(file.string(), "is a directory, not a JSON file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file.string(), std::string("cannot be opened: ") + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  const std::string text = content.str();
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line 3, column 5: …";
    // the bracketed id helps nobody who edits the file.
    std::string message = e.what();
    const auto bracket = message.find("] ");
    if (message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) message.erase(0, bracket + 2);
    throw DataError(file.string(), "invalid JSON: " + message);
  }
}

void Node::fail(const std::string& problem) const {
  throw DataError(*source_, where_.empty() ? problem : where_ + ": " + problem);
}

std::string Node::child(std::string_view name) const {
  return where_.empty() ? std::string(name) : where_ + "." + std::string(name);
}

void Node::require_object() const {
  if (!value_->is_object()) fail("expected an object");
}

void Node::require_array() const {
  if (!value_->is_array()) fail("expected an array");
}

bool Node::has(std::string_view name) const { return value_->is_object() && value_->contains(std::string(name)); }

Node Node::member(std::string_view name) const {
  require_object();
  const auto it = value_->find(std::string(name));
  if (it == value_->end()) fail("missing member '" + std::string(name) + "'");
  return Node(*it, *source_, child(name));
}

std::optional<Node> Node::optional_member(std::string_view name) const {
  require_object();
  const auto it = value_->find(std::string(name));
  if (it == value_->end() || it->is_null()) return std::nullopt;
  return Node(*it, *source_, child(name));
}

std::vector<Node> Node::elements() const {
  require_array();
  std::vector<Node> out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i)
    out.emplace_back((*value_)[i], *source_, where_ + "[" + std::to_string(i) + "]");
  return out;
}

std::vector<std::pair<std::string, Node>> Node::members() const {
  require_object();
  std::vector<std::pair<std::string, Node>> out;
  for (auto it = value_->begin(); it != value_->end(); ++it)
    out.emplace_back(it.key(), Node(*it, *source_, child(it.key())));
  return out;
}

std::string Node::string() const {
  if (!value_->is_string()) fail("expected a string");
  const auto& text = value_->get_ref<const std::string&>();
  if (trim(text).empty()) fail("expected a non-empty string");
  return text;
}

double Node::number() const {
  if (!value_->is_number()) fail("expected a number");
  return value_->get<double>();
}

double Node::number_in(double min, double max) const {
  const double value = number();
  if (!(value >= min && value <= max))
    fail("expected a number from " + format_number(min) + " to " + format_number(max) + ", got " +
         format_number(value));
  return value;
}

int Node::integer_in(int min, int max) const {
  if (!value_->is_number_integer()) fail("expected an integer");
  const auto value = value_->get<long long>();
  if (value < min || value > max)
    fail("expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
         std::to_string(value));
  return static_cast<int>(value);
}

bool Node::boolean() const {
  if (!value_->is_boolean()) fail("expected true or false");
  return value_->get<bool>();
}

std::vector<std::string> Node::strings() const {
  std::vector<std::string> out;
  for (const Node& element : elements()) out.push_back(element.string());
  return out;
}

std::string Node::string_or(std::string_view name, std::string fallback) const {
  const auto node = optional_member(name);
  return node ? node->string() : std::move(fallback);
}

bool Node::boolean_or(std::string_view name, bool fallback) const {
  const auto node = optional_member(name);
  return node ? node->boolean() : fallback;
}

std::vector<std::string> Node::strings_or_empty(std::string_view name) const {
  const auto node = optional_member(name);
  return node ? node->strings() : std::vector<std::string>{};
}

void require_format(const Node& root, int supported) {
  root.require_object();
  const int format = root.member("format").integer_in(1, 1000);
  if (format != supported)
    root.member("format").fail("format " + std::to_string(format) + " is not supported; this engine reads format " +
                               std::to_string(supported));
}

void require_placeholders(const Node& node, const std::string& pattern, const std::vector<std::string>& allowed) {
  for (const std::string& name : placeholders(pattern)) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "{" : ", {") + a + "}";
      node.fail("unknown placeholder {" + name + "}; this template may use " + (list.empty() ? "none" : list));
    }
  }
}

}  // namespace socrates::engine::detail

#pragma once
// QuestionBank: the built-in engine's open questions per category, the follow-up templates used
// once a category's bank is used up, and the templates of the direct-chat reply.
//
// Loaded from question_bank.json; immutable afterwards (thread-safe to share). Templates use
// {placeholders}; loading refuses a template with a placeholder it cannot fill.

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

// How a follow-up quotes a specification: statements ("help bakeries take orders online") are
// quoted as they are; short slot values ("PostgreSQL") with their label ("database: PostgreSQL").
struct QuoteStyle {
  std::size_t max_chars = 80;           // longer quotes are cut at a word boundary and end with "…"
  std::size_t statement_min_words = 3;  // a value with this many words (with letters) is a statement
  std::string slot_format = "{label}: {value}";
};

struct ReplyTemplates {
  std::string recorded;        // {items}
  std::string item_slot;       // {label} {value} {category}
  std::string item_statement;  // {value} {category}
  std::string item_separator;
  std::string conflicts_one;
  std::string conflicts_many;  // {count}
  std::string duplicates;
  std::string nothing;
  std::string next;  // {category} {description}
};

class QuestionBank {
 public:
  // Throws DataError naming `file`.
  static QuestionBank load(const std::filesystem::path& file);
  static QuestionBank parse(const nlohmann::json& document, std::string source);

  // The bank of one category in asking order; empty when the category has none.
  const std::vector<std::string>& questions(std::string_view category) const;
  const std::map<std::string, std::vector<std::string>, std::less<>>& all_questions() const noexcept {
    return questions_;
  }
  // Templates with {quote} and {category}: "You said '{quote}'. What …?"
  const std::vector<std::string>& specification_follow_ups() const noexcept { return specification_follow_ups_; }
  // Templates with {category} only, for a category without any specification yet.
  const std::vector<std::string>& category_follow_ups() const noexcept { return category_follow_ups_; }
  const QuoteStyle& quote_style() const noexcept { return quote_style_; }
  const ReplyTemplates& replies() const noexcept { return replies_; }
  const std::string& source() const noexcept { return source_; }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> questions_;
  std::vector<std::string> specification_follow_ups_;
  std::vector<std::string> category_follow_ups_;
  QuoteStyle quote_style_;
  ReplyTemplates replies_;
  std::string source_;
};

}  // namespace socrates::engine

#include <socrates/engine/question_bank.hpp>

#include "json_reader.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

namespace socrates::engine {

QuestionBank QuestionBank::load(const std::filesystem::path& file) {
  return parse(detail::read_json_file(file), file.string());
}

QuestionBank QuestionBank::parse(const nlohmann::json& document, std::string source) {
  QuestionBank bank;
  bank.source_ = std::move(source);
  const detail::Node root(document, bank.source_);
  detail::require_format(root, 1);

  for (const auto& [category, node] : root.member("questions").members()) {
    if (!detail::is_snake_case(category)) node.fail("a category name must be snake_case");
    auto questions = node.strings();
    for (std::size_t i = 0; i < questions.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j)
        if (detail::lower_ascii(detail::trim(questions[i])) == detail::lower_ascii(detail::trim(questions[j])))
          node.elements()[i].fail("the same question appears twice");
      if (!detail::placeholders(questions[i]).empty())
        node.elements()[i].fail("a bank question is asked as written and cannot have {placeholders}");
    }
    bank.questions_.emplace(category, std::move(questions));
  }

  const auto follow_ups = root.member("follow_ups");
  bank.specification_follow_ups_ = follow_ups.member("about_specification").strings();
  bank.category_follow_ups_ = follow_ups.member("about_category").strings();
  if (bank.specification_follow_ups_.empty())
    follow_ups.member("about_specification").fail("expected at least one template");
  if (bank.category_follow_ups_.empty()) follow_ups.member("about_category").fail("expected at least one template");
  for (const auto& node : follow_ups.member("about_specification").elements()) {
    detail::require_placeholders(node, node.string(), {"quote", "category"});
    if (detail::placeholders(node.string()).empty())
      node.fail("a follow-up about a specification must quote it with {quote}");
  }
  for (const auto& node : follow_ups.member("about_category").elements())
    detail::require_placeholders(node, node.string(), {"category"});

  if (const auto quote = root.optional_member("quote")) {
    if (const auto max = quote->optional_member("max_chars"))
      bank.quote_style_.max_chars = static_cast<std::size_t>(max->integer_in(10, 1000));
    if (const auto words = quote->optional_member("statement_min_words"))
      bank.quote_style_.statement_min_words = static_cast<std::size_t>(words->integer_in(1, 100));
    if (const auto format = quote->optional_member("slot_format")) {
      bank.quote_style_.slot_format = format->string();
      detail::require_placeholders(*format, bank.quote_style_.slot_format, {"label", "value"});
    }
  }

  const auto replies = root.member("replies");
  auto read = [&](const char* name, std::string& target, const std::vector<std::string>& allowed) {
    const auto node = replies.member(name);
    target = node.string();
    detail::require_placeholders(node, target, allowed);
  };
  ReplyTemplates& r = bank.replies_;
  read("recorded", r.recorded, {"items"});
  read("item_slot", r.item_slot, {"label", "value", "category"});
  read("item_statement", r.item_statement, {"value", "category"});
  {
    // The separator is often just "; ", which a non-empty-string check would refuse after trimming.
    const auto node = replies.member("item_separator");
    if (!node.json().is_string() || node.json().get<std::string>().empty()) node.fail("expected a non-empty string");
    r.item_separator = node.json().get<std::string>();
  }
  read("conflicts_one", r.conflicts_one, {});
  read("conflicts_many", r.conflicts_many, {"count"});
  read("duplicates", r.duplicates, {});
  read("nothing", r.nothing, {});
  read("next", r.next, {"category", "description"});
  return bank;
}

const std::vector<std::string>& QuestionBank::questions(std::string_view category) const {
  static const std::vector<std::string> kNone;
  const auto it = questions_.find(category);
  return it == questions_.end() ? kNone : it->second;
}

}  // namespace socrates::engine

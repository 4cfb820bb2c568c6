#include <socrates/engine/reply_writer.hpp>

#include <socrates/engine/maturity.hpp>

#include "text.hpp"

namespace socrates::engine {

std::string ReplyWriter::reply(const ReplyFacts& facts, const std::vector<Specification>& current) const {
  const ReplyTemplates& t = bank_.replies();
  auto category_label = [&](const std::string& name) {
    const Category* category = taxonomy_.find(name);
    return category ? category->label : name;
  };

  std::vector<std::string> sentences;
  if (!facts.recorded.empty()) {
    std::string items;
    for (const Candidate& candidate : facts.recorded) {
      const Specification& spec = candidate.specification;
      // Slots read well as "database: PostgreSQL"; a statement is repeated as it was said.
      const bool statement = candidate.origin == Origin::kKeyword || candidate.origin == Origin::kQuestionCategory;
      const std::string label = candidate.label.empty() ? lexicon_.label_of(spec.category, spec.key) : candidate.label;
      const std::string item =
          statement
              ? detail::render(t.item_statement, {{"value", spec.value}, {"category", category_label(spec.category)}})
              : detail::render(t.item_slot,
                               {{"label", label}, {"value", spec.value}, {"category", category_label(spec.category)}});
      items += (items.empty() ? "" : t.item_separator) + item;
    }
    sentences.push_back(detail::render(t.recorded, {{"items", items}}));
  }
  if (facts.conflicts == 1) sentences.push_back(t.conflicts_one);
  if (facts.conflicts > 1)
    sentences.push_back(detail::render(t.conflicts_many, {{"count", std::to_string(facts.conflicts)}}));
  if (facts.duplicates > 0) sentences.push_back(t.duplicates);
  if (facts.recorded.empty() && facts.conflicts == 0 && facts.duplicates == 0) sentences.push_back(t.nothing);

  const Category& next = least_covered_category(taxonomy_, current);
  sentences.push_back(detail::render(t.next, {{"category", next.label}, {"description", next.description}}));

  std::string reply;
  for (const auto& sentence : sentences) reply += (reply.empty() ? "" : " ") + sentence;
  return reply;
}

}  // namespace socrates::engine

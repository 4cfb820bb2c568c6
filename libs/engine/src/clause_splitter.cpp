#include <socrates/engine/clause_splitter.hpp>

#include "text.hpp"

#include <algorithm>

namespace socrates::engine {
namespace {

using detail::is_space;

bool listed(const std::vector<std::string>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// Bullets and numbering that start a line of a list: "- ", "* ", "• ", "1. ", "2) ".
std::string_view strip_bullet(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && is_space(line[i])) ++i;
  if (line.compare(i, 3, "\xE2\x80\xA2") == 0) return line.substr(i + 3);
  if (i < line.size() && (line[i] == '-' || line[i] == '*') && i + 1 < line.size() && is_space(line[i + 1]))
    return line.substr(i + 2);
  std::size_t j = i;
  while (j < line.size() && detail::is_digit(line[j])) ++j;
  if (j > i && j - i <= 2 && j + 1 < line.size() && (line[j] == '.' || line[j] == ')') && is_space(line[j + 1]))
    return line.substr(j + 2);
  return line.substr(i);
}

// The word just before position `dot` (letters and inner dots: "e.g").
std::string word_before(std::string_view text, std::size_t dot) {
  std::size_t begin = dot;
  while (begin > 0 && (detail::is_word_char(text[begin - 1]) || text[begin - 1] == '.')) --begin;
  return detail::lower_ascii(text.substr(begin, dot - begin));
}

std::vector<std::string> split_sentences(std::string_view line, const ClauseRules& rules) {
  std::vector<std::string> out;
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ';') {
      out.emplace_back(line.substr(start, i - start));
      start = ++i;
      continue;
    }
    if (c != '.' && c != '!' && c != '?') {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < line.size() && (line[end] == '.' || line[end] == '!' || line[end] == '?')) ++end;
    // Closing quotes and brackets belong to the sentence they close.
    while (end < line.size() && (line[end] == '"' || line[end] == '\'' || line[end] == ')')) ++end;
    // Only a mark followed by a blank ends a sentence: "Node.js", "99.9%", "v1.2" do not.
    if (end < line.size() && !is_space(line[end])) {
      i = end;
      continue;
    }
    if (c == '.' && end == i + 1) {
      std::size_t next = end;
      while (next < line.size() && is_space(line[next])) ++next;
      const bool lower_follows = next < line.size() && line[next] >= 'a' && line[next] <= 'z';
      // "e.g. postgres" goes on; "… etc. We also …" ends.
      if (lower_follows && listed(rules.abbreviations, word_before(line, i))) {
        i = end;
        continue;
      }
    }
    out.emplace_back(line.substr(start, end - start));
    start = i = end;
  }
  if (start < line.size()) out.emplace_back(line.substr(start));
  return out;
}

// A part with a subject of its own or a verb: "the backend is in Go", "we use React" — unlike
// "Redis" in "PostgreSQL and Redis" or "edit invoices" in "create and edit invoices".
bool is_full_clause(std::string_view text, const ClauseRules& rules) {
  const std::string form = detail::match_form(text);
  const auto words = detail::split_words(form);
  if (words.size() < 2) return false;
  std::size_t first = 0;
  while (first < words.size() && listed(rules.skip_words, words[first].text)) ++first;
  if (first < words.size()) {
    std::string subject(words[first].text);
    if (const auto apostrophe = subject.find('\''); apostrophe != std::string::npos) subject.erase(apostrophe);
    if (listed(rules.subjects, subject)) return true;
  }
  for (const auto& word : words) {
    if (listed(rules.verbs, word.text)) return true;
    for (const auto& suffix : rules.verb_suffixes)
      if (word.text.size() > suffix.size() &&
          word.text.compare(word.text.size() - suffix.size(), suffix.size(), suffix) == 0)
        return true;
  }
  return false;
}

std::vector<std::string> split_on_conjunctions(const std::string& sentence, const ClauseRules& rules) {
  const std::string form = detail::match_form(sentence);
  const auto words = detail::split_words(form);
  std::vector<std::size_t> joints;  // indices into words
  for (std::size_t k = 1; k + 1 < words.size(); ++k)
    if (listed(rules.conjunctions, words[k].text) || listed(rules.right_full_conjunctions, words[k].text))
      joints.push_back(k);

  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t j = 0; j < joints.size(); ++j) {
    const auto& joint = words[joints[j]];
    const std::size_t right_end = j + 1 < joints.size() ? words[joints[j + 1]].begin : sentence.size();
    const std::string_view left = std::string_view(sentence).substr(start, joint.begin - start);
    const std::string_view right = std::string_view(sentence).substr(joint.end, right_end - joint.end);
    const bool left_ok = listed(rules.right_full_conjunctions, joint.text)
                             ? std::any_of(left.begin(), left.end(), detail::is_word_char)
                             : is_full_clause(left, rules);
    if (left_ok && is_full_clause(right, rules)) {
      out.emplace_back(left);
      start = joint.end;
    }
  }
  out.emplace_back(sentence.substr(start));
  return out;
}

std::string clean(std::string_view clause) {
  std::string text = detail::trim(clause);
  auto is_edge_mark = [](char c) {
    return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '"' || c == '-';
  };
  while (!text.empty() && is_edge_mark(text.back())) text.pop_back();
  std::size_t begin = 0;
  while (begin < text.size() && (is_edge_mark(text[begin]) || is_space(text[begin]))) ++begin;
  return detail::trim(std::string_view(text).substr(begin));
}

}  // namespace

std::vector<std::string> split_clauses(std::string_view answer, const ClauseRules& rules) {
  const std::string text = detail::normalise_input(answer);
  std::vector<std::string> clauses;
  std::size_t line_start = 0;
  while (line_start <= text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    const std::string_view line = strip_bullet(std::string_view(text).substr(line_start, line_end - line_start));
    for (const std::string& sentence : split_sentences(line, rules)) {
      for (const std::string& part : split_on_conjunctions(detail::trim(sentence), rules)) {
        std::string clause = clean(part);
        // A clause without a single letter or digit ("...", "?!") carries nothing.
        if (std::any_of(clause.begin(), clause.end(), detail::is_word_char)) clauses.push_back(std::move(clause));
      }
    }
    line_start = line_end + 1;
  }
  return clauses;
}

}  // namespace socrates::engine

#include "text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace socrates::engine::detail {

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

std::string trim(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string normalise_input(std::string_view raw) {
  // UTF-8 sequences people type or paste from word processors, and their ASCII reading.
  static const std::pair<std::string_view, std::string_view> kReplacements[] = {
      {"\xE2\x80\x98", "'"},   {"\xE2\x80\x99", "'"},   {"\xE2\x80\x9C", "\""}, {"\xE2\x80\x9D", "\""},
      {"\xE2\x80\x93", "-"},   {"\xE2\x80\x94", " - "}, {"\xE2\x89\xA4", "<="}, {"\xE2\x89\xA5", ">="},
      {"\xE2\x80\xA6", "..."}, {"\xC2\xA0", " "},       {"\xE2\x80\xAF", " "},
  };
  std::string replaced;
  replaced.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    bool done = false;
    if (static_cast<unsigned char>(raw[i]) >= 0x80) {
      for (const auto& [from, to] : kReplacements) {
        if (raw.compare(i, from.size(), from) == 0) {
          replaced += to;
          i += from.size();
          done = true;
          break;
        }
      }
    }
    if (!done) replaced += raw[i++];
  }
  std::string out;
  out.reserve(replaced.size());
  for (std::size_t i = 0; i < replaced.size(); ++i) {
    char c = replaced[i];
    if (c == '\r') {
      if (i + 1 < replaced.size() && replaced[i + 1] == '\n') continue;
      c = '\n';
    }
    if (c == '\n') {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      out += '\n';
      continue;
    }
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

std::string match_form(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c == '-' || c == '_') ? ' ' : lower(c);
  return out;
}

std::string case_form(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c == '-' || c == '_') c = ' ';
  return out;
}

std::string phrase_form(std::string_view phrase) {
  const std::string lowered = match_form(phrase);
  std::string out;
  for (char c : lowered) {
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

namespace {

bool boundary_ok(std::string_view text, std::size_t begin, std::size_t end, std::string_view phrase) {
  if (phrase.empty()) return false;
  if (is_word_char(phrase.front()) && begin > 0 && is_word_char(text[begin - 1])) return false;
  if (is_word_char(phrase.back()) && end < text.size() && is_word_char(text[end])) return false;
  // "c++" must not match the start of "c+++"; a '+' phrase owns the pluses that follow it.
  if (phrase.back() == '+' && end < text.size() && text[end] == '+') return false;
  return true;
}

}  // namespace

std::vector<Span> find_phrase(std::string_view text, std::string_view phrase) {
  std::vector<Span> spans;
  if (phrase.empty()) return spans;
  for (std::size_t pos = text.find(phrase); pos != std::string_view::npos; pos = text.find(phrase, pos + 1)) {
    if (boundary_ok(text, pos, pos + phrase.size(), phrase)) spans.push_back({pos, pos + phrase.size()});
  }
  return spans;
}

bool contains_phrase(std::string_view text, std::string_view phrase) {
  if (phrase.empty()) return false;
  for (std::size_t pos = text.find(phrase); pos != std::string_view::npos; pos = text.find(phrase, pos + 1))
    if (boundary_ok(text, pos, pos + phrase.size(), phrase)) return true;
  return false;
}

bool contains_any(std::string_view text, const std::vector<std::string>& phrases) {
  return std::any_of(phrases.begin(), phrases.end(),
                     [&](const std::string& phrase) { return contains_phrase(text, phrase); });
}

bool phrase_at_checked(std::string_view text, std::size_t pos, std::string_view phrase) {
  if (phrase.empty() || pos > text.size() || text.compare(pos, phrase.size(), phrase) != 0) return false;
  return boundary_ok(text, pos, pos + phrase.size(), phrase);
}

WordStarts::WordStarts(std::string_view text) : pairs_(256 * 256, false), singles_(256, false) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_word_char(text[i]) || (i > 0 && is_word_char(text[i - 1]))) continue;
    const auto first = static_cast<unsigned char>(text[i]);
    if (i + 1 < text.size())
      pairs_[pair(first, static_cast<unsigned char>(text[i + 1]))] = true;
    singles_[first] = true;  // a phrase of one byte needs only this
  }
}

bool WordStarts::may_contain(std::string_view phrase) const noexcept {
  if (phrase.empty()) return false;
  // A phrase that starts with another character (".net") is not bound to a word's start.
  if (!is_word_char(phrase.front())) return true;
  const auto first = static_cast<unsigned char>(phrase[0]);
  if (phrase.size() == 1) return singles_[first];
  return pairs_[pair(first, static_cast<unsigned char>(phrase[1]))];
}

std::vector<Word> split_words(std::string_view text) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_word_char(text[i])) {
      ++i;
      continue;
    }
    const std::size_t begin = i;
    while (i < text.size()) {
      if (is_word_char(text[i])) {
        ++i;
      } else if (text[i] == '\'' && i + 1 < text.size() && is_word_char(text[i + 1])) {
        ++i;
      } else {
        break;
      }
    }
    words.push_back({text.substr(begin, i - begin), begin, i});
  }
  return words;
}

std::size_t count_lettered_words(std::string_view text) {
  std::size_t n = 0;
  for (const Word& word : split_words(text)) {
    if (std::any_of(word.text.begin(), word.text.end(), [](char c) {
          const char l = lower(c);
          return l >= 'a' && l <= 'z';
        }))
      ++n;
  }
  return n;
}

std::string snake_case(std::string_view text) {
  std::string out;
  for (char c : text) {
    const char l = lower(c);
    if ((l >= 'a' && l <= 'z') || is_digit(l)) {
      out += l;
    } else if (l == '+') {
      out += "p";  // "C++" → "cpp", not "c"
    } else if (l == '#') {
      out += "sharp";
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

bool is_snake_case(std::string_view text) {
  if (text.empty() || text.front() == '_' || text.back() == '_') return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_')) return false;
    if (c == '_' && i > 0 && text[i - 1] == '_') return false;
  }
  return true;
}

std::string format_number(double value) {
  char buffer[320];  // "%.3f" of any finite double: up to 309 digits, sign, point, 3 decimals
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  std::string out(buffer);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  if (out == "-0") out = "0";
  return out;
}

std::string render(std::string_view pattern, const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  out.reserve(pattern.size() + 32);
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const std::size_t close = pattern.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view name = pattern.substr(i + 1, close - i - 1);
        const auto it = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
        if (it != values.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += pattern[i++];
  }
  return out;
}

std::vector<std::string> placeholders(std::string_view pattern) {
  std::vector<std::string> names;
  for (std::size_t i = pattern.find('{'); i != std::string_view::npos; i = pattern.find('{', i + 1)) {
    const std::size_t close = pattern.find('}', i);
    if (close == std::string_view::npos) break;
    names.emplace_back(pattern.substr(i + 1, close - i - 1));
  }
  return names;
}

std::string shorten(std::string_view text, std::size_t max_chars) {
  if (text.size() <= max_chars) return std::string(text);
  std::size_t cut = max_chars;
  while (cut > 0 && !is_space(text[cut])) --cut;
  if (cut == 0) {
    cut = max_chars;
    // Never cut inside a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string out = trim(text.substr(0, cut));
  while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == ':')) out.pop_back();
  return out + "\xE2\x80\xA6";
}

std::vector<std::string> longest_first(std::vector<std::string> phrases) {
  std::stable_sort(phrases.begin(), phrases.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return phrases;
}

}  // namespace socrates::engine::detail

namespace socrates::engine::detail {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// "logg" → "log", "stopp" → "stop"; "ll", "ss" and "zz" stay ("install", "access").
void undouble(std::string& s) {
  const std::size_t n = s.size();
  if (n >= 3 && s[n - 1] == s[n - 2] && !is_vowel(s[n - 1]) && s[n - 1] != 'l' && s[n - 1] != 's' &&
      s[n - 1] != 'z' && std::isalpha(static_cast<unsigned char>(s[n - 1])))
    s.pop_back();
}

}  // namespace

std::string lemma(std::string_view word) {
  std::string s = lower_ascii(word);
  if (ends_with(s, "'s")) s.resize(s.size() - 2);
  if (s.size() > 4 && ends_with(s, "ies")) {
    s.resize(s.size() - 3);
    s += 'y';
  } else if (s.size() > 5 && ends_with(s, "ing")) {
    s.resize(s.size() - 3);
    undouble(s);
  } else if (s.size() > 3 && ends_with(s, "ed") && s[s.size() - 3] != 'e') {
    // "stored" → "stor(e)", "logged" → "log", "used" → "use"; "need", "speed" stay.
    if (s.size() - 2 >= 3) {
      s.resize(s.size() - 2);
      undouble(s);
    } else {
      s.pop_back();
    }
  } else if (s.size() > 3 && (ends_with(s, "sses") || ends_with(s, "shes") || ends_with(s, "ches") ||
                              ends_with(s, "xes") || ends_with(s, "zes"))) {
    s.resize(s.size() - 2);
  } else if (s.size() > 3 && s.back() == 's' && !ends_with(s, "ss") && !ends_with(s, "us") && !ends_with(s, "is")) {
    s.pop_back();
  }
  if (s.size() > 3 && s.back() == 'e') s.pop_back();
  return s;
}

std::string lemma_phrase(std::string_view phrase) {
  std::string out;
  const std::string form = match_form(phrase);
  for (const Word& word : split_words(form)) {
    if (!out.empty()) out += ' ';
    out += lemma(word.text);
  }
  return out;
}

std::string base_verb(std::string_view word) {
  std::string s = lower_ascii(word);
  if (s.size() > 4 && ends_with(s, "ies")) return s.substr(0, s.size() - 3) + "y";
  if (s.size() > 4 && (ends_with(s, "sses") || ends_with(s, "shes") || ends_with(s, "ches") || ends_with(s, "xes")))
    return s.substr(0, s.size() - 2);
  if (s.size() > 3 && s.back() == 's' && !ends_with(s, "ss") && !ends_with(s, "us")) s.pop_back();
  return s;
}

Span LemmaText::original(const Span& in_lemmas) const {
  Span out{std::string::npos, 0};
  for (const Entry& entry : words) {
    if (!entry.lemma.overlaps(in_lemmas)) continue;
    out.begin = std::min(out.begin, entry.original.begin);
    out.end = std::max(out.end, entry.original.end);
  }
  if (out.begin == std::string::npos) out = Span{0, 0};
  return out;
}

LemmaText lemma_text(std::string_view match) {
  LemmaText out;
  for (const Word& word : split_words(match)) {
    if (!out.text.empty()) out.text += ' ';
    const std::size_t begin = out.text.size();
    out.text += lemma(word.text);
    out.words.push_back({Span{begin, out.text.size()}, Span{word.begin, word.end}});
  }
  return out;
}

}  // namespace socrates::engine::detail

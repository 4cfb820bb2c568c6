#pragma once
// Text helpers shared by the engine's parts: normalisation, phrase search with word boundaries,
// words, templates. Internal: not installed, not part of the engine's API.
//
// Positions are byte offsets. match_form() and case_form() keep the length of their input, so a
// position found in one form is valid in the others and in the clause itself.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace socrates::engine::detail {

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const noexcept { return end - begin; }
  bool overlaps(const Span& other) const noexcept { return begin < other.end && other.begin < end; }
};

// Letters and digits; every byte of a multi-byte UTF-8 character counts as a letter, so that
// "café" stays one word.
inline bool is_word_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
}
inline bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
inline char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower_ascii(std::string_view text);
std::string trim(std::string_view text);

// An answer as the engine reads it: typographic quotes and dashes as ASCII, "≤"/"≥" as "<="/">=",
// CR LF as LF, runs of other blanks as one space.
std::string normalise_input(std::string_view raw);
// Same length as `text`: ASCII lower case, '-' and '_' as spaces (so "on-premises" is "on premises").
std::string match_form(std::string_view text);
// Same length as `text`: '-' and '_' as spaces, case kept (for case-sensitive aliases).
std::string case_form(std::string_view text);
// A data phrase in matching form: match_form, blanks collapsed, trimmed.
std::string phrase_form(std::string_view phrase);

// Every occurrence of `phrase` in `text` that starts and ends at a word boundary (checked only on
// the sides where the phrase itself has a letter or digit, so "c++" and ".net" still match).
std::vector<Span> find_phrase(std::string_view text, std::string_view phrase);
bool contains_phrase(std::string_view text, std::string_view phrase);
bool contains_any(std::string_view text, const std::vector<std::string>& phrases);
// `phrase` at exactly `pos`, with word boundaries. Inline for its first-byte test: most calls try a
// list of phrases at one place, and most of them fail there.
bool phrase_at_checked(std::string_view text, std::size_t pos, std::string_view phrase);
inline bool phrase_at(std::string_view text, std::size_t pos, std::string_view phrase) {
  return !phrase.empty() && pos < text.size() && text[pos] == phrase[0] && phrase_at_checked(text, pos, phrase);
}

// The first two bytes of every word of a text: a phrase that starts with a letter or digit can
// only be found where a word starts, so one whose first two bytes start no word of the text is
// not searched for at all (find_terms tries every alias of the lexicon on every clause).
class WordStarts {
 public:
  explicit WordStarts(std::string_view text);
  // False only when find_phrase(text, phrase) is certainly empty.
  bool may_contain(std::string_view phrase) const noexcept;

 private:
  static std::size_t pair(unsigned char first, unsigned char second) noexcept { return first * 256u + second; }
  std::vector<bool> pairs_;  // pair(first byte, second byte) of a word that has two
  std::vector<bool> singles_;  // the first byte of a word of one byte
};

struct Word {
  std::string_view text;
  std::size_t begin = 0;
  std::size_t end = 0;
};
// Runs of word characters; an apostrophe between letters stays inside ("don't"). The words view
// `text`, so it must outlive them: a temporary string is refused at compile time.
std::vector<Word> split_words(std::string_view text);
std::vector<Word> split_words(std::string&& text) = delete;
// Words that contain an ASCII letter.
std::size_t count_lettered_words(std::string_view text);

// snake_case of a value: "OAuth 2.0" → "oauth_2_0".
std::string snake_case(std::string_view text);
bool is_snake_case(std::string_view text);

// "200", "1.5", "0.25": at most three decimals, no trailing zeros, no exponent.
std::string format_number(double value);

// Replaces each {name} by its value; unknown names are left as they are (loading rejects them).
std::string render(std::string_view pattern, const std::vector<std::pair<std::string, std::string>>& values);
// The {names} a template uses.
std::vector<std::string> placeholders(std::string_view pattern);

// Cuts `text` to at most `max_chars` bytes at a word boundary, adding "…" when it cut.
std::string shorten(std::string_view text, std::size_t max_chars);

// The lemma of a word in matching form, for comparing inflections: "logged", "logging", "logs"
// → "log"; "stored", "storing", "store" → "stor"; "companies" → "company". A crude suffix
// stripper, not a dictionary: it only has to map a word and its inflections to one form, and
// words that are not inflections of each other to different forms often enough.
std::string lemma(std::string_view word);
// The words of a phrase, each as its lemma, joined by single spaces: "logged in" → "log in".
std::string lemma_phrase(std::string_view phrase);
// A verb as a person names an action: "scans" → "scan", "searches" → "search", "copies" → "copy".
std::string base_verb(std::string_view word);

// A text's words as lemmas, joined by single spaces, with where each came from: search it with
// find_phrase() for a lemma_phrase(), and map what was found back with original().
struct LemmaText {
  struct Entry {
    Span lemma;     // in `text`
    Span original;  // in the text given to lemma_text()
  };
  std::string text;
  std::vector<Entry> words;
  // The original span of a match in `text` (from the first to the last word it covers).
  Span original(const Span& in_lemmas) const;
};
LemmaText lemma_text(std::string_view match);

// Sorted by length, longest first, so that the longest phrase wins where several match.
std::vector<std::string> longest_first(std::vector<std::string> phrases);

}  // namespace socrates::engine::detail

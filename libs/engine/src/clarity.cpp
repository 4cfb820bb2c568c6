#include <socrates/engine/clarity.hpp>

#include <socrates/engine/clause_splitter.hpp>
#include <socrates/engine/data_error.hpp>

#include "json_reader.hpp"
#include "quantity.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <unordered_map>

namespace socrates::engine {
namespace {

using detail::Node;

const std::vector<std::string> kQuestionPlaceholders = {"marked", "words", "word", "value", "label"};

std::string phrase_of(const Node& node) {
  std::string phrase = detail::phrase_form(node.string());
  if (detail::split_words(phrase).empty()) node.fail("expected a phrase with at least one word");
  return phrase;
}

std::vector<std::string> phrase_list(const Node& node) {
  std::vector<std::string> out;
  for (const Node& element : node.elements()) out.push_back(phrase_of(element));
  return out;
}

std::string question_of(const Node& node, std::string_view name, bool required) {
  const auto member = node.optional_member(name);
  if (!member) {
    if (required) node.member(name);  // fails, naming the place
    return {};
  }
  std::string question = member->string();
  detail::require_placeholders(*member, question, kQuestionPlaceholders);
  return question;
}

// A set of phrases compiled into an index by their first word: matching is one pass over a text's
// words, whatever the number of phrases.
class PhraseIndex {
 public:
  struct Hit {
    std::size_t id;          // what add() was given
    std::size_t first_word;  // [first_word, end_word) of the text's words
    std::size_t end_word;
  };

  void add(const std::string& phrase, std::size_t id) {
    std::vector<std::string> words;
    for (const detail::Word& word : detail::split_words(phrase)) words.emplace_back(word.text);
    if (words.empty()) return;
    const std::string first = words.front();
    by_first_[first].push_back({std::move(words), id});
  }

  bool empty() const noexcept { return by_first_.empty(); }

  // Every occurrence, longest first at each position.
  std::vector<Hit> find(std::string_view text, const std::vector<detail::Word>& words) const {
    std::vector<Hit> hits;
    for (std::size_t i = 0; i < words.size(); ++i) {
      const auto it = by_first_.find(std::string(words[i].text));
      if (it == by_first_.end()) continue;
      for (const Entry& entry : it->second) {
        if (i + entry.words.size() > words.size()) continue;
        bool match = true;
        for (std::size_t k = 1; k < entry.words.size() && match; ++k)
          match = words[i + k].text == entry.words[k] && joined(text, words[i + k - 1], words[i + k]);
        if (match) hits.push_back({entry.id, i, i + entry.words.size()});
      }
    }
    std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
      return a.first_word != b.first_word ? a.first_word < b.first_word
                                          : (a.end_word - a.first_word) > (b.end_word - b.first_word);
    });
    return hits;
  }

  bool any(std::string_view text, const std::vector<detail::Word>& words) const { return !find(text, words).empty(); }

 private:
  // Two words are next to each other in a phrase when only blanks or dots lie between them
  // ("e.g.", "user friendly"), not a comma or a semicolon ("easy, to use").
  static bool joined(std::string_view text, const detail::Word& a, const detail::Word& b) {
    for (std::size_t p = a.end; p < b.begin; ++p)
      if (!detail::is_space(text[p]) && text[p] != '.') return false;
    return true;
  }

  struct Entry {
    std::vector<std::string> words;
    std::size_t id;
  };
  std::unordered_map<std::string, std::vector<Entry>> by_first_;
};

}  // namespace

ClarityRules ClarityRules::load(const std::filesystem::path& file) {
  return parse(detail::read_json_file(file), file.string());
}

ClarityRules ClarityRules::parse(const nlohmann::json& document, std::string source) {
  ClarityRules out;
  out.source_ = std::move(source);
  const Node root(document, out.source_);
  detail::require_format(root, 1);

  const Node maturity = root.member("maturity");
  out.weights_.unclear_factor = maturity.member("unclear_factor").number_in(0, 1);
  out.weights_.open_item_gap = maturity.member("open_item_gap").number_in(0, 1000);

  const Node context = root.member("sharpen").member("context");
  out.sharpen_context_ = context.string();
  detail::require_placeholders(context, out.sharpen_context_, {"label", "rule", "words"});

  std::set<std::string> ids;
  for (const Node& node : root.member("rules").elements()) {
    ClarityRule rule;
    rule.id = node.member("id").string();
    if (!detail::is_snake_case(rule.id)) node.member("id").fail("a rule id must be snake_case");
    if (!ids.insert(rule.id).second) node.member("id").fail("rule '" + rule.id + "' appears twice");
    rule.description = node.string_or("description", "");
    rule.question = question_of(node, "question", /*required=*/true);
    rule.unless_quantity = node.boolean_or("unless_quantity", false);
    if (const auto unless = node.optional_member("unless_any")) rule.unless_any = phrase_list(*unless);
    if (const auto phrases = node.optional_member("phrases")) {
      for (const Node& element : phrases->elements()) {
        if (element.json().is_object()) {
          rule.phrases.push_back({phrase_of(element.member("phrase")), question_of(element, "question", false)});
        } else {
          rule.phrases.push_back({phrase_of(element), ""});
        }
      }
    }
    if (const auto needs = node.optional_member("needs_unit")) {
      for (const Node& element : needs->elements()) {
        UnitNeed need;
        need.family = element.member("family").string();
        need.words = phrase_list(element.member("words"));
        if (need.words.empty()) element.member("words").fail("expected at least one phrase");
        need.question = question_of(element, "question", false);
        rule.needs_unit.push_back(std::move(need));
      }
    }
    if (rule.phrases.empty() && rule.needs_unit.empty())
      node.fail("a rule needs 'phrases' or 'needs_unit' (at least one entry)");
    out.rules_.push_back(std::move(rule));
  }
  if (out.rules_.empty()) root.member("rules").fail("expected at least one rule");
  return out;
}

// Bounds the cache: values are what users said, so they never stop being new.
constexpr std::size_t kMaxCachedValues = 8192;

struct ClarityChecker::Index {
  struct PhraseRef {
    std::size_t rule;
    std::size_t phrase;
  };
  PhraseIndex phrases;                  // every rule's phrases; ids index `refs`
  std::vector<PhraseRef> refs;
  std::vector<PhraseIndex> unless;      // per rule
  std::vector<std::vector<PhraseIndex>> needs;  // per rule, per unit need

  // A turn checks every current specification several times (coverage for the next question,
  // maturity after the answer) and the next turn checks the same ones again: findings are kept
  // by category, key and value. Measured: 60 specifications' maturity 552 -> 14 µs.
  std::shared_mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<const std::vector<ClarityFinding>>> cache;
};

ClarityChecker::ClarityChecker(const ClarityRules& rules, const Lexicon& lexicon)
    : rules_(rules), lexicon_(lexicon), index_(std::make_unique<Index>()) {
  const auto& families = lexicon.unit_families();
  for (std::size_t r = 0; r < rules.rules().size(); ++r) {
    const ClarityRule& rule = rules.rules()[r];
    for (std::size_t p = 0; p < rule.phrases.size(); ++p) {
      index_->phrases.add(rule.phrases[p].phrase, index_->refs.size());
      index_->refs.push_back({r, p});
    }
    PhraseIndex unless;
    for (const std::string& phrase : rule.unless_any) unless.add(phrase, 0);
    index_->unless.push_back(std::move(unless));
    std::vector<PhraseIndex> needs;
    for (const UnitNeed& need : rule.needs_unit) {
      if (!families.count(need.family))
        throw DataError(rules.source(), "rules (" + rule.id + ").needs_unit: unknown unit family '" + need.family +
                                            "' (the lexicon in " + lexicon.source() + " does not declare it)");
      PhraseIndex words;
      for (const std::string& word : need.words) words.add(word, 0);
      needs.push_back(std::move(words));
    }
    index_->needs.push_back(std::move(needs));
  }
}

ClarityChecker::~ClarityChecker() = default;
ClarityChecker::ClarityChecker(ClarityChecker&&) noexcept = default;

namespace {

// The cache's key of a specification: what its findings depend on.
void cache_key(std::string& key, const Specification& specification) {
  key.clear();
  key.reserve(specification.category.size() + specification.key.size() + specification.value.size() + 2);
  key.append(specification.category).append(1, '\n').append(specification.key).append(1, '\n').append(specification.value);
}

}  // namespace

std::vector<bool> ClarityChecker::are_clear(const std::vector<Specification>& specifications) const {
  std::vector<bool> out(specifications.size(), true);
  std::vector<std::size_t> unseen;
  std::string key;
  {
    std::shared_lock<std::shared_mutex> read(index_->mutex);
    for (std::size_t i = 0; i < specifications.size(); ++i) {
      cache_key(key, specifications[i]);
      if (const auto it = index_->cache.find(key); it != index_->cache.end()) out[i] = it->second->empty();
      else unseen.push_back(i);
    }
  }
  if (unseen.empty()) return out;
  std::vector<std::pair<std::string, std::shared_ptr<const std::vector<ClarityFinding>>>> made;
  made.reserve(unseen.size());
  for (const std::size_t i : unseen) {
    cache_key(key, specifications[i]);
    made.emplace_back(key, std::make_shared<const std::vector<ClarityFinding>>(find(specifications[i])));
    out[i] = made.back().second->empty();
  }
  std::unique_lock<std::shared_mutex> write(index_->mutex);
  if (index_->cache.size() + made.size() > kMaxCachedValues) index_->cache.clear();
  for (auto& [text, findings] : made) index_->cache.emplace(std::move(text), std::move(findings));
  return out;
}

std::shared_ptr<const std::vector<ClarityFinding>> ClarityChecker::cached(const Specification& specification) const {
  std::string key;
  cache_key(key, specification);
  {
    std::shared_lock<std::shared_mutex> read(index_->mutex);
    if (const auto it = index_->cache.find(key); it != index_->cache.end()) return it->second;
  }
  auto findings = std::make_shared<const std::vector<ClarityFinding>>(find(specification));
  std::unique_lock<std::shared_mutex> write(index_->mutex);
  if (index_->cache.size() >= kMaxCachedValues) index_->cache.clear();
  index_->cache.emplace(std::move(key), findings);
  return findings;
}

std::vector<ClarityFinding> ClarityChecker::check(const Specification& specification) const {
  return *cached(specification);
}

bool ClarityChecker::is_clear(const Specification& specification) const { return cached(specification)->empty(); }

std::vector<ClarityFinding> ClarityChecker::find(const Specification& specification) const {
  const std::string text = detail::normalise_input(specification.value);
  const std::string match = detail::match_form(text);
  const std::vector<detail::Word> words = detail::split_words(match);

  // Scanned only when a rule asks and the value has a digit: most values have none, and the
  // scan costs more than the rest of the check (measured: 12 of 15 µs).
  const bool digits = std::any_of(match.begin(), match.end(), [](char c) { return detail::is_digit(c); });
  std::optional<std::vector<detail::Quantity>> quantities;
  auto scanned = [&]() -> const std::vector<detail::Quantity>& {
    if (!quantities) quantities = digits ? detail::scan_quantities(match, lexicon_) : std::vector<detail::Quantity>{};
    return *quantities;
  };
  auto has_number = [&] {
    for (const detail::Quantity& q : scanned())
      if (!q.bound.unit.empty() || detail::is_digit(match[q.span.begin])) return true;
    return false;
  };

  // Per rule: the spans (byte offsets into `text`) that triggered it, and the phrase question.
  struct Triggered {
    std::vector<detail::Span> spans;
    std::string question;
  };
  std::vector<Triggered> triggered(rules_.rules().size());
  for (const PhraseIndex::Hit& hit : index_->phrases.find(match, words)) {
    const Index::PhraseRef& ref = index_->refs[hit.id];
    const detail::Span span{words[hit.first_word].begin, words[hit.end_word - 1].end};
    Triggered& t = triggered[ref.rule];
    // Within one rule the longest phrase at a place wins ("easy to use", not also "easy").
    if (std::any_of(t.spans.begin(), t.spans.end(), [&](const detail::Span& s) { return s.overlaps(span); })) continue;
    if (t.spans.empty()) t.question = rules_.rules()[ref.rule].phrases[ref.phrase].question;
    t.spans.push_back(span);
  }

  std::vector<ClarityFinding> out;
  std::string label;
  for (std::size_t r = 0; r < rules_.rules().size(); ++r) {
    const ClarityRule& rule = rules_.rules()[r];
    Triggered& t = triggered[r];
    if (t.spans.empty() && !rule.needs_unit.empty()) {
      // A number the metric needs a unit for: "p95 latency 200", "uptime 99.9".
      const std::string key_words = detail::match_form(specification.key);
      const std::vector<detail::Word> key_split = detail::split_words(key_words);
      for (std::size_t n = 0; n < rule.needs_unit.size() && t.spans.empty(); ++n) {
        const PhraseIndex& need_words = index_->needs[r][n];
        if (!need_words.any(match, words) && !need_words.any(key_words, key_split)) continue;
        const std::string& family = rule.needs_unit[n].family;
        const auto& found = scanned();
        if (std::any_of(found.begin(), found.end(), [&](const detail::Quantity& q) { return q.bound.family == family; }))
          continue;
        for (const detail::Quantity& q : found)
          if (q.bound.family == "count" && detail::is_digit(match[q.span.begin])) t.spans.push_back(q.span);
        t.question = rule.needs_unit[n].question;
      }
    }
    if (t.spans.empty()) continue;
    if (!index_->unless[r].empty() && index_->unless[r].any(match, words)) continue;
    if (rule.unless_quantity && has_number()) continue;

    ClarityFinding finding;
    finding.rule = rule.id;
    std::string marked;
    std::size_t at = 0;
    std::string quoted_words;
    for (const detail::Span& span : t.spans) {
      std::string written = text.substr(span.begin, span.size());
      marked += text.substr(at, span.begin - at) + "'" + written + "'";
      at = span.end;
      if (std::find(finding.words.begin(), finding.words.end(), written) == finding.words.end()) {
        quoted_words += (quoted_words.empty() ? "'" : ", '") + written + "'";
        finding.words.push_back(std::move(written));
      }
    }
    marked += text.substr(at);
    marked = detail::trim(marked);
    if (label.empty()) label = lexicon_.label_of(specification.category, specification.key);
    // A bare value ("fast", "200") says nothing on its own: name its slot.
    if (detail::count_lettered_words(text) < 3) marked = label + ": " + marked;
    finding.question = detail::render(t.question.empty() ? rule.question : t.question,
                                      {{"marked", marked},
                                       {"words", quoted_words},
                                       {"word", finding.words.front()},
                                       {"value", detail::trim(text)},
                                       {"label", label}});
    out.push_back(std::move(finding));
  }
  return out;
}

std::vector<std::string> unknown_clauses(std::string_view answer, const Lexicon& lexicon) {
  std::vector<std::string> out;
  for (std::string& clause : split_clauses(answer, lexicon.clauses()))
    if (detail::contains_any(detail::match_form(clause), lexicon.no_information())) out.push_back(std::move(clause));
  return out;
}

void to_json(nlohmann::json& out, const ClarityFinding& finding) {
  out = {{"rule", finding.rule}, {"words", finding.words}, {"question", finding.question}};
}

}  // namespace socrates::engine

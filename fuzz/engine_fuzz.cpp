// The built-in extraction engine (libs/engine), text in, specifications out, as the `context`
// agent runs it on an interview: each answer analysed against the specifications recorded so far,
// the new ones recorded, then the maturity, the next question and the direct-chat reply.
// Input: "CATEGORY\nANSWER" with further answers after lines "---"; CATEGORY is the category of
// the question answered (anything else counts as "", direct chat). Lines
// "@category/key=value" before it are specifications already recorded (confidence 0.9).
// Only what a request can carry reaches the engine: valid UTF-8, no NUL, at most 20,000 bytes.
// Checked: every candidate is storable as the API would store it (a taxonomy category, a
// snake_case key of 1 to 100 bytes, a non-empty value, confidence in [0, 1], valid UTF-8
// everywhere, no NUL), conflicts refer to something that exists, every score and text produced
// for the client is in range and valid UTF-8, and nothing throws.

#include "fuzz_check.hpp"

#include <socrates/engine/engine.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace engine = socrates::engine;
using socrates::fuzz::valid_utf8;

namespace {

const engine::Engine& shipped() {
  static const engine::Engine instance = engine::Engine::load(SOCRATES_ENGINE_DATA_DIR);
  return instance;
}

void check_text(const std::string& text, const std::string& what) {
  FUZZ_CHECK(valid_utf8(text), what + " is not valid UTF-8: " + text);
  FUZZ_CHECK(text.find('\0') == std::string::npos, what + " holds a NUL");
}

bool snake_key(const std::string& key) {
  if (key.empty() || key.size() > 100) return false;
  for (char ch : key)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  return true;
}

void check_candidate(const engine::Engine& e, const engine::Candidate& c) {
  const auto& s = c.specification;
  FUZZ_CHECK(e.taxonomy().find(s.category) != nullptr, "unknown category " + s.category);
  FUZZ_CHECK(snake_key(s.key), "not a snake_case key of 1 to 100 bytes: " + s.key);
  FUZZ_CHECK(!s.value.empty(), "empty value for " + s.key);
  FUZZ_CHECK(s.confidence >= 0 && s.confidence <= 1, "confidence " + std::to_string(s.confidence));
  check_text(s.value, "value of " + s.key);
  check_text(c.clause, "clause of " + s.key);
  check_text(c.label, "label of " + s.key);
  if (c.bound) {
    FUZZ_CHECK(c.bound->amount == c.bound->amount && c.bound->base_amount == c.bound->base_amount,
               "NaN in the bound of " + s.key);
    check_text(c.bound->unit, "unit of " + s.key);
  }
  nlohmann::json out;
  engine::to_json(out, c);
  out.dump();  // throws on invalid UTF-8, as the answer to the client would
  // Every recorded candidate is also handed over as a requirement.
  const engine::Requirement r = e.requirements().write(s, 1);
  FUZZ_CHECK(!r.id.empty() && !r.statement.empty(), "no requirement for " + s.key);
  check_text(r.statement, "statement of " + s.key);
  for (const auto& a : r.acceptance) check_text(a.given + a.when + a.then, "acceptance of " + s.key);
}

void check_analysis(const engine::Engine& e, const engine::AnswerAnalysis& analysis,
                    const std::vector<engine::Specification>& current) {
  for (std::size_t i = 0; i < analysis.findings.size(); ++i) {
    const auto& finding = analysis.findings[i];
    check_candidate(e, finding.candidate);
    if (finding.check.outcome == engine::CheckOutcome::kConflict)
      FUZZ_CHECK(!finding.check.conflicts.empty(), "a conflict outcome with no conflict");
    if (finding.check.outcome == engine::CheckOutcome::kDuplicate)
      FUZZ_CHECK(finding.check.duplicate_of.has_value(), "a duplicate of nothing");
    auto refs = std::vector<engine::SpecificationRef>{};
    for (const auto& conflict : finding.check.conflicts) {
      refs.push_back(conflict.against);
      check_text(conflict.description, "conflict description");
    }
    if (finding.check.duplicate_of) refs.push_back(*finding.check.duplicate_of);
    for (const auto& ref : refs) {
      if (ref.source == engine::SpecificationRef::Source::kCurrent)
        FUZZ_CHECK(ref.index < current.size(), "refers past the current specifications");
      else
        FUZZ_CHECK(ref.index < i, "refers to a candidate not accepted before it");
    }
  }
}

// What recording does to the current list: an accepted candidate is its slot's new value.
void record(std::vector<engine::Specification>& current, const engine::AnswerAnalysis& analysis) {
  for (const auto& candidate : analysis.accepted()) {
    bool replaced = false;
    for (auto& s : current)
      if (s.category == candidate.specification.category && s.key == candidate.specification.key) {
        s = candidate.specification;
        replaced = true;
      }
    if (!replaced) current.push_back(candidate.specification);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = socrates::fuzz::as_text(data, size);
  if (size > 20000 || !valid_utf8(input) || input.find('\0') != std::string_view::npos) return 0;
  const engine::Engine& e = shipped();

  std::vector<engine::Specification> current;
  std::string_view rest = input;
  while (!rest.empty() && rest.front() == '@') {
    const std::string_view line = rest.substr(1, rest.find('\n') - 1);
    rest = line.size() + 1 < rest.size() ? rest.substr(line.size() + 2) : std::string_view();
    const auto slash = line.find('/'), equals = line.find('=');
    if (slash >= equals || equals == std::string_view::npos) continue;
    engine::Specification s{std::string(line.substr(0, slash)), std::string(line.substr(slash + 1, equals - slash - 1)),
                            std::string(line.substr(equals + 1)), 0.9};
    // Only what the API lets be stored (see check_candidate).
    if (e.taxonomy().find(s.category) && snake_key(s.key) && !s.value.empty()) current.push_back(std::move(s));
  }
  const auto newline = rest.find('\n');
  // A question's category is the taxonomy's (or "" for direct chat): the session stored it.
  std::string category(rest.substr(0, newline));
  if (!e.taxonomy().find(category)) category.clear();
  rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  std::vector<std::string> answers;
  for (;;) {
    const auto cut = rest.find("\n---\n");
    answers.emplace_back(rest.substr(0, cut));
    if (cut == std::string_view::npos) break;
    rest = rest.substr(cut + 5);
  }

  std::vector<std::string> asked;
  for (const auto& answer : answers) {
    for (const auto& clause : e.split_clauses(answer)) check_text(clause, "clause");
    const auto analysis = e.analyse(answer, category, current);
    check_analysis(e, analysis, current);
    record(current, analysis);

    const std::string reply = e.direct_reply(analysis, current);
    check_text(reply, "direct reply");
    const auto maturity = e.maturity(current, "discovery", static_cast<int>(analysis.conflicting_count()));
    FUZZ_CHECK(maturity.score >= 0 && maturity.score <= 100, "maturity " + std::to_string(maturity.score));
    const auto question = e.next_question(current, asked);
    check_text(question.text, "next question");
    FUZZ_CHECK(e.taxonomy().find(question.category) != nullptr, "question in unknown category " + question.category);
    asked.push_back(question.text);

    const auto bias = e.check_bias(answer);
    FUZZ_CHECK(bias.bias >= 0 && bias.bias <= 1, "bias " + std::to_string(bias.bias));
  }
  for (std::size_t i = 0; i + 1 < current.size(); ++i)
    FUZZ_CHECK(e.same_value(current[i].value, current[i].value), "a value differs from itself: " + current[i].value);
  return 0;
}

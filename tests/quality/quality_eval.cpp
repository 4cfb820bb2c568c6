// socrates_quality: scores the built-in engine's extraction on the labelled evaluation set
// (tests/data/eval, format in its README) and, with --floor, fails when a figure drops under the
// floor kept in tests/quality/floor.json. Run by `bash bench/quality.sh` and by ctest (label
// `quality`).
//
// Each sentence is extracted on its own, with the category of the question it answered. A label is
// found when a candidate of the sentence has its category (category accuracy), its slot (slot
// accuracy: the key itself, `<slot>_<value>` of a multi slot, `fr_…` for a functional
// requirement, `usability…` for a quality of use) and its value (value accuracy; a quantity
// compares the amount and the unit). Precision: candidates that are some label of their sentence;
// recall: labels found entirely. A candidate matching a sentence's `not` entry is a violation.
//
// The held half's misses are not printed unless --show-held-misses is given: the engine is never
// tuned on them (README "Quality bench").

#include <socrates/engine/engine.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

using socrates::engine::Candidate;
using socrates::engine::Cardinality;
using socrates::engine::Engine;
using nlohmann::json;

struct Ratio {
  int hit = 0;
  int total = 0;
  void add(bool ok) {
    ++total;
    if (ok) ++hit;
  }
  double percent() const { return total == 0 ? 100.0 : 100.0 * hit / total; }
};

struct Miss {
  std::string interview;
  std::string question_category;
  std::string text;
  std::vector<std::string> missed;    // labels not found
  std::vector<std::string> spurious;  // candidates that are no label
  std::size_t weight() const { return missed.size() * 2 + spurious.size(); }
};

// Why a quantity label was not found, the first that applies: a candidate carries its amount and
// unit under the label's metric with another role (or none), under another key of its category, or
// in another category; else a candidate of its category and slot has another amount, or the same
// amount in another unit; else no candidate carries it. Counts only, printed for both halves: they
// tell which stage fails to generalise without showing a held sentence.
enum class MissKind { kNoCandidate, kWrongCategory, kWrongSlot, kRole, kWrongValue, kWrongUnit, kCount };
constexpr const char* kMissKindNames[] = {"no candidate", "wrong category", "wrong slot key",
                                          "role missing/wrong", "wrong value", "wrong unit"};

struct Scores {
  Ratio category, slot, value, quantity, precision, recall, sentences_exact;
  int quantity_misses[static_cast<int>(MissKind::kCount)] = {};
  int violations = 0;
  std::map<std::string, Ratio> recall_by_category, precision_by_category;
  std::vector<Miss> misses;
  int sentence_count = 0;
  int interview_count = 0;

  json figures() const {
    return {{"category_accuracy", category.percent()}, {"slot_accuracy", slot.percent()},
            {"value_accuracy", value.percent()},       {"quantity_accuracy", quantity.percent()},
            {"precision", precision.percent()},        {"recall", recall.percent()}};
  }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

bool key_matches(const Engine& engine, const std::string& category, const std::string& key, const std::string& slot) {
  if (key == slot) return true;
  if (slot == "fr") return starts_with(key, "fr_");
  if (slot == "usability") return starts_with(key, "usability");
  const auto* declared = engine.lexicon().find_slot(slot);
  return declared && declared->category == category && declared->cardinality == Cardinality::kMulti &&
         starts_with(key, slot + "_");
}

// "days" and "day", "years" and "year" are one unit; "s" and "ms" are not plurals.
std::string unit_form(std::string unit) {
  unit = lower(unit);
  if (unit.size() > 2 && unit.back() == 's') unit.pop_back();
  return unit;
}

bool same_amount(const Candidate& candidate, const json& label) {
  if (!candidate.bound) return false;
  const double want = label.at("value").get<double>();
  return std::fabs(candidate.bound->amount - want) <= 1e-9 * std::max(1.0, std::fabs(want));
}

bool value_matches(const Engine& engine, const Candidate& candidate, const json& label) {
  const json& value = label.at("value");
  if (value.is_number())
    return same_amount(candidate, label) && unit_form(candidate.bound->unit) == unit_form(label.value("unit", ""));
  const std::string want = value.get<std::string>();
  // A list in one clause ("Kotlin, Swift") holds each of its items.
  const std::string& got = candidate.specification.value;
  std::size_t start = 0;
  while (start <= got.size()) {
    const std::size_t comma = got.find(',', start);
    std::string item = got.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    if (engine.same_value(item, want)) return true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

// A metric key without its role: "total_users_later" is "total_users".
std::string without_role(const std::string& key) {
  for (const std::string_view role : {std::string_view("_later"), std::string_view("_peak")})
    if (key.size() > role.size() && std::string_view(key).substr(key.size() - role.size()) == role)
      return key.substr(0, key.size() - role.size());
  return key;
}

MissKind miss_kind(const Engine& engine, const std::vector<Candidate>& candidates, const json& label) {
  const std::string category = label.at("category").get<std::string>();
  const std::string slot = label.value("slot", "");
  auto in_category = [&](const Candidate& c) { return c.specification.category == category; };
  auto in_slot = [&](const Candidate& c) {
    return in_category(c) && (slot.empty() || key_matches(engine, category, c.specification.key, slot));
  };
  std::vector<const Candidate*> carrying;
  for (const Candidate& c : candidates)
    if (value_matches(engine, c, label)) carrying.push_back(&c);
  if (std::any_of(carrying.begin(), carrying.end(), [&](const Candidate* c) {
        return in_category(*c) && without_role(c->specification.key) == without_role(slot);
      }))
    return MissKind::kRole;
  if (std::any_of(carrying.begin(), carrying.end(), [&](const Candidate* c) { return in_category(*c); }))
    return MissKind::kWrongSlot;
  if (!carrying.empty()) return MissKind::kWrongCategory;
  bool slot_filled = false;
  for (const Candidate& c : candidates) {
    if (!in_slot(c) || !c.bound) continue;
    if (same_amount(c, label)) return MissKind::kWrongUnit;
    slot_filled = true;
  }
  return slot_filled ? MissKind::kWrongValue : MissKind::kNoCandidate;
}

std::string describe_label(const json& label) {
  std::string out = label.at("category").get<std::string>();
  if (label.contains("slot")) out += "/" + label.at("slot").get<std::string>();
  if (label.contains("value")) {
    out += " = " + (label.at("value").is_string() ? label.at("value").get<std::string>() : label.at("value").dump());
    if (!label.value("unit", "").empty()) out += " " + label.at("unit").get<std::string>();
  }
  return out;
}

std::string describe(const Candidate& c) {
  return c.specification.category + "/" + c.specification.key + " = " + c.specification.value;
}

void score_sentence(const Engine& engine, const std::string& interview, const std::string& question_category,
                    const json& sentence, Scores& scores) {
  const std::string text = sentence.at("text").get<std::string>();
  const std::vector<Candidate> candidates = engine.extract(text, question_category);
  const json labels = sentence.value("states", json::array());
  Miss miss{interview, question_category, text, {}, {}};

  auto fully = [&](const Candidate& c, const json& label) {
    const std::string category = label.at("category").get<std::string>();
    if (c.specification.category != category) return false;
    if (label.contains("slot") && !key_matches(engine, category, c.specification.key, label.at("slot").get<std::string>()))
      return false;
    return !label.contains("value") || value_matches(engine, c, label);
  };

  for (const json& label : labels) {
    const std::string category = label.at("category").get<std::string>();
    const bool category_ok = std::any_of(candidates.begin(), candidates.end(),
                                         [&](const Candidate& c) { return c.specification.category == category; });
    scores.category.add(category_ok);
    if (label.contains("slot")) {
      const std::string slot = label.at("slot").get<std::string>();
      scores.slot.add(std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& c) {
        return c.specification.category == category && key_matches(engine, category, c.specification.key, slot);
      }));
    }
    const bool found = std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& c) { return fully(c, label); });
    if (label.contains("value")) scores.value.add(found);
    if (label.contains("value") && label.at("value").is_number()) {
      scores.quantity.add(found);
      if (!found) ++scores.quantity_misses[static_cast<int>(miss_kind(engine, candidates, label))];
    }
    scores.recall.add(found);
    scores.recall_by_category[category].add(found);
    if (!found) miss.missed.push_back(describe_label(label));
  }
  for (const Candidate& c : candidates) {
    const bool correct = std::any_of(labels.begin(), labels.end(), [&](const json& label) { return fully(c, label); });
    scores.precision.add(correct);
    scores.precision_by_category[c.specification.category].add(correct);
    if (!correct) miss.spurious.push_back(describe(c));
    for (const json& forbidden : sentence.value("not", json::array())) {
      if (c.specification.category != forbidden.at("category").get<std::string>()) continue;
      if (forbidden.contains("value") && !engine.same_value(c.specification.value, forbidden.at("value").get<std::string>()))
        continue;
      ++scores.violations;
      miss.spurious.push_back("NOT " + describe(c));
    }
  }
  scores.sentences_exact.add(miss.missed.empty() && miss.spurious.empty());
  ++scores.sentence_count;
  if (!miss.missed.empty() || !miss.spurious.empty()) scores.misses.push_back(std::move(miss));
}

Scores score_file(const Engine& engine, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  const json document = json::parse(in);
  Scores scores;
  for (const json& interview : document.at("interviews")) {
    ++scores.interview_count;
    for (const json& turn : interview.at("turns"))
      for (const json& sentence : turn.at("sentences"))
        score_sentence(engine, interview.at("name").get<std::string>(), turn.at("question_category").get<std::string>(),
                       sentence, scores);
  }
  return scores;
}

void print(const std::string& half, const Scores& s, std::size_t misses_to_show) {
  std::printf("== %s half: %d interviews, %d sentences, %d labels\n", half.c_str(), s.interview_count, s.sentence_count,
              s.recall.total);
  auto row = [](const char* name, const Ratio& r) { std::printf("  %-22s %6.1f%%  (%d/%d)\n", name, r.percent(), r.hit, r.total); };
  row("category accuracy", s.category);
  row("slot accuracy", s.slot);
  row("value/unit accuracy", s.value);
  row("quantities with units", s.quantity);
  row("precision", s.precision);
  row("recall", s.recall);
  row("sentences exact", s.sentences_exact);
  std::printf("  %-22s %d\n", "'not' violations", s.violations);
  std::printf("  quantity misses by kind:");
  for (int k = 0; k < static_cast<int>(MissKind::kCount); ++k)
    std::printf("%s %s %d", k == 0 ? "" : ",", kMissKindNames[k], s.quantity_misses[k]);
  std::printf("\n");
  std::printf("  by category             recall      precision\n");
  std::map<std::string, int> names;
  for (const auto& [c, r] : s.recall_by_category) names[c] = 1;
  for (const auto& [c, r] : s.precision_by_category) names[c] = 1;
  for (const auto& [c, unused] : names) {
    const Ratio r = s.recall_by_category.count(c) ? s.recall_by_category.at(c) : Ratio{};
    const Ratio p = s.precision_by_category.count(c) ? s.precision_by_category.at(c) : Ratio{};
    std::printf("    %-20s %5.1f%% %-7s %5.1f%% %s\n", c.c_str(), r.percent(),
                ("(" + std::to_string(r.hit) + "/" + std::to_string(r.total) + ")").c_str(), p.percent(),
                ("(" + std::to_string(p.hit) + "/" + std::to_string(p.total) + ")").c_str());
  }
  if (misses_to_show == 0) return;
  std::vector<Miss> worst = s.misses;
  std::stable_sort(worst.begin(), worst.end(), [](const Miss& a, const Miss& b) { return a.weight() > b.weight(); });
  if (worst.size() > misses_to_show) worst.resize(misses_to_show);
  std::printf("  worst misses:\n");
  for (const Miss& m : worst) {
    std::printf("   [%s, asked %s] %s\n", m.interview.c_str(), m.question_category.c_str(), m.text.c_str());
    for (const auto& x : m.missed) std::printf("      missed   %s\n", x.c_str());
    for (const auto& x : m.spurious) std::printf("      spurious %s\n", x.c_str());
  }
}

int usage() {
  std::fprintf(stderr,
               "usage: socrates_quality --data DIR --eval DIR [--floor FILE] [--misses N] [--show-held-misses] "
               "[--json FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir, eval_dir, floor_file, json_out;
  std::size_t misses = 15;
  bool show_held = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--data") data_dir = next();
    else if (arg == "--eval") eval_dir = next();
    else if (arg == "--floor") floor_file = next();
    else if (arg == "--json") json_out = next();
    else if (arg == "--misses") misses = static_cast<std::size_t>(std::stoul(next()));
    else if (arg == "--show-held-misses") show_held = true;
    else return usage();
  }
  if (data_dir.empty() || eval_dir.empty()) return usage();
  try {
    const Engine engine = Engine::load(data_dir);
    const Scores development = score_file(engine, eval_dir + "/development.json");
    const Scores held = score_file(engine, eval_dir + "/held.json");
    print("development", development, misses);
    print("held", held, show_held ? misses : 0);
    const json figures = {{"development", development.figures()}, {"held", held.figures()}};
    if (!json_out.empty()) std::ofstream(json_out) << figures.dump(2) << "\n";
    if (floor_file.empty()) return 0;
    std::ifstream in(floor_file);
    if (!in) throw std::runtime_error("cannot read " + floor_file);
    const json floor = json::parse(in);
    int failures = 0;
    for (const auto& [half, limits] : floor.at("floors").items()) {
      for (const auto& [name, limit] : limits.items()) {
        const double got = figures.at(half).at(name).get<double>();
        if (got + 1e-9 < limit.get<double>()) {
          std::printf("BELOW FLOOR: %s %s = %.1f%% < %.1f%% (%s)\n", half.c_str(), name.c_str(), got,
                      limit.get<double>(), floor_file.c_str());
          ++failures;
        }
      }
    }
    if (failures == 0) std::printf("all figures at or above the floor in %s\n", floor_file.c_str());
    return failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "socrates_quality: %s\n", e.what());
    return 2;
  }
}

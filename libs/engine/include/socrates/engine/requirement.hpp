#pragma once
// A specification as it is handed over: a requirement with a stable ID, a statement in EARS form and,
// for measurable ones, acceptance criteria. Plain data shared by the writer of statements, the
// clarity check, baselines, plans and exports; copy freely between threads.

#include <string>
#include <string_view>
#include <vector>

namespace socrates::engine {

// The five sentence patterns of EARS (Easy Approach to Requirements Syntax).
enum class EarsForm {
  kUbiquitous,  // "The system shall …"
  kEventDriven, // "When …, the system shall …"
  kStateDriven, // "While …, the system shall …"
  kUnwanted,    // "If …, then the system shall …"
  kOptional,    // "Where …, the system shall …"
};

// One Given/When/Then scenario that proves a measurable requirement; the number and unit are in it.
struct AcceptanceCriterion {
  std::string given;
  std::string when;
  std::string then;
};

struct Requirement {
  std::string id;        // category prefix and number ("PERF-003"); empty until the store assigns it
  std::string category;  // the taxonomy category of its specification
  std::string key;       // the specification's key (slot or statement)
  std::string value;     // the specification's current value
  EarsForm form = EarsForm::kUbiquitous;
  std::string statement;  // the EARS sentence
  std::vector<AcceptanceCriterion> acceptance;  // empty unless the specification has a quantity
};

constexpr std::string_view to_string(EarsForm form) noexcept {
  switch (form) {
    case EarsForm::kUbiquitous: return "ubiquitous";
    case EarsForm::kEventDriven: return "event-driven";
    case EarsForm::kStateDriven: return "state-driven";
    case EarsForm::kUnwanted: return "unwanted";
    case EarsForm::kOptional: return "optional";
  }
  return "ubiquitous";
}

}  // namespace socrates::engine

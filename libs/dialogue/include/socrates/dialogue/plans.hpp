#pragma once
// The project's documents beside its specification (docs/domain.md "Baselines", "Plans"): the
// baselines a phase advance freezes, and the plans (design outline, task list) with their
// versions (migration 007). The SQL and the JSON forms; what goes in them is the engine's
// (socrates/engine/plans.hpp, requirement_diff.hpp). Part of libs/dialogue (socrates_dialogue).

#include <socrates/dialogue/document.hpp>
#include <socrates/dialogue/requirements.hpp>
#include <socrates/engine/plans.hpp>
#include <socrates/engine/requirement_diff.hpp>
#include <socrates/sdk.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace socrates::agents::dialogue {

// Loads plan_rules.json from data_dir(); throws with a clear message.
std::shared_ptr<const engine::PlanRules> load_plan_rules(sdk::Services& services, const engine::Engine& engine);

// The requirements as the engine's values, and their IDs.
std::vector<engine::Requirement> requirements_of(const std::vector<TracedRequirement>& traced);
std::vector<std::string> ids_of(const std::vector<engine::Requirement>& requirements);

// ---- baselines

// What a baseline keeps of each requirement: {"id","category","key","value","form","statement",
// "acceptance_criteria":[{"given","when","then"}],"specification_id","version"}.
nlohmann::json frozen(const std::vector<TracedRequirement>& requirements);
std::vector<engine::Requirement> thawed(const nlohmann::json& frozen_requirements);

// Adds the project's next baseline (1, 2, …) on entering `phase`, in the caller's transaction
// (which holds the project's lock, so two advances cannot take one number); `advanced_by` is who
// advanced the project. Answers its JSON.
nlohmann::json store_baseline(sdk::Db& db, const std::string& project_id, const std::string& phase,
                              const std::vector<TracedRequirement>& requirements, const std::string& advanced_by);

constexpr const char* kBaselineColumns =
    "number, phase, rfc3339(created_at) AS created_at, jsonb_array_length(requirements) AS requirement_count, "
    "advanced_by::text AS advanced_by, (SELECT email FROM people WHERE user_id = advanced_by) AS advanced_by_email";

// {"number","phase","created_at","requirement_count","advanced_by","advanced_by_email"} (+
// "requirements" when the row has them).
nlohmann::json baseline_json(const sdk::Row& row);

// Baseline `number` of the project with its requirements, or NOT_FOUND.
sdk::Row baseline_row(sdk::Db& db, const std::string& project_id, long long number);

// {"added":[requirement],"changed":[{"id","before":requirement,"after":requirement}],"removed":[…]}
nlohmann::json diff_json(const engine::RequirementDiff& diff);

// Hook of the exported document (document.hpp's build_document calls it): the project's
// baselines, oldest first and without their requirements, as `json["baselines"]` (each as the
// list answers it), and the markdown section "Baselines", one table row per baseline (number,
// phase entered, when, how many requirements). Read in the export's transaction.
void add_baselines(sdk::Db& db, const std::string& project_id, Document& document);

// ---- plans: kind "design" (content {"sections":[…]}) or "tasks" (content {"tasks":[…]})

inline constexpr const char* kPlanKinds[] = {"design", "tasks"};

// The phase a plan of `kind` belongs to (it is made on entering it, and not before).
std::string plan_phase(const std::string& kind);

constexpr const char* kPlanColumns =
    "kind, version, source, phase, rfc3339(created_at) AS created_at";

// Adds the next version of the project's plan of `kind`; answers its JSON (with content).
nlohmann::json store_plan(sdk::Db& db, const std::string& project_id, const std::string& kind,
                          const std::string& source, const std::string& phase, const nlohmann::json& content);

// {"kind","version","source","phase","created_at"} (+ "content" when the row has it).
nlohmann::json plan_json(const sdk::Row& row);

// The latest (or `version`) plan of `kind` with its content, or nothing.
std::optional<sdk::Row> plan_row(sdk::Db& db, const std::string& project_id, const std::string& kind,
                                 std::optional<long long> version);

// The coverage check of a stored plan against the current requirements.
engine::PlanCoverage plan_coverage(const std::string& kind, const nlohmann::json& content,
                                   const std::vector<std::string>& requirement_ids);

}  // namespace socrates::agents::dialogue

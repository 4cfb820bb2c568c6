#pragma once
// What the socratic, context and project_manager agents share about the dialogue's tables:
// the engine's loading, the caller's projects and sessions (scoped to the caller: another user's
// row answers exactly like a missing one), specifications with their versions, conflicts, and the
// maturity recomputed inside the caller's transaction. Header-only: each plugin compiles its copy.

#include <socrates/engine/engine.hpp>
#include <socrates/sdk.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#ifndef SOCRATES_DEFAULT_DATA_DIR
#define SOCRATES_DEFAULT_DATA_DIR "plugins/data"
#endif

namespace socrates::agents::dialogue {

namespace validate = sdk::validate;
using sdk::Result;

// Loads the engine from DATA_DIR (or the built-in data directory); throws with a clear message.
inline std::shared_ptr<const engine::Engine> load_engine(sdk::Services& services) {
  const std::string dir = services.setting("DATA_DIR").value_or(SOCRATES_DEFAULT_DATA_DIR);
  try {
    return std::make_shared<const engine::Engine>(engine::Engine::load(dir));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot load the engine's data from DATA_DIR '" + dir + "': " + e.what());
  }
}

inline std::string owner(const sdk::Request& request) {
  if (!validate::is_uuid(request.caller.user_id))
    throw sdk::AgentException(sdk::errc::kUnauthenticated, "this action needs an authenticated caller");
  return request.caller.user_id;
}

[[noreturn]] inline void fail(const std::string& code, const std::string& message, nlohmann::json details = {}) {
  throw sdk::AgentException(sdk::Error{code, message, details.is_null() ? nlohmann::json::object() : details});
}

// ---- projects

// The caller's project (locked FOR UPDATE when `lock`), or PROJECT_NOT_FOUND.
inline sdk::Row project_row(sdk::Db& db, const std::string& id, const std::string& owner_id, bool lock) {
  auto row = db.query_one(std::string("SELECT id::text AS id, name, description, current_phase, maturity_score, status "
                                      "FROM projects WHERE id = $1::uuid AND owner_id = $2::uuid") +
                              (lock ? " FOR UPDATE" : ""),
                          {id, owner_id});
  if (!row) fail(sdk::errc::kProjectNotFound, "project " + id + " does not exist", {{"project_id", id}});
  return *row;
}

inline void lock_project(sdk::Db& db, const std::string& project_id) {
  db.query("SELECT 1 FROM projects WHERE id = $1::uuid FOR UPDATE", {project_id});
}

// ---- sessions

constexpr const char* kSessionColumns =
    "id::text AS id, project_id::text AS project_id, mode, status, rfc3339(started_at) AS started_at, "
    "rfc3339(ended_at) AS ended_at";

inline nlohmann::json session_json(const sdk::Row& row) {
  return {{"id", row.str("id")},
          {"project_id", row.str("project_id")},
          {"mode", row.str("mode")},
          {"status", row.str("status")},
          {"started_at", row.str("started_at")},
          {"ended_at", row.is_null("ended_at") ? nlohmann::json(nullptr) : nlohmann::json(row.str("ended_at"))}};
}

// The caller's session, or SESSION_NOT_FOUND. With `lock`, its project row is locked first so that
// every write on one project is serialised, and the session is read after the lock.
inline sdk::Row session_row(sdk::Db& db, const std::string& id, const std::string& owner_id, bool lock) {
  auto query = [&] {
    return db.query_one(std::string("SELECT ") + kSessionColumns +
                            " FROM sessions WHERE id = $1::uuid AND owner_id = $2::uuid",
                        {id, owner_id});
  };
  auto row = query();
  if (!row) fail(sdk::errc::kSessionNotFound, "session " + id + " does not exist", {{"session_id", id}});
  if (lock) {
    lock_project(db, row->str("project_id"));
    row = query();
    if (!row) fail(sdk::errc::kSessionNotFound, "session " + id + " does not exist", {{"session_id", id}});
  }
  return *row;
}

inline void require_active(const sdk::Row& session) {
  if (session.str("status") != "active")
    fail(sdk::errc::kSessionNotActive, "session " + session.str("id") + " is " + session.str("status"),
         {{"session_id", session.str("id")}, {"status", session.str("status")}});
}

// ---- questions

constexpr const char* kQuestionColumns =
    "id::text AS id, session_id::text AS session_id, project_id::text AS project_id, text, category, context, "
    "quality_score, answered, rfc3339(created_at) AS created_at";

inline nlohmann::json question_json(const sdk::Row& row) {
  return {{"id", row.str("id")},
          {"session_id", row.str("session_id")},
          {"project_id", row.str("project_id")},
          {"text", row.str("text")},
          {"category", row.str("category")},
          {"context", row.str("context")},
          {"quality_score", row.f64("quality_score")},
          {"answered", row.boolean("answered")},
          {"created_at", row.str("created_at")}};
}

// ---- history

inline void add_history(sdk::Db& db, const std::string& session_id, const std::string& role, const std::string& content,
                        const std::string& type, const std::optional<std::string>& question_id) {
  db.execute("INSERT INTO conversation_history (session_id, role, content, message_type, question_id) "
             "VALUES ($1::uuid, $2, $3, $4, $5::uuid)",
             {session_id, role, content, type, question_id});
}

// ---- specifications

constexpr const char* kSpecColumns =
    "id::text AS id, project_id::text AS project_id, category, key, value, source, confidence, "
    "question_id::text AS question_id, session_id::text AS session_id, version, is_current, "
    "rfc3339(created_at) AS created_at";

inline nlohmann::json nullable(const sdk::Row& row, const char* column) {
  return row.is_null(column) ? nlohmann::json(nullptr) : nlohmann::json(row.str(column));
}

inline nlohmann::json spec_json(const sdk::Row& row) {
  return {{"id", row.str("id")},
          {"project_id", row.str("project_id")},
          {"category", row.str("category")},
          {"key", row.str("key")},
          {"value", row.str("value")},
          {"source", row.str("source")},
          {"confidence", row.f64("confidence")},
          {"question_id", nullable(row, "question_id")},
          {"session_id", nullable(row, "session_id")},
          {"version", row.i64("version")},
          {"is_current", row.boolean("is_current")},
          {"created_at", row.str("created_at")}};
}

struct CurrentSpecs {
  std::vector<std::string> ids;
  std::vector<engine::Specification> specs;
};

inline CurrentSpecs current_specs(sdk::Db& db, const std::string& project_id) {
  CurrentSpecs out;
  auto rows = db.query("SELECT id::text AS id, category, key, value, confidence FROM specifications "
                       "WHERE project_id = $1::uuid AND is_current ORDER BY created_at, id",
                       {project_id});
  for (const auto& row : rows) {
    out.ids.push_back(row.str("id"));
    out.specs.push_back({row.str("category"), row.str("key"), row.str("value"), row.f64("confidence")});
  }
  return out;
}

struct Provenance {
  std::string source = "extracted";
  std::optional<std::string> question_id;
  std::optional<std::string> session_id;
};

// Writes `spec` as the current version of its slot: the slot's current version (and every id of
// `also_supersede` that is still current) stops being current and points to the new one.
inline sdk::Row write_version(sdk::Db& db, const std::string& project_id, const engine::Specification& spec,
                              const Provenance& from, const std::vector<std::string>& also_supersede = {}) {
  std::vector<std::string> old;
  auto slot = db.query_one("SELECT id::text AS id FROM specifications WHERE project_id = $1::uuid AND category = $2 "
                           "AND key = $3 AND is_current",
                           {project_id, spec.category, spec.key});
  if (slot) old.push_back(slot->str("id"));
  for (const auto& id : also_supersede)
    if (id != (slot ? slot->str("id") : std::string())) old.push_back(id);
  for (const auto& id : old)
    db.execute("UPDATE specifications SET is_current = false WHERE id = $1::uuid AND is_current", {id});
  auto row = db.query_one(
      std::string("INSERT INTO specifications (project_id, category, key, value, source, confidence, question_id, "
                  "session_id, version) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::uuid, $8::uuid, "
                  "COALESCE((SELECT max(version) FROM specifications WHERE project_id = $1::uuid AND category = $2 "
                  "AND key = $3), 0) + 1) RETURNING ") +
          kSpecColumns,
      {project_id, spec.category, spec.key, spec.value, from.source, spec.confidence, from.question_id,
       from.session_id});
  for (const auto& id : old)
    db.execute("UPDATE specifications SET superseded_by = $2::uuid WHERE id = $1::uuid AND superseded_by IS NULL",
               {id, row->str("id")});
  return *row;
}

// ---- conflicts

constexpr const char* kConflictColumns =
    "id::text AS id, project_id::text AS project_id, type, severity, status, description, "
    "existing_id::text AS existing_id, proposed::text AS proposed, resolution, notes, "
    "rfc3339(detected_at) AS detected_at, rfc3339(resolved_at) AS resolved_at";

inline nlohmann::json conflict_json(sdk::Db& db, const sdk::Row& row) {
  auto existing = db.query_one(std::string("SELECT ") + kSpecColumns + " FROM specifications WHERE id = $1::uuid",
                               {row.str("existing_id")});
  return {{"id", row.str("id")},
          {"project_id", row.str("project_id")},
          {"type", row.str("type")},
          {"severity", row.str("severity")},
          {"status", row.str("status")},
          {"description", row.str("description")},
          {"existing", existing ? spec_json(*existing) : nlohmann::json(nullptr)},
          {"proposed", nlohmann::json::parse(row.str("proposed"))},
          {"resolution", nullable(row, "resolution")},
          {"notes", nullable(row, "notes")},
          {"detected_at", row.str("detected_at")},
          {"resolved_at", nullable(row, "resolved_at")}};
}

inline nlohmann::json proposed_json(const engine::Specification& spec, const Provenance& from) {
  return {{"category", spec.category},
          {"key", spec.key},
          {"value", spec.value},
          {"confidence", spec.confidence},
          {"source", from.source},
          {"question_id", from.question_id ? nlohmann::json(*from.question_id) : nlohmann::json(nullptr)},
          {"session_id", from.session_id ? nlohmann::json(*from.session_id) : nlohmann::json(nullptr)}};
}

inline nlohmann::json open_conflict(sdk::Db& db, const std::string& project_id, const engine::Conflict& conflict,
                                    const std::string& existing_id, const engine::Specification& candidate,
                                    const Provenance& from) {
  auto row = db.query_one(std::string("INSERT INTO conflicts (project_id, type, severity, description, existing_id, "
                                      "proposed) VALUES ($1::uuid, $2, $3, $4, $5::uuid, $6::jsonb) RETURNING ") +
                              kConflictColumns,
                          {project_id, engine::to_string(conflict.type), engine::to_string(conflict.severity),
                           conflict.description, existing_id, proposed_json(candidate, from).dump()});
  return conflict_json(db, *row);
}

inline int open_conflicts(sdk::Db& db, const std::string& project_id) {
  return static_cast<int>(
      db.query_one("SELECT count(*) AS n FROM conflicts WHERE project_id = $1::uuid AND status = 'open'", {project_id})
          ->i64("n"));
}

// Recomputes and stores the project's maturity; answers the new score.
inline int recompute_maturity(sdk::Db& db, const engine::Engine& engine, const std::string& project_id) {
  const int score = engine::maturity_score(engine.taxonomy(), current_specs(db, project_id).specs);
  db.execute("UPDATE projects SET maturity_score = $2, updated_at = clock_timestamp() WHERE id = $1::uuid",
             {project_id, score});
  return score;
}

// ---- an answer or a message: extract, check, save, open conflicts

struct Recorded {
  nlohmann::json specifications = nlohmann::json::array();
  nlohmann::json conflicts = nlohmann::json::array();
  std::size_t duplicates = 0;
};

inline Recorded record_text(sdk::Db& db, const engine::Engine& engine, const std::string& project_id,
                            const std::string& text, const std::string& category, const Provenance& from) {
  Recorded out;
  const CurrentSpecs current = current_specs(db, project_id);
  const engine::AnswerAnalysis analysis = engine.analyse(text, category, current.specs);
  std::vector<std::optional<std::string>> saved_ids(analysis.findings.size());
  auto id_of = [&](const engine::SpecificationRef& ref) -> std::optional<std::string> {
    if (ref.source == engine::SpecificationRef::Source::kCurrent)
      return ref.index < current.ids.size() ? std::optional<std::string>(current.ids[ref.index]) : std::nullopt;
    return ref.index < saved_ids.size() ? saved_ids[ref.index] : std::nullopt;
  };
  for (std::size_t i = 0; i < analysis.findings.size(); ++i) {
    const auto& finding = analysis.findings[i];
    const auto& spec = finding.candidate.specification;
    switch (finding.check.outcome) {
      case engine::CheckOutcome::kNew: {
        auto row = write_version(db, project_id, spec, from);
        saved_ids[i] = row.str("id");
        out.specifications.push_back(spec_json(row));
        break;
      }
      case engine::CheckOutcome::kDuplicate:
        ++out.duplicates;
        break;
      case engine::CheckOutcome::kConflict:
        for (const auto& conflict : finding.check.conflicts) {
          auto existing = id_of(conflict.against);
          if (!existing) continue;
          out.conflicts.push_back(open_conflict(db, project_id, conflict, *existing, spec, from));
        }
        break;
    }
  }
  return out;
}

}  // namespace socrates::agents::dialogue

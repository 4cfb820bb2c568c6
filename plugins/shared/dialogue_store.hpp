#pragma once
// What the socratic, context and project_manager agents share about the dialogue's tables:
// the engine's loading, the caller's projects and sessions (scoped to the caller: another user's
// row answers exactly like a missing one), specifications with their versions, conflicts, and the
// maturity recomputed inside the caller's transaction. Header-only: each plugin compiles its copy.

#include <socrates/engine/engine.hpp>
#include <socrates/sdk.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
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

// The longest answer or direct-chat message a turn takes, in characters.
inline constexpr std::size_t kMaxTurnTextChars = 20000;

// Loads the engine from DATA_DIR (or the built-in data directory); throws with a clear message.
inline std::shared_ptr<const engine::Engine> load_engine(sdk::Services& services) {
  const std::string dir = services.setting("DATA_DIR").value_or(SOCRATES_DEFAULT_DATA_DIR);
  try {
    return std::make_shared<const engine::Engine>(engine::Engine::load(dir));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot load the engine's data from DATA_DIR '" + dir + "': " + e.what());
  }
}

// The schema of the specifications database this data layer was written for: the number of the
// last migration in migrations/specs it knows. Raise it with every migration of that directory.
inline constexpr std::int64_t kSchemaVersion = 4;

// Refuses (throws, so the agent does not start and a reload keeps the running generation) when
// the specifications database is migrated to any other version: this layer's SQL would read or
// write columns that are not what it thinks. A database that cannot be reached at start is logged
// and let through: every request then answers DATABASE_UNAVAILABLE, and the host itself migrates
// before it loads any agent.
inline void require_schema(sdk::Services& services) {
  std::int64_t version = 0;
  try {
    sdk::Db db(services, sdk::Database::kSpecs);
    version = db.query_one("SELECT coalesce(max(substring(filename from '^[0-9]+')::bigint), 0) AS version "
                           "FROM schema_migrations")
                  ->i64("version");
  } catch (const sdk::DatabaseError& e) {
    services.log(sdk::LogLevel::kWarn,
                 std::string("the specifications database's schema version could not be checked at start: ") + e.what());
    return;
  }
  if (version != kSchemaVersion)
    throw std::runtime_error("the specifications database is at schema version " + std::to_string(version) +
                             ", and this agent's data layer was written for version " +
                             std::to_string(kSchemaVersion) + ": build the agent from the same sources as the host");
}

inline std::string owner(const sdk::Request& request) {
  if (!validate::is_uuid(request.caller.user_id))
    throw sdk::AgentException(sdk::errc::kUnauthenticated, "this action needs an authenticated caller");
  return request.caller.user_id;
}

[[noreturn]] inline void fail(const std::string& code, const std::string& message, nlohmann::json details = {}) {
  throw sdk::AgentException(sdk::Error{code, message, details.is_null() ? nlohmann::json::object() : details});
}

// ---- lists: every list takes `limit` (1..200, default 50) and `offset` (0..) and answers
// {"items","total","limit","offset"}, with the real total even for a page past the end.

struct Page {
  long long limit;
  long long offset;
};

inline Page page_of(const nlohmann::json& params) {
  return {validate::integer(params, "limit", 1, 200, 50), validate::integer(params, "offset", 0, 1000000000, 0)};
}

// What a list selects: "SELECT <columns> <from> <order_by> LIMIT .. OFFSET ..", where `from`
// ("FROM ... WHERE ...") uses the parameters $1..$n given to list_page.
struct ListQuery {
  std::string columns;
  std::string from;
  std::string order_by;
};

// One statement reads the page and the total (so they agree); a page past the end has no row to
// carry the total, so then the total is counted on its own.
template <typename ToJson>
Result list_page(sdk::Db& db, const ListQuery& query, std::vector<sdk::Param> params, const Page& page,
                 ToJson to_json) {
  const std::size_t n = params.size();
  std::vector<sdk::Param> paged = params;
  paged.emplace_back(page.limit);
  paged.emplace_back(page.offset);
  const auto rows = db.query("SELECT " + query.columns + ", count(*) OVER () AS total " + query.from + " " +
                                 query.order_by + " LIMIT $" + std::to_string(n + 1) + " OFFSET $" +
                                 std::to_string(n + 2),
                             paged);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& row : rows) items.push_back(to_json(row));
  std::int64_t total = rows.empty() ? 0 : rows[0].i64("total");
  if (rows.empty() && page.offset > 0) total = db.query("SELECT count(*) AS total " + query.from, params)[0].i64("total");
  return Result::ok({{"items", std::move(items)}, {"total", total}, {"limit", page.limit}, {"offset", page.offset}});
}

// ---- projects: one way to load a project row, and one JSON form of it.

constexpr const char* kProjectColumns =
    "id::text AS id, name, description, owner_id::text AS owner_id, current_phase, maturity_score, status, "
    "rfc3339(created_at) AS created_at, rfc3339(updated_at) AS updated_at";

// The caller's project (locked FOR UPDATE when `lock`), or nothing.
inline std::optional<sdk::Row> find_project(sdk::Db& db, const std::string& id, const std::string& owner_id,
                                            bool lock) {
  return db.query_one(std::string("SELECT ") + kProjectColumns +
                          " FROM projects WHERE id = $1::uuid AND owner_id = $2::uuid" + (lock ? " FOR UPDATE" : ""),
                      {id, owner_id});
}

// The caller's project (locked FOR UPDATE when `lock`), or PROJECT_NOT_FOUND.
inline sdk::Row project_row(sdk::Db& db, const std::string& id, const std::string& owner_id, bool lock) {
  auto row = find_project(db, id, owner_id, lock);
  if (!row) fail(sdk::errc::kProjectNotFound, "project " + id + " does not exist", {{"project_id", id}});
  return *row;
}

// Locks the project of the caller's session: every write on a project is serialised by this lock,
// and the statements after it (in the same batch) read what was committed before it. Its row is
// the project's maturity and phase, or nothing when the session is not the caller's.
inline std::size_t add_lock_by_session(sdk::Batch& batch, const std::string& session_id, const std::string& owner_id) {
  return batch.add("SELECT maturity_score, current_phase FROM projects WHERE id = (SELECT project_id FROM sessions "
                   "WHERE id = $1::uuid AND owner_id = $2::uuid) FOR UPDATE",
                   {session_id, owner_id});
}

// ---- sessions

constexpr const char* kSessionColumns =
    "id::text AS id, project_id::text AS project_id, mode, status, rfc3339(started_at) AS started_at, "
    "rfc3339(ended_at) AS ended_at";

// A row as a JSON object: the `text` columns as strings, then the fields `more` adds (numbers,
// booleans, nullable columns). Built in place: {key, value} initializer lists cost a temporary
// pair per field and made a 20-project list twice as slow to build.
template <typename More>
nlohmann::json row_object(const sdk::Row& row, std::initializer_list<const char*> text, More more) {
  nlohmann::json out(nlohmann::json::value_t::object);
  auto& fields = out.get_ref<nlohmann::json::object_t&>();
  for (const char* column : text) fields.emplace(column, row.str(column));
  more(fields);
  return out;
}

inline nlohmann::json project_json(const sdk::Row& row) {
  return row_object(row, {"id", "name", "description", "owner_id", "current_phase", "status", "created_at", "updated_at"},
                    [&](auto& fields) { fields.emplace("maturity_score", row.i64("maturity_score")); });
}

inline nlohmann::json nullable(const sdk::Row& row, const char* column) {
  return row.is_null(column) ? nlohmann::json(nullptr) : nlohmann::json(row.str(column));
}

inline nlohmann::json session_json(const sdk::Row& row) {
  return row_object(row, {"id", "project_id", "mode", "status", "started_at"},
                    [&](auto& fields) { fields.emplace("ended_at", nullable(row, "ended_at")); });
}

inline std::size_t add_session(sdk::Batch& batch, const std::string& session_id, const std::string& owner_id) {
  return batch.add(std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE id = $1::uuid AND owner_id = $2::uuid",
                   {session_id, owner_id});
}

inline const sdk::Row& found_session(const sdk::Rows& rows, const std::string& id) {
  if (rows.empty()) fail(sdk::errc::kSessionNotFound, "session " + id + " does not exist", {{"session_id", id}});
  return rows[0];
}

// The caller's session, or SESSION_NOT_FOUND. With `lock`, its project row is locked first (in
// the same round trip) so that every write on one project is serialised, and the session is read
// after the lock.
inline sdk::Row session_row(sdk::Db& db, const std::string& id, const std::string& owner_id, bool lock) {
  sdk::Batch batch;
  if (lock) add_lock_by_session(batch, id, owner_id);
  const std::size_t session = add_session(batch, id, owner_id);
  return found_session(db.run(batch)[session], id);
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

inline std::size_t add_pending_question(sdk::Batch& batch, const std::string& session_id) {
  return batch.add(std::string("SELECT ") + kQuestionColumns + " FROM questions WHERE session_id = $1::uuid AND NOT answered",
                   {session_id});
}

inline nlohmann::json question_json(const sdk::Row& row) {
  return row_object(row, {"id", "session_id", "project_id", "text", "category", "context", "created_at"},
                    [&](auto& fields) {
                      fields.emplace("quality_score", row.f64("quality_score"));
                      fields.emplace("answered", row.boolean("answered"));
                    });
}

// ---- history

inline void add_history(sdk::Batch& batch, const std::string& session_id, const std::string& role,
                        const std::string& content, const std::string& type,
                        const std::optional<std::string>& question_id) {
  batch.add("INSERT INTO conversation_history (session_id, role, content, message_type, question_id) "
             "VALUES ($1::uuid, $2, $3, $4, $5::uuid)",
             {session_id, role, content, type, question_id});
}

// ---- specifications

constexpr const char* kSpecColumns =
    "id::text AS id, project_id::text AS project_id, category, key, value, source, confidence, "
    "question_id::text AS question_id, session_id::text AS session_id, version, is_current, "
    "rfc3339(created_at) AS created_at";

inline nlohmann::json spec_json(const sdk::Row& row) {
  return row_object(row, {"id", "project_id", "category", "key", "value", "source", "created_at"}, [&](auto& fields) {
    fields.emplace("confidence", row.f64("confidence"));
    fields.emplace("question_id", nullable(row, "question_id"));
    fields.emplace("session_id", nullable(row, "session_id"));
    fields.emplace("version", row.i64("version"));
    fields.emplace("is_current", row.boolean("is_current"));
  });
}

// The project's current specifications: their ids and the engine's view of them.
struct CurrentSpecs {
  std::vector<std::string> ids;
  std::vector<engine::Specification> specs;
};

constexpr const char* kCurrentColumns = "id::text AS id, category, key, value, confidence";

inline std::size_t add_current_specs(sdk::Batch& batch, const std::string& project_id) {
  return batch.add(std::string("SELECT ") + kCurrentColumns +
                       " FROM specifications WHERE project_id = $1::uuid AND is_current ORDER BY created_at, id",
                   {project_id});
}

// The same for the project of the caller's session (no round trip needed to learn the project).
inline std::size_t add_current_specs_by_session(sdk::Batch& batch, const std::string& session_id,
                                                const std::string& owner_id) {
  return batch.add(std::string("SELECT ") + kCurrentColumns +
                       " FROM specifications WHERE project_id = (SELECT project_id FROM sessions WHERE id = $1::uuid "
                       "AND owner_id = $2::uuid) AND is_current ORDER BY created_at, id",
                   {session_id, owner_id});
}

inline CurrentSpecs current_from(const sdk::Rows& rows) {
  CurrentSpecs out;
  out.ids.reserve(rows.size());
  out.specs.reserve(rows.size());
  for (const auto& row : rows) {
    out.ids.push_back(row.str(0));
    out.specs.push_back({row.str(1), row.str(2), row.str(3), std::stod(row.str(4))});
  }
  return out;
}

inline CurrentSpecs current_specs(sdk::Db& db, const std::string& project_id) {
  sdk::Batch batch;
  add_current_specs(batch, project_id);
  return current_from(db.run(batch)[0]);
}

struct Provenance {
  std::string source = "extracted";
  std::optional<std::string> question_id;
  std::optional<std::string> session_id;
};

// Adds the writes that make `spec` the current version of its slot; `supersede` are the ids that
// stop being current and point to it (the slot's current version, and any other). Answers the
// index of the statement whose row (kSpecColumns) is the new version.
inline std::size_t add_version(sdk::Batch& batch, const std::string& project_id, const engine::Specification& spec,
                               const Provenance& from, const std::vector<std::string>& supersede) {
  for (const auto& id : supersede)
    batch.add("UPDATE specifications SET is_current = false WHERE id = $1::uuid AND is_current", {id});
  const std::size_t index = batch.add(
      std::string("INSERT INTO specifications (project_id, category, key, value, source, confidence, question_id, "
                  "session_id, version) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::uuid, $8::uuid, "
                  "COALESCE((SELECT max(version) FROM specifications WHERE project_id = $1::uuid AND category = $2 "
                  "AND key = $3), 0) + 1) RETURNING ") +
          kSpecColumns,
      {project_id, spec.category, spec.key, spec.value, from.source, spec.confidence, from.question_id,
       from.session_id});
  for (const auto& id : supersede)
    batch.add("UPDATE specifications SET superseded_by = (SELECT id FROM specifications WHERE project_id = $2::uuid "
              "AND category = $3 AND key = $4 AND is_current) WHERE id = $1::uuid AND superseded_by IS NULL",
              {id, project_id, spec.category, spec.key});
  return index;
}

// Writes `spec` as the current version of its slot now: the slot's current version (and every id
// of `also_supersede` that is still current) stops being current and points to the new one.
inline sdk::Row write_version(sdk::Db& db, const std::string& project_id, const engine::Specification& spec,
                              const Provenance& from, const std::vector<std::string>& also_supersede = {}) {
  std::vector<std::string> old;
  auto slot = db.query_one("SELECT id::text AS id FROM specifications WHERE project_id = $1::uuid AND category = $2 "
                           "AND key = $3 AND is_current",
                           {project_id, spec.category, spec.key});
  if (slot) old.push_back(slot->str("id"));
  for (const auto& id : also_supersede)
    if (id != (slot ? slot->str("id") : std::string())) old.push_back(id);
  sdk::Batch batch;
  const std::size_t row = add_version(batch, project_id, spec, from, old);
  return db.run(batch)[row][0];
}

// ---- conflicts

// A conflict's columns; `existing` is the specification it is against, as JSON (spec_json's shape).
constexpr const char* kConflictColumns =
    "id::text AS id, project_id::text AS project_id, type, severity, status, description, "
    "existing_id::text AS existing_id, proposed::text AS proposed, resolution, notes, "
    "rfc3339(detected_at) AS detected_at, rfc3339(resolved_at) AS resolved_at, "
    "(SELECT json_build_object('id', e.id, 'project_id', e.project_id, 'category', e.category, 'key', e.key, "
    "'value', e.value, 'source', e.source, 'confidence', e.confidence, 'question_id', e.question_id, "
    "'session_id', e.session_id, 'version', e.version, 'is_current', e.is_current, "
    "'created_at', rfc3339(e.created_at)) FROM specifications e WHERE e.id = existing_id)::text AS existing";

inline nlohmann::json conflict_json(const sdk::Row& row) {
  return {{"id", row.str("id")},
          {"project_id", row.str("project_id")},
          {"type", row.str("type")},
          {"severity", row.str("severity")},
          {"status", row.str("status")},
          {"description", row.str("description")},
          {"existing", row.is_null("existing") ? nlohmann::json(nullptr) : nlohmann::json::parse(row.str("existing"))},
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

// What a conflict is against: a specification by id, or the current version of a slot (one
// written earlier in the same batch, whose id is not known yet).
struct Against {
  std::optional<std::string> id;
  std::string category, key;
};

// Adds an open conflict of `candidate` against `existing`; its row (kConflictColumns) is the answer.
inline std::size_t add_conflict(sdk::Batch& batch, const std::string& project_id, const engine::Conflict& conflict,
                                const Against& existing, const engine::Specification& candidate,
                                const Provenance& from) {
  return batch.add(std::string("INSERT INTO conflicts (project_id, type, severity, description, existing_id, proposed) "
                               "VALUES ($1::uuid, $2, $3, $4, COALESCE($5::uuid, (SELECT id FROM specifications "
                               "WHERE project_id = $1::uuid AND category = $7 AND key = $8 AND is_current)), "
                               "$6::jsonb) RETURNING ") +
                       kConflictColumns,
                   {project_id, engine::to_string(conflict.type), engine::to_string(conflict.severity),
                    conflict.description, existing.id, proposed_json(candidate, from).dump(), existing.category,
                    existing.key});
}

inline int open_conflicts(sdk::Db& db, const std::string& project_id) {
  return static_cast<int>(
      db.query_one("SELECT count(*) AS n FROM conflicts WHERE project_id = $1::uuid AND status = 'open'", {project_id})
          ->i64("n"));
}

inline void add_maturity(sdk::Batch& batch, const std::string& project_id, int score) {
  batch.add("UPDATE projects SET maturity_score = $2, updated_at = clock_timestamp() WHERE id = $1::uuid",
            {project_id, score});
}

// Recomputes and stores the project's maturity; answers the new score.
inline int recompute_maturity(sdk::Db& db, const engine::Engine& engine, const std::string& project_id) {
  const int score = engine::maturity_score(engine.taxonomy(), current_specs(db, project_id).specs);
  db.execute("UPDATE projects SET maturity_score = $2, updated_at = clock_timestamp() WHERE id = $1::uuid",
             {project_id, score});
  return score;
}

// ---- an answer or a message: extract, check, save, open conflicts

// An answer's or a message's writes, planned into a batch before it runs: which statements'
// rows are the new specifications and the conflicts, and the current specifications afterwards.
struct RecordPlan {
  std::vector<std::size_t> specifications;  // statement indexes, rows of kSpecColumns
  std::vector<std::size_t> conflicts;       // statement indexes, rows of kConflictColumns
  std::vector<engine::Specification> after;
  std::size_t duplicates = 0;
};

// Adds the writes of an analysed answer (checked against `current`) to `batch`: each new
// specification as its slot's current version, each conflicting candidate kept in full in its
// conflict. No candidate is lost.
inline RecordPlan plan_record(sdk::Batch& batch, const std::string& project_id, const CurrentSpecs& current,
                              const engine::AnswerAnalysis& analysis, const Provenance& from) {
  RecordPlan plan;
  std::vector<bool> current_kept(current.specs.size(), true);
  std::vector<engine::Specification> added;
  for (const auto& finding : analysis.findings) {
    const auto& spec = finding.candidate.specification;
    switch (finding.check.outcome) {
      case engine::CheckOutcome::kNew: {
        std::vector<std::string> supersede;
        for (std::size_t i = 0; i < current.specs.size(); ++i)
          if (current_kept[i] && current.specs[i].category == spec.category && current.specs[i].key == spec.key) {
            supersede.push_back(current.ids[i]);
            current_kept[i] = false;
          }
        // A slot written twice by one answer: the later version supersedes the earlier one.
        added.erase(std::remove_if(added.begin(), added.end(),
                                   [&](const engine::Specification& s) {
                                     return s.category == spec.category && s.key == spec.key;
                                   }),
                    added.end());
        plan.specifications.push_back(add_version(batch, project_id, spec, from, supersede));
        added.push_back(spec);
        break;
      }
      case engine::CheckOutcome::kDuplicate:
        ++plan.duplicates;
        break;
      case engine::CheckOutcome::kConflict:
        for (const auto& conflict : finding.check.conflicts) {
          Against against;
          if (conflict.against.source == engine::SpecificationRef::Source::kCurrent) {
            if (conflict.against.index >= current.ids.size()) continue;
            against.id = current.ids[conflict.against.index];
          } else {
            if (conflict.against.index >= analysis.findings.size()) continue;
            const auto& earlier = analysis.findings[conflict.against.index].candidate.specification;
            against.category = earlier.category;
            against.key = earlier.key;
          }
          plan.conflicts.push_back(add_conflict(batch, project_id, conflict, against, spec, from));
        }
        break;
    }
  }
  for (std::size_t i = 0; i < current.specs.size(); ++i)
    if (current_kept[i]) plan.after.push_back(current.specs[i]);
  plan.after.insert(plan.after.end(), added.begin(), added.end());
  return plan;
}

struct Recorded {
  nlohmann::json specifications = nlohmann::json::array();
  nlohmann::json conflicts = nlohmann::json::array();
  std::size_t duplicates = 0;
};

inline Recorded recorded(const RecordPlan& plan, const std::vector<sdk::Rows>& results) {
  Recorded out;
  for (std::size_t index : plan.specifications) out.specifications.push_back(spec_json(results.at(index)[0]));
  for (std::size_t index : plan.conflicts) out.conflicts.push_back(conflict_json(results.at(index)[0]));
  out.duplicates = plan.duplicates;
  return out;
}

}  // namespace socrates::agents::dialogue

#pragma once
// What the socratic, context and project_manager agents share about the dialogue's tables:
// the engine's loading, the caller's projects and sessions (scoped to the projects the caller is a
// member of, members.hpp: anyone else's row answers exactly like a missing one, and a member whose
// role is below what the action needs gets 403 FORBIDDEN), specifications with their versions, conflicts, and the
// maturity recomputed inside the caller's transaction. Part of libs/dialogue (socrates_dialogue),
// a static library each of the three agents links.

#include <socrates/dialogue/members.hpp>
#include <socrates/engine/engine.hpp>
#include <socrates/sdk.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace socrates::agents::dialogue {

namespace validate = sdk::validate;
using sdk::Result;

// The longest answer or direct-chat message a turn takes, in characters.
inline constexpr std::size_t kMaxTurnTextChars = 20000;

// Where the engine's data files are: DATA_DIR, or the built-in data directory.
std::string data_dir(sdk::Services& services);

// Loads the engine from data_dir(); throws with a clear message.
std::shared_ptr<const engine::Engine> load_engine(sdk::Services& services);

// The schema of the specifications database this data layer was written for: the number of the
// last migration in migrations/specs it knows. Raise it with every migration of that directory.
inline constexpr std::int64_t kSchemaVersion = 15;

// Refuses (throws, so the agent does not start and a reload keeps the running generation) when
// the specifications database is migrated to any other version: this layer's SQL would read or
// write columns that are not what it thinks. A database that cannot be reached at start is logged
// and let through: every request then answers DATABASE_UNAVAILABLE, and the host itself migrates
// before it loads any agent.
void require_schema(sdk::Services& services);

// The caller's user id (UNAUTHENTICATED without one). Access to a project is access() (members.hpp).
std::string owner(const sdk::Request& request);

// What an agent's internal `stats` action answers (GET /api/v1/admin/stats adds every agent's up):
// each figure's name with the SQL of its count (every owner's rows), read in one statement.
using Figures = std::vector<std::pair<std::string, std::string>>;
Result count_figures(sdk::Services& services, const Figures& figures);

[[noreturn]] inline void fail(const std::string& code, const std::string& message, nlohmann::json details = {}) {
  throw sdk::AgentException(sdk::Error{code, message, details.is_null() ? nlohmann::json::object() : details});
}

// ---- lists: every list takes `limit` (1..200, default 50) and `offset` (0..) and answers
// {"items","total","limit","offset"}, with the real total even for a page past the end.

struct Page {
  long long limit;
  long long offset;
};

Page page_of(const nlohmann::json& params);

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

// The caller's project (locked FOR UPDATE when `lock`) with the caller's role as `member_role`, or
// nothing when the caller is no member; FORBIDDEN when the role is below what `caller` needs. The
// membership is read in the same statement (one lookup of project_members' primary key).
std::optional<sdk::Row> find_project(sdk::Db& db, const std::string& id, const Access& caller, bool lock);

// The caller's project as find_project reads it, or PROJECT_NOT_FOUND.
sdk::Row project_row(sdk::Db& db, const std::string& id, const Access& caller, bool lock);

// An archived project is read-only until it is restored: every write to it or to its sessions,
// specifications, conflicts and plans answers 409 PROJECT_ARCHIVED. `status` is the project's
// status as a statement the write runs anyway has read it (after the project's lock, so that an
// archive cannot slip in between): the check costs no round trip.
void require_writable(const std::string& project_id, const std::string& status);

// The caller's project locked FOR UPDATE for a write, or PROJECT_NOT_FOUND, FORBIDDEN or
// PROJECT_ARCHIVED.
sdk::Row writable_project_row(sdk::Db& db, const std::string& id, const Access& caller);

// SQL: the id of the project of session $1 when the caller ($2) is one of its members, else NULL.
// The membership is a scalar subquery, not EXISTS: PostgreSQL turns EXISTS into a semi-join whose
// generic plan scans every membership of the caller and filters them on the project (a cost that
// grows with the caller's projects); the subquery is one probe of project_members_user_idx.
constexpr const char* kSessionProjectSql =
    "(SELECT s.project_id FROM sessions s WHERE s.id = $1::uuid AND (SELECT true FROM project_members m "
    "WHERE m.project_id = s.project_id AND m.user_id = $2::uuid))";

// Locks the project of the caller's session: every write on a project is serialised by this lock,
// and the statements after it (in the same batch) read what was committed before it. Its row is
// the project's maturity, phase and open items per category (`open_item_counts`, read by
// open_item_counts_of), or nothing when the caller is no member of the session's project.
std::size_t add_lock_by_session(sdk::Batch& batch, const std::string& session_id, const Access& caller);

// ---- sessions

constexpr const char* kSessionColumns =
    "id::text AS id, project_id::text AS project_id, mode, status, rfc3339(started_at) AS started_at, "
    "rfc3339(ended_at) AS ended_at";

// Beside a session's columns (FROM sessions): its project's status, for require_active.
constexpr const char* kSessionProjectStatus =
    "(SELECT p.status FROM projects p WHERE p.id = sessions.project_id) AS project_status";

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

// The project object (without the caller's role: the export's form).
nlohmann::json project_json(const sdk::Row& row);
// The project object with "role", the caller's role (the row's `member_role`), as the projects'
// routes answer it.
nlohmann::json member_project_json(const sdk::Row& row);

nlohmann::json nullable(const sdk::Row& row, const char* column);

nlohmann::json session_json(const sdk::Row& row);

// The session (with kSessionProjectStatus and the caller's `member_role`) when the caller is a
// member of its project; found_session reads the answer. `with_domain_role`: also the domain role
// of the member who started the session (`domain_role`, null when none), whose questions it asks.
std::size_t add_session(sdk::Batch& batch, const std::string& session_id, const Access& caller,
                        bool with_domain_role = false);

// The session row of add_session's rows, or SESSION_NOT_FOUND; FORBIDDEN when the caller's role is
// below what `caller` needs.
const sdk::Row& found_session(const sdk::Rows& rows, const std::string& id, const Access& caller);

// The caller's session (with kSessionProjectStatus), or SESSION_NOT_FOUND, or FORBIDDEN. With `lock`, its
// project row is locked first (in the same round trip) so that every write on one project is
// serialised, and the session is read after the lock; a locked read is for a write, so an
// archived project then answers PROJECT_ARCHIVED.
sdk::Row session_row(sdk::Db& db, const std::string& id, const Access& caller, bool lock);

// A session that takes questions and answers: its project is not archived (PROJECT_ARCHIVED) and
// it is active (SESSION_NOT_ACTIVE). `session` has kSessionProjectStatus.
void require_active(const sdk::Row& session);

// ---- questions

constexpr const char* kQuestionColumns =
    "id::text AS id, session_id::text AS session_id, project_id::text AS project_id, text, category, context, "
    "quality_score, answered, rfc3339(created_at) AS created_at";

std::size_t add_pending_question(sdk::Batch& batch, const std::string& session_id);

nlohmann::json question_json(const sdk::Row& row);

// ---- history

// `author_id`: the person who said it (the user's lines); the assistant's lines have none.
void add_history(sdk::Batch& batch, const std::string& session_id, const std::string& role,
                 const std::string& content, const std::string& type,
                 const std::optional<std::string>& question_id,
                 const std::optional<std::string>& author_id = std::nullopt);

// ---- specifications

constexpr const char* kSpecColumns =
    "id::text AS id, project_id::text AS project_id, category, key, value, source, confidence, "
    "question_id::text AS question_id, session_id::text AS session_id, version, is_current, "
    "rfc3339(created_at) AS created_at, author_id::text AS author_id, "
    "(SELECT email FROM people WHERE user_id = author_id) AS author_email";

nlohmann::json spec_json(const sdk::Row& row);

// The project's current specifications: their ids and the engine's view of them.
struct CurrentSpecs {
  std::vector<std::string> ids;
  std::vector<engine::Specification> specs;
};

constexpr const char* kCurrentColumns = "id::text AS id, category, key, value, confidence";

std::size_t add_current_specs(sdk::Batch& batch, const std::string& project_id);

// The same for the project of the caller's session (no round trip needed to learn the project).
std::size_t add_current_specs_by_session(sdk::Batch& batch, const std::string& session_id, const Access& caller);

CurrentSpecs current_from(const sdk::Rows& rows);

CurrentSpecs current_specs(sdk::Db& db, const std::string& project_id);

// Where a specification version comes from, and who made it (docs/domain.md "Attribution"):
// `author_id` is the caller whose answer, message or edit it is, written in the version's own
// insert (no extra statement).
struct Provenance {
  std::string source = "extracted";
  std::optional<std::string> question_id;
  std::optional<std::string> session_id;
  std::optional<std::string> author_id;
};

// Adds the writes that make `spec` the current version of its slot; `supersede` are the ids that
// stop being current and point to it (the slot's current version, and any other). Answers the
// index of the statement whose row (kSpecColumns) is the new version.
std::size_t add_version(sdk::Batch& batch, const std::string& project_id, const engine::Specification& spec,
                        const Provenance& from, const std::vector<std::string>& supersede);

// Writes `spec` as the current version of its slot now: the slot's current version (and every id
// of `also_supersede` that is still current) stops being current and points to the new one.
sdk::Row write_version(sdk::Db& db, const std::string& project_id, const engine::Specification& spec,
                       const Provenance& from, const std::vector<std::string>& also_supersede = {});

// ---- conflicts

// A conflict's columns; `existing` is the specification it is against, as JSON (spec_json's shape).
// `between_members`: its two sides come from two different people (migration 010); `resolved_by`:
// who decided.
constexpr const char* kConflictColumns =
    "id::text AS id, project_id::text AS project_id, type, severity, status, description, "
    "existing_id::text AS existing_id, proposed::text AS proposed, resolution, notes, "
    "rfc3339(detected_at) AS detected_at, rfc3339(resolved_at) AS resolved_at, between_members, "
    "resolved_by::text AS resolved_by, (SELECT email FROM people WHERE user_id = resolved_by) AS resolved_by_email, "
    "(SELECT email FROM people WHERE user_id = (proposed->>'author_id')::uuid) AS proposed_author_email, "
    "(SELECT json_build_object('id', e.id, 'project_id', e.project_id, 'category', e.category, 'key', e.key, "
    "'value', e.value, 'source', e.source, 'confidence', e.confidence, 'question_id', e.question_id, "
    "'session_id', e.session_id, 'version', e.version, 'is_current', e.is_current, "
    "'created_at', rfc3339(e.created_at), 'author_id', e.author_id, "
    "'author_email', (SELECT p.email FROM people p WHERE p.user_id = e.author_id)) FROM specifications e "
    "WHERE e.id = existing_id)::text AS existing";

nlohmann::json conflict_json(const sdk::Row& row);

nlohmann::json proposed_json(const engine::Specification& spec, const Provenance& from);

// What a conflict is against: a specification by id, or the current version of a slot (one
// written earlier in the same batch, whose id is not known yet).
struct Against {
  std::optional<std::string> id;
  std::string category, key;
};

// Adds an open conflict of `candidate` against `existing`; its row (kConflictColumns) is the answer.
// It is between members when `from.author_id` is not who made the existing side (read in the
// insert itself).
std::size_t add_conflict(sdk::Batch& batch, const std::string& project_id, const engine::Conflict& conflict,
                         const Against& existing, const engine::Specification& candidate,
                         const Provenance& from);

int open_conflicts(sdk::Db& db, const std::string& project_id);

void add_maturity(sdk::Batch& batch, const std::string& project_id, int score);

// Recomputes and stores the project's maturity (clarity and open items counted); answers the new score.
int recompute_maturity(sdk::Db& db, const engine::Engine& engine, const std::string& project_id);

// ---- open items: "I don't know" kept as a gap of the project (domain.md "Clarity and open items")

constexpr const char* kOpenItemColumns =
    "id::text AS id, project_id::text AS project_id, session_id::text AS session_id, "
    "question_id::text AS question_id, category, question, said, status, assumption, "
    "specification_id::text AS specification_id, rfc3339(created_at) AS created_at, rfc3339(closed_at) AS closed_at";

nlohmann::json open_item_json(const sdk::Row& row);

// The project's open items per category, as its row keeps them (migration 013): a statement whose
// row open_item_counts_of reads; open_item_counts_of reads them off any row with the projects'
// `open_item_counts` column (kOpenItemCountsColumn).
constexpr const char* kOpenItemCountsColumn = "open_item_counts::text AS open_item_counts";
std::size_t add_open_item_counts(sdk::Batch& batch, const std::string& project_id);
engine::OpenItemCounts open_item_counts_of(const sdk::Rows& rows);
engine::OpenItemCounts open_item_counts(sdk::Db& db, const std::string& project_id);

// ---- an answer or a message: extract, check, save, open conflicts

// An answer's or a message's writes, planned into a batch before it runs: which statements'
// rows are the new specifications and the conflicts, and the current specifications afterwards.
struct RecordPlan {
  std::vector<std::size_t> specifications;  // statement indexes, rows of kSpecColumns
  std::vector<std::size_t> conflicts;       // statement indexes, rows of kConflictColumns
  std::vector<engine::Specification> after;
  std::size_t duplicates = 0;
};

// What an answer recorded, as its question keeps it (questions.recorded_categories, migration 012:
// the categories of the specifications written from it, in order, comma-separated, read by the
// question planner): SQL for the new value of that column when `$n` (`added`, a parameter) is
// appended. Every writer of a specification with a question keeps it: the answer in the statement
// that marks its question answered, write_version for any other (a conflict resolved with the
// answer's value).
std::string append_recorded_categories_sql(const std::string& added);
// The categories plan_record writes for `analysis` (one per new specification, in order), as the
// column keeps them: known before the writes, so the answer's statement can go first in its batch
// (the requirements' trace finds the answer as the history row written up to the specification).
std::string recorded_categories(const engine::AnswerAnalysis& analysis);

// The questions a project was asked, oldest first, with the categories each answer recorded
// (questions.recorded_categories): one index range (questions_project_idx), whatever the length of
// the interview. `project` is SQL for the project's id. asked_from reads its rows, splitting the
// recorded categories of the latest engine::kRecordedLookback questions only (the planner reads no
// more).
std::string asked_sql(const std::string& project);
std::vector<engine::AskedQuestion> asked_from(const sdk::Rows& rows);

// The state an answer hands on to its next question in the answer flow (docs/architecture.md,
// "Flows"; Result::hand_on): the project, the domain role of the session's owner (empty: none),
// the project's current specifications as the answer left them and, when the answer read them in
// its commit's round trip, the questions the project was asked (the answer's own marked answered).
// The bytes are the two agents' own: the project id, the domain role, the count and each
// specification's category, key and value, each a 4-byte little-endian length and its bytes, and
// its confidence as an 8-byte double; then, if present, the count of questions and each one's text,
// category, answered (one byte, 0 or 1) and count and texts of recorded categories. (Measured per
// turn with callgrind: MessagePack through nlohmann::json cost 118,000 instructions to write and
// read back; these, under 10,000.) Nothing when `bytes` are not such a state.
struct TurnState {
  std::string project_id;
  std::string domain_role;
  std::vector<engine::Specification> specifications;
  std::optional<std::vector<engine::AskedQuestion>> asked;
};
std::string encode_turn_state(const TurnState& state);
std::optional<TurnState> decode_turn_state(std::string_view bytes);

// Adds the writes of an analysed answer (checked against `current`) to `batch`: each new
// specification as its slot's current version, each conflicting candidate kept in full in its
// conflict. No candidate is lost.
RecordPlan plan_record(sdk::Batch& batch, const std::string& project_id, const CurrentSpecs& current,
                       const engine::AnswerAnalysis& analysis, const Provenance& from);

struct Recorded {
  nlohmann::json specifications = nlohmann::json::array();
  nlohmann::json conflicts = nlohmann::json::array();
  std::size_t duplicates = 0;
};

Recorded recorded(const RecordPlan& plan, const std::vector<sdk::Rows>& results);

}  // namespace socrates::agents::dialogue

#include <socrates/dialogue/store.hpp>

#include <cstring>
#include <stdexcept>

// Where the engine's data lies when DATA_DIR is not set (the build sets it to libs/engine/data).
#ifndef SOCRATES_DEFAULT_DATA_DIR
#define SOCRATES_DEFAULT_DATA_DIR "libs/engine/data"
#endif

namespace socrates::agents::dialogue {

std::string data_dir(sdk::Services& services) {
  return services.setting("DATA_DIR").value_or(SOCRATES_DEFAULT_DATA_DIR);
}

std::shared_ptr<const engine::Engine> load_engine(sdk::Services& services) {
  const std::string dir = data_dir(services);
  try {
    return std::make_shared<const engine::Engine>(engine::Engine::load(dir));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot load the engine's data from DATA_DIR '" + dir + "': " + e.what());
  }
}

void require_schema(sdk::Services& services) {
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

Result count_figures(sdk::Services& services, const Figures& figures) {
  std::string sql;
  for (const auto& [name, count] : figures) sql += (sql.empty() ? "SELECT (" : ", (") + count + ") AS " + name;
  sdk::Db db(services, sdk::Database::kSpecs);
  const auto row = db.query_one(sql);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, count] : figures) out[name] = row->i64(name);
  return Result::ok(std::move(out));
}

std::string owner(const sdk::Request& request) {
  if (!validate::is_uuid(request.caller.user_id))
    throw sdk::AgentException(sdk::errc::kUnauthenticated, "this action needs an authenticated caller");
  return request.caller.user_id;
}

Page page_of(const nlohmann::json& params) {
  return {validate::integer(params, "limit", 1, 200, 50), validate::integer(params, "offset", 0, 1000000000, 0)};
}

std::optional<sdk::Row> find_project(sdk::Db& db, const std::string& id, const Access& caller, bool lock) {
  auto row = db.query_one(std::string("SELECT ") + kProjectColumns + ", member_role FROM projects" +
                              member_join("projects.id", "$2") + " WHERE projects.id = $1::uuid" +
                              (lock ? " FOR UPDATE OF projects" : ""),
                          {id, caller.user_id});
  if (row) require_role(caller, row->str("member_role"), id);
  return row;
}

sdk::Row project_row(sdk::Db& db, const std::string& id, const Access& caller, bool lock) {
  auto row = find_project(db, id, caller, lock);
  if (!row) fail(sdk::errc::kProjectNotFound, "project " + id + " does not exist", {{"project_id", id}});
  return *row;
}

void require_writable(const std::string& project_id, const std::string& status) {
  if (status == "archived")
    fail(sdk::errc::kProjectArchived, "project " + project_id + " is archived and read-only; restore it to change it",
         {{"project_id", project_id}});
}

sdk::Row writable_project_row(sdk::Db& db, const std::string& id, const Access& caller) {
  sdk::Row row = project_row(db, id, caller, /*lock=*/true);
  require_writable(id, row.str("status"));
  return row;
}

std::size_t add_lock_by_session(sdk::Batch& batch, const std::string& session_id, const Access& caller) {
  return batch.add(std::string("SELECT maturity_score, current_phase, ") + kOpenItemCountsColumn +
                       " FROM projects WHERE id = " + kSessionProjectSql + " FOR UPDATE",
                   {session_id, caller.user_id});
}

nlohmann::json project_json(const sdk::Row& row) {
  return row_object(row, {"id", "name", "description", "owner_id", "current_phase", "status", "created_at", "updated_at"},
                    [&](auto& fields) { fields.emplace("maturity_score", row.i64("maturity_score")); });
}

nlohmann::json member_project_json(const sdk::Row& row) {
  nlohmann::json out = project_json(row);
  out.get_ref<nlohmann::json::object_t&>().emplace("role", row.str("member_role"));
  return out;
}

nlohmann::json nullable(const sdk::Row& row, const char* column) {
  return row.is_null(column) ? nlohmann::json(nullptr) : nlohmann::json(row.str(column));
}

nlohmann::json session_json(const sdk::Row& row) {
  return row_object(row, {"id", "project_id", "mode", "status", "started_at"},
                    [&](auto& fields) { fields.emplace("ended_at", nullable(row, "ended_at")); });
}

std::size_t add_session(sdk::Batch& batch, const std::string& session_id, const Access& caller,
                        bool with_domain_role) {
  return batch.add(std::string("SELECT ") + kSessionColumns + ", " + kSessionProjectStatus + ", member_role" +
                       (with_domain_role ? ", (SELECT d.domain_role FROM project_members d WHERE d.project_id = "
                                           "sessions.project_id AND d.user_id = sessions.owner_id) AS domain_role"
                                         : "") +
                       " FROM sessions" + member_join("sessions.project_id", "$2") +
                       " WHERE sessions.id = $1::uuid",
                   {session_id, caller.user_id});
}

const sdk::Row& found_session(const sdk::Rows& rows, const std::string& id, const Access& caller) {
  if (rows.empty()) fail(sdk::errc::kSessionNotFound, "session " + id + " does not exist", {{"session_id", id}});
  require_role(caller, rows[0].str("member_role"), rows[0].str("project_id"));
  return rows[0];
}

sdk::Row session_row(sdk::Db& db, const std::string& id, const Access& caller, bool lock) {
  sdk::Batch batch;
  if (lock) add_lock_by_session(batch, id, caller);
  const std::size_t session = add_session(batch, id, caller);
  sdk::Row row = found_session(db.run(batch)[session], id, caller);
  if (lock) require_writable(row.str("project_id"), row.str("project_status"));
  return row;
}

void require_active(const sdk::Row& session) {
  require_writable(session.str("project_id"), session.str("project_status"));
  if (session.str("status") != "active")
    fail(sdk::errc::kSessionNotActive, "session " + session.str("id") + " is " + session.str("status"),
         {{"session_id", session.str("id")}, {"status", session.str("status")}});
}

std::size_t add_pending_question(sdk::Batch& batch, const std::string& session_id) {
  return batch.add(std::string("SELECT ") + kQuestionColumns + " FROM questions WHERE session_id = $1::uuid AND NOT answered",
                   {session_id});
}

nlohmann::json question_json(const sdk::Row& row) {
  return row_object(row, {"id", "session_id", "project_id", "text", "category", "context", "created_at"},
                    [&](auto& fields) {
                      fields.emplace("quality_score", row.f64("quality_score"));
                      fields.emplace("answered", row.boolean("answered"));
                    });
}

void add_history(sdk::Batch& batch, const std::string& session_id, const std::string& role,
                 const std::string& content, const std::string& type,
                 const std::optional<std::string>& question_id, const std::optional<std::string>& author_id) {
  batch.add("INSERT INTO conversation_history (session_id, role, content, message_type, question_id, author_id) "
             "VALUES ($1::uuid, $2, $3, $4, $5::uuid, $6::uuid)",
             {session_id, role, content, type, question_id, author_id});
}

nlohmann::json spec_json(const sdk::Row& row) {
  return row_object(row, {"id", "project_id", "category", "key", "value", "source", "created_at"}, [&](auto& fields) {
    fields.emplace("confidence", row.f64("confidence"));
    fields.emplace("question_id", nullable(row, "question_id"));
    fields.emplace("session_id", nullable(row, "session_id"));
    fields.emplace("version", row.i64("version"));
    fields.emplace("is_current", row.boolean("is_current"));
    fields.emplace("author_id", nullable(row, "author_id"));
    fields.emplace("author_email", nullable(row, "author_email"));
  });
}

std::size_t add_current_specs(sdk::Batch& batch, const std::string& project_id) {
  return batch.add(std::string("SELECT ") + kCurrentColumns +
                       " FROM specifications WHERE project_id = $1::uuid AND is_current ORDER BY created_at, id",
                   {project_id});
}

std::size_t add_current_specs_by_session(sdk::Batch& batch, const std::string& session_id, const Access& caller) {
  return batch.add(std::string("SELECT ") + kCurrentColumns + " FROM specifications WHERE project_id = " +
                       kSessionProjectSql + " AND is_current ORDER BY created_at, id",
                   {session_id, caller.user_id});
}

CurrentSpecs current_from(const sdk::Rows& rows) {
  CurrentSpecs out;
  out.ids.reserve(rows.size());
  out.specs.reserve(rows.size());
  for (const auto& row : rows) {
    out.ids.push_back(row.str(0));
    out.specs.push_back({row.str(1), row.str(2), row.str(3), std::stod(row.str(4))});
  }
  return out;
}

CurrentSpecs current_specs(sdk::Db& db, const std::string& project_id) {
  sdk::Batch batch;
  add_current_specs(batch, project_id);
  return current_from(db.run(batch)[0]);
}

std::size_t add_version(sdk::Batch& batch, const std::string& project_id, const engine::Specification& spec,
                        const Provenance& from, const std::vector<std::string>& supersede) {
  for (const auto& id : supersede)
    batch.add("UPDATE specifications SET is_current = false WHERE id = $1::uuid AND is_current", {id});
  const std::size_t index = batch.add(
      std::string("INSERT INTO specifications (project_id, category, key, value, source, confidence, question_id, "
                  "session_id, author_id, version) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::uuid, $8::uuid, $9::uuid, "
                  "COALESCE((SELECT max(version) FROM specifications WHERE project_id = $1::uuid AND category = $2 "
                  "AND key = $3), 0) + 1) RETURNING ") +
          kSpecColumns,
      {project_id, spec.category, spec.key, spec.value, from.source, spec.confidence, from.question_id,
       from.session_id, from.author_id});
  for (const auto& id : supersede)
    batch.add("UPDATE specifications SET superseded_by = (SELECT id FROM specifications WHERE project_id = $2::uuid "
              "AND category = $3 AND key = $4 AND is_current) WHERE id = $1::uuid AND superseded_by IS NULL",
              {id, project_id, spec.category, spec.key});
  return index;
}

sdk::Row write_version(sdk::Db& db, const std::string& project_id, const engine::Specification& spec,
                       const Provenance& from, const std::vector<std::string>& also_supersede) {
  std::vector<std::string> old;
  auto slot = db.query_one("SELECT id::text AS id FROM specifications WHERE project_id = $1::uuid AND category = $2 "
                           "AND key = $3 AND is_current",
                           {project_id, spec.category, spec.key});
  if (slot) old.push_back(slot->str("id"));
  for (const auto& id : also_supersede)
    if (id != (slot ? slot->str("id") : std::string())) old.push_back(id);
  sdk::Batch batch;
  const std::size_t row = add_version(batch, project_id, spec, from, old);
  if (from.question_id)
    batch.add("UPDATE questions SET recorded_categories = " + append_recorded_categories_sql("$2::text") +
                  " WHERE id = $1::uuid",
              {*from.question_id, spec.category});
  return db.run(batch)[row][0];
}

nlohmann::json conflict_json(const sdk::Row& row) {
  nlohmann::json proposed = nlohmann::json::parse(row.str("proposed"));
  proposed["author_email"] = nullable(row, "proposed_author_email");
  return {{"id", row.str("id")},
          {"project_id", row.str("project_id")},
          {"type", row.str("type")},
          {"severity", row.str("severity")},
          {"status", row.str("status")},
          {"description", row.str("description")},
          {"existing", row.is_null("existing") ? nlohmann::json(nullptr) : nlohmann::json::parse(row.str("existing"))},
          {"proposed", std::move(proposed)},
          {"resolution", nullable(row, "resolution")},
          {"notes", nullable(row, "notes")},
          {"detected_at", row.str("detected_at")},
          {"resolved_at", nullable(row, "resolved_at")},
          {"between_members", row.boolean("between_members")},
          {"resolved_by", nullable(row, "resolved_by")},
          {"resolved_by_email", nullable(row, "resolved_by_email")}};
}

nlohmann::json proposed_json(const engine::Specification& spec, const Provenance& from) {
  return {{"category", spec.category},
          {"key", spec.key},
          {"value", spec.value},
          {"confidence", spec.confidence},
          {"source", from.source},
          {"question_id", from.question_id ? nlohmann::json(*from.question_id) : nlohmann::json(nullptr)},
          {"session_id", from.session_id ? nlohmann::json(*from.session_id) : nlohmann::json(nullptr)},
          {"author_id", from.author_id ? nlohmann::json(*from.author_id) : nlohmann::json(nullptr)}};
}

std::size_t add_conflict(sdk::Batch& batch, const std::string& project_id, const engine::Conflict& conflict,
                         const Against& existing, const engine::Specification& candidate,
                         const Provenance& from) {
  return batch.add(std::string("INSERT INTO conflicts (project_id, type, severity, description, existing_id, proposed, "
                               "between_members) SELECT $1::uuid, $2, $3, $4, against.id, $6::jsonb, "
                               "COALESCE(was.author_id <> $9::uuid, false) FROM (SELECT COALESCE($5::uuid, (SELECT id "
                               "FROM specifications WHERE project_id = $1::uuid AND category = $7 AND key = $8 AND "
                               "is_current)) AS id) against LEFT JOIN specifications was ON was.id = against.id "
                               "RETURNING ") +
                       kConflictColumns,
                   {project_id, engine::to_string(conflict.type), engine::to_string(conflict.severity),
                    conflict.description, existing.id, proposed_json(candidate, from).dump(), existing.category,
                    existing.key, from.author_id});
}

int open_conflicts(sdk::Db& db, const std::string& project_id) {
  return static_cast<int>(
      db.query_one("SELECT count(*) AS n FROM conflicts WHERE project_id = $1::uuid AND status = 'open'", {project_id})
          ->i64("n"));
}

void add_maturity(sdk::Batch& batch, const std::string& project_id, int score) {
  batch.add("UPDATE projects SET maturity_score = $2, updated_at = clock_timestamp() WHERE id = $1::uuid",
            {project_id, score});
}

int recompute_maturity(sdk::Db& db, const engine::Engine& engine, const std::string& project_id) {
  sdk::Batch reads;
  const std::size_t specs = add_current_specs(reads, project_id);
  const std::size_t items = add_open_item_counts(reads, project_id);
  const auto read = db.run(reads);
  const int score = engine.maturity_score(current_from(read[specs]).specs, open_item_counts_of(read[items]));
  db.execute("UPDATE projects SET maturity_score = $2, updated_at = clock_timestamp() WHERE id = $1::uuid",
             {project_id, score});
  return score;
}

nlohmann::json open_item_json(const sdk::Row& row) {
  return row_object(row, {"id", "project_id", "category", "question", "said", "status", "created_at"},
                    [&](auto& fields) {
                      for (const char* column : {"session_id", "question_id", "assumption", "specification_id", "closed_at"})
                        fields.emplace(column, nullable(row, column));
                    });
}

std::size_t add_open_item_counts(sdk::Batch& batch, const std::string& project_id) {
  return batch.add(std::string("SELECT ") + kOpenItemCountsColumn + " FROM projects WHERE id = $1::uuid", {project_id});
}

engine::OpenItemCounts open_item_counts_of(const sdk::Rows& rows) {
  engine::OpenItemCounts out;
  if (rows.empty()) return out;
  const nlohmann::json counts = nlohmann::json::parse(rows[0].str("open_item_counts"));
  for (const auto& [category, n] : counts.items()) out[category] = n.get<int>();
  return out;
}

engine::OpenItemCounts open_item_counts(sdk::Db& db, const std::string& project_id) {
  sdk::Batch batch;
  add_open_item_counts(batch, project_id);
  return open_item_counts_of(db.run(batch)[0]);
}

RecordPlan plan_record(sdk::Batch& batch, const std::string& project_id, const CurrentSpecs& current,
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

std::string append_recorded_categories_sql(const std::string& added) {
  return "CASE WHEN " + added + " = '' THEN recorded_categories WHEN recorded_categories = '' THEN " + added +
         " ELSE recorded_categories || ',' || " + added + " END";
}

std::string recorded_categories(const engine::AnswerAnalysis& analysis) {
  std::string out;
  for (const auto& finding : analysis.findings)
    if (finding.check.outcome == engine::CheckOutcome::kNew)
      out += (out.empty() ? "" : ",") + finding.candidate.specification.category;
  return out;
}

namespace {

// The turn state's fields: a length (4 bytes, little-endian) and its bytes; a confidence as the 8
// bytes of an IEEE double (both agents run on the host's machine).
void put_length(std::string& out, std::size_t length) {
  if (length > 0xFFFFFFFFu) throw std::length_error("a turn state's field is longer than 4 GiB");
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((length >> shift) & 0xFF));
}
void put_text(std::string& out, const std::string& text) {
  put_length(out, text.size());
  out += text;
}

// Reads the fields back, refusing anything short or left over.
class StateReader {
 public:
  explicit StateReader(std::string_view bytes) noexcept : rest_(bytes) {}
  bool length(std::size_t& out) noexcept {
    if (rest_.size() < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) out |= static_cast<std::size_t>(static_cast<unsigned char>(rest_[i])) << (8 * i);
    rest_.remove_prefix(4);
    return true;
  }
  bool text(std::string& out) {
    std::size_t size = 0;
    if (!length(size) || rest_.size() < size) return false;
    out.assign(rest_.data(), size);
    rest_.remove_prefix(size);
    return true;
  }
  bool number(double& out) noexcept {
    if (rest_.size() < sizeof out) return false;
    std::memcpy(&out, rest_.data(), sizeof out);
    rest_.remove_prefix(sizeof out);
    return true;
  }
  bool flag(bool& out) noexcept {
    if (rest_.empty() || static_cast<unsigned char>(rest_[0]) > 1) return false;
    out = rest_[0] == 1;
    rest_.remove_prefix(1);
    return true;
  }
  std::size_t left() const noexcept { return rest_.size(); }

 private:
  std::string_view rest_;
};

}  // namespace

std::string asked_sql(const std::string& project) {
  return "SELECT text, category, answered, recorded_categories AS recorded FROM questions WHERE project_id = " +
         project + " ORDER BY created_at, id";
}

std::vector<engine::AskedQuestion> asked_from(const sdk::Rows& rows) {
  std::vector<engine::AskedQuestion> out;
  out.reserve(rows.size());
  const std::size_t lookback_from = rows.size() - std::min(rows.size(), engine::kRecordedLookback);
  for (std::size_t index = 0; index < rows.size(); ++index) {
    const sdk::Row& row = rows[index];
    engine::AskedQuestion question{row.str("text"), row.str("category"), row.boolean("answered"), {}};
    if (index >= lookback_from) {
      const std::string& recorded = row.str("recorded");
      for (std::size_t start = 0; start < recorded.size();) {
        const std::size_t comma = std::min(recorded.find(',', start), recorded.size());
        question.recorded_categories.push_back(recorded.substr(start, comma - start));
        start = comma + 1;
      }
    }
    out.push_back(std::move(question));
  }
  return out;
}

std::string encode_turn_state(const TurnState& state) {
  std::size_t size = 12 + state.project_id.size() + state.domain_role.size();
  for (const auto& spec : state.specifications) size += 20 + spec.category.size() + spec.key.size() + spec.value.size();
  if (state.asked)
    for (const auto& question : *state.asked) {
      size += 13 + question.text.size() + question.category.size();
      for (const auto& category : question.recorded_categories) size += 4 + category.size();
    }
  std::string out;
  out.reserve(size);
  put_text(out, state.project_id);
  put_text(out, state.domain_role);
  put_length(out, state.specifications.size());
  for (const auto& spec : state.specifications) {
    put_text(out, spec.category);
    put_text(out, spec.key);
    put_text(out, spec.value);
    char confidence[sizeof(double)];
    std::memcpy(confidence, &spec.confidence, sizeof confidence);
    out.append(confidence, sizeof confidence);
  }
  if (state.asked) {
    put_length(out, state.asked->size());
    for (const auto& question : *state.asked) {
      put_text(out, question.text);
      put_text(out, question.category);
      out.push_back(question.answered ? '\1' : '\0');
      put_length(out, question.recorded_categories.size());
      for (const auto& category : question.recorded_categories) put_text(out, category);
    }
  }
  return out;
}

std::optional<TurnState> decode_turn_state(std::string_view bytes) {
  StateReader read(bytes);
  TurnState out;
  std::size_t count = 0;
  if (!read.text(out.project_id) || !read.text(out.domain_role) || !read.length(count)) return std::nullopt;
  // Each specification takes at least 20 bytes: a count beyond that is not this format.
  if (count > read.left() / 20) return std::nullopt;
  out.specifications.resize(count);
  for (auto& spec : out.specifications)
    if (!read.text(spec.category) || !read.text(spec.key) || !read.text(spec.value) || !read.number(spec.confidence))
      return std::nullopt;
  if (read.left() == 0) return out;
  // Each question takes at least 13 bytes.
  if (!read.length(count) || count > read.left() / 13) return std::nullopt;
  out.asked.emplace(count);
  for (auto& question : *out.asked) {
    std::size_t recorded = 0;
    if (!read.text(question.text) || !read.text(question.category) || !read.flag(question.answered) ||
        !read.length(recorded) || recorded > read.left() / 4)
      return std::nullopt;
    question.recorded_categories.resize(recorded);
    for (auto& category : question.recorded_categories)
      if (!read.text(category)) return std::nullopt;
  }
  if (read.left() != 0) return std::nullopt;
  return out;
}

Recorded recorded(const RecordPlan& plan, const std::vector<sdk::Rows>& results) {
  Recorded out;
  for (std::size_t index : plan.specifications) out.specifications.push_back(spec_json(results.at(index)[0]));
  for (std::size_t index : plan.conflicts) out.conflicts.push_back(conflict_json(results.at(index)[0]));
  out.duplicates = plan.duplicates;
  return out;
}

}  // namespace socrates::agents::dialogue

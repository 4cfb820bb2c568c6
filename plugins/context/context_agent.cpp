#include "context_agent.hpp"

#include <socrates/dialogue/attribution.hpp>
#include <socrates/dialogue/store.hpp>
#include <socrates/dialogue/llm.hpp>

#include <algorithm>
#include <cmath>

namespace socrates::agents {
namespace {

using namespace dialogue;

// What an accepted assumption counts for: no more than a hedged statement ("maybe", "I think").
constexpr double kAssumptionConfidence = 0.5;

bool flag(const nlohmann::json& params, const char* name) {
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string() && (*it == "true" || *it == "1")) return true;
  if (it->is_string() && (*it == "false" || *it == "0")) return false;
  if (it->is_number_integer()) return it->get<long long>() != 0;
  validate::fail(name, std::string("'") + name + "' must be true or false");
}

std::string snake_key(const nlohmann::json& params) {
  std::string key = validate::required_string(params, "key", 1, 100);
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      validate::fail("key", "'key' must be snake_case (a-z, 0-9, _)");
  return key;
}

double confidence(const nlohmann::json& params, double fallback) {
  auto it = params.find("confidence");
  if (it == params.end() || it->is_null()) return fallback;
  if (!it->is_number()) validate::fail("confidence", "'confidence' must be a number between 0 and 1");
  const double value = it->get<double>();
  if (!(value >= 0 && value <= 1)) validate::fail("confidence", "'confidence' must be a number between 0 and 1");
  return value;
}

// The caller's `noun` (a row of `table`) with `columns`, or the error `missing`. With
// `lock` (a write), the project it belongs to is locked first, in the same round trip, so that
// every write on one project is serialised and the row is read after the lock; an archived
// project then answers PROJECT_ARCHIVED.
sdk::Row owned_row(sdk::Db& db, const char* table, const char* columns, const std::string& id,
                   const Access& caller, bool lock, const char* missing, const std::string& noun) {
  sdk::Batch batch;
  const std::size_t locked =
      lock ? batch.add(std::string("SELECT id::text AS id, status FROM projects WHERE id = (SELECT project_id FROM ") +
                           table + " WHERE id = $1::uuid) AND (SELECT true FROM project_members m WHERE "
                           "m.project_id = projects.id AND m.user_id = $2::uuid) FOR UPDATE",  // see kSessionProjectSql
                       {id, caller.user_id})
           : 0;
  const std::size_t read = batch.add(std::string("SELECT ") + columns + ", member_role FROM " + table + " t" +
                                         member_join("t.project_id", "$2") + " WHERE t.id = $1::uuid",
                                     {id, caller.user_id});
  const std::vector<sdk::Rows> results = db.run(batch);
  const sdk::Rows& rows = results[read];
  if (rows.empty()) fail(missing, noun + " " + id + " does not exist", {{noun + "_id", id}});
  require_role(caller, rows[0].str("member_role"), rows[0].str("project_id"));
  if (lock && !results[locked].empty()) require_writable(results[locked][0].str("id"), results[locked][0].str("status"));
  return rows[0];
}

sdk::Row spec_row(sdk::Db& db, const std::string& id, const Access& caller, bool lock) {
  return owned_row(db, "specifications", kSpecColumns, id, caller, lock, sdk::errc::kSpecificationNotFound,
                   "specification");
}

sdk::Row open_item_row(sdk::Db& db, const std::string& id, const Access& caller, bool lock) {
  return owned_row(db, "open_items", kOpenItemColumns, id, caller, lock, sdk::errc::kNotFound, "open_item");
}

sdk::Row conflict_row(sdk::Db& db, const std::string& id, const Access& caller, bool lock) {
  return owned_row(db, "conflicts", kConflictColumns, id, caller, lock, sdk::errc::kConflictNotFound, "conflict");
}

// A specification change checked against the current ones (except `except_id`): conflicts are
// stored open and answered with CONFLICT_DETECTED after the commit.
std::optional<Result> check_manual(sdk::Db& db, const engine::Engine& engine, const std::string& project_id,
                                   const engine::Specification& candidate, const Provenance& from,
                                   const std::string& except_id, std::optional<std::string>* duplicate_id) {
  CurrentSpecs current = current_specs(db, project_id);
  CurrentSpecs others;
  for (std::size_t i = 0; i < current.ids.size(); ++i) {
    if (current.ids[i] == except_id) continue;
    others.ids.push_back(current.ids[i]);
    others.specs.push_back(current.specs[i]);
  }
  const engine::CheckResult check = engine.check(candidate, others.specs);
  if (check.outcome == engine::CheckOutcome::kDuplicate && check.duplicate_of)
    *duplicate_id = others.ids.at(check.duplicate_of->index);
  if (check.outcome != engine::CheckOutcome::kConflict) return std::nullopt;
  sdk::Batch batch;
  std::vector<std::size_t> opened;
  for (const auto& conflict : check.conflicts)
    if (conflict.against.index < others.ids.size())
      opened.push_back(
          add_conflict(batch, project_id, conflict, Against{others.ids[conflict.against.index], {}, {}}, candidate, from));
  const auto results = db.commit(batch);
  nlohmann::json conflicts = nlohmann::json::array();
  for (std::size_t index : opened) conflicts.push_back(conflict_json(results[index][0]));
  return Result::fail(sdk::errc::kConflictDetected, "the specification conflicts with a current one",
                      {{"conflict", conflicts.empty() ? nlohmann::json(nullptr) : conflicts[0]},
                       {"conflicts", conflicts}});
}

}  // namespace

ContextAgent::ContextAgent(sdk::AgentInfo info) : BaseAgent(std::move(info)) {
  register_action("record_answer", [this](const sdk::Request& r, sdk::Services& s) { return record(r, s, false); });
  register_action("record_message", [this](const sdk::Request& r, sdk::Services& s) { return record(r, s, true); });
  register_action("create_specification", &ContextAgent::create_specification);
  register_action("update_specification", &ContextAgent::update_specification);
  register_action("delete_specification", &ContextAgent::delete_specification);
  register_action("list_specifications", &ContextAgent::list_specifications);
  register_action("list_conflicts", &ContextAgent::list_conflicts);
  register_action("get_conflict", &ContextAgent::get_conflict);
  register_action("resolve_conflict", &ContextAgent::resolve_conflict);
  register_action("clarity", &ContextAgent::clarity);
  register_action("list_open_items", &ContextAgent::list_open_items);
  register_action("assume_open_item", &ContextAgent::assume_open_item);
  // Internal: this agent's figures for GET /api/v1/admin/stats, every owner's (the host adds up
  // every agent's).
  register_action(
      "stats",
      [](const sdk::Request&, sdk::Services& services) {
        return count_figures(services, {{"specifications_total", "SELECT count(*) FROM specifications WHERE is_current"},
                                        {"open_conflicts", "SELECT count(*) FROM conflicts WHERE status = 'open'"}});
      },
      sdk::ActionVisibility::kInternal);
}

void ContextAgent::on_start(sdk::Services& services) {
  require_schema(services);
  engine_ = load_engine(services);
}

namespace {

// What an answer or a message is recorded against, read in one round trip: the session, the
// question (answers), the current specifications and, when `lock`, the project's lock first (the
// rest is then read after it) with its maturity and open items.
struct TurnRead {
  sdk::Row session;
  std::string project_id;
  int maturity_before = 0;
  std::optional<std::string> question_id;
  std::string question_text, category;
  CurrentSpecs current;
  engine::OpenItemCounts open_items;
};

TurnRead read_turn(sdk::Db& db, const engine::Engine& engine, const std::string& session_id,
                   const Access& caller, const std::optional<std::string>& question_param, bool is_message,
                   bool lock) {
  sdk::Batch reads;
  std::optional<std::size_t> lock_index;
  if (lock) lock_index = add_lock_by_session(reads, session_id, caller);
  // The session with the question the answer is for (by id, else the one waiting) beside it: two
  // statements, so that each has a plan that goes straight to its row.
  std::size_t session_index = 0;
  if (is_message) {
    session_index = add_session(reads, session_id, caller);
  } else {
    // With the session owner's domain role, which the next question of the answer flow is aimed by
    // (handed on with the turn's state).
    const std::string joined = std::string("SELECT ") + kSessionColumns + ", " + kSessionProjectStatus +
                               ", member_role, q.question_id, q.question_category, q.question_text, (SELECT "
                               "d.domain_role FROM project_members d WHERE d.project_id = sessions.project_id AND "
                               "d.user_id = sessions.owner_id) AS domain_role FROM sessions" +
                               member_join("sessions.project_id", "$2") + " LEFT JOIN LATERAL "
                               "(SELECT id::text AS question_id, category AS question_category, text AS "
                               "question_text FROM questions WHERE session_id = sessions.id AND ";
    session_index = question_param
                        ? reads.add(joined + "id = $3::uuid) q ON true WHERE sessions.id = $1::uuid",
                                    {session_id, caller.user_id, *question_param})
                        : reads.add(joined + "NOT answered) q ON true WHERE sessions.id = $1::uuid",
                                    {session_id, caller.user_id});
  }
  const std::size_t specs_index = add_current_specs_by_session(reads, session_id, caller);
  const std::vector<sdk::Rows> read = db.run(reads);

  TurnRead turn{found_session(read[session_index], session_id, caller), {}, 0, {}, {}, {}, current_from(read[specs_index]),
                {}};
  require_active(turn.session);
  turn.project_id = turn.session.str("project_id");
  if (is_message && turn.session.str("mode") != "direct_chat")
    fail(sdk::errc::kWrongMode, "messages are for direct_chat sessions; this one is " + turn.session.str("mode"),
         {{"session_id", session_id}, {"mode", turn.session.str("mode")}});
  if (lock_index) {
    turn.maturity_before = static_cast<int>(read[*lock_index][0].i64("maturity_score"));
    turn.open_items = open_item_counts_of(read[*lock_index]);
  }
  if (!is_message) {
    if (turn.session.is_null("question_id"))
      fail(sdk::errc::kQuestionNotFound,
           question_param ? "question " + *question_param + " does not exist in this session"
                          : "no question waits for an answer in this session; ask next-question first",
           {{"session_id", session_id}});
    turn.question_id = turn.session.str("question_id");
    turn.category = turn.session.str("question_category");
    turn.question_text = turn.session.str("question_text");
  } else {
    turn.category = engine.next_category(turn.current.specs).name;
  }
  return turn;
}

// An answer's open items (domain.md "Clarity and open items"): the category's oldest open item is
// resolved when the answer records a specification of its question's category, and "I don't know"
// opens a new one. Adds the writes to `writes` and the change to `open_items`; answers the
// statements whose rows (kOpenItemColumns) are the items touched.
std::vector<std::size_t> plan_open_items(sdk::Batch& writes, const engine::Engine& engine, const TurnRead& turn,
                                         const engine::AnswerAnalysis& analysis, const std::string& answer,
                                         const std::string& session_id, engine::OpenItemCounts& open_items) {
  std::vector<std::size_t> touched;
  if (!turn.question_id) return touched;  // a direct-chat message answers no question
  int& open = open_items[turn.category];
  for (const auto& finding : analysis.findings) {
    const auto& spec = finding.candidate.specification;
    if (open == 0 || finding.check.outcome != engine::CheckOutcome::kNew || spec.category != turn.category) continue;
    touched.push_back(writes.add(
        std::string("UPDATE open_items SET status = 'resolved', closed_at = clock_timestamp(), specification_id = "
                    "(SELECT id FROM specifications WHERE project_id = $1::uuid AND category = $2 AND key = $3 AND "
                    "is_current) WHERE id = (SELECT id FROM open_items WHERE project_id = $1::uuid AND category = $2 "
                    "AND status = 'open' ORDER BY created_at, id LIMIT 1) RETURNING ") +
            kOpenItemColumns,
        {turn.project_id, spec.category, spec.key}));
    --open;
    break;
  }
  std::string said;
  for (const std::string& clause : engine.unknowns(answer)) said += (said.empty() ? "" : "; ") + clause;
  if (!said.empty()) {
    touched.push_back(writes.add(std::string("INSERT INTO open_items (project_id, session_id, question_id, category, "
                                             "question, said) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6) "
                                             "RETURNING ") +
                                     kOpenItemColumns,
                                 {turn.project_id, session_id, *turn.question_id, turn.category, turn.question_text,
                                  said}));
    ++open;
  }
  return touched;
}

}  // namespace

Result ContextAgent::record(const sdk::Request& request, sdk::Services& services, bool is_message) {
  const Access caller = access(request);
  const std::string session_id = validate::required_uuid(request.params, "session_id");
  const std::string text = is_message ? validate::required_string(request.params, "message", 0, kMaxTurnTextChars)
                                      : validate::required_string(request.params, "answer", 0, kMaxTurnTextChars);
  const auto question_param =
      is_message ? std::nullopt
                 : (request.params.contains("question_id") && !request.params["question_id"].is_null()
                        ? std::optional<std::string>(validate::required_uuid(request.params, "question_id"))
                        : std::nullopt);

  // With an LLM: read, release the connection, ask the model what the text says, then record it
  // below against what is current by then. The check for conflicts stays the engine's.
  std::optional<std::vector<engine::Candidate>> found;
  if (sdk::LlmClient* llm = services.llm()) {
    TurnRead before = [&] {
      sdk::Db db(services, sdk::Database::kSpecs);
      return read_turn(db, *engine_, session_id, caller, question_param, is_message, /*lock=*/false);
    }();
    found = llm_dialogue::extract(*llm, services, engine_->taxonomy(),
                                  {before.question_text, is_message ? "" : before.category, text, before.current.specs,
                                   before.project_id});
  }

  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const TurnRead turn = read_turn(db, *engine_, session_id, caller, question_param, is_message, /*lock=*/true);
  const engine::AnswerAnalysis analysis = found ? engine_->check_all(std::move(*found), turn.current.specs)
                                                : engine_->analyse(text, turn.category, turn.current.specs);

  // One more round trip: every write, and the commit. First the answer in the history, and its
  // question answered with what the answer records (a question answered again keeps its first
  // answered_at and adds what the new answer records).
  sdk::Batch writes;
  if (turn.question_id)
    writes.add("WITH answered AS (UPDATE questions SET answered = true, answered_at = CASE WHEN answered THEN "
               "answered_at ELSE clock_timestamp() END, recorded_categories = " +
                   append_recorded_categories_sql("$5::text") +
                   " WHERE id = $1::uuid AND (NOT answered OR $5::text <> '')) INSERT INTO conversation_history "
                   "(session_id, role, content, message_type, question_id, author_id) VALUES ($2::uuid, 'user', $3, "
                   "'answer', $1::uuid, $4::uuid)",
               {*turn.question_id, session_id, text, caller.user_id, recorded_categories(analysis)});
  else
    add_history(writes, session_id, "user", text, "message", std::nullopt, caller.user_id);
  const RecordPlan plan = plan_record(writes, turn.project_id, turn.current, analysis,
                                      Provenance{"extracted", turn.question_id, session_id, caller.user_id});
  engine::OpenItemCounts open_items = turn.open_items;
  const std::vector<std::size_t> items =
      plan_open_items(writes, *engine_, turn, analysis, text, session_id, open_items);
  const int after = engine_->maturity_score(plan.after, open_items);
  // Most turns record nothing new (measured: 86% of a long interview's answers): they leave the
  // project row, and its updated_at, as they were, at no write and no WAL.
  if (after != turn.maturity_before || !plan.specifications.empty() || !plan.conflicts.empty())
    add_maturity(writes, turn.project_id, after);
  // The answer flow's next question is planned on the questions the project was asked: read here,
  // after the answer marked its own, in the same round trip, and handed on with the turn's state
  // (the next question's agent would read them in one more round trip).
  const bool hands_on = !is_message && flag(request.params, "hand_on_state");
  const std::size_t asked_index = hands_on ? writes.add(asked_sql("$1::uuid"), {turn.project_id}) : writes.size();
  const std::vector<sdk::Rows> results = db.commit(writes);
  const Recorded saved = recorded(plan, results);
  nlohmann::json out = {{"specifications", saved.specifications},
                        {"conflicts", saved.conflicts},
                        {"maturity", {{"score", after}, {"delta", after - turn.maturity_before}}}};
  if (is_message) {
    out["duplicates"] = saved.duplicates;
  } else {
    out["open_items"] = nlohmann::json::array();
    for (std::size_t index : items)
      if (!results.at(index).empty()) out["open_items"].push_back(open_item_json(results[index][0]));
  }
  Result result = Result::ok(std::move(out));
  // For the host's answer flow (`hand_on_state`): what the turn left, handed on to the next
  // question, which is planned on it without reading it again (a client never sees it).
  if (hands_on)
    result.hand_on(encode_turn_state({turn.project_id,
                                      turn.session.is_null("domain_role") ? "" : turn.session.str("domain_role"),
                                      plan.after, asked_from(results.at(asked_index))}));
  return result;
}

Result ContextAgent::create_specification(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string project_id = validate::required_uuid(request.params, "project_id");
  const std::string category = validate::required_string(request.params, "category", 1, 64);
  if (!engine_->taxonomy().find(category)) validate::fail("category", "unknown category '" + category + "'");
  const std::string key = snake_key(request.params);
  const std::string value = validate::required_string(request.params, "value", 1, 2000);
  const engine::Specification candidate{category, key, value, confidence(request.params, 0.9)};
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  writable_project_row(db, project_id, caller);
  Provenance from{"user_input", std::nullopt, std::nullopt, caller.user_id};
  std::optional<std::string> duplicate;
  if (auto refused = check_manual(db, *engine_, project_id, candidate, from, "", &duplicate)) return *refused;
  if (duplicate) {
    auto row = db.query_one(std::string("SELECT ") + kSpecColumns + " FROM specifications WHERE id = $1::uuid",
                            {*duplicate});
    db.commit();
    return Result::ok(spec_json(*row));
  }
  remember_caller(db, request);
  auto row = write_version(db, project_id, candidate, from);
  recompute_maturity(db, *engine_, project_id);
  db.commit();
  return Result::created(spec_json(row));
}

Result ContextAgent::update_specification(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "specification_id");
  const std::string value = validate::required_string(request.params, "value", 1, 2000);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row old = spec_row(db, id, caller, /*lock=*/true);
  const std::string project_id = old.str("project_id");
  if (!old.boolean("is_current"))
    fail(sdk::errc::kSpecificationNotFound, "specification " + id + " is not current; edit its current version",
         {{"specification_id", id}});
  const engine::Specification candidate{old.str("category"), old.str("key"), value,
                                        confidence(request.params, old.f64("confidence"))};
  Provenance from{"user_input", std::nullopt, std::nullopt, caller.user_id};
  if (engine_->same_value(old.str("value"), value)) {
    db.commit();
    return Result::ok(spec_json(old));
  }
  std::optional<std::string> duplicate;
  if (auto refused = check_manual(db, *engine_, project_id, candidate, from, id, &duplicate)) return *refused;
  remember_caller(db, request);
  auto row = write_version(db, project_id, candidate, from, {id});
  recompute_maturity(db, *engine_, project_id);
  db.commit();
  return Result::ok(spec_json(row));
}

Result ContextAgent::delete_specification(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "specification_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row row = spec_row(db, id, caller, /*lock=*/true);
  const std::string project_id = row.str("project_id");
  if (!row.boolean("is_current"))
    fail(sdk::errc::kSpecificationNotFound, "specification " + id + " is not current", {{"specification_id", id}});
  db.execute("UPDATE specifications SET is_current = false, removed_at = clock_timestamp() WHERE id = $1::uuid", {id});
  recompute_maturity(db, *engine_, project_id);
  db.commit();
  return Result::no_content();
}

Result ContextAgent::list_specifications(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string project_id = validate::required_uuid(request.params, "project_id");
  const auto category = validate::optional_string(request.params, "category", 0, 64);
  const bool history = flag(request.params, "history");
  const Page page = page_of(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  project_row(db, project_id, caller, false);
  return list_page(db,
                   {kSpecColumns,
                    "FROM specifications WHERE project_id = $1::uuid AND ($2::text IS NULL OR $2 = '' OR "
                    "category = $2) AND ($3::boolean OR is_current)",
                    "ORDER BY category, key, version, created_at"},
                   {project_id, category, history}, page, spec_json);
}

Result ContextAgent::list_conflicts(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string project_id = validate::required_uuid(request.params, "project_id");
  const std::string status = validate::one_of(request.params, "status", {"open", "resolved", "ignored", "all"}, "open");
  // Conflicts between members apart from one person's change of mind (absent: both).
  const bool by_kind = request.params.contains("between_members") && !request.params["between_members"].is_null();
  const sdk::Param between = by_kind ? sdk::Param(flag(request.params, "between_members")) : sdk::Param(nullptr);
  const Page page = page_of(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  project_row(db, project_id, caller, false);
  return list_page(db,
                   {kConflictColumns,
                    "FROM conflicts WHERE project_id = $1::uuid AND ($2 = 'all' OR status = $2) AND "
                    "($3::boolean IS NULL OR between_members = $3)",
                    "ORDER BY conflicts.detected_at DESC, conflicts.id"},
                   {project_id, status, between}, page, conflict_json);
}

Result ContextAgent::get_conflict(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "conflict_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  return Result::ok(conflict_json(conflict_row(db, id, caller, /*lock=*/false)));
}

Result ContextAgent::resolve_conflict(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "conflict_id");
  const std::string resolution = validate::one_of(request.params, "resolution",
                                                  {"keep_existing", "use_proposed", "merge", "ignore"}, "");
  if (resolution.empty()) validate::fail("resolution", "'resolution' is required");
  const auto merged = validate::optional_string(request.params, "value", 1, 2000);
  if (resolution == "merge" && !merged) validate::fail("value", "'value' is required for merge");
  const auto notes = validate::optional_string(request.params, "notes", 0, 10000);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row row = conflict_row(db, id, caller, /*lock=*/true);
  const std::string project_id = row.str("project_id");
  if (row.str("status") != "open")
    fail(sdk::errc::kConflictAlreadyResolved, "conflict " + id + " is already " + row.str("status"),
         {{"conflict_id", id}, {"status", row.str("status")}});
  if (resolution == "use_proposed" || resolution == "merge") {
    const nlohmann::json proposed = nlohmann::json::parse(row.str("proposed"));
    engine::Specification spec{proposed.value("category", ""), proposed.value("key", ""),
                               resolution == "merge" ? *merged : proposed.value("value", ""),
                               proposed.value("confidence", 0.7)};
    Provenance from;
    from.source = resolution == "merge" ? "user_input" : proposed.value("source", "extracted");
    if (proposed.contains("question_id") && proposed["question_id"].is_string())
      from.question_id = proposed["question_id"].get<std::string>();
    if (proposed.contains("session_id") && proposed["session_id"].is_string())
      from.session_id = proposed["session_id"].get<std::string>();
    // The version is the words of whoever said them: the proposal's author, or the one who merged.
    from.author_id = caller.user_id;
    if (resolution == "use_proposed" && proposed.contains("author_id") && proposed["author_id"].is_string())
      from.author_id = proposed["author_id"].get<std::string>();
    std::vector<std::string> supersede;
    auto existing = db.query_one("SELECT is_current FROM specifications WHERE id = $1::uuid", {row.str("existing_id")});
    if (existing && existing->boolean("is_current")) supersede.push_back(row.str("existing_id"));
    write_version(db, project_id, spec, from, supersede);
  }
  remember_caller(db, request);
  db.execute("UPDATE conflicts SET status = $2, resolution = $3, notes = $4, resolved_at = clock_timestamp(), "
             "resolved_by = $5::uuid WHERE id = $1::uuid",
             {id, resolution == "ignore" ? "ignored" : "resolved", resolution, notes, caller.user_id});
  recompute_maturity(db, *engine_, project_id);
  auto updated = conflict_row(db, id, caller, /*lock=*/false);
  nlohmann::json out = conflict_json(updated);
  db.commit();
  return Result::ok(std::move(out));
}

Result ContextAgent::clarity(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string project_id = validate::required_uuid(request.params, "project_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();  // one snapshot for the specifications and the items
  project_row(db, project_id, caller, false);
  sdk::Batch reads;
  const std::size_t specs = add_current_specs(reads, project_id);
  const std::size_t items = reads.add(std::string("SELECT ") + kOpenItemColumns +
                                          " FROM open_items WHERE project_id = $1::uuid AND status <> 'resolved' "
                                          "ORDER BY created_at, id",
                                      {project_id});
  const std::vector<sdk::Rows> read = db.run(reads);
  db.commit();

  const CurrentSpecs current = current_from(read[specs]);
  nlohmann::json unclear = nlohmann::json::array();
  for (std::size_t i = 0; i < current.specs.size(); ++i) {
    const engine::Specification& spec = current.specs[i];
    const auto findings = engine_->check_clarity(spec);
    if (findings.empty()) continue;
    unclear.push_back({{"specification_id", current.ids[i]},
                       {"category", spec.category},
                       {"key", spec.key},
                       {"value", spec.value},
                       {"findings", findings}});
  }
  nlohmann::json open = nlohmann::json::array();
  nlohmann::json assumed = nlohmann::json::array();
  for (const auto& row : read[items]) (row.str("status") == "open" ? open : assumed).push_back(open_item_json(row));
  return Result::ok({{"specifications_checked", current.specs.size()},
                     {"specifications", std::move(unclear)},
                     {"open_items", std::move(open)},
                     {"assumptions", std::move(assumed)}});
}

Result ContextAgent::list_open_items(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string project_id = validate::required_uuid(request.params, "project_id");
  const std::string status =
      validate::one_of(request.params, "status", {"open", "resolved", "assumed", "all"}, "open");
  const Page page = page_of(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  project_row(db, project_id, caller, false);
  return list_page(db,
                   {kOpenItemColumns, "FROM open_items WHERE project_id = $1::uuid AND ($2 = 'all' OR status = $2)",
                    "ORDER BY open_items.created_at, open_items.id"},
                   {project_id, status}, page, open_item_json);
}

// An open item accepted as an explicit assumption: the value is read like an answer to the item's
// question (its first candidate, e.g. "PostgreSQL" fills tech_stack/database) and recorded as a
// specification of source "assumed" at the assumption confidence, conflict-checked like one added
// by hand; the item becomes "assumed" and points to it.
Result ContextAgent::assume_open_item(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "open_item_id");
  const std::string value = validate::required_string(request.params, "value", 1, 2000);
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row item = open_item_row(db, id, caller, /*lock=*/true);
  if (item.str("status") != "open")
    validate::fail("open_item_id", "open item " + id + " is " + item.str("status") +
                                       "; only an open item can be assumed (edit its specification instead)");
  const std::string project_id = item.str("project_id");
  writable_project_row(db, project_id, caller);  // an archived project's items stay open
  const std::vector<engine::Candidate> candidates = engine_->extract(value, item.str("category"));
  if (candidates.empty())
    validate::fail("value", "the assumption states nothing that can be recorded (\"" + value + "\")");
  engine::Specification assumed = candidates.front().specification;
  assumed.confidence = std::min(assumed.confidence, kAssumptionConfidence);
  Provenance from{"assumed", item.is_null("question_id") ? std::nullopt : std::optional(item.str("question_id")),
                  item.is_null("session_id") ? std::nullopt : std::optional(item.str("session_id")), caller.user_id};
  std::optional<std::string> duplicate;
  if (auto refused = check_manual(db, *engine_, project_id, assumed, from, "", &duplicate)) return *refused;
  remember_caller(db, request);
  const std::string specification_id = duplicate ? *duplicate : write_version(db, project_id, assumed, from).str("id");
  db.execute("UPDATE open_items SET status = 'assumed', assumption = $2, specification_id = $3::uuid, "
             "closed_at = clock_timestamp() WHERE id = $1::uuid",
             {id, value, specification_id});
  recompute_maturity(db, *engine_, project_id);
  const nlohmann::json out = {
      {"open_item", open_item_json(open_item_row(db, id, caller, /*lock=*/false))},
      {"specification", spec_json(*db.query_one(std::string("SELECT ") + kSpecColumns +
                                                    " FROM specifications WHERE id = $1::uuid",
                                                {specification_id}))}};
  db.commit();
  return Result::ok(out);
}

}  // namespace socrates::agents

#include "socratic_agent.hpp"

#include <socrates/dialogue/attribution.hpp>
#include <socrates/dialogue/store.hpp>
#include <socrates/dialogue/llm.hpp>

#include <algorithm>

namespace socrates::agents {
namespace {

using namespace dialogue;

Result create_session(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string project_id = validate::required_uuid(request.params, "project_id");
  const std::string mode = validate::one_of(request.params, "mode", {"socratic", "direct_chat"}, "socratic");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  writable_project_row(db, project_id, caller);
  auto row = db.query_one(std::string("INSERT INTO sessions (project_id, owner_id, mode) VALUES ($1::uuid, $2::uuid, "
                                      "$3) RETURNING ") +
                              kSessionColumns,
                          {project_id, caller.user_id, mode});
  remember_caller(db, request);  // who answers in it (attribution)
  db.commit();
  return Result::created(session_json(*row));
}

Result list_sessions(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string project_id = validate::required_uuid(request.params, "project_id");
  const std::string status =
      validate::one_of(request.params, "status", {"active", "paused", "completed", "all"}, "all");
  const Page page = page_of(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  project_row(db, project_id, caller, false);
  return list_page(db,
                   {kSessionColumns,
                    "FROM sessions WHERE project_id = $1::uuid AND ($2 = 'all' OR status = $2)",
                    "ORDER BY sessions.started_at DESC, sessions.id"},
                   {project_id, status}, page, session_json);
}

Result get_session(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "session_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  return Result::ok(session_json(session_row(db, id, caller, false)));
}

// Moves a session to `to` when its status is one of `from`; else SESSION_NOT_ACTIVE.
Result transition(const sdk::Request& request, sdk::Services& services, std::initializer_list<const char*> from,
                  const std::string& to) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "session_id");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  const sdk::Row session = session_row(db, id, caller, true);
  const std::string status = session.str("status");
  bool allowed = status == to;
  for (const char* s : from) allowed = allowed || status == s;
  if (!allowed)
    fail(sdk::errc::kSessionNotActive, "session " + id + " is " + status + "; it cannot become " + to,
         {{"session_id", id}, {"status", status}});
  auto row = db.query_one(std::string("UPDATE sessions SET status = $2, ended_at = CASE WHEN $2 = 'completed' THEN "
                                      "COALESCE(ended_at, clock_timestamp()) ELSE ended_at END WHERE id = $1::uuid "
                                      "RETURNING ") +
                              kSessionColumns,
                          {id, to});
  db.commit();
  return Result::ok(session_json(*row));
}

Result set_mode(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "session_id");
  const std::string mode = validate::one_of(request.params, "mode", {"socratic", "direct_chat"}, "");
  if (mode.empty()) validate::fail("mode", "'mode' is required");
  sdk::Db db(services, sdk::Database::kSpecs);
  db.begin();
  session_row(db, id, caller, true);
  auto row = db.query_one(std::string("UPDATE sessions SET mode = $2 WHERE id = $1::uuid RETURNING ") +
                              kSessionColumns,
                          {id, mode});
  db.commit();
  return Result::ok(session_json(*row));
}

Result history(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "session_id");
  const Page page = page_of(request.params);
  sdk::Db db(services, sdk::Database::kSpecs);
  session_row(db, id, caller, false);
  return list_page(db,
                   {"id::text AS id, role, content, message_type, question_id::text AS question_id, "
                    "rfc3339(created_at) AS created_at, author_id::text AS author_id, "
                    "(SELECT email FROM people WHERE user_id = author_id) AS author_email",
                    "FROM conversation_history WHERE session_id = $1::uuid",
                    "ORDER BY conversation_history.created_at, conversation_history.id"},
                   {id}, page, [](const sdk::Row& row) -> nlohmann::json {
    return {{"id", row.str("id")},
            {"role", row.str("role")},
            {"content", row.str("content")},
            {"message_type", row.str("message_type")},
            {"question_id", nullable(row, "question_id")},
            {"author_id", nullable(row, "author_id")},
            {"author_email", nullable(row, "author_email")},
            {"created_at", row.str("created_at")}};
  });
}

}  // namespace

SocraticAgent::SocraticAgent(sdk::AgentInfo info) : BaseAgent(std::move(info)) {
  // Which build of the agent answers: operators check a swap with it, and clients can tell
  // which questioning engine they are talking to.
  register_action("describe", [this](const sdk::Request&, sdk::Services& services) {
    return sdk::Result::ok({{"id", id()},
                            {"name", name()},
                            {"version", version()},
                            {"capabilities", public_capabilities()},
                            {"llm_provider", services.llm() ? services.llm()->provider() : "builtin"}});
  });
  register_action("create_session", create_session);
  register_action("list_sessions", list_sessions);
  register_action("get_session", get_session);
  register_action("set_mode", set_mode);
  register_action("history", history);
  register_action("pause", [](const sdk::Request& r, sdk::Services& s) { return transition(r, s, {"active"}, "paused"); });
  register_action("resume",
                  [](const sdk::Request& r, sdk::Services& s) { return transition(r, s, {"paused"}, "active"); });
  register_action("end", [](const sdk::Request& r, sdk::Services& s) {
    return transition(r, s, {"active", "paused"}, "completed");
  });
  register_action("next_question", &SocraticAgent::next_question);
  // Internal: the next question of an answer's turn (the host's answer flow), planned on the
  // specifications the answer just left (handed on by context/record_answer), which a client
  // must not make up.
  register_action("next_question_from_state", &SocraticAgent::next_question_from_state, sdk::ActionVisibility::kInternal);
  // Internal: its parameters are what the context agent recorded for the message (the host's
  // /message route passes them on), which a client must not be able to make up; and each call is
  // an LLM call with a prompt of the caller's choosing.
  register_action("reply", &SocraticAgent::reply, sdk::ActionVisibility::kInternal);
  // Internal: this agent's figures for GET /api/v1/admin/stats, every owner's (the host adds up
  // every agent's).
  register_action(
      "stats",
      [](const sdk::Request&, sdk::Services& services) {
        return count_figures(services, {{"active_sessions", "SELECT count(*) FROM sessions WHERE status = 'active'"},
                                        {"questions_total", "SELECT count(*) FROM questions"}});
      },
      sdk::ActionVisibility::kInternal);
}

void SocraticAgent::on_start(sdk::Services& services) {
  require_schema(services);
  engine_ = load_engine(services);
}

namespace {

// The project of session $1 for an LLM's prompt, when the caller ($2) is a member.
const std::string kProjectFactsSql =
    std::string("SELECT name, description, current_phase, maturity_score FROM projects WHERE id = ") + kSessionProjectSql;

// What one direct-chat message may have recorded, as socratic/reply takes it: more is not a
// message's worth (the /message route passes at most this many).
constexpr std::size_t kMaxRecordedSpecifications = 200;

// reply's "recorded": an array of at most kMaxRecordedSpecifications specifications, each checked
// as the context agent writes them, so that nothing unbounded reaches the reply or the model.
std::vector<engine::Specification> recorded_specifications(const nlohmann::json& params,
                                                           const engine::Taxonomy& taxonomy) {
  std::vector<engine::Specification> out;
  auto it = params.find("recorded");
  if (it == params.end() || it->is_null()) return out;
  if (!it->is_array() || it->size() > kMaxRecordedSpecifications)
    validate::fail("recorded", "'recorded' must be an array of at most " +
                                   std::to_string(kMaxRecordedSpecifications) + " specifications");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& item = (*it)[i];
    const std::string where = "recorded[" + std::to_string(i) + "]";
    if (!item.is_object()) validate::fail(where, "'" + where + "' must be an object");
    auto text = [&](const char* field, std::size_t max_chars) {
      const auto found = item.find(field);
      const std::size_t length =
          found != item.end() && found->is_string() ? validate::utf8_length(found->get_ref<const std::string&>()) : 0;
      if (length == 0 || length > max_chars)
        validate::fail(where + "." + field, "'" + where + "." + field + "' must be a string of 1 to " +
                                                std::to_string(max_chars) + " characters");
      return found->get<std::string>();
    };
    engine::Specification spec;
    spec.category = text("category", 64);
    if (!taxonomy.find(spec.category))
      validate::fail(where + ".category", "unknown category '" + spec.category + "'");
    spec.key = text("key", 100);
    spec.value = text("value", kMaxTurnTextChars);
    spec.confidence = 0.7;
    if (auto c = item.find("confidence"); c != item.end() && !c->is_null()) {
      if (!c->is_number() || !(c->get<double>() >= 0.0 && c->get<double>() <= 1.0))
        validate::fail(where + ".confidence", "'" + where + ".confidence' must be a number between 0 and 1");
      spec.confidence = c->get<double>();
    }
    out.push_back(std::move(spec));
  }
  return out;
}

llm_dialogue::ProjectFacts project_facts(const sdk::Rows& rows) {
  if (rows.empty()) return {};
  const sdk::Row& row = rows[0];
  return {row.str("name"), row.str("description"), row.str("current_phase"),
          static_cast<int>(row.i64("maturity_score"))};
}

// How the question of insert_question is committed.
enum class Durability {
  // Flushed to disk before the call returns, as every write a client sends.
  kSynchronous,
  // Committed without waiting for the disk (synchronous_commit off for its transaction alone): for
  // the follow-up question of an answer's turn, which the server derives from what is durable
  // already. A crash of PostgreSQL within a moment of it can lose that question (never the answer,
  // committed and flushed before it); the session then has none waiting, and next-question asks
  // again. Any later durable commit flushes it with its own (docs/architecture.md "Flows").
  kDeferred,
};

// The question, if the session is still active, and its line in the history: one statement
// (atomic on its own). When another request asked at the same moment, its question is the one
// waiting (the one-waiting-question-per-session index settles the race).
Result insert_question(sdk::Db& db, const std::string& id, const engine::Question& question,
                       Durability durability = Durability::kSynchronous) {
  try {
    sdk::Batch batch;
    // A batch outside a transaction is one transaction (its statements go out in one pipeline):
    // the setting is local to it, and the connection's next transactions commit durably again.
    if (durability == Durability::kDeferred)
      batch.add("SELECT pg_catalog.set_config('synchronous_commit', 'off', true)");
    const std::size_t inserted = batch.add(
        std::string("WITH asked AS (INSERT INTO questions (session_id, project_id, text, category, context, "
                    "quality_score) SELECT id, project_id, $2, $3, $4, $5 FROM sessions WHERE id = $1::uuid AND "
                    "status = 'active' AND (SELECT p.status FROM projects p WHERE p.id = sessions.project_id) = "
                    "'active' RETURNING *), history AS (INSERT INTO conversation_history (session_id, role, "
                    "content, message_type, question_id) SELECT session_id, 'assistant', text, 'question', id FROM "
                    "asked) SELECT ") +
            kQuestionColumns + " FROM asked",
        {id, question.text, question.category, question.context, question.bias.quality_score});
    const sdk::Rows rows = db.run(batch)[inserted];
    if (rows.empty())  // the session ended, or its project was archived, since it was read
      fail(sdk::errc::kSessionNotActive, "session " + id + " is no longer active", {{"session_id", id}});
    return Result::created(question_json(rows[0]));
  } catch (const sdk::DatabaseError& e) {
    if (!e.is_unique_violation("questions_one_pending_idx")) throw;
  }
  sdk::Batch again;
  add_pending_question(again, id);
  const sdk::Rows pending = db.run(again)[0];
  if (pending.empty()) fail(sdk::errc::kSessionNotActive, "session " + id + " has no waiting question", {{"session_id", id}});
  return Result::ok(question_json(pending[0]));
}

}  // namespace

Result SocraticAgent::next_question(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "session_id");
  sdk::LlmClient* llm = services.llm();
  // One round trip, no lock and no transaction: the session, its waiting question, the questions
  // the project was asked and its current specifications (and the project, for an LLM's prompt).
  // A question changes no specification, and the one-waiting-question-per-session index settles a
  // race between two askers.
  std::vector<sdk::Rows> read;
  sdk::Batch reads;
  const std::size_t session_index = add_session(reads, id, caller, /*with_domain_role=*/true);
  const std::size_t pending_index = add_pending_question(reads, id);
  const std::size_t asked_index = reads.add(asked_sql(kSessionProjectSql), {id, caller.user_id});
  const std::size_t specs_index = add_current_specs_by_session(reads, id, caller);
  const std::size_t project_index = llm ? reads.add(kProjectFactsSql, {id, caller.user_id}) : reads.size();
  // The built-in engine answers in microseconds: its question goes out on the same connection. A
  // model may think for seconds: no connection is held meanwhile.
  std::optional<sdk::Db> db;
  db.emplace(services, sdk::Database::kSpecs);
  read = db->run(reads);
  if (llm) db.reset();

  const sdk::Row& session = found_session(read[session_index], id, caller);
  require_active(session);
  if (!read[pending_index].empty()) return Result::ok(question_json(read[pending_index][0]));
  const std::vector<engine::AskedQuestion> asked_questions = asked_from(read[asked_index]);
  const std::vector<engine::Specification> current = current_from(read[specs_index]).specs;
  engine::Question question;
  if (llm) {
    std::vector<std::string> asked;
    asked.reserve(asked_questions.size());
    for (const auto& q : asked_questions) asked.push_back(q.text);
    question = llm_dialogue::generate_question(*llm, services, *engine_,
                                               {project_facts(read[project_index]), current, asked,
                                                engine_->next_category(current).name, session.str("project_id")});
  } else {
    question = engine_->next_question_after(current, asked_questions,
                                            session.is_null("domain_role") ? "" : session.str("domain_role"));
  }
  if (!db) db.emplace(services, sdk::Database::kSpecs);
  return insert_question(*db, id, question);
}

Result SocraticAgent::next_question_from_state(const sdk::Request& request, sdk::Services& services) {
  // A model's question reads the project's facts too: the public path reads everything.
  if (services.llm()) return next_question(request, services);
  const std::string id = validate::required_uuid(request.params, "session_id");
  std::optional<TurnState> state = decode_turn_state(request.handed);
  if (!state) validate::fail("handed", "the answer's state was not handed on");
  const std::vector<engine::Specification>& current = state->specifications;
  // The caller's membership and the session's state were checked by the answer a moment ago (and
  // the insert checks the state again); the questions asked came with the state (read in the
  // answer's commit), else they are read here.
  sdk::Db db(services, sdk::Database::kSpecs);
  if (!state->asked) {
    sdk::Batch reads;
    reads.add(asked_sql("$1::uuid"), {state->project_id});
    state->asked = asked_from(db.run(reads)[0]);
  }
  const engine::Question question = engine_->next_question_after(current, *state->asked, state->domain_role);
  return insert_question(db, id, question, Durability::kDeferred);
}

Result SocraticAgent::reply(const sdk::Request& request, sdk::Services& services) {
  const Access caller = access(request);
  const std::string id = validate::required_uuid(request.params, "session_id");
  engine::ReplyFacts facts;
  std::vector<engine::Specification> recorded;
  for (const auto& spec : recorded_specifications(request.params, engine_->taxonomy())) {
    engine::Candidate candidate;
    candidate.specification = spec;
    recorded.push_back(spec);
    facts.recorded.push_back(std::move(candidate));
  }
  facts.conflicts = static_cast<std::size_t>(validate::integer(request.params, "conflicts", 0, 100000, 0));
  facts.duplicates = static_cast<std::size_t>(validate::integer(request.params, "duplicates", 0, 100000, 0));
  const std::string message = validate::required_string(request.params, "message", 0, kMaxTurnTextChars);
  sdk::LlmClient* llm = services.llm();
  // Read (no lock: a reply changes no specification), release, reply, then write the history line.
  std::vector<sdk::Rows> read;
  sdk::Batch reads;
  const std::size_t session_index = add_session(reads, id, caller);
  const std::size_t specs_index = add_current_specs_by_session(reads, id, caller);
  const std::size_t project_index = llm ? reads.add(kProjectFactsSql, {id, caller.user_id}) : reads.size();
  {
    sdk::Db db(services, sdk::Database::kSpecs);
    read = db.run(reads);
  }
  const std::string project_id = found_session(read[session_index], id, caller).str("project_id");
  const std::vector<engine::Specification> current = current_from(read[specs_index]).specs;
  const std::string text =
      llm ? llm_dialogue::reply(*llm, services, engine_->taxonomy(),
                                {project_facts(read[project_index]), message, recorded, current,
                                 engine_->next_category(current).name, project_id})
          : engine_->direct_reply(facts, current);
  sdk::Db db(services, sdk::Database::kSpecs);
  sdk::Batch writes;
  add_history(writes, id, "assistant", text, "reply", std::nullopt);
  db.run(writes);
  return Result::ok({{"reply", text}});
}

}  // namespace socrates::agents

#include <socrates/dialogue/requirements.hpp>

#include <socrates/dialogue/store.hpp>

#include <algorithm>

namespace socrates::agents::dialogue {
namespace {

// The current versions with their number, their rewording, the question, and the history row of
// the answer (same question) or direct-chat message (same session, no question) they came from:
// the latest such row written up to the version (the history is written first, in the same batch).
constexpr const char* kRequirementsSql =
    "SELECT s.id::text AS id, s.category, s.key, s.value, s.source, s.confidence, s.version, "
    "s.question_id::text AS question_id, s.session_id::text AS session_id, rfc3339(s.created_at) AS created_at, "
    "r.number, q.text AS question, h.id::text AS history_id, h.message_type AS history_type, "
    "st.statement AS reworded, s.author_id::text AS author_id, "
    "(SELECT email FROM people WHERE user_id = s.author_id) AS author_email, "
    "(SELECT json_agg(json_build_object('id', v.id, 'version', v.version, 'value', v.value, 'source', v.source, "
    "'is_current', v.is_current, 'created_at', rfc3339(v.created_at), 'author_id', v.author_id, "
    "'author_email', (SELECT email FROM people WHERE user_id = v.author_id)) ORDER BY v.version, v.created_at) "
    "FROM specifications v WHERE v.project_id = s.project_id AND v.category = s.category AND v.key = s.key)::text "
    "AS versions "
    "FROM specifications s "
    "LEFT JOIN requirement_ids r ON r.project_id = s.project_id AND r.category = s.category AND r.key = s.key "
    "LEFT JOIN questions q ON q.id = s.question_id "
    "LEFT JOIN requirement_statements st ON st.specification_id = s.id "
    "LEFT JOIN LATERAL (SELECT id, message_type FROM conversation_history c WHERE c.session_id = s.session_id "
    "AND c.role = 'user' AND ((s.question_id IS NULL AND c.message_type = 'message') OR "
    "(c.question_id = s.question_id AND c.message_type = 'answer')) AND c.created_at <= s.created_at "
    "ORDER BY c.created_at DESC, c.id DESC LIMIT 1) h ON true "
    "WHERE s.project_id = $1::uuid AND s.is_current";

nlohmann::json optional_json(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

std::vector<TracedRequirement> current_requirements(sdk::Db& db, const engine::Engine& engine,
                                                    const std::string& project_id) {
  const auto rows = db.query(kRequirementsSql, {project_id});
  std::vector<std::pair<std::pair<std::size_t, long long>, TracedRequirement>> ordered;
  ordered.reserve(rows.size());
  for (const auto& row : rows) {
    const engine::Specification spec{row.str("category"), row.str("key"), row.str("value"), row.f64("confidence")};
    const long long number = row.i64("number");
    TracedRequirement out;
    out.requirement = engine.requirements().write(spec, static_cast<int>(number));
    out.template_statement = out.requirement.statement;
    if (auto reworded = row.opt("reworded")) {
      out.requirement.statement = *reworded;
      out.reworded = true;
    }
    Traceability& t = out.trace;
    t.specification_id = row.str("id");
    t.version = row.i64("version");
    t.source = row.str("source");
    t.confidence = spec.confidence;
    t.created_at = row.str("created_at");
    t.session_id = row.opt("session_id");
    t.question_id = row.opt("question_id");
    t.question = row.opt("question");
    t.history_id = row.opt("history_id");
    t.history_type = row.opt("history_type");
    t.author_id = row.opt("author_id");
    t.author_email = row.opt("author_email");
    if (auto versions = row.opt("versions"))
      for (const auto& v : nlohmann::json::parse(*versions)) {
        auto text = [&](const char* field) {
          const auto it = v.find(field);
          return it != v.end() && it->is_string() ? std::optional<std::string>(it->get<std::string>()) : std::nullopt;
        };
        t.versions.push_back({v.value("id", ""), v.value("version", 1LL), v.value("value", ""), v.value("source", ""),
                              v.value("is_current", false), v.value("created_at", ""), text("author_id"),
                              text("author_email")});
      }
    const std::size_t category_index = engine.taxonomy().index_of(spec.category);
    ordered.push_back({{category_index, number}, std::move(out)});
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<TracedRequirement> result;
  result.reserve(ordered.size());
  for (auto& [order, requirement] : ordered) result.push_back(std::move(requirement));
  return result;
}

nlohmann::json requirement_json(const TracedRequirement& r) {
  nlohmann::json acceptance = nlohmann::json::array();
  for (const auto& a : r.requirement.acceptance)
    acceptance.push_back({{"given", a.given}, {"when", a.when}, {"then", a.then}});
  nlohmann::json versions = nlohmann::json::array();
  for (const auto& v : r.trace.versions)
    versions.push_back({{"id", v.id},
                        {"version", v.version},
                        {"value", v.value},
                        {"source", v.source},
                        {"is_current", v.is_current},
                        {"created_at", v.created_at},
                        {"author_id", optional_json(v.author_id)},
                        {"author_email", optional_json(v.author_email)}});
  const Traceability& t = r.trace;
  return {{"id", r.requirement.id},
          {"category", r.requirement.category},
          {"key", r.requirement.key},
          {"value", r.requirement.value},
          {"form", std::string(engine::to_string(r.requirement.form))},
          {"statement", r.requirement.statement},
          {"template_statement", r.template_statement},
          {"reworded", r.reworded},
          {"acceptance_criteria", std::move(acceptance)},
          {"trace",
           {{"specification_id", t.specification_id},
            {"version", t.version},
            {"source", t.source},
            {"confidence", t.confidence},
            {"created_at", t.created_at},
            {"versions", std::move(versions)},
            {"session_id", optional_json(t.session_id)},
            {"question_id", optional_json(t.question_id)},
            {"question", optional_json(t.question)},
            {"history_id", optional_json(t.history_id)},
            {"history_type", optional_json(t.history_type)},
            {"author_id", optional_json(t.author_id)},
            {"author_email", optional_json(t.author_email)}}},
          {"attributed_to", attributed_to(t)}};
}

std::string attributed_to(const Traceability& trace) {
  if (trace.author_email) return *trace.author_email;
  if (trace.author_id) return *trace.author_id;
  return "unknown";
}

std::size_t store_rewordings(sdk::Db& db, const std::string& project_id,
                             const std::vector<std::pair<std::string, std::string>>& by_specification_id) {
  if (by_specification_id.empty()) return 0;
  sdk::Batch batch;
  std::vector<std::size_t> writes;
  for (const auto& [specification_id, statement] : by_specification_id)
    writes.push_back(batch.add(
        "INSERT INTO requirement_statements (specification_id, statement) SELECT id, $3 FROM specifications "
        "WHERE id = $1::uuid AND project_id = $2::uuid AND is_current "
        "ON CONFLICT (specification_id) DO UPDATE SET statement = EXCLUDED.statement, reworded_at = clock_timestamp() "
        "RETURNING specification_id",
        {specification_id, project_id, statement}));
  const auto results = db.run(batch);
  std::size_t stored = 0;
  for (std::size_t index : writes) stored += results[index].size();
  return stored;
}

}  // namespace socrates::agents::dialogue

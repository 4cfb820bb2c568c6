#pragma once
// Implementation detail of the SDK (it may change in any version): the C++ SDK on top of the C ABI
// (<socrates/abi.h>), compiled into the plugin. It implements the plugin's entry points
// (socrates_plugin_api) for a BaseAgent, and the SDK's Services, DatabaseSession and LlmClient over
// the host's services (socrates_host_api). Nothing of C++ leaves the plugin: requests and results
// cross as JSON text, rows as text cells, and every exception is caught here.
//
// Every function is inline and, in a plugin built with socrates_add_agent, hidden: each plugin has
// its own copy, whatever the compiler and standard library.

#include <socrates/abi.h>
#include <socrates/sdk/base_agent.hpp>
#include <socrates/sdk/detail/abi_bytes.hpp>
#include <socrates/sdk/database.hpp>
#include <socrates/sdk/error.hpp>
#include <socrates/sdk/llm.hpp>
#include <socrates/sdk/result.hpp>
#include <socrates/sdk/services.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace socrates::sdk::detail::abi {

// ---- The host's services, as the SDK's interfaces ----------------------------------------------

inline DbStatus::Kind kind_of(std::int32_t kind) noexcept {
  switch (kind) {
    case SOCRATES_DB_OK: return DbStatus::Kind::kOk;
    case SOCRATES_DB_UNAVAILABLE: return DbStatus::Kind::kUnavailable;
    case SOCRATES_DB_UNIQUE_VIOLATION: return DbStatus::Kind::kUniqueViolation;
    case SOCRATES_DB_CONSTRAINT: return DbStatus::Kind::kConstraint;
    case SOCRATES_DB_SERIALIZATION: return DbStatus::Kind::kSerialization;
    case SOCRATES_DB_REFUSED: return DbStatus::Kind::kRefused;
    default: return DbStatus::Kind::kQuery;
  }
}

// A status as the host filled it, released on scope exit and read into the SDK's DbStatus.
class HostStatus {
 public:
  HostStatus() noexcept : status_{SOCRATES_DB_OK, {0}, {nullptr, 0, nullptr, nullptr}, {nullptr, 0, nullptr, nullptr}} {}
  ~HostStatus() {
    socrates_buffer_release(&status_.constraint);
    socrates_buffer_release(&status_.message);
  }
  HostStatus(const HostStatus&) = delete;
  HostStatus& operator=(const HostStatus&) = delete;
  socrates_db_status* get() noexcept { return &status_; }
  // Copies it into `out` (if any); noexcept like the DatabaseSession members that call it.
  void read(DbStatus* out) const noexcept {
    if (!out) return;
    try {
      out->kind = status_.kind == SOCRATES_DB_OK ? DbStatus::Kind::kQuery : kind_of(status_.kind);
      std::size_t length = 0;
      while (length < 5 && status_.sqlstate[length] != '\0') ++length;
      out->sqlstate.assign(status_.sqlstate, length);
      out->constraint.assign(view(status_.constraint));
      out->message.assign(view(status_.message));
    } catch (...) {
      out->message.clear();
    }
  }

 private:
  socrates_db_status status_;
};

// Copies the host's rows into the SDK's result set, and releases them.
inline void take_rows(socrates_rows& rows, ResultSet* out) {
  struct Release {
    socrates_rows& rows;
    ~Release() {
      if (rows.release) rows.release(&rows);
    }
  } release{rows};
  if (!out) return;
  out->columns.clear();
  out->rows.clear();
  out->columns.reserve(rows.column_count);
  for (std::size_t c = 0; c < rows.column_count; ++c) out->columns.emplace_back(view(rows.columns[c]));
  out->rows.resize(rows.row_count);
  const socrates_str* cell = rows.cells;
  for (auto& row : out->rows) {
    row.resize(rows.column_count);
    for (auto& value : row) {
      if (cell->data) value.emplace(cell->data, cell->size);
      ++cell;
    }
  }
  out->affected_rows = rows.affected_rows;
}

inline socrates_rows empty_rows() noexcept { return socrates_rows{0, 0, nullptr, nullptr, 0, nullptr, nullptr}; }

inline void params_of(const Param* params, std::size_t count, std::vector<socrates_str>& out) {
  out.resize(count);
  for (std::size_t i = 0; i < count; ++i)
    out[i] = params[i].is_null() ? socrates_str{nullptr, 0} : view(params[i].text());
}

// Failures of the plugin's own side (out of memory) as a status.
inline bool local_failure(DbStatus* status) noexcept {
  if (status) {
    status->kind = DbStatus::Kind::kQuery;
    status->message.clear();
  }
  return false;
}

class HostSession final : public DatabaseSession {
 public:
  HostSession(const socrates_host_api* api, socrates_db_session* session) noexcept : api_(api), session_(session) {}
  ~HostSession() override { api_->db_close(session_); }

  bool begin(DbStatus* status) noexcept override {
    HostStatus host;
    if (api_->db_begin(session_, host.get()) == SOCRATES_OK) return true;
    host.read(status);
    return false;
  }
  bool commit(DbStatus* status) noexcept override {
    HostStatus host;
    if (api_->db_commit(session_, host.get()) == SOCRATES_OK) return true;
    host.read(status);
    return false;
  }
  void rollback() noexcept override { api_->db_rollback(session_); }

  bool execute(std::string_view sql, const Param* params, std::size_t param_count, ResultSet* out,
               DbStatus* status) noexcept override {
    try {
      std::vector<socrates_str> values;
      params_of(params, param_count, values);
      HostStatus host;
      socrates_rows rows = empty_rows();
      if (api_->db_query(session_, view(sql), values.data(), values.size(), &rows, host.get()) != SOCRATES_OK) {
        host.read(status);
        return false;
      }
      take_rows(rows, out);
      return true;
    } catch (...) {
      return local_failure(status);
    }
  }

  bool execute_batch(const Statement* statements, std::size_t count, bool commit, ResultSet* outs,
                     std::size_t* failed, DbStatus* status) noexcept override {
    try {
      std::vector<std::vector<socrates_str>> values(count);
      std::vector<socrates_statement> batch(count);
      for (std::size_t i = 0; i < count; ++i) {
        params_of(statements[i].params.data(), statements[i].params.size(), values[i]);
        batch[i] = socrates_statement{view(statements[i].sql), values[i].data(), values[i].size()};
      }
      std::vector<socrates_rows> rows(count, empty_rows());
      HostStatus host;
      std::size_t failed_at = 0;
      if (api_->db_batch(session_, batch.data(), count, commit ? 1 : 0, rows.data(), &failed_at, host.get()) !=
          SOCRATES_OK) {
        if (failed) *failed = failed_at;
        host.read(status);
        return false;
      }
      // Every set is released, even if copying one fails.
      std::size_t taken = 0;
      try {
        for (; taken < count; ++taken) take_rows(rows[taken], outs ? &outs[taken] : nullptr);
      } catch (...) {
        for (++taken; taken < count; ++taken)
          if (rows[taken].release) rows[taken].release(&rows[taken]);
        throw;
      }
      return true;
    } catch (...) {
      if (failed) *failed = count;
      return local_failure(status);
    }
  }

 private:
  const socrates_host_api* api_;
  socrates_db_session* session_;
};

class HostLlm final : public LlmClient {
 public:
  HostLlm(const socrates_host* host, const char* provider) noexcept : host_(host), provider_(provider) {}
  const char* provider() const noexcept override { return provider_; }
  bool complete(const LlmRequest& request, LlmResponse* out, Error* error) noexcept override {
    return complete_for_project(std::string(), request, out, error);
  }
  bool complete_for_project(const std::string& project_id, const LlmRequest& request, LlmResponse* out,
                            Error* error) noexcept override {
    try {
      std::vector<socrates_llm_message> messages;
      messages.reserve(request.messages.size());
      for (const auto& m : request.messages) messages.push_back({view(m.role), view(m.content)});
      socrates_llm_request call{sizeof(socrates_llm_request), view(request.system), messages.data(), messages.size(),
                                static_cast<std::int32_t>(request.max_tokens), request.temperature,
                                view(request.purpose), view(project_id)};
      OwnedBuffer answer;
      const bool ok = host_->api->llm_complete(host_, &call, answer.get()) == SOCRATES_OK;
      if (!ok) {
        if (error) *error = error_from(answer.text());
        return false;
      }
      nlohmann::json parsed = nlohmann::json::parse(answer.text());
      if (out) {
        out->text = parsed.value("text", std::string());
        out->model = parsed.value("model", std::string());
        out->input_tokens = parsed.value("input_tokens", std::int64_t{0});
        out->output_tokens = parsed.value("output_tokens", std::int64_t{0});
        out->latency_ms = parsed.value("latency_ms", std::int64_t{0});
      }
      return true;
    } catch (...) {
      if (error)
        *error = Error{errc::kLlmError, "the model's answer could not be read", nlohmann::json::object()};
      return false;
    }
  }

 private:
  const socrates_host* host_;
  const char* provider_;
};

// The Services an agent's handlers see: the host's, for the duration of one call.
class HostServices final : public Services {
 public:
  explicit HostServices(const socrates_host* host) noexcept : host_(host) {}

  std::unique_ptr<DatabaseSession> open_database(Database which, DbStatus* status) noexcept override {
    HostStatus host;
    socrates_db_session* session = host_->api->db_open(host_, static_cast<std::int32_t>(which), host.get());
    if (!session) {
      host.read(status);
      return nullptr;
    }
    auto* wrapped = new (std::nothrow) HostSession(host_->api, session);
    if (!wrapped) {
      host_->api->db_close(session);
      local_failure(status);
      return nullptr;
    }
    return std::unique_ptr<DatabaseSession>(wrapped);
  }

  void log(LogLevel level, std::string_view message) noexcept override {
    host_->api->log(host_, static_cast<std::int32_t>(level), view(message));
  }

  std::optional<std::string> setting(std::string_view name) const noexcept override {
    try {
      OwnedBuffer value;
      if (host_->api->setting(host_, view(name), value.get()) != 1) return std::nullopt;
      return std::string(value.text());
    } catch (...) {
      return std::nullopt;
    }
  }

  LlmClient* llm() noexcept override {
    if (!llm_) {
      const char* provider = host_->api->llm_provider(host_);
      if (!provider) return nullptr;
      llm_.emplace(host_, provider);
    }
    return &*llm_;
  }

 private:
  const socrates_host* host_;
  std::optional<HostLlm> llm_;
};

// ---- The plugin's entry points, for a BaseAgent ------------------------------------------------

inline BaseAgent* agent_of(socrates_agent* agent) noexcept { return reinterpret_cast<BaseAgent*>(agent); }

// What is answered when not even an error object can be made (out of memory).
inline std::int32_t fail_static(socrates_buffer* out) noexcept {
  static const char kText[] =
      "{\"code\":\"AGENT_ERROR\",\"message\":\"the agent failed while handling the request\",\"details\":{}}";
  fill_static(out, kText, sizeof kText - 1);
  return SOCRATES_FAILED;
}

inline void destroy(socrates_agent* agent) noexcept { delete agent_of(agent); }

inline std::int32_t describe(socrates_agent* agent, socrates_buffer* out) noexcept {
  try {
    const BaseAgent& self = *agent_of(agent);
    const auto tools = self.tools();
    nlohmann::json actions = nlohmann::json::array();
    for (const auto& name : self.capabilities()) {
      nlohmann::json action = {{"name", name}, {"internal", self.is_internal(name)}};
      auto tool = tools.find(name);
      if (tool != tools.end())
        action["tool"] = {{"description", tool->second.description}, {"input_schema", tool->second.input_schema}};
      actions.push_back(std::move(action));
    }
    fill(out, dump({{"id", self.id()}, {"actions", std::move(actions)}}));
    return SOCRATES_OK;
  } catch (...) {
    return fail_static(out);
  }
}

inline std::int32_t start(socrates_agent* agent, const socrates_host* host, socrates_buffer* error) noexcept {
  try {
    HostServices services(host);
    std::string reason;
    if (agent_of(agent)->start(services, &reason)) return SOCRATES_OK;
    fill(error, std::move(reason));
  } catch (...) {
    static const char kText[] = "out of memory";
    fill_static(error, kText, sizeof kText - 1);
  }
  return SOCRATES_FAILED;
}

inline std::int32_t handle(socrates_agent* agent, const socrates_host* host, const socrates_request* request,
                           socrates_buffer* out) noexcept {
  try {
    HostServices services(host);
    Request call;
    call.action.assign(view(request->action));
    if (request->params.size != 0) {
      call.params = nlohmann::json::parse(view(request->params), nullptr, false);
      if (!call.params.is_object()) {
        fill(out, dump(error_json(validation_error("body", "the body must be a JSON object"))));
        return SOCRATES_FAILED;
      }
    }
    call.caller.user_id.assign(view(request->user_id));
    call.caller.role.assign(view(request->role));
    call.caller.request_id.assign(view(request->request_id));
#if SOCRATES_ABI_TARGET_MINOR >= 2
    const bool flow = SOCRATES_ABI_HAS(request, socrates_request, hand_on);
    if (flow) call.handed.assign(view(request->handed));
#endif
    Result result = agent_of(agent)->handle(call, services);
    if (!result.is_ok()) {
      fill(out, dump(error_json(result.error())));
      return SOCRATES_FAILED;
    }
#if SOCRATES_ABI_TARGET_MINOR >= 2
    if (flow && request->hand_on && !result.handed_on().empty()) fill(request->hand_on, result.take_handed_on());
#endif
    switch (result.outcome()) {
      case Outcome::kNoContent: return SOCRATES_NO_CONTENT;
      case Outcome::kCreated: fill(out, dump(result.value())); return SOCRATES_CREATED;
      case Outcome::kOk: break;
    }
    fill(out, dump(result.value()));
    return SOCRATES_OK;
  } catch (...) {
    return fail_static(out);
  }
}

// The entry points of a plugin whose agent `create` makes.
constexpr socrates_plugin_api plugin_api(socrates_agent* (*create)(socrates_buffer*)) noexcept {
  return socrates_plugin_api{sizeof(socrates_plugin_api), create, &destroy, &describe, &start, &handle};
}

// The factory SOCRATES_DECLARE_AGENT defines: a new AgentClass, or null and the reason.
template <typename AgentClass>
socrates_agent* create(socrates_buffer* error, const char* id, const char* name, const char* version) noexcept {
  try {
    BaseAgent* agent = new AgentClass(AgentInfo{id, name, version});
    return reinterpret_cast<socrates_agent*>(agent);
  } catch (const std::exception& e) {
    try {
      fill(error, std::string(e.what()));
    } catch (...) {
    }
  } catch (...) {
    static const char kText[] = "unknown exception";
    fill_static(error, kText, sizeof kText - 1);
  }
  return nullptr;
}

}  // namespace socrates::sdk::detail::abi

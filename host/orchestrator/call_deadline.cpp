#include "host/orchestrator/call_deadline.hpp"

#include "host/error_codes.hpp"

#include <new>
#include <utility>

namespace socrates::host {
namespace {

constexpr const char* kPassed = "the agent's call passed its deadline";

bool refused(sdk::DbStatus* status) noexcept {
  if (status) {
    status->kind = sdk::DbStatus::Kind::kUnavailable;
    status->sqlstate.clear();
    status->constraint.clear();
    try {
      status->message = kPassed;
    } catch (...) {
    }
  }
  return false;
}

// A session of an expired call: no statement runs, no COMMIT; an open transaction is rolled back.
class DeadlineSession final : public sdk::DatabaseSession {
 public:
  DeadlineSession(std::unique_ptr<sdk::DatabaseSession> inner, CallDeadline& deadline) noexcept
      : inner_(std::move(inner)), deadline_(deadline) {}

  bool begin(sdk::DbStatus* status) noexcept override {
    return deadline_.expired() ? refused(status) : inner_->begin(status);
  }
  bool commit(sdk::DbStatus* status) noexcept override {
    if (!deadline_.begin_commit()) {
      inner_->rollback();
      return refused(status);
    }
    const bool ok = inner_->commit(status);
    deadline_.end_commit();
    return ok;
  }
  void rollback() noexcept override { inner_->rollback(); }
  bool execute(std::string_view sql, const sdk::Param* params, std::size_t param_count, sdk::ResultSet* out,
               sdk::DbStatus* status) noexcept override {
    return deadline_.expired() ? refused(status) : inner_->execute(sql, params, param_count, out, status);
  }
  bool execute_batch(const sdk::Statement* statements, std::size_t count, bool commit, sdk::ResultSet* outs,
                     std::size_t* failed, sdk::DbStatus* status) noexcept override {
    if (!commit) {
      if (!deadline_.expired()) return inner_->execute_batch(statements, count, false, outs, failed, status);
    } else if (deadline_.begin_commit()) {
      const bool ok = inner_->execute_batch(statements, count, true, outs, failed, status);
      deadline_.end_commit();
      return ok;
    } else {
      inner_->rollback();
    }
    if (failed) *failed = 0;
    return refused(status);
  }

 private:
  std::unique_ptr<sdk::DatabaseSession> inner_;
  CallDeadline& deadline_;
};

// What an expired call's LLM answers.
bool refused(sdk::Error* error) noexcept {
  try {
    if (error) *error = sdk::Error{sdk::errc::kLlmUnavailable, kPassed, nlohmann::json::object()};
  } catch (...) {
  }
  return false;
}

}  // namespace

bool DeadlineLlm::complete(const sdk::LlmRequest& request, sdk::LlmResponse* out, sdk::Error* error) noexcept {
  return deadline_.expired() ? refused(error) : inner_.complete(request, out, error);
}

bool DeadlineLlm::complete_for_project(const std::string& project_id, const sdk::LlmRequest& request,
                                       sdk::LlmResponse* out, sdk::Error* error) noexcept {
  return deadline_.expired() ? refused(error) : inner_.complete_for_project(project_id, request, out, error);
}

std::unique_ptr<sdk::DatabaseSession> DeadlineServices::open_database(sdk::Database which,
                                                                      sdk::DbStatus* status) noexcept {
  if (deadline_.expired()) {
    refused(status);
    return nullptr;
  }
  auto session = inner_.open_database(which, status);
  if (!session) return nullptr;
  // The deadline is the call's, which outlives its sessions; commits go through its state.
  auto* wrapped = new (std::nothrow) DeadlineSession(std::move(session), deadline_);
  if (!wrapped) {
    refused(status);
    return nullptr;
  }
  return std::unique_ptr<sdk::DatabaseSession>(wrapped);
}

sdk::LlmClient* DeadlineServices::llm() noexcept {
  if (!llm_) {
    sdk::LlmClient* inner = inner_.llm();
    if (!inner) return nullptr;  // the built-in engine
    llm_.emplace(*inner, deadline_);
  }
  return &*llm_;
}

}  // namespace socrates::host

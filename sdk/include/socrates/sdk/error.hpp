#pragma once
// Errors as values: what an agent action answers when it cannot do what was asked.

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

namespace socrates::sdk {

// The error codes an agent may answer, each with its HTTP status in docs/api.md. An agent may also
// use a code of its own (UPPER_SNAKE), which the host answers with 422. The API has more codes,
// which only the host answers (accounts, plugin administration, HTTP limits); since SDK 1.3 they
// are the host's own and no longer listed here.
namespace errc {
inline constexpr const char* kValidation = "VALIDATION_ERROR";              // 400; details.field names the input
inline constexpr const char* kUnauthenticated = "UNAUTHENTICATED";          // 401; the caller has no user
inline constexpr const char* kForbidden = "FORBIDDEN";                      // 403; e.g. not Caller::is_admin()
inline constexpr const char* kNotFound = "NOT_FOUND";                       // 404
inline constexpr const char* kProjectNotFound = "PROJECT_NOT_FOUND";        // 404
inline constexpr const char* kSessionNotFound = "SESSION_NOT_FOUND";        // 404
inline constexpr const char* kQuestionNotFound = "QUESTION_NOT_FOUND";      // 404
inline constexpr const char* kSpecificationNotFound = "SPECIFICATION_NOT_FOUND";  // 404
inline constexpr const char* kConflictNotFound = "CONFLICT_NOT_FOUND";      // 404
inline constexpr const char* kSessionNotActive = "SESSION_NOT_ACTIVE";      // 409
inline constexpr const char* kWrongMode = "WRONG_MODE";                     // 409
inline constexpr const char* kConflictDetected = "CONFLICT_DETECTED";       // 409
inline constexpr const char* kConflictAlreadyResolved = "CONFLICT_ALREADY_RESOLVED";  // 409
inline constexpr const char* kPhaseGate = "PHASE_GATE";                     // 409
inline constexpr const char* kProjectArchived = "PROJECT_ARCHIVED";         // 409; read-only until restored
inline constexpr const char* kLastOwner = "LAST_OWNER";                     // 409; a project keeps an owner
inline constexpr const char* kInvitationUsed = "INVITATION_USED";           // 409; single-use, accepted already
inline constexpr const char* kInvitationExpired = "INVITATION_EXPIRED";     // 410
inline constexpr const char* kInvitationRevoked = "INVITATION_REVOKED";     // 410
inline constexpr const char* kUnsupportedAction = "UNSUPPORTED_ACTION";     // 400; BaseAgent answers it
inline constexpr const char* kAgentError = "AGENT_ERROR";                   // 500; BaseAgent, for an exception
inline constexpr const char* kLlmError = "LLM_ERROR";                       // 502; from LlmClient, passed on
inline constexpr const char* kLlmUnavailable = "LLM_UNAVAILABLE";           // 503; from LlmClient, passed on
inline constexpr const char* kRateLimited = "RATE_LIMITED";                 // 429; from LlmClient (SDK 1.2)
inline constexpr const char* kDatabaseUnavailable = "DATABASE_UNAVAILABLE"; // 503; BaseAgent, for DatabaseError
inline constexpr const char* kInternal = "INTERNAL_ERROR";                  // 500
}  // namespace errc

struct Error {
  std::string code;     // one of errc, or an agent's own UPPER_SNAKE code
  std::string message;  // for a person; never a database's or library's raw text
  nlohmann::json details = nlohmann::json::object();
};

// A VALIDATION_ERROR naming the offending field, as the API requires (`details.field`).
inline Error validation_error(std::string field, std::string message) {
  Error e{errc::kValidation, std::move(message), nlohmann::json::object()};
  e.details["field"] = std::move(field);
  return e;
}

// Thrown by agent code (or the SDK's helpers) to answer with an error from deep inside a handler.
// BaseAgent::handle turns it into an error result; it never leaves the plugin.
class AgentException : public std::exception {
 public:
  explicit AgentException(Error error) : error_(std::move(error)) {}
  AgentException(std::string code, std::string message, nlohmann::json details = nlohmann::json::object())
      : error_{std::move(code), std::move(message), std::move(details)} {}
  const char* what() const noexcept override { return error_.message.c_str(); }
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

}  // namespace socrates::sdk

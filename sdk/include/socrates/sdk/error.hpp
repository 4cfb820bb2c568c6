#pragma once
// Errors as values: what an agent action answers when it cannot do what was asked.

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

namespace socrates::sdk {

// The API's error codes (docs/API.md, Conventions). The host maps each to its HTTP status; an agent may
// use a code of its own, which the host answers with 422.
namespace errc {
inline constexpr const char* kValidation = "VALIDATION_ERROR";
inline constexpr const char* kUnauthenticated = "UNAUTHENTICATED";
inline constexpr const char* kAccountInactive = "ACCOUNT_INACTIVE";
inline constexpr const char* kForbidden = "FORBIDDEN";
inline constexpr const char* kNotFound = "NOT_FOUND";
inline constexpr const char* kUserNotFound = "USER_NOT_FOUND";
inline constexpr const char* kProjectNotFound = "PROJECT_NOT_FOUND";
inline constexpr const char* kSessionNotFound = "SESSION_NOT_FOUND";
inline constexpr const char* kQuestionNotFound = "QUESTION_NOT_FOUND";
inline constexpr const char* kSpecificationNotFound = "SPECIFICATION_NOT_FOUND";
inline constexpr const char* kConflictNotFound = "CONFLICT_NOT_FOUND";
inline constexpr const char* kEmailTaken = "EMAIL_TAKEN";
inline constexpr const char* kInvalidCredentials = "INVALID_CREDENTIALS";
inline constexpr const char* kTokenReused = "TOKEN_REUSED";
inline constexpr const char* kTooManyAttempts = "TOO_MANY_ATTEMPTS";
inline constexpr const char* kSessionNotActive = "SESSION_NOT_ACTIVE";
inline constexpr const char* kWrongMode = "WRONG_MODE";
inline constexpr const char* kConflictDetected = "CONFLICT_DETECTED";
inline constexpr const char* kConflictAlreadyResolved = "CONFLICT_ALREADY_RESOLVED";
inline constexpr const char* kPhaseGate = "PHASE_GATE";
inline constexpr const char* kUnknownAgent = "UNKNOWN_AGENT";
inline constexpr const char* kUnsupportedAction = "UNSUPPORTED_ACTION";
inline constexpr const char* kAgentError = "AGENT_ERROR";
inline constexpr const char* kPluginIncompatible = "PLUGIN_INCOMPATIBLE";
inline constexpr const char* kLlmError = "LLM_ERROR";
inline constexpr const char* kLlmUnavailable = "LLM_UNAVAILABLE";
inline constexpr const char* kPayloadTooLarge = "PAYLOAD_TOO_LARGE";
inline constexpr const char* kMethodNotAllowed = "METHOD_NOT_ALLOWED";
inline constexpr const char* kDatabaseUnavailable = "DATABASE_UNAVAILABLE";
inline constexpr const char* kInternal = "INTERNAL_ERROR";
// Since SDK 1.2.
inline constexpr const char* kUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
inline constexpr const char* kHeadersTooLarge = "HEADERS_TOO_LARGE";
inline constexpr const char* kRateLimited = "RATE_LIMITED";
inline constexpr const char* kServerBusy = "SERVER_BUSY";
inline constexpr const char* kRequestTimeout = "REQUEST_TIMEOUT";
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

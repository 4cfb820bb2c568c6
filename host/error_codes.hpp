#pragma once
// Every error code of the API (docs/api.md, Conventions): host::errc::kX names any of them.
//
// The SDK's errc holds the codes an agent may answer; the ones below only the host answers (its
// accounts, its plugin administration, its HTTP front door), so they are not part of what plugin
// authors build against. host/rest/http.cpp maps each code of both lists to its HTTP status.

#include <socrates/sdk/error.hpp>

namespace socrates::host::errc {

using namespace ::socrates::sdk::errc;  // NOLINT(google-build-using-namespace): one list of the contract's codes

// Accounts (host/auth).
inline constexpr const char* kAccountInactive = "ACCOUNT_INACTIVE";
inline constexpr const char* kUserNotFound = "USER_NOT_FOUND";
inline constexpr const char* kEmailTaken = "EMAIL_TAKEN";
inline constexpr const char* kInvalidCredentials = "INVALID_CREDENTIALS";
inline constexpr const char* kTokenReused = "TOKEN_REUSED";
inline constexpr const char* kTooManyAttempts = "TOO_MANY_ATTEMPTS";
// Agents as the host administers them (host/orchestrator, host/plugins).
inline constexpr const char* kUnknownAgent = "UNKNOWN_AGENT";
inline constexpr const char* kPluginIncompatible = "PLUGIN_INCOMPATIBLE";
inline constexpr const char* kAgentTimeout = "AGENT_TIMEOUT";  // 504: a call passed its deadline
// 502: an isolated agent's child process crashed (or was killed) under a call, or is restarting.
inline constexpr const char* kAgentCrashed = "AGENT_CRASHED";
// 503: an isolated agent crashed too often and is refused until it is reloaded.
inline constexpr const char* kAgentQuarantined = "AGENT_QUARANTINED";
// HTTP (host/rest): what the front door answers before any route runs.
inline constexpr const char* kPayloadTooLarge = "PAYLOAD_TOO_LARGE";
inline constexpr const char* kMethodNotAllowed = "METHOD_NOT_ALLOWED";
inline constexpr const char* kUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
inline constexpr const char* kHeadersTooLarge = "HEADERS_TOO_LARGE";
inline constexpr const char* kServerBusy = "SERVER_BUSY";
inline constexpr const char* kRequestTimeout = "REQUEST_TIMEOUT";

}  // namespace socrates::host::errc

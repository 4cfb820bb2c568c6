#include "host/rest/http.hpp"

#include "host/error_codes.hpp"

#include <string_view>
#include <unordered_map>

namespace socrates::host::rest {

HttpResponse HttpResponse::json(int status, const nlohmann::json& value) {
  HttpResponse r;
  r.status = status;
  r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse HttpResponse::no_content() {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

HttpResponse HttpResponse::error(const sdk::Error& error, const std::string& request_id) {
  nlohmann::json body = {
      {"error",
       {{"code", error.code},
        {"message", error.message},
        {"details", error.details.is_object() ? error.details : nlohmann::json::object()}}},
      {"request_id", request_id}};
  return json(status_for_error(error.code), body);
}

HttpResponse HttpResponse::error(const std::string& code, const std::string& message, const std::string& request_id,
                                 nlohmann::json details) {
  return error(sdk::Error{code, message, std::move(details)}, request_id);
}

int status_for_error(const std::string& code) {
  namespace e = host::errc;  // every code of the contract: the SDK's and the host's own
  static const std::unordered_map<std::string, int> kStatus = {
      {e::kValidation, 400},
      {e::kUnsupportedAction, 400},
      {e::kUnauthenticated, 401},
      {e::kInvalidCredentials, 401},
      {e::kTokenReused, 401},
      {e::kAccountInactive, 403},
      {e::kForbidden, 403},
      {e::kNotFound, 404},
      {e::kUserNotFound, 404},
      {e::kProjectNotFound, 404},
      {e::kSessionNotFound, 404},
      {e::kQuestionNotFound, 404},
      {e::kSpecificationNotFound, 404},
      {e::kConflictNotFound, 404},
      {e::kUnknownAgent, 404},
      {e::kMethodNotAllowed, 405},
      {e::kEmailTaken, 409},
      {e::kSessionNotActive, 409},
      {e::kWrongMode, 409},
      {e::kConflictDetected, 409},
      {e::kConflictAlreadyResolved, 409},
      {e::kPhaseGate, 409},
      {e::kProjectArchived, 409},
      {e::kLastOwner, 409},
      {e::kInvitationUsed, 409},
      {e::kInvitationExpired, 410},
      {e::kInvitationRevoked, 410},
      {e::kRequestTimeout, 408},
      {e::kPayloadTooLarge, 413},
      {e::kUnsupportedMediaType, 415},
      {e::kHeadersTooLarge, 431},
      {e::kRateLimited, 429},
      {e::kPluginIncompatible, 422},
      {e::kTooManyAttempts, 429},
      {e::kAgentError, 500},
      {e::kInternal, 500},
      {e::kLlmError, 502},
      {e::kLlmUnavailable, 503},
      {e::kDatabaseUnavailable, 503},
      {e::kServerBusy, 503},
      {e::kAgentTimeout, 504},
      {e::kAgentCrashed, 502},
      {e::kAgentQuarantined, 503},
  };
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 422 : it->second;
}

HttpResponse from_result(const sdk::Result& result, const std::string& request_id) {
  if (!result.is_ok()) return HttpResponse::error(result.error(), request_id);
  if (result.outcome() == sdk::Outcome::kNoContent) return HttpResponse::no_content();
  const int status = result.outcome() == sdk::Outcome::kCreated ? 201 : 200;
  // An agent's answer as its checked text: written out as it came.
  if (const std::string* text = result.text()) {
    HttpResponse r;
    r.status = status;
    r.body = *text;
    return r;
  }
  return HttpResponse::json(status, result.value());
}

HttpResponse result_envelope(const sdk::Result& result) {
  const std::string* text = result.text();
  if (!text) return HttpResponse::json(200, {{"result", result.value()}});
  static constexpr std::string_view kOpen = "{\"result\":";
  HttpResponse r;
  r.body.reserve(kOpen.size() + text->size() + 1);
  r.body.append(kOpen).append(*text).push_back('}');
  return r;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string url_decode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::map<std::string, std::string> parse_form(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    const std::string pair = body.substr(start, end - start);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      if (eq == std::string::npos) {
        fields[url_decode(pair)] = "";
      } else {
        fields[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
      }
    }
    start = end + 1;
  }
  return fields;
}

}  // namespace socrates::host::rest

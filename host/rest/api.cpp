#include "host/rest/api.hpp"

#include "host/error_codes.hpp"
#include "host/json/checked_parse.hpp"
#include "host/log/json_log.hpp"
#include "host/rest/static_files.hpp"

#include <socrates/sdk/detail/guard.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace socrates::host::rest {

std::shared_ptr<Router> build_router(ApiContext& api) {
  auto router = std::make_shared<Router>();
  add_health_routes(*router, api);
  add_account_routes(*router, api);
  add_project_routes(*router, api);
  add_agent_routes(*router, api);
  add_dialogue_routes(*router, api);
  add_web_routes(*router, api.web_dir);
  add_reference_routes(*router, api);
  add_operator_routes(*router, api);
  add_mcp_routes(*router, api);
  return router;
}

bool is_json_media_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  type.erase(0, type.find_first_not_of(" \t"));
  type.erase(type.find_last_not_of(" \t") + 1);
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (type == "application/json") return true;
  const std::string suffix = "+json";
  return type.rfind("application/", 0) == 0 && type.size() > suffix.size() &&
         type.compare(type.size() - suffix.size(), suffix.size(), suffix) == 0;
}

HttpResponse unsupported_media_type(const HttpRequest& request, const std::string& accepted) {
  return HttpResponse::error(host::errc::kUnsupportedMediaType,
                             "the body must be sent as " + accepted + " (Content-Type: " +
                                 request.header("content-type").value_or("none") + ")",
                             request.request_id, {{"content_type", request.header("content-type").value_or("")}});
}

std::variant<nlohmann::json, HttpResponse> parse_json_object(const std::string& text, const std::string& request_id) {
  auto parsed = untrusted::parse_limited(text);
  if (auto* problem = std::get_if<untrusted::ParseProblem>(&parsed)) {
    if (*problem == untrusted::ParseProblem::kTooDeep)
      return HttpResponse::error(
          sdk::validation_error("body", "the body is nested deeper than " + std::to_string(untrusted::kMaxJsonDepth) + " levels"),
          request_id);
    return HttpResponse::error(sdk::validation_error("body", "the body is not valid JSON"), request_id);
  }
  nlohmann::json body = std::move(std::get<nlohmann::json>(parsed));
  if (!body.is_object())
    return HttpResponse::error(sdk::validation_error("body", "the body must be a JSON object"), request_id);
  if (auto field = untrusted::nul_pointer(body)) {
    // Named like every other field (`name`), nested ones by their JSON pointer path (`items/0/value`).
    auto error = sdk::validation_error(field->substr(1), "a NUL character (\\u0000) is not allowed");
    return HttpResponse::error(error, request_id);
  }
  return body;
}

std::variant<nlohmann::json, HttpResponse> json_body(const HttpRequest& request, bool allow_empty) {
  const bool blank = request.body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank) {
    if (allow_empty) return nlohmann::json::object();
    return HttpResponse::error(sdk::validation_error("body", "a JSON object body is required"), request.request_id);
  }
  if (!is_json_media_type(request.header("content-type").value_or("")))
    return unsupported_media_type(request, "application/json");
  return parse_json_object(request.body, request.request_id);
}

HttpResponse respond(const sdk::Result& result, const HttpRequest& request) {
  HttpResponse response = from_result(result, request.request_id);
  // A throttle, lockout or quota says how long to wait (details.retry_after_s; a minute otherwise).
  if (!result.is_ok() &&
      (result.error().code == host::errc::kTooManyAttempts || result.error().code == sdk::errc::kRateLimited)) {
    const auto& details = result.error().details;
    const bool given = details.is_object() && details.contains("retry_after_s") &&
                       details["retry_after_s"].is_number_integer();
    response.headers.emplace_back("Retry-After", given ? details["retry_after_s"].dump() : "60");
  }
  if (response.status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

namespace {

// sdk::guarded, the one mapping of exceptions to error results, reports what it catches through
// sdk::Services::log. REST has no use for the rest of that interface (it opens no database), so it
// hands guarded this: the host's log, and nothing else.
class HostLogOnly final : public sdk::Services {
 public:
  std::unique_ptr<sdk::DatabaseSession> open_database(sdk::Database, sdk::DbStatus* status) noexcept override {
    if (status) {
      status->kind = sdk::DbStatus::Kind::kUnavailable;
      status->message = "REST opens no database";
    }
    return nullptr;
  }
  void log(sdk::LogLevel level, std::string_view message) noexcept override { log::write(level, message); }
  std::optional<std::string> setting(std::string_view) const noexcept override { return std::nullopt; }
  sdk::LlmClient* llm() noexcept override { return nullptr; }
};

}  // namespace

HttpResponse guarded_response(const HttpRequest& request, const std::function<sdk::Result()>& fn) {
  static HostLogOnly host_log;
  return respond(sdk::detail::guarded(
                     host_log, fn, [&] { return request.method + " " + request.path; },
                     [] {
                       return sdk::Error{sdk::errc::kInternal, "the request could not be completed",
                                         nlohmann::json::object()};
                     }),
                 request);
}

HttpResponse with_user(ApiContext& api, HttpRequest& request,
                       const std::function<HttpResponse(const auth::AuthContext&)>& fn, auth::Credentials accepted) {
  std::optional<auth::AuthContext> context;
  HttpResponse refused = guarded_response(request, [&]() -> sdk::Result {
    auto outcome = api.accounts.authenticate(request.header("authorization"), request.request_id, accepted);
    if (auto* error = std::get_if<sdk::Error>(&outcome)) return sdk::Result::fail(*error);
    context = std::get<auth::AuthContext>(std::move(outcome));
    return sdk::Result::ok(nullptr);
  });
  if (!context) return refused;
  log::current_context().user_id = context->caller.user_id;
  return fn(*context);
}

HttpResponse with_admin(ApiContext& api, HttpRequest& request,
                        const std::function<HttpResponse(const auth::AuthContext&)>& fn) {
  return with_user(api, request, [&](const auth::AuthContext& auth) {
    if (!auth.caller.is_admin())
      return HttpResponse::error(sdk::errc::kForbidden, "this endpoint is for administrators", request.request_id);
    return fn(auth);
  });
}

namespace {

// A route that authenticates, gathers the params (see agent_route) and answers with what `call`
// returns for them and the caller.
template <typename Call>
Handler params_route(ApiContext& api, Body body, FillParams fill, Call call) {
  return [&api, body, fill = std::move(fill), call = std::move(call)](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      nlohmann::json params = nlohmann::json::object();
      if (body != Body::kNone) {
        auto parsed = json_body(request, /*allow_empty=*/body == Body::kOptional);
        if (auto* refused = std::get_if<HttpResponse>(&parsed)) return *refused;
        params = std::move(std::get<nlohmann::json>(parsed));
      }
      for (const auto& [name, value] : request.path_params) params[name] = value;
      if (fill) fill(request, params);
      // Who the caller is, for attribution (docs/domain.md "Attribution"): the token's account,
      // never a body's.
      params["caller_email"] = auth.email;
      return respond(call(std::move(params), auth.caller), request);
    });
  };
}

}  // namespace

Handler agent_route(ApiContext& api, std::string agent, std::string action, Body body, FillParams fill) {
  return params_route(api, body, std::move(fill),
                      [&api, agent = std::move(agent), action = std::move(action)](nlohmann::json params,
                                                                                   const sdk::Caller& caller) {
                        return api.orchestrator.route(agent, action, std::move(params), caller);
                      });
}

Handler flow_route(ApiContext& api, std::string flow, Body body, FillParams fill) {
  return params_route(api, body, std::move(fill),
                      [&api, flow = std::move(flow)](nlohmann::json params, const sdk::Caller& caller) {
                        return api.orchestrator.run_flow(flow, std::move(params), caller);
                      });
}

FillParams query_params(std::initializer_list<const char*> names) {
  std::vector<std::string> list(names.begin(), names.end());
  return [list](const HttpRequest& request, nlohmann::json& params) {
    for (const auto& name : list) copy_query_param(request, name, params);
  };
}

void copy_query_param(const HttpRequest& request, const std::string& name, nlohmann::json& params) {
  auto value = request.query_param(name);
  if (!value) return;
  const std::string& text = *value;
  const bool numeric = !text.empty() && text.size() <= 18 &&
                       std::all_of(text.begin() + (text[0] == '-' ? 1 : 0), text.end(),
                                   [](unsigned char c) { return std::isdigit(c); }) &&
                       text != "-";
  if (numeric) {
    params[name] = std::stoll(text);
  } else {
    params[name] = text;
  }
}

}  // namespace socrates::host::rest

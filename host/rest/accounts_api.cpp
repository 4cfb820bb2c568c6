// /api/v1/auth/*
#include "host/rest/api.hpp"

namespace socrates::host::rest {
namespace {

// The OAuth2 password flow posts a form with username/password; everyone else posts JSON.
std::variant<nlohmann::json, HttpResponse> login_credentials(const HttpRequest& request) {
  const std::string type = request.header("content-type").value_or("");
  if (type.find("application/x-www-form-urlencoded") != std::string::npos) {
    auto form = parse_form(request.body);
    nlohmann::json credentials = nlohmann::json::object();
    for (const auto& [field, key] : {std::pair<const char*, const char*>{"username", "email"}, {"password", "password"}}) {
      auto it = form.find(field);
      if (it == form.end()) continue;
      if (it->second.find('\0') != std::string::npos)
        return HttpResponse::error(sdk::validation_error(field, "a NUL character is not allowed"), request.request_id);
      credentials[key] = it->second;
    }
    return credentials;
  }
  const bool blank = request.body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (!blank && !is_json_media_type(type))
    return unsupported_media_type(request, "application/json or application/x-www-form-urlencoded");
  return json_body(request);
}

// The client behind the request, as the account service logs and throttles it.
std::string client_of(const ApiContext& api, const HttpRequest& request) {
  return auth::resolve_client_address(request.remote_address, request.header("x-forwarded-for"),
                                      api.accounts.trusted_proxies());
}

// Tokens must not be kept by a browser's or a proxy's cache.
HttpResponse not_stored(HttpResponse response) {
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

void add_account_routes(Router& router, ApiContext& api) {
  router.add("POST", "/api/v1/auth/register", [&api](HttpRequest& request) {
    auto body = json_body(request);
    if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
    return guarded_response(request, [&] { return api.accounts.register_user(std::get<nlohmann::json>(body), client_of(api, request)); });
  });

  router.add("POST", "/api/v1/auth/login", [&api](HttpRequest& request) {
    auto body = login_credentials(request);
    if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
    return not_stored(guarded_response(
        request, [&] { return api.accounts.login(std::get<nlohmann::json>(body), client_of(api, request)); }));
  });

  router.add("POST", "/api/v1/auth/refresh", [&api](HttpRequest& request) {
    auto body = json_body(request);
    if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
    return not_stored(guarded_response(
        request, [&] { return api.accounts.refresh(std::get<nlohmann::json>(body), client_of(api, request)); }));
  });

  router.add("POST", "/api/v1/auth/logout", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      return guarded_response(request, [&] { return api.accounts.logout(auth, client_of(api, request)); });
    });
  });

  router.add("GET", "/api/v1/auth/me", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      return guarded_response(request, [&] { return api.accounts.me(auth); });
    });
  });

  router.add("POST", "/api/v1/auth/change-password", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      auto body = json_body(request);
      if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
      return guarded_response(request,
                              [&] { return api.accounts.change_password(auth, std::get<nlohmann::json>(body),
                                                                    client_of(api, request)); });
    });
  });

  // Personal access tokens, for the MCP server (docs/mcp.md). Managed with an access token only:
  // a personal access token cannot mint or list others.
  router.add("POST", "/api/v1/auth/tokens", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      auto body = json_body(request);
      if (auto* refused = std::get_if<HttpResponse>(&body)) return *refused;
      return not_stored(guarded_response(
          request, [&] { return api.accounts.create_personal_token(auth, std::get<nlohmann::json>(body)); }));
    });
  });
  router.add("GET", "/api/v1/auth/tokens", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      nlohmann::json query = nlohmann::json::object();
      for (const char* name : {"limit", "offset"}) copy_query_param(request, name, query);
      return guarded_response(request, [&] { return api.accounts.list_personal_tokens(auth, query); });
    });
  });
  router.add("DELETE", "/api/v1/auth/tokens/{token_id}", [&api](HttpRequest& request) {
    return with_user(api, request, [&](const auth::AuthContext& auth) {
      return guarded_response(request,
                              [&] { return api.accounts.revoke_personal_token(auth, request.path_param("token_id")); });
    });
  });
}

}  // namespace socrates::host::rest

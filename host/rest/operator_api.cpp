// What an operator's tools call: GET /metrics (Prometheus), GET /health/live, GET /health/ready.
// GET /health stays as it is (health_api.cpp).
#include "host/auth/client_address.hpp"
#include "host/crypto/crypto_random.hpp"
#include "host/metrics/metrics.hpp"
#include "host/rest/api.hpp"

namespace socrates::host::rest {
namespace {

// A scrape from this machine that came through no proxy (a proxy on the same machine connects from
// loopback too, but says whom it forwards in X-Forwarded-For).
bool local_and_direct(const HttpRequest& request) {
  static const auth::TrustedProxies loopback = auth::TrustedProxies::parse("127.0.0.0/8, ::1");
  return loopback.contains(request.remote_address) && !request.header("x-forwarded-for");
}

// The refusal of a scrape, or nullopt when it may go on. With METRICS_TOKEN set every scrape,
// loopback too, must carry it; without one only local, direct scrapes are let in.
std::optional<HttpResponse> metrics_refusal(const HttpRequest& request, const std::string& token) {
  if (token.empty()) {
    if (local_and_direct(request)) return std::nullopt;
    return HttpResponse::error(sdk::errc::kForbidden,
                               "GET /metrics answers loopback clients only; set METRICS_TOKEN on the host and send "
                               "it as a bearer token to scrape from elsewhere",
                               request.request_id);
  }
  const std::string presented = request.header("authorization").value_or("");
  const std::string prefix = "Bearer ";
  // Compared as digests: equal lengths, so the time taken says nothing about the token.
  if (presented.rfind(prefix, 0) == 0 &&
      crypto::constant_time_equals(crypto::sha256_hex(presented.substr(prefix.size())), crypto::sha256_hex(token)))
    return std::nullopt;
  HttpResponse refused = HttpResponse::error(sdk::errc::kUnauthenticated,
                                             "GET /metrics needs the METRICS_TOKEN as a bearer token",
                                             request.request_id);
  refused.headers.emplace_back("WWW-Authenticate", "Bearer");
  return refused;
}

}  // namespace

void add_operator_routes(Router& router, ApiContext& api) {
  router.add(
      "GET", "/metrics",
      [&api](HttpRequest& request) {
        if (auto refused = metrics_refusal(request, api.system.metrics_token())) return *refused;
        HttpResponse response;
        response.body = metrics::process().scrape();
        response.content_type = metrics::kContentType;
        return response;
      },
      Dispatch::kInline);

  // The process answers: nothing else is looked at (a load balancer's liveness probe).
  router.add("GET", "/health/live", [](HttpRequest&) { return HttpResponse::json(200, {{"status", "ok"}}); },
             Dispatch::kInline);

  // Whether this instance should get traffic (a load balancer's readiness probe).
  router.add("GET", "/health/ready", [&api](HttpRequest&) {
    nlohmann::json checks = nlohmann::json::object();
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& check : api.system.readiness()) {
      nlohmann::json entry = {{"ok", check.ok}};
      if (!check.ok) {
        entry["detail"] = check.detail;
        failed.push_back(check.name);
      }
      checks[check.name] = std::move(entry);
    }
    const bool ready = failed.empty();
    return HttpResponse::json(ready ? 200 : 503,
                              {{"status", ready ? "ready" : "not_ready"}, {"checks", checks}, {"failed", failed}});
  });
}

}  // namespace socrates::host::rest

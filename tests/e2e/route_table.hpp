#pragma once
// The route table the host serves, built the way `serve` builds it (on a suite's databases), for
// the suites that walk every route: hardening (hostile input on each) and members (the roles on
// each). A route added to the router is in this table without anyone listing it.
#include "support/host_process.hpp"

#include "host/app/service_container.hpp"
#include "host/auth/account_service.hpp"
#include "host/config/config.hpp"
#include "host/rest/api.hpp"

#include <string>
#include <utility>
#include <vector>

namespace socrates::test::e2e {

inline std::vector<std::pair<std::string, std::string>> route_table(const EnvMap& env) {
  const auto config = host::load_config(host::Environment::from_map(env));
  host::ServiceContainer container(config);
  host::auth::AccountService accounts(container.auth_pool(), container.config());
  host::rest::ApiContext api{container.orchestrator(), accounts, container.agents(), container};
  std::vector<std::pair<std::string, std::string>> table;
  const auto router = host::rest::build_router(api);
  for (const auto& route : router->routes()) table.emplace_back(route.method, route.pattern);
  return table;
}

}  // namespace socrates::test::e2e

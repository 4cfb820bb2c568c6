#include "route_table.hpp"

#include "host/rest/api.hpp"

#include <memory>

namespace socrates::fuzz {

// build_router needs an ApiContext, whose parts (made by the ServiceContainer) would open two
// PostgreSQL pools. Registering a route only stores the context's address in its handler, and
// matching never calls a handler, so the context refers to storage where none of its parts is ever
// constructed: binding a reference to such storage is allowed ([basic.life]/7); calling a handler
// (which would use it) is not, and no harness does. A route file that starts touching the context
// while it registers would crash here at once, in the replay test too.
const host::rest::Router& route_table() {
  static const std::shared_ptr<host::rest::Router> router = [] {
    alignas(host::Orchestrator) static unsigned char orchestrator[sizeof(host::Orchestrator)];
    alignas(host::auth::AccountService) static unsigned char accounts[sizeof(host::auth::AccountService)];
    alignas(host::AgentAdmin) static unsigned char agents[sizeof(host::AgentAdmin)];
    alignas(host::rest::SystemStatus) static unsigned char system[sizeof(host::rest::SystemStatus)];
    static host::rest::ApiContext api{*reinterpret_cast<host::Orchestrator*>(orchestrator),
                                      *reinterpret_cast<host::auth::AccountService*>(accounts),
                                      *reinterpret_cast<host::AgentAdmin*>(agents),
                                      *reinterpret_cast<host::rest::SystemStatus*>(system)};
    return host::rest::build_router(api);
  }();
  return *router;
}

}  // namespace socrates::fuzz

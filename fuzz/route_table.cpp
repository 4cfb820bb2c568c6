#include "route_table.hpp"

#include "host/rest/api.hpp"

#include <memory>

namespace socrates::fuzz {

// build_router needs an ApiContext, whose ServiceContainer would open two PostgreSQL pools.
// Registering a route only stores the context's address in its handler, and matching never calls
// a handler, so the context refers to storage where no container or account service is ever
// constructed: binding a reference to such storage is allowed ([basic.life]/7); calling a handler
// (which would use it) is not, and no harness does. A route file that starts touching the context
// while it registers would crash here at once, in the replay test too.
const host::rest::Router& route_table() {
  static const std::shared_ptr<host::rest::Router> router = [] {
    alignas(host::ServiceContainer) static unsigned char container[sizeof(host::ServiceContainer)];
    alignas(host::auth::AccountService) static unsigned char accounts[sizeof(host::auth::AccountService)];
    static host::rest::ApiContext api{*reinterpret_cast<host::ServiceContainer*>(container),
                                      *reinterpret_cast<host::auth::AccountService*>(accounts)};
    return host::rest::build_router(api);
  }();
  return *router;
}

}  // namespace socrates::fuzz

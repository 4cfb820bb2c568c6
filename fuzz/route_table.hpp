#pragma once
// The host's real route table (rest::build_router), for harnesses that route without serving.

#include "host/rest/router.hpp"

namespace socrates::fuzz {

// Built once; never call a route's handler (see route_table.cpp).
const host::rest::Router& route_table();

}  // namespace socrates::fuzz

#pragma once
// Implementation detail of the SDK, not part of what plugin authors build against (it may change in
// any version): BaseAgent::handle runs every action through it, and the host runs its own routes
// through it so that both report errors the same way.
//
// Runs a handler and turns whatever it throws into an error result: AgentException → its error;
// DatabaseError → DATABASE_UNAVAILABLE (connection problems) or INTERNAL_ERROR; anything else →
// `fallback()`, with the exception logged.
// `context()` names the work for the log line; it and `fallback()` run only when something failed.

#include <socrates/sdk/result.hpp>
#include <socrates/sdk/services.hpp>

#include <exception>
#include <string>
#include <utility>

namespace socrates::sdk::detail {

template <typename Fn, typename Context, typename Fallback>
Result guarded(Services& services, Fn&& fn, Context&& context, Fallback&& fallback) noexcept {
  try {
    try {
      return std::forward<Fn>(fn)();
    } catch (const AgentException& e) {
      return Result::fail(e.error());
    } catch (const DatabaseError& e) {
      services.log(LogLevel::kError, "database error in " + context() + ": " + e.what());
      if (e.kind() == DbStatus::Kind::kUnavailable)
        return Result::fail(errc::kDatabaseUnavailable, "the database is unavailable; try again shortly");
      return Result::fail(errc::kInternal, "the request could not be completed");
    } catch (const std::exception& e) {
      services.log(LogLevel::kError, context() + " threw: " + e.what());
    } catch (...) {
      services.log(LogLevel::kError, context() + " threw a non-standard exception");
    }
    return Result::fail(fallback());
  } catch (...) {
    std::terminate();  // out of memory while reporting an error: nothing sane is left to do
  }
}

}  // namespace socrates::sdk::detail

#pragma once
// What an agent action returns: a JSON value, or an error. Plain data, safe to copy across the boundary.

#include <socrates/sdk/error.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>

namespace socrates::sdk {

// How the host should answer a successful result over REST; an agent called through
// POST /api/v1/agents/{agent}/{action} is always answered 200 {"result": value}.
enum class Outcome {
  kOk,         // 200
  kCreated,    // 201
  kNoContent,  // 204, value ignored
};

class Result {
 public:
  static Result ok(nlohmann::json value, Outcome outcome = Outcome::kOk) {
    Result r;
    r.value_ = std::move(value);
    r.outcome_ = outcome;
    return r;
  }
  static Result created(nlohmann::json value) { return ok(std::move(value), Outcome::kCreated); }
  static Result no_content() { return ok(nullptr, Outcome::kNoContent); }
  static Result fail(Error error) {
    Result r;
    r.error_ = std::move(error);
    return r;
  }
  static Result fail(std::string code, std::string message, nlohmann::json details = nlohmann::json::object()) {
    return fail(Error{std::move(code), std::move(message), std::move(details)});
  }

  bool is_ok() const noexcept { return !error_.has_value(); }
  const nlohmann::json& value() const noexcept { return value_; }
  nlohmann::json& value() noexcept { return value_; }
  Outcome outcome() const noexcept { return outcome_; }
  // Only for a failed result (is_ok() false); throws std::bad_optional_access otherwise.
  const Error& error() const { return error_.value(); }

  // Bytes for the next action of a host flow (docs/architecture.md, "Flows"), which gets them as
  // Request::handed; never shown to a client, and dropped when no flow asked for them.
  void hand_on(std::string bytes) { handed_on_ = std::move(bytes); }
  const std::string& handed_on() const noexcept { return handed_on_; }
  std::string take_handed_on() noexcept { return std::move(handed_on_); }

 private:
  Result() = default;
  nlohmann::json value_;
  Outcome outcome_ = Outcome::kOk;
  std::optional<Error> error_;
  std::string handed_on_;
};

}  // namespace socrates::sdk

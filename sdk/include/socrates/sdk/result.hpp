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
  // A value that arrived as JSON text its receiver has checked (nlohmann::json::accept): the host
  // keeps an agent's answer so, and one it only hands to a client is written out as it came, never
  // parsed. value() parses it on first use.
  static Result ok_text(std::string json_text, Outcome outcome = Outcome::kOk) {
    Result r;
    r.text_ = std::move(json_text);
    r.outcome_ = outcome;
    return r;
  }
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
  const nlohmann::json& value() const noexcept {
    parse_text();
    return value_;
  }
  // The value to change: its text, if it had one, no longer says what it holds and is dropped.
  nlohmann::json& value() noexcept {
    parse_text();
    text_.reset();
    return value_;
  }
  // The value's JSON text, when it arrived as text and has not been changed since (else null).
  const std::string* text() const noexcept { return text_ ? &*text_ : nullptr; }
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
  void parse_text() const noexcept {
    if (!text_ || parsed_) return;
    value_ = nlohmann::json::parse(*text_, nullptr, /*allow_exceptions=*/false);
    parsed_ = true;
  }
  mutable nlohmann::json value_;
  std::optional<std::string> text_;
  mutable bool parsed_ = false;
  Outcome outcome_ = Outcome::kOk;
  std::optional<Error> error_;
  std::string handed_on_;
};

}  // namespace socrates::sdk

#pragma once
// Unit-testing an agent without a host (since SDK 1.3): a fake Services and a call helper.
//
//   socrates::sdk::testing::FakeServices services;
//   HelloAgent agent({"hello", "Hello agent", "1.0.0"});
//   auto result = socrates::sdk::testing::call(agent, services, "greet", {{"name", "Ann"}});
//   // result.is_ok(), result.value()["greeting"] == "Hello, Ann"
//
// FakeServices is what an agent sees of a host with no database and no LLM configured:
//  - open_database() fails as kUnavailable, the way a host with its database down answers, so an
//    action that reads or writes answers DATABASE_UNAVAILABLE (test such actions against a real
//    PostgreSQL, or derive from FakeServices and return your own DatabaseSession);
//  - llm() is null (the built-in engine) unless a test sets a client of its own with set_llm();
//  - setting() answers from the map given to the constructor;
//  - log() keeps every line in memory, for lines() and logged() to check.
// call() sends a request through BaseAgent::handle, the host's one entry point, so a test sees what
// the host would see: exceptions turned into error results, unknown actions refused.
//
// It needs no test framework and no host library; it is the same fake the project's own tests use.
// Threading: every member of FakeServices may be called from several threads at once.

#include <socrates/sdk/base_agent.hpp>
#include <socrates/sdk/services.hpp>

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace socrates::sdk::testing {

class FakeServices : public Services {
 public:
  FakeServices() = default;
  // Settings by name, as setting() answers them: FakeServices services({{"DATA_DIR", "data"}});
  FakeServices(std::initializer_list<std::pair<const std::string, std::string>> settings) : settings_(settings) {}
  explicit FakeServices(std::map<std::string, std::string> settings) : settings_(std::move(settings)) {}

  std::unique_ptr<DatabaseSession> open_database(Database, DbStatus* status) noexcept override {
    if (status) {
      status->kind = DbStatus::Kind::kUnavailable;
      status->message = "no database in unit tests";
    }
    return nullptr;
  }

  void log(LogLevel, std::string_view message) noexcept override {
    try {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.emplace_back(message);
    } catch (...) {  // out of memory: the line is lost, as a host's would be
    }
  }

  std::optional<std::string> setting(std::string_view name) const noexcept override {
    try {
      auto it = settings_.find(std::string(name));
      if (it == settings_.end()) return std::nullopt;
      return it->second;
    } catch (...) {
      return std::nullopt;
    }
  }

  LlmClient* llm() noexcept override { return llm_; }

  // A client of the test's own for llm() (not owned; it must outlive the calls); null for none.
  void set_llm(LlmClient* llm) noexcept { llm_ = llm; }

  // Every line logged so far, in order.
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }
  // Whether a logged line contains `text`.
  bool logged(std::string_view text) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& line : lines_)
      if (line.find(text) != std::string::npos) return true;
    return false;
  }

 private:
  std::map<std::string, std::string> settings_;
  LlmClient* llm_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// A signed-in caller, as the host would pass one: a user (UUID), role "user", a request id.
inline Caller user(std::string user_id = "00000000-0000-4000-8000-000000000001") {
  return Caller{std::move(user_id), "user", "test-request"};
}
inline Caller admin(std::string user_id = "00000000-0000-4000-8000-0000000000ad") {
  return Caller{std::move(user_id), "admin", "test-request"};
}

// Calls `action` of `agent` with `params` (null stands for {}, the host never sends anything but an
// object) as `caller` (a signed-in user by default).
inline Result call(BaseAgent& agent, Services& services, std::string action,
                   nlohmann::json params = nlohmann::json::object(), Caller caller = user()) {
  if (params.is_null()) params = nlohmann::json::object();
  return agent.handle(Request{std::move(action), std::move(params), std::move(caller), {}}, services);
}

}  // namespace socrates::sdk::testing

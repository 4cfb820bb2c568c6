#pragma once
// A minimal sdk::Services for unit tests: no database (every lease fails as "unavailable", the way a
// host with its database down answers), no LLM, settings from a map, and log lines kept in memory
// so a test can check what an agent reported.

#include <socrates/sdk/services.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socrates::test {

class FakeServices : public sdk::Services {
 public:
  FakeServices() = default;
  explicit FakeServices(std::map<std::string, std::string> settings) : settings_(std::move(settings)) {}

  std::unique_ptr<sdk::DatabaseSession> open_database(sdk::Database, sdk::DbStatus* status) noexcept override {
    if (status) {
      status->kind = sdk::DbStatus::Kind::kUnavailable;
      status->message = "no database in unit tests";
    }
    return nullptr;
  }

  void log(sdk::LogLevel, std::string_view message) noexcept override {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.emplace_back(message);
  }

  std::optional<std::string> setting(std::string_view name) const noexcept override {
    auto it = settings_.find(std::string(name));
    if (it == settings_.end()) return std::nullopt;
    return it->second;
  }

  sdk::LlmClient* llm() noexcept override { return nullptr; }

  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 private:
  std::map<std::string, std::string> settings_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace socrates::test

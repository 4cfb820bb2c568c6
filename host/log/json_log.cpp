#include "host/log/json_log.hpp"

#include <socrates/sdk/services.hpp>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace socrates::host::log {
namespace {

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = spdlog::stderr_logger_mt("socrates");
    l->set_pattern("%v");  // the line is already a complete JSON object
    l->set_level(spdlog::level::info);
    return l;
  }();
  return instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kTrace: return spdlog::level::trace;
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::kTrace: return "trace";
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::string now_rfc3339_ms() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buffer;
}

thread_local RequestContext t_context;

}  // namespace

void init(const std::string& level) {
  auto& l = logger();
  if (level == "off") {
    l->set_level(spdlog::level::off);
  } else {
    l->set_level(spdlog::level::from_str(level));
  }
  l->flush_on(spdlog::level::info);
}

bool enabled(Level level) noexcept { return logger()->should_log(to_spdlog(level)); }

void write(sdk::LogLevel level, std::string_view message) noexcept {
  switch (level) {
    case sdk::LogLevel::kDebug: write(Level::kDebug, message); break;
    case sdk::LogLevel::kInfo: write(Level::kInfo, message); break;
    case sdk::LogLevel::kWarn: write(Level::kWarn, message); break;
    case sdk::LogLevel::kError: write(Level::kError, message); break;
  }
}

void write(Level level, std::string_view message, const nlohmann::json& fields) noexcept {
  try {
    auto& l = logger();
    if (!l->should_log(to_spdlog(level))) return;
    nlohmann::json line = nlohmann::json::object();
    line["time"] = now_rfc3339_ms();
    line["level"] = level_name(level);
    line["message"] = message;
    const RequestContext& ctx = t_context;
    if (!ctx.request_id.empty()) line["request_id"] = ctx.request_id;
    if (!ctx.user_id.empty()) line["user_id"] = ctx.user_id;
    if (!ctx.agent.empty()) line["agent"] = ctx.agent;
    if (!ctx.action.empty()) line["action"] = ctx.action;
    if (fields.is_object())
      for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
    // Replace invalid UTF-8 rather than throw: a log line must never take a request down.
    l->log(to_spdlog(level), line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } catch (...) {
  }
}

ScopedRequestContext::ScopedRequestContext(RequestContext context) : previous_(std::move(t_context)) {
  t_context = std::move(context);
}
ScopedRequestContext::~ScopedRequestContext() { t_context = std::move(previous_); }
RequestContext& current_context() noexcept { return t_context; }

}  // namespace socrates::host::log

// Deadlines of agent calls (docs/plugins.md, "Deadlines"): the watchdog that times them, the
// deadline each agent gets (its plugin's, capped by the host's; the host's for a plugin of an older
// ABI minor), the early 504 and the count, and what an abandoned call may still do (nothing with
// the database or the LLM; never COMMIT).
#include "host/concurrency/early_answer.hpp"
#include "host/concurrency/watchdog.hpp"
#include "host/error_codes.hpp"
#include "host/orchestrator/call_deadline.hpp"
#include "host/orchestrator/orchestrator.hpp"
#include "host/rest/http.hpp"
#include "support/fixture_plugins.hpp"
#include "support/gate.hpp"
#include "support/integration_fixture.hpp"

#include <socrates/sdk/testing.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace socrates::host {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::eventually;
using test::fixture;
using Clock = std::chrono::steady_clock;

// ---- The watchdog -------------------------------------------------------------------------------

// A timer that runs a test's function.
class FunctionTimer final : public Watchdog::Timer {
 public:
  explicit FunctionTimer(std::function<std::optional<Watchdog::Clock::duration>()> function)
      : function_(std::move(function)) {}
  std::optional<Watchdog::Clock::duration> fire() noexcept override { return function_(); }

 private:
  std::function<std::optional<Watchdog::Clock::duration>()> function_;
};

TEST(WatchdogTest, FiresOncePastItsMomentAndNotBefore) {
  Watchdog watchdog;
  std::atomic<int> fired{0};
  const auto armed = Clock::now();
  std::atomic<std::int64_t> after_ms{-1};
  FunctionTimer timer([&]() -> std::optional<Watchdog::Clock::duration> {
    after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - armed).count();
    ++fired;
    return std::nullopt;
  });
  watchdog.arm(timer, armed + 50ms);
  ASSERT_TRUE(eventually([&] { return fired.load() == 1; }));
  EXPECT_GE(after_ms.load(), 50);
  EXPECT_FALSE(watchdog.cancel(timer)) << "it fired: cancel must say so";
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(fired.load(), 1);
}

TEST(WatchdogTest, ACancelledTimerNeverFires) {
  Watchdog watchdog;
  std::atomic<int> fired{0};
  FunctionTimer late([&]() -> std::optional<Watchdog::Clock::duration> {
    ++fired;
    return std::nullopt;
  });
  watchdog.arm(late, Clock::now() + 30ms);
  // An earlier one armed after it still fires first (the thread wakes for it).
  std::atomic<int> early{0};
  FunctionTimer soon([&]() -> std::optional<Watchdog::Clock::duration> {
    ++early;
    return std::nullopt;
  });
  watchdog.arm(soon, Clock::now() + 5ms);
  EXPECT_TRUE(watchdog.cancel(late));
  ASSERT_TRUE(eventually([&] { return early.load() == 1; }));
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(fired.load(), 0);
  EXPECT_TRUE(watchdog.cancel(late)) << "cancelling twice is harmless";
  EXPECT_FALSE(watchdog.cancel(soon));
}

// The thread is woken only for a moment earlier than the one it waits for: one armed later, or
// armed after the timer the thread waited for was cancelled, still fires, and in order.
TEST(WatchdogTest, TimersArmedWhileTheThreadWaitsFireInOrderWhicheverWokeIt) {
  Watchdog watchdog;
  std::mutex mutex;
  std::vector<std::string> fired;
  auto recording = [&](std::string name) {
    return [&, name]() -> std::optional<Watchdog::Clock::duration> {
      std::lock_guard<std::mutex> lock(mutex);
      fired.push_back(name);
      return std::nullopt;
    };
  };
  FunctionTimer first(recording("first")), cancelled(recording("cancelled")), later(recording("later")),
      earliest(recording("earliest"));
  const auto now = Clock::now();
  watchdog.arm(first, now + 40ms);       // the thread waits for this one
  watchdog.arm(cancelled, now + 30ms);   // earlier: it wakes and waits for this one instead
  watchdog.arm(later, now + 80ms);       // later than its wait: no wake-up needed
  EXPECT_TRUE(watchdog.cancel(cancelled));
  watchdog.arm(earliest, now + 10ms);    // earlier than anything: woken for it
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return fired.size() == 3;
  }));
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(fired, (std::vector<std::string>{"earliest", "first", "later"}));
}

TEST(WatchdogTest, AFunctionThatAsksAgainRunsAgainAndCanStillBeCancelled) {
  Watchdog watchdog;
  std::atomic<int> runs{0};
  FunctionTimer timer([&]() -> std::optional<Watchdog::Clock::duration> {
    ++runs;
    return std::chrono::milliseconds(2);
  });
  watchdog.arm(timer, Clock::now());
  ASSERT_TRUE(eventually([&] { return runs.load() >= 3; }));
  EXPECT_TRUE(watchdog.cancel(timer)) << "between two runs it is armed, so it can be cancelled";
  const int seen = runs.load();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(runs.load(), seen);
}

TEST(WatchdogTest, ArmedCancelsWhenItGoesAndKeepsTheFirstAnswer) {
  Watchdog watchdog;
  std::atomic<int> fired{0};
  FunctionTimer timer([&]() -> std::optional<Watchdog::Clock::duration> {
    ++fired;
    return std::nullopt;
  });
  { Watchdog::Armed armed(watchdog, timer, Clock::now() + 20ms); }
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(fired.load(), 0) << "a timer whose Armed went is never fired";
  Watchdog::Armed armed(watchdog, timer, Clock::now());
  ASSERT_TRUE(eventually([&] { return fired.load() == 1; }));
  EXPECT_FALSE(armed.cancel());
  EXPECT_FALSE(armed.cancel()) << "still: it fired";
}

// ---- What an expired call may still do ---------------------------------------------------------

// A session that records what reached the database.
struct Recorded {
  std::mutex mutex;
  int statements = 0, commits = 0, rollbacks = 0;
};

class RecordingSession final : public sdk::DatabaseSession {
 public:
  explicit RecordingSession(Recorded& recorded) : recorded_(recorded) {}
  bool begin(sdk::DbStatus*) noexcept override { return true; }
  bool commit(sdk::DbStatus*) noexcept override {
    std::lock_guard<std::mutex> lock(recorded_.mutex);
    ++recorded_.commits;
    return true;
  }
  void rollback() noexcept override {
    std::lock_guard<std::mutex> lock(recorded_.mutex);
    ++recorded_.rollbacks;
  }
  bool execute(std::string_view, const sdk::Param*, std::size_t, sdk::ResultSet*, sdk::DbStatus*) noexcept override {
    std::lock_guard<std::mutex> lock(recorded_.mutex);
    ++recorded_.statements;
    return true;
  }
  bool execute_batch(const sdk::Statement*, std::size_t, bool commit, sdk::ResultSet*, std::size_t*,
                     sdk::DbStatus*) noexcept override {
    std::lock_guard<std::mutex> lock(recorded_.mutex);
    ++recorded_.statements;
    if (commit) ++recorded_.commits;
    return true;
  }

 private:
  Recorded& recorded_;
};

class RecordingServices final : public sdk::testing::FakeServices {
 public:
  std::unique_ptr<sdk::DatabaseSession> open_database(sdk::Database, sdk::DbStatus*) noexcept override {
    return std::make_unique<RecordingSession>(recorded);
  }
  Recorded recorded;
};

TEST(CallDeadlineTest, AnExpiredCallNeverCommitsAndRunsNoStatement) {
  RecordingServices inner;
  CallDeadline deadline;
  DeadlineServices services(inner, deadline);
  auto session = services.open_database(sdk::Database::kSpecs, nullptr);
  ASSERT_TRUE(session);
  ASSERT_TRUE(session->begin(nullptr));
  ASSERT_TRUE(session->execute("INSERT", nullptr, 0, nullptr, nullptr));

  ASSERT_TRUE(deadline.expire());
  sdk::DbStatus status;
  EXPECT_FALSE(session->execute("INSERT", nullptr, 0, nullptr, &status));
  EXPECT_EQ(status.kind, sdk::DbStatus::Kind::kUnavailable);
  EXPECT_FALSE(session->commit(&status));
  sdk::Statement statement{"INSERT", {}};
  std::size_t failed = 99;
  EXPECT_FALSE(session->execute_batch(&statement, 1, /*commit=*/true, nullptr, &failed, &status));
  EXPECT_EQ(inner.recorded.statements, 1) << "nothing ran after the deadline";
  EXPECT_EQ(inner.recorded.commits, 0) << "an expired call must never commit";
  EXPECT_GE(inner.recorded.rollbacks, 1) << "its transaction is rolled back instead";
  EXPECT_FALSE(services.open_database(sdk::Database::kSpecs, &status)) << "nor does it get another session";
}

TEST(CallDeadlineTest, ACommitUnderWayHoldsTheExpiryOffUntilItReturns) {
  CallDeadline deadline;
  ASSERT_TRUE(deadline.begin_commit());
  EXPECT_FALSE(deadline.expire()) << "a commit is under way: the 504 must wait for it";
  EXPECT_FALSE(deadline.expired());
  deadline.end_commit();
  EXPECT_TRUE(deadline.expire());
  EXPECT_TRUE(deadline.expire()) << "expiring twice is harmless";
  EXPECT_FALSE(deadline.begin_commit());
}

TEST(CallDeadlineTest, TheLlmOfAnExpiredCallIsNotAsked) {
  sdk::testing::FakeServices inner;
  CallDeadline deadline;
  DeadlineServices services(inner, deadline);
  EXPECT_EQ(services.llm(), inner.llm()) << "no LLM configured: none either way";
  EXPECT_EQ(services.setting("NOT_SET"), std::nullopt);
}

// ---- Deadlines through the orchestrator --------------------------------------------------------

sdk::Caller caller() {
  sdk::Caller c;
  c.user_id = "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11";
  c.role = "user";
  c.request_id = "req-deadline";
  return c;
}

// Records an early answer, as the REST transport would send it.
class RecordingEarlyAnswer final : public EarlyAnswer {
 public:
  bool answer_now(const sdk::Error& error) noexcept override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (answered_) return false;
    answered_ = true;
    code_ = error.code;
    at_ = Clock::now();
    return true;
  }
  bool answered_early() const noexcept override {
    std::lock_guard<std::mutex> lock(mutex_);
    return answered_;
  }
  std::string code() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return code_;
  }
  Clock::time_point at() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return at_;
  }

 private:
  mutable std::mutex mutex_;
  bool answered_ = false;
  std::string code_;
  Clock::time_point at_;
};

class DeadlineTest : public ::testing::Test {
 protected:
  void TearDown() override {
    orchestrator_.reset();
    registry_.reset();
  }
  AgentRegistry& serve(std::chrono::milliseconds cap, std::initializer_list<const char*> names) {
    orchestrator_.reset();
    registry_.emplace(cap);
    for (const char* name : names) {
      LoadedPlugin plugin = PluginLoader(copies_.path()).load(fixture(name));
      std::string error;
      EXPECT_TRUE(plugin.agent->start(services_, &error)) << name << ": " << error;
      registry_->add(std::move(plugin));
    }
    orchestrator_.emplace(*registry_, services_);
    return *registry_;
  }

  test::TempDir copies_;  // first: removed after the registry has unloaded its copies
  sdk::testing::FakeServices services_;
  std::optional<AgentRegistry> registry_;
  std::optional<Orchestrator> orchestrator_;
};

TEST_F(DeadlineTest, EachAgentHasItsPluginsDeadlineCappedByTheHostsAndOlderMinorsTheHostsDefault) {
  AgentRegistry& registry = serve(10s, {"fixture_slow", "fixture_c", "fixture_good"});
  EXPECT_EQ(registry.find("fixture_slow")->plugin.info.deadline_ms, 300u);
  EXPECT_EQ(registry.find("fixture_slow")->deadline, 300ms) << "its own, under the cap";
  EXPECT_EQ(registry.find("fixture_c")->deadline, 4000ms) << "a C plugin declares one too";
  EXPECT_EQ(registry.find("fixture_good")->deadline, 10s) << "declares none: the host's";

  AgentRegistry& capped = serve(100ms, {"fixture_slow", "fixture_c_abi22"});
  EXPECT_EQ(capped.find("fixture_slow")->deadline, 100ms) << "the host's setting caps the plugin's";
  EXPECT_EQ(capped.find("fixture_c")->plugin.info.abi_minor, 2);
  EXPECT_EQ(capped.find("fixture_c")->plugin.info.deadline_ms, 0u)
      << "a 2.2 descriptor has no deadline: the host must not read past its size";
  EXPECT_TRUE(capped.find("fixture_c")->plugin.info.migrations.empty()) << "nor migrations";
  EXPECT_EQ(capped.find("fixture_c")->deadline, 100ms);
  const sdk::Result whoami = orchestrator_->route("fixture_c", "whoami", json::object(), caller());
  ASSERT_TRUE(whoami.is_ok()) << whoami.error().code;
  EXPECT_EQ(whoami.value().at("abi_minor"), 2) << "a plugin of the previous minor still answers";

  AgentRegistry& first = serve(7s, {"fixture_c_abi20"});
  EXPECT_EQ(first.find("fixture_c")->deadline, 7s);
}

TEST_F(DeadlineTest, ACallPastItsDeadlineIsAnsweredEarlyWithAgentTimeoutAndCounted) {
  serve(10s, {"fixture_slow"});
  RecordingEarlyAnswer early;
  EarlyAnswerScope scope(early);
  const auto started = Clock::now();
  const sdk::Result result = orchestrator_->route("fixture_slow", "sleep", {{"ms", 900}}, caller());
  const auto returned = Clock::now();

  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, errc::kAgentTimeout);
  EXPECT_EQ(rest::status_for_error(result.error().code), 504);
  EXPECT_EQ(result.error().details.at("agent"), "fixture_slow");
  EXPECT_EQ(result.error().details.at("action"), "sleep");
  EXPECT_EQ(result.error().details.at("deadline_ms"), 300);
  // The request was answered at the deadline, while the agent still slept.
  ASSERT_EQ(early.code(), errc::kAgentTimeout);
  EXPECT_GE(early.at() - started, 300ms);
  EXPECT_LT(early.at() - started, 800ms);
  EXPECT_GE(returned - started, 900ms);

  const auto& stats = *registry_->find("fixture_slow")->stats;
  EXPECT_EQ(stats.timeouts.load(), 1u);
  EXPECT_EQ(stats.errors.load(), 1u);
  EXPECT_EQ(stats.recent_timeouts(Clock::now(), 1min), 1u);
  EXPECT_EQ(stats.recent_timeouts(Clock::now() + 2min, 1min), 0u) << "an old timeout no longer counts";

  // A request answered early runs nothing more (the next step of its flow is refused at once).
  const auto again = Clock::now();
  const sdk::Result next = orchestrator_->route("fixture_slow", "sleep", {{"ms", 0}}, caller());
  ASSERT_FALSE(next.is_ok());
  EXPECT_EQ(next.error().code, errc::kAgentTimeout);
  EXPECT_LT(Clock::now() - again, 100ms);
}

TEST_F(DeadlineTest, ACallWithinItsDeadlineIsUntouched) {
  serve(10s, {"fixture_slow"});
  RecordingEarlyAnswer early;
  EarlyAnswerScope scope(early);
  for (int i = 0; i < 50; ++i) {
    const sdk::Result result = orchestrator_->route("fixture_slow", "sleep", {{"ms", 1}}, caller());
    ASSERT_TRUE(result.is_ok()) << result.error().code;
  }
  EXPECT_FALSE(early.answered_early());
  EXPECT_EQ(registry_->find("fixture_slow")->stats->timeouts.load(), 0u);
}

TEST_F(DeadlineTest, WithoutATransportsEarlyAnswerTheResultIsStillAgentTimeout) {
  serve(50ms, {"fixture_slow"});
  const sdk::Result result = orchestrator_->route("fixture_slow", "sleep", {{"ms", 200}}, caller());
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, errc::kAgentTimeout);
  EXPECT_EQ(result.error().details.at("deadline_ms"), 50);
}

}  // namespace
}  // namespace socrates::host

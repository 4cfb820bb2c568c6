#include "host/auth/hash_pool.hpp"

#include "host/rest/worker_pool.hpp"
#include "support/gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

namespace socrates::host::auth {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::Gate;

TEST(HashPoolTest, RunsTheWorkOnAPoolThreadAndAnswersItsValue) {
  HashPool pool(1, 0);
  const auto caller = std::this_thread::get_id();
  const auto ran_on = pool.run([] { return std::this_thread::get_id(); });
  ASSERT_TRUE(ran_on.has_value());
  EXPECT_NE(*ran_on, caller);
  EXPECT_EQ(pool.in_flight(), 0u);
}

TEST(HashPoolTest, PassesOnWhatTheWorkThrows) {
  HashPool pool(1, 0);
  EXPECT_THROW(pool.run([]() -> int { throw std::runtime_error("out of memory"); }), std::runtime_error);
  EXPECT_TRUE(eventually([&] { return pool.in_flight() == 0; }));
  EXPECT_EQ(pool.run([] { return 7; }), 7) << "a throwing task must not cost the pool its thread";
}

TEST(HashPoolTest, RefusesAtOnceWhenEveryThreadIsBusyAndThereIsNoQueue) {
  HashPool pool(1, 0);
  Gate gate;
  auto busy = std::async(std::launch::async, [&] { return pool.run([&] { gate.wait(); return 1; }); });
  ASSERT_TRUE(eventually([&] { return pool.in_flight() == 1; }));

  std::atomic<bool> ran{false};
  EXPECT_FALSE(pool.run([&] { ran = true; return 2; }).has_value());
  EXPECT_FALSE(ran) << "refused work must not run";

  gate.open();
  EXPECT_EQ(busy.get(), 1);
  ASSERT_TRUE(eventually([&] { return pool.in_flight() == 0; }));
  EXPECT_EQ(pool.run([] { return 3; }), 3) << "room again once the work is done";
}

TEST(HashPoolTest, QueuesUpToItsBoundThenRefuses) {
  HashPool pool(1, 1);
  Gate gate;
  auto first = std::async(std::launch::async, [&] { return pool.run([&] { gate.wait(); return 1; }); });
  ASSERT_TRUE(eventually([&] { return pool.in_flight() == 1; }));
  auto queued = std::async(std::launch::async, [&] { return pool.run([] { return 2; }); });
  ASSERT_TRUE(eventually([&] { return pool.in_flight() == 2; }));

  EXPECT_FALSE(pool.run([] { return 3; }).has_value());

  gate.open();
  EXPECT_EQ(first.get(), 1);
  EXPECT_EQ(queued.get(), 2) << "queued work runs once a thread is free";
}

// On a request worker the wait is managed blocking: the worker pool keeps its capacity for other
// requests meanwhile, and when that pool admits no more blocked tasks the hash is refused.
TEST(HashPoolTest, WaitsOnAWorkerAsManagedBlocking) {
  rest::WorkerPool workers(1, 8, /*max_blocked=*/1);
  HashPool pool(1, 4);
  Gate gate;
  std::promise<std::optional<int>> hashed;
  ASSERT_TRUE(workers.submit([&] { hashed.set_value(pool.run([&] { gate.wait(); return 1; })); }));
  ASSERT_TRUE(eventually([&] { return workers.blocked() == 1; }));

  // The only worker waits on the hash, yet other work still runs (on a compensating thread).
  std::promise<void> other_ran;
  ASSERT_TRUE(workers.submit([&] { other_ran.set_value(); }));
  EXPECT_EQ(other_ran.get_future().wait_for(10s), std::future_status::ready);

  // A second wait would exceed max_blocked: refused at once, though the hash queue has room.
  std::promise<std::optional<int>> refused;
  ASSERT_TRUE(workers.submit([&] { refused.set_value(pool.run([] { return 2; })); }));
  auto refused_value = refused.get_future();
  ASSERT_EQ(refused_value.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(refused_value.get().has_value());

  gate.open();
  auto value = hashed.get_future();
  ASSERT_EQ(value.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(value.get(), 1);
}

}  // namespace
}  // namespace socrates::host::auth

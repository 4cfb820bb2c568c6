#include "host/rest/worker_pool.hpp"

#include "support/gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace socrates::host::rest {
namespace {

using namespace std::chrono_literals;

using test::eventually;
using test::Gate;

TEST(WorkerPoolTest, RunsTasksOnOtherThreads) {
  WorkerPool pool(2, 16);
  std::promise<std::thread::id> ran_on;
  auto future = ran_on.get_future();
  ASSERT_TRUE(pool.submit([&ran_on] { ran_on.set_value(std::this_thread::get_id()); }));
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  EXPECT_NE(future.get(), std::this_thread::get_id());
}

TEST(WorkerPoolTest, TasksRunConcurrentlyUpToTheThreadCount) {
  // A slow request must not hold up the next one: with two threads, two tasks run at once.
  WorkerPool pool(2, 16);
  Gate gate;
  std::atomic<int> running{0};
  std::mutex mutex;
  std::set<std::thread::id> threads;
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(pool.submit([&] {
      {
        std::lock_guard<std::mutex> lock(mutex);
        threads.insert(std::this_thread::get_id());
      }
      ++running;
      gate.wait();
    }));
  EXPECT_TRUE(eventually([&] { return running.load() == 2; })) << "the second task waited for the first";
  gate.open();
  pool.stop();
  EXPECT_EQ(threads.size(), 2u);
}

TEST(WorkerPoolTest, SubmitIsRefusedBeyondMaxQueued) {
  WorkerPool pool(1, 2);
  Gate gate;
  std::atomic<bool> started{false};
  std::atomic<int> done{0};
  ASSERT_TRUE(pool.submit([&] {
    started = true;
    gate.wait();
    ++done;
  }));
  // The running task no longer counts against the queue.
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  EXPECT_EQ(pool.queued(), 0u);

  EXPECT_TRUE(pool.submit([&] { ++done; }));
  EXPECT_TRUE(pool.submit([&] { ++done; }));
  EXPECT_EQ(pool.queued(), 2u);
  EXPECT_FALSE(pool.submit([&] { ++done; })) << "a full queue must refuse, so that the server answers 503";
  EXPECT_EQ(pool.queued(), 2u);

  gate.open();
  EXPECT_TRUE(eventually([&] { return done.load() == 3; }));
  EXPECT_TRUE(eventually([&] { return pool.queued() == 0; }));
  // Room again once the queue has drained.
  EXPECT_TRUE(pool.submit([&] { ++done; }));
  pool.stop();
  EXPECT_EQ(done.load(), 4);
}

TEST(WorkerPoolTest, StopDrainsQueuedWorkThenJoins) {
  WorkerPool pool(1, 100);
  Gate gate;
  std::atomic<int> done{0};
  ASSERT_TRUE(pool.submit([&] {
    gate.wait();
    ++done;
  }));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(pool.submit([&] { ++done; }));

  // stop() blocks until everything queued has run; open the gate from another thread meanwhile.
  std::thread opener([&] {
    std::this_thread::sleep_for(50ms);
    gate.open();
  });
  pool.stop();
  EXPECT_EQ(done.load(), 11) << "stop() returned before queued work ran";
  EXPECT_EQ(pool.queued(), 0u);
  opener.join();
}

TEST(WorkerPoolTest, SubmitAfterStopIsRefused) {
  WorkerPool pool(2, 16);
  pool.stop();
  std::atomic<bool> ran{false};
  EXPECT_FALSE(pool.submit([&] { ran = true; }));
  EXPECT_FALSE(ran.load());
  EXPECT_EQ(pool.queued(), 0u);
}

TEST(WorkerPoolTest, StopTwiceAndDestructorAfterStopAreHarmless) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(2, 16);
    ASSERT_TRUE(pool.submit([&] { ++done; }));
    pool.stop();
    pool.stop();
  }
  EXPECT_EQ(done.load(), 1);
}

TEST(WorkerPoolTest, DestructorFinishesQueuedWork) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(1, 100);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(pool.submit([&] { ++done; }));
  }
  EXPECT_EQ(done.load(), 20);
}

TEST(WorkerPoolTest, ManySubmittersAllGetTheirWorkDone) {
  WorkerPool pool(2, 10000);
  std::atomic<int> done{0};
  std::vector<std::thread> submitters;
  for (int t = 0; t < 4; ++t)
    submitters.emplace_back([&] {
      for (int i = 0; i < 250; ++i) EXPECT_TRUE(pool.submit([&] { ++done; }));
    });
  for (auto& thread : submitters) thread.join();
  pool.stop();
  EXPECT_EQ(done.load(), 1000);
}

}  // namespace
}  // namespace socrates::host::rest

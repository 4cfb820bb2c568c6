// The starvation fix: tasks blocked in an LLM call (a BlockingScope) do not take the worker
// pool's capacity away from fast requests, the pool's thread count stays bounded, and past the
// bound a blocking call is refused at once (the LLM client then answers LLM_UNAVAILABLE).
#include "host/concurrency/managed_blocking.hpp"

#include "host/llm/llm_client.hpp"
#include "host/rest/worker_pool.hpp"
#include "support/gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace socrates::host {
namespace {

using namespace std::chrono_literals;

using test::eventually;
using test::Gate;

TEST(ManagedBlockingTest, FastTasksKeepRunningWhileEveryWorkerIsBlockedInASimulatedLlmCall) {
  constexpr std::size_t kWorkers = 2;
  constexpr int kBlocked = 6;  // more than the pool has threads
  rest::WorkerPool pool(kWorkers, 1000, /*max_blocked=*/16);
  Gate model;
  std::atomic<int> admitted{0}, refused{0};
  for (int i = 0; i < kBlocked; ++i)
    ASSERT_TRUE(pool.submit([&] {
      BlockingScope scope;
      if (!scope.admitted()) {
        ++refused;
        return;
      }
      ++admitted;
      model.wait();  // the model is thinking
    }));
  ASSERT_TRUE(eventually([&] { return admitted.load() == kBlocked; }))
      << "only " << admitted.load() << " of " << kBlocked << " slow calls got a thread";
  EXPECT_EQ(pool.blocked(), static_cast<std::size_t>(kBlocked));
  EXPECT_EQ(pool.live_threads(), kWorkers + kBlocked) << "one compensating thread per blocked task";

  // Fast requests are served while all of that waits.
  // (The model's gate is still shut: whatever runs, runs beside the blocked tasks. How fast is
  // for bench/, not for a pass/fail here.)
  std::atomic<int> fast{0};
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(pool.submit([&] { ++fast; }));
  EXPECT_TRUE(eventually([&] { return fast.load() == 200; })) << fast.load() << " of 200 fast tasks ran";
  EXPECT_EQ(refused.load(), 0);

  // The model answers: the pool shrinks back to its size.
  model.open();
  EXPECT_TRUE(eventually([&] { return pool.blocked() == 0 && pool.live_threads() == kWorkers; }))
      << "live " << pool.live_threads() << ", blocked " << pool.blocked();
  // And still works.
  std::atomic<bool> ran{false};
  ASSERT_TRUE(pool.submit([&] { ran = true; }));
  EXPECT_TRUE(eventually([&] { return ran.load(); }));
}

TEST(ManagedBlockingTest, BlockingBeyondTheBoundIsRefusedAtOnceAndThreadsStayBounded) {
  rest::WorkerPool pool(1, 1000, /*max_blocked=*/3);
  Gate model;
  std::atomic<int> admitted{0}, refused{0};
  std::atomic<std::size_t> most_threads{0};
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(pool.submit([&] {
      BlockingScope scope;
      const std::size_t live = pool.live_threads();
      std::size_t seen = most_threads.load();
      while (live > seen && !most_threads.compare_exchange_weak(seen, live)) {
      }
      if (!scope.admitted()) {
        ++refused;
        return;
      }
      ++admitted;
      model.wait();
    }));
  EXPECT_TRUE(eventually([&] { return admitted.load() + refused.load() == 10; }))
      << "admitted " << admitted.load() << ", refused " << refused.load() << ": a refused call must not wait";
  EXPECT_EQ(admitted.load(), 3);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_LE(pool.live_threads(), 1u + 3u);
  EXPECT_LE(most_threads.load(), 1u + 3u);
  model.open();
  EXPECT_TRUE(eventually([&] { return pool.live_threads() == 1 && pool.blocked() == 0; }));
}

TEST(ManagedBlockingTest, APoolWithoutABoundRefusesEveryBlockingCall) {
  rest::WorkerPool pool(2, 10);
  std::atomic<int> result{-1};
  ASSERT_TRUE(pool.submit([&] {
    BlockingScope scope;
    result = scope.admitted() ? 1 : 0;
  }));
  EXPECT_TRUE(eventually([&] { return result.load() != -1; }));
  EXPECT_EQ(result.load(), 0);
  EXPECT_EQ(pool.live_threads(), 2u);
}

TEST(ManagedBlockingTest, AThreadNoPoolOwnsIsAlwaysAdmitted) {
  EXPECT_EQ(current_blocking_host(), nullptr);
  BlockingScope scope;
  EXPECT_TRUE(scope.admitted());
}

TEST(ManagedBlockingTest, StopWaitsForBlockedTasksAndCompensatingThreads) {
  std::atomic<int> done{0};
  Gate model;
  std::thread opener;
  {
    rest::WorkerPool pool(1, 100, 4);
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(pool.submit([&] {
        BlockingScope scope;
        model.wait();
        ++done;
      }));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.submit([&] { ++done; }));
    ASSERT_TRUE(eventually([&] { return pool.blocked() == 3; }));
    opener = std::thread([&] {
      std::this_thread::sleep_for(50ms);
      model.open();
    });
    pool.stop();
    EXPECT_EQ(done.load(), 8);
  }
  opener.join();
}

// --- the LLM client in the pool: a transport that blocks like a model thinking.

class BlockingTransport final : public llm::HttpTransport {
 public:
  llm::HttpReply send(const llm::HttpCall&) noexcept override {
    ++calls;
    gate.wait();
    llm::HttpReply reply;
    reply.outcome = llm::HttpReply::Outcome::kAnswered;
    reply.status = 200;
    reply.body = R"({"choices":[{"message":{"role":"assistant","content":"fine"}}],"model":"m"})";
    return reply;
  }
  Gate gate;
  std::atomic<int> calls{0};
};

TEST(ManagedBlockingTest, LlmCallsBeyondThePoolsBoundFailFastWithLlmUnavailable) {
  auto transport = std::make_shared<BlockingTransport>();
  llm::LlmOptions options;
  options.base_url = "http://127.0.0.1:1/v1";
  options.model = "m";
  options.concurrency = 100;  // the pool's bound is the tighter one here
  llm::OpenAiClient client(options, transport, nullptr);

  rest::WorkerPool pool(2, 100, /*max_blocked=*/2);
  std::mutex mutex;
  std::vector<std::string> codes;
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(pool.submit([&] {
      sdk::LlmRequest request;
      request.messages.push_back({"user", "hi"});
      sdk::LlmResponse response;
      sdk::Error error;
      const bool ok = client.complete(request, &response, &error);
      std::lock_guard<std::mutex> lock(mutex);
      codes.push_back(ok ? "OK:" + response.text : error.code);
    }));
  // Two calls wait on the model; the other two were refused without waiting.
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return codes.size() == 2;
  }));
  {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(codes, (std::vector<std::string>{"LLM_UNAVAILABLE", "LLM_UNAVAILABLE"}));
  }
  EXPECT_EQ(transport->calls.load(), 2);
  // Fast work still runs meanwhile.
  std::atomic<bool> fast{false};
  ASSERT_TRUE(pool.submit([&] { fast = true; }));
  EXPECT_TRUE(eventually([&] { return fast.load(); }));

  transport->gate.open();
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return codes.size() == 4;
  }));
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(codes[2], "OK:fine");
  EXPECT_EQ(codes[3], "OK:fine");
}

TEST(ManagedBlockingTest, TheClientsOwnConcurrencyCapAlsoFailsFast) {
  auto transport = std::make_shared<BlockingTransport>();
  llm::LlmOptions options;
  options.base_url = "http://127.0.0.1:1/v1";
  options.model = "m";
  options.concurrency = 1;
  llm::OpenAiClient client(options, transport, nullptr);
  sdk::LlmRequest request;
  request.messages.push_back({"user", "hi"});

  std::thread waiting([&] {
    sdk::LlmResponse response;
    sdk::Error error;
    EXPECT_TRUE(client.complete(request, &response, &error)) << error.message;
  });
  ASSERT_TRUE(eventually([&] { return transport->calls.load() == 1; }));
  sdk::LlmResponse response;
  sdk::Error error;
  // Returning at all while the transport's gate is shut is the proof that it did not wait.
  EXPECT_FALSE(client.complete(request, &response, &error));
  EXPECT_EQ(transport->calls.load(), 1) << "the refused call reached the transport";
  EXPECT_EQ(error.code, "LLM_UNAVAILABLE");
  EXPECT_NE(error.message.find("LLM_CONCURRENCY"), std::string::npos) << error.message;
  transport->gate.open();
  waiting.join();
  EXPECT_EQ(client.in_flight(), 0);
}

}  // namespace
}  // namespace socrates::host

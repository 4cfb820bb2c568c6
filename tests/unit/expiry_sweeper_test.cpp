#include "host/auth/expiry_sweeper.hpp"

#include "support/gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>

namespace socrates::host::auth {
namespace {

using namespace std::chrono_literals;
using test::eventually;

TEST(ExpirySweeperTest, SweepsAtOnceThenEveryIntervalAndSurvivesAFailingSweep) {
  std::atomic<int> sweeps{0};
  ExpirySweeper sweeper(
      [&] {
        if (++sweeps == 1) throw std::runtime_error("database unreachable");
      },
      1ms);
  EXPECT_TRUE(eventually([&] { return sweeps.load() >= 3; })) << "a failed sweep stopped the sweeper";
}

TEST(ExpirySweeperTest, StopsWithoutWaitingOutItsInterval) {
  std::atomic<int> sweeps{0};
  {
    ExpirySweeper sweeper([&] { ++sweeps; }, std::chrono::hours(1));
    ASSERT_TRUE(eventually([&] { return sweeps.load() == 1; })) << "no sweep at start";
  }  // the destructor wakes the thread instead of sleeping for the hour
  EXPECT_EQ(sweeps.load(), 1);
}

}  // namespace
}  // namespace socrates::host::auth

// Figures as people say them, one phrasing class per test: spelled-out and compound numbers,
// nines, spaced thousands, ranges, relative figures, roles (growth, peak, ordinary, said in any
// order), percentile markers far from their figure, places beside people, a figure beside a
// shrug. (The sentences are not those of tests/data/eval: tests/quality/eval_set_check.py.)

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;

struct Figure {
  std::string key;
  double amount;
  std::string unit;
};

// The metric figures of an answer, in the order said.
std::vector<Figure> figures(const std::string& answer, const std::string& question) {
  std::vector<Figure> out;
  for (const Candidate& c : shipped().extract(answer, question))
    if (c.bound) out.push_back({c.specification.key, c.bound->amount, c.bound->unit});
  return out;
}

::testing::AssertionResult has(const std::vector<Figure>& found, const std::string& key, double amount,
                               const std::string& unit = "") {
  for (const Figure& f : found)
    if (f.key == key && std::abs(f.amount - amount) < 1e-9 && f.unit == unit) return ::testing::AssertionSuccess();
  std::string got;
  for (const Figure& f : found) got += " " + f.key + "=" + std::to_string(f.amount) + f.unit;
  return ::testing::AssertionFailure() << "no " << key << " = " << amount << unit << " among:" << got;
}

TEST(QuantitiesTest, SpelledOutCompoundNumbers) {
  EXPECT_TRUE(has(figures("Roughly three hundred and twenty members so far.", "scalability"), "total_users", 320));
  EXPECT_TRUE(has(figures("We serve about four thousand five hundred clients.", "scalability"), "total_users", 4500));
  EXPECT_TRUE(has(figures("Sixty-five patients, more or less.", "scalability"), "total_users", 65));
  EXPECT_TRUE(has(figures("Uptime of ninety-nine point nine five percent.", "performance"), "availability", 99.95, "%"));
  EXPECT_TRUE(has(figures("The report may take one and a half seconds.", "performance"), "p95_latency", 1.5, "s"));
  EXPECT_TRUE(has(figures("Restoring can take an hour and a half.", "disaster_recovery"), "rto", 1.5, "h"));
}

TEST(QuantitiesTest, NinesAreAvailability) {
  EXPECT_TRUE(has(figures("We want four nines for the payment API.", "performance"), "availability", 99.99, "%"));
  EXPECT_TRUE(has(figures("Two nines would already be fine.", "performance"), "availability", 99, "%"));
}

TEST(QuantitiesTest, SpacedThousandsAndYearsAreNoFigures) {
  EXPECT_TRUE(has(figures("About 45 000 subscribers.", "scalability"), "total_users", 45000));
  const auto found = figures("We aim for 80 thousand readers by 2028.", "scalability");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(has(found, "total_users_later", 80000));
}

TEST(QuantitiesTest, ARangeIsItsUpperFigure) {
  EXPECT_TRUE(has(figures("Search between 150 and 250 ms.", "performance"), "p95_latency", 250, "ms"));
  EXPECT_TRUE(has(figures("Pages in 1 to 2 seconds.", "performance"), "p95_latency", 2, "s"));
  EXPECT_TRUE(has(figures("The shop may be offline for a day or two.", "disaster_recovery"), "rto", 2, "days"));
  const auto counts = figures("Maybe 50 or 60 coaches.", "scalability");
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_TRUE(has(counts, "total_users", 60));
}

TEST(QuantitiesTest, RelativeFiguresGrowTheFigureBefore) {
  const auto doubled = figures("We ship 4,000 boxes a day and hope to double that within a year.", "scalability");
  EXPECT_TRUE(has(doubled, "requests_per_day", 4000));
  EXPECT_TRUE(has(doubled, "requests_per_day_later", 8000));
  const auto tenfold = figures("Logs are 300 GB a month now, ten times more once the app launches abroad.", "scalability");
  EXPECT_TRUE(has(tenfold, "data_volume", 300, "GB"));
  EXPECT_TRUE(has(tenfold, "data_volume_later", 3000, "GB"));
  EXPECT_TRUE(has(figures("Around 900 drivers today, 3x that next spring.", "scalability"), "total_users_later", 2700));
  // A relative figure with nothing before it is none; "double booking" is no figure at all.
  EXPECT_TRUE(figures("Traffic should double after launch.", "scalability").empty());
  EXPECT_TRUE(figures("Double booking must be impossible.", "requirements").empty());
}

TEST(QuantitiesTest, GrowthPhrasingWithoutANumberWord) {
  EXPECT_TRUE(has(figures("1,000 members now, 5,000 once the second city opens.", "scalability"), "total_users_later", 5000));
  EXPECT_TRUE(has(figures("500 families today and maybe 2,000 in 18 months.", "scalability"), "total_users_later", 2000));
  // "at once" is concurrency, not a time to come.
  EXPECT_TRUE(has(figures("Up to 700 people at once.", "scalability"), "peak_concurrent_users", 700));
}

TEST(QuantitiesTest, APeakSaidBeforeTheOrdinaryFigure) {
  const auto found = figures("Before Easter we take 5,000 bookings a day, usually it is around 600.", "scalability");
  EXPECT_TRUE(has(found, "requests_per_day_peak", 5000));
  EXPECT_TRUE(has(found, "requests_per_day", 600));
  const auto average = figures("On average 30 uploads per second, peaking at 250 in the evening.", "scalability");
  EXPECT_TRUE(has(average, "requests_per_second", 30));
  EXPECT_TRUE(has(average, "requests_per_second_peak", 250));
}

TEST(QuantitiesTest, ARolePhraseStaysOnItsSideOfAComma) {
  const auto found = figures("Today 120 vans and 9k customers, next year the region wants 30k customers.", "scalability");
  EXPECT_TRUE(has(found, "total_users", 9000));
  EXPECT_TRUE(has(found, "total_users_later", 30000));
}

TEST(QuantitiesTest, APercentileMarkerFarFromItsFigure) {
  EXPECT_TRUE(has(figures("p99 for the whole checkout flow below 900 ms.", "performance"), "p99_latency", 900, "ms"));
  const auto both = figures("Login p95 under 200 ms and p99 under 700 ms on mobile.", "performance");
  EXPECT_TRUE(has(both, "p95_latency", 200, "ms"));
  EXPECT_TRUE(has(both, "p99_latency", 700, "ms"));
}

TEST(QuantitiesTest, PlacesCountAsUsersOnlyBesidesNoPeople) {
  const auto found = figures("Four schools for now, roughly 1,300 children.", "scalability");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(has(found, "total_users", 1300));
  EXPECT_TRUE(has(figures("Maybe 80 companies to start with.", "scalability"), "total_users", 80));
}

TEST(QuantitiesTest, AFigureWithItsUnitBesideAShrug) {
  EXPECT_TRUE(has(figures("No idea really, 75% perhaps?", "testing"), "coverage_target", 75, "%"));
  EXPECT_TRUE(figures("Honestly no idea about that.", "testing").empty());
}

TEST(QuantitiesTest, InflectedTriggers) {
  EXPECT_TRUE(has(figures("Spotting a broken sensor within 10 minutes matters.", "monitoring"), "detection_time", 10, "min"));
}

}  // namespace
}  // namespace socrates::engine

// Figures as people say them, one table row per phrasing, grouped by the rule that reads it: a
// count's noun in a heading, a rate's trigger beside the figure's noun, a bare count after a figure,
// each data kind its retention period, shares that are percentiles, "one" as a pronoun, parts of a
// figure, role phrases kept in their part of the clause, outage, detection and session words,
// per-day and concurrency phrases, periods said with "every", units after an adjective, spelled
// fractions of thousands, a percentage without its sign, years to come, counts of things no metric
// counts; triggers and data kinds of the nearest figure, nouns before a figure, a second figure as a
// peak or growth, times of day, places beside people, corrections, sizes per item. (The sentences are
// not those of tests/data/eval: tests/quality/eval_set_check.py.)

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;

struct Expected {
  std::string key;
  double amount;
  std::string unit;
};

struct Row {
  const char* rule;
  const char* answer;
  const char* question;
  std::vector<Expected> figures;  // each must be among the answer's figures
  std::vector<Expected> absent;   // none of these may be (an empty key: no figure of that amount)
};

std::ostream& operator<<(std::ostream& out, const Row& row) { return out << row.rule << ": " << row.answer; }

const Row kRows[] = {
    {"heading noun", "Nurses: 450.", "scalability", {{"total_users", 450, ""}}, {}},
    {"heading noun", "Pharmacists with an account: roughly 900.", "scalability", {{"total_users", 900, ""}}, {}},
    {"heading noun", "Members of the club: 2,300, next year maybe 3,000.", "scalability",
     {{"total_users", 2300, ""}, {"total_users_later", 3000, ""}}, {}},
    {"trigger beside the noun", "Peak 8k parcels a day in December.", "scalability",
     {{"requests_per_day_peak", 8000, ""}}, {{"peak_concurrent_users", 8000, ""}}},
    {"trigger beside the noun", "In January it peaks at 2,000 renewals per day.", "scalability",
     {{"requests_per_day_peak", 2000, ""}}, {{"peak_concurrent_users", 2000, ""}}},
    {"bare count after a figure", "300 bookings per day on average, 900 on bank holidays.", "scalability",
     {{"requests_per_day", 300, ""}, {"requests_per_day_peak", 900, ""}}, {}},
    {"bare count after a figure", "Peak 9k tickets a day, off season around 1k.", "scalability",
     {{"requests_per_day_peak", 9000, ""}, {"requests_per_day", 1000, ""}}, {{"peak_concurrent_users", 1000, ""}}},
    {"one retention period per data kind", "Receipts we keep 6 years, raw sensor data 3 months.", "data_retention",
     {{"financial_records_retention_period", 6, "years"}, {"retention_period", 3, "months"}}, {}},
    {"data kinds by meaning", "Payments are kept for eight years.", "data_retention",
     {{"financial_records_retention_period", 8, "years"}}, {}},
    {"data kinds by meaning", "Vaccination records stay for 25 years.", "data_retention",
     {{"medical_records_retention_period", 25, "years"}}, {}},
    {"data kinds by meaning", "Search queries are anonymised after 30 days.", "data_retention",
     {{"analytics_retention_period", 30, "days"}}, {}},
    {"data kinds by meaning", "Birthdays can be deleted after a year.", "data_retention",
     {{"personal_data_retention_period", 1, "year"}}, {}},
    {"data kinds by meaning", "Care notes must be retained for 12 years.", "data_retention",
     {{"medical_records_retention_period", 12, "years"}}, {}},
    {"a share is a percentile", "Lookups must finish within 800 ms for 99% of users.", "performance",
     {{"p99_latency", 800, "ms"}}, {{"availability", 99, "%"}}},
    {"a share is a percentile", "For 95% of scans the result shows in 2 seconds.", "performance",
     {{"p95_latency", 2, "s"}}, {{"availability", 95, "%"}}},
    {"a share is a percentile", "For 99% of visitors the map shows in 3 s, and the kiosk is up 99.9% of working hours.",
     "performance", {{"p99_latency", 3, "s"}, {"availability", 99.9, "%"}}, {{"availability", 99, "%"}}},
    {"one as a pronoun", "About 5,000 sales a day in December and 700 on an ordinary one.", "scalability",
     {{"requests_per_day_peak", 5000, ""}, {"requests_per_day", 700, ""}}, {{"", 1, ""}}},
    {"a part of a figure", "About 600 requests per second at the evening peak and a tenth of that before dawn.",
     "scalability", {{"requests_per_second_peak", 600, ""}, {"requests_per_second", 60, ""}}, {}},
    {"roles stay in their part", "Roughly 3,000 messages a minute during the rush and 200 on a quiet night.",
     "scalability", {{"requests_per_minute_peak", 3000, ""}, {"requests_per_minute", 200, ""}}, {}},
    {"only figures with roles compete", "The feed gets 70 requests a second on a normal morning and about 500 after a goal.",
     "scalability", {{"requests_per_second", 70, ""}, {"requests_per_second_peak", 500, ""}}, {}},
    {"outage words", "If the kiosk is offline longer than 20 minutes, queues form.", "disaster_recovery",
     {{"rto", 20, "min"}}, {}},
    {"outage words", "Being without the dispatch system for half a day is survivable.", "disaster_recovery",
     {{"rto", 0.5, "days"}}, {}},
    {"outage words", "When the scanner stops working we need it going in 45 minutes.", "disaster_recovery",
     {{"rto", 45, "min"}}, {}},
    {"detection words", "The night shift must be warned within 4 minutes when a freezer fails.", "monitoring",
     {{"detection_time", 4, "min"}}, {}},
    {"detection words", "Raise an alert within 90 seconds if card payments stop.", "monitoring",
     {{"detection_time", 90, "s"}}, {}},
    {"session words", "Tablets stay logged in for 12 hours.", "security", {{"session_timeout", 12, "h"}}, {}},
    {"session words", "The portal should kick you out after 25 minutes.", "security", {{"session_timeout", 25, "min"}}, {}},
    {"per-day and concurrency phrases", "On a quiet day maybe 80 orders.", "scalability", {{"requests_per_day", 80, ""}}, {}},
    {"per-day and concurrency phrases", "Around 900 members are active in a given month.", "scalability",
     {{"monthly_active_users", 900, ""}}, {}},
    {"per-day and concurrency phrases", "Up to 250 clerks at any one time.", "scalability",
     {{"peak_concurrent_users", 250, ""}}, {}},
    {"per-day and concurrency phrases", "Around 400 parents online at the same time.", "scalability",
     {{"peak_concurrent_users", 400, ""}}, {}},
    {"a period said with every", "Sensors report every 45 seconds and the screen must update within 5 seconds.",
     "performance", {{"p95_latency", 5, "s"}}, {{"p95_latency", 45, "s"}}},
    {"a period said with every", "Pings every 10 seconds, and on-call must be paged within 3 minutes.", "monitoring",
     {{"detection_time", 3, "min"}}, {{"detection_time", 10, "s"}}},
    {"a unit after an adjective", "Tickets are deleted after 30 working days.", "data_retention",
     {{"retention_period", 30, "days"}}, {}},
    {"a unit after an adjective", "Payroll can be unavailable for a whole day.", "disaster_recovery", {{"rto", 1, "day"}}, {}},
    {"a spelled fraction of thousands", "Three and a half thousand riders.", "scalability", {{"total_users", 3500, ""}}, {}},
    {"a quarter of an hour", "Losing a quarter of an hour of entries is acceptable.", "disaster_recovery",
     {{"rpo", 0.25, "h"}}, {}},
    {"a percentage without its sign", "Uptime 99.5 for the public site.", "performance", {{"availability", 99.5, "%"}}, {}},
    {"a percentage without its sign", "Coverage: 85.", "testing", {{"coverage_target", 85, "%"}}, {}},
    {"years to come", "We plan for 40k drivers by the end of 2028.", "scalability", {{"total_users_later", 40000, ""}}, {}},
    {"years to come", "12,000 members today, 30,000 projected for 2029.", "scalability",
     {{"total_users", 12000, ""}, {"total_users_later", 30000, ""}}, {}},
    {"things no metric counts", "Next year, with two new depots, about 700 drivers.", "scalability",
     {{"total_users_later", 700, ""}}, {}},
    {"no loss of years", "It took us nine years to collect, losing it is not an option.", "disaster_recovery", {},
     {{"rpo", 9, "years"}}},
    {"a trigger is the nearest figure's", "Staff: 900, about 150 online at once.", "scalability",
     {{"total_users", 900, ""}, {"peak_concurrent_users", 150, ""}}, {{"peak_concurrent_users", 900, ""}}},
    {"a trigger in another part is farther", "Recovery time 3 hours, recovery point 10 minutes.", "disaster_recovery",
     {{"rto", 3, "h"}, {"rpo", 10, "min"}}, {{"rpo", 3, "h"}}},
    {"the data kind in the figure's part", "Audit logs 2y, server logs 14d.", "data_retention",
     {{"audit_logs_retention_period", 2, "years"}, {"logs_retention_period", 14, "days"}},
     {{"audit_logs_retention_period", 14, "days"}}},
    {"things counted per day are a rate", "In peak season around 3,000 tickets a day, in May perhaps 400.", "scalability",
     {{"requests_per_day_peak", 3000, ""}, {"requests_per_day", 400, ""}}, {{"requests_per_day_peak", 400, ""}}},
    {"a larger second rate is the peak", "Deliveries, maybe 90 a day, Fridays closer to 250.", "scalability",
     {{"requests_per_day", 90, ""}, {"requests_per_day_peak", 250, ""}}, {{"requests_per_day", 250, ""}}},
    {"a smaller second rate is the ordinary one", "Orders: 2,000 a day in December, 300 in February.", "scalability",
     {{"requests_per_day_peak", 2000, ""}, {"requests_per_day", 300, ""}}, {{"requests_per_day", 2000, ""}}},
    {"a larger second count of people grows", "Around 5,000 patients use the portal, and we expect 9,000 after the merger.",
     "scalability", {{"total_users", 5000, ""}, {"total_users_later", 9000, ""}}, {{"total_users_peak", 9000, ""}}},
    {"a bare figure after the answer's figure before", "We scan about 400 parcels a day, and in November it's closer to 1,100.",
     "scalability", {{"requests_per_day", 400, ""}, {"requests_per_day_peak", 1100, ""}}, {}},
    {"a noun before the figure without a colon", "Drivers are roughly 350.", "scalability", {{"total_users", 350, ""}}, {}},
    {"a noun before the figure without a colon", "Carers with a login, I'd guess 700.", "scalability",
     {{"total_users", 700, ""}}, {}},
    {"a noun before the figure without a colon", "Most of our drivers are over 60.", "requirements", {},
     {{"total_users", 60, ""}}},
    {"the noun of the figure before", "Readers: 50,000, of whom 8,000 are active on a given day.", "scalability",
     {{"total_users", 50000, ""}, {"daily_active_users", 8000, ""}}, {{"requests_per_day", 8000, ""}}},
    {"places beside people", "We run 14 depots and our 1,400 couriers use the app.", "scalability",
     {{"total_users", 1400, ""}}, {{"total_users", 14, ""}}},
    {"a time of day", "Monday at 9 everybody opens the rota at once, some 300 people.", "scalability",
     {{"peak_concurrent_users", 300, ""}}, {{"", 9, ""}}},
    {"a time of day", "Between 9 and 17 requests per second at night.", "scalability", {{"requests_per_second", 17, ""}}, {}},
    {"twice a day", "We back up the database twice a day.", "disaster_recovery", {{"backup_interval", 12, "h"}}, {}},
    {"twice a day", "A restore drill twice a year.", "disaster_recovery", {}, {{"rto", 1, "year"}}},
    {"a fraction just under 100 is a percentage", "Our availability promise is 99.95.", "performance",
     {{"availability", 99.95, "%"}}, {}},
    {"a fraction just under 100 is a percentage", "Uptime matters, we have 95 kiosks.", "performance", {},
     {{"availability", 95, "%"}}},
    {"a share at the end is a percentile", "Exports must finish within 4 s for 95% and within 9 s for 99%.", "performance",
     {{"p95_latency", 4, "s"}, {"p99_latency", 9, "s"}}, {{"availability", 99, "%"}}},
    {"a figure taken back", "The page should load in 4 seconds, no wait, 2 seconds.", "performance",
     {{"p95_latency", 2, "s"}}, {{"p95_latency", 4, "s"}}},
    {"nouns that say concurrency", "Around 12k CCU on launch day.", "scalability", {{"peak_concurrent_users", 12000, ""}},
     {{"total_users", 12000, ""}}},
    {"a size per item", "Thumbnails are 200 KB each, the whole library about 2 TB.", "scalability",
     {{"data_volume", 2, "TB"}}, {{"data_volume", 200, "KB"}}},
    {"the larger count of people is the users", "About 40 staff and roughly 900 members.", "scalability",
     {{"total_users", 900, ""}}, {{"total_users", 40, ""}}},
    {"a metric only the question suggests waits", "Ten-minute samples are kept for 2 years.", "data_retention",
     {{"retention_period", 2, "years"}}, {{"retention_period", 10, "min"}}},
    {"weekdays are days", "About 2,500 orders on a busy Saturday.", "scalability", {{"requests_per_day", 2500, ""}}, {}},
    {"outage words", "Failover to the second site within 90 seconds.", "disaster_recovery", {{"rto", 90, "s"}}, {}},
    {"outage words", "The shop may be down 15 minutes at most.", "disaster_recovery", {{"rto", 15, "min"}}, {}},
    {"session words", "The kiosk locks after 3 minutes without a touch.", "security", {{"session_timeout", 3, "min"}}, {}},
    {"data kinds by meaning", "Payout records are kept for 8 years.", "data_retention",
     {{"financial_records_retention_period", 8, "years"}}, {}},
    {"data kinds by meaning", "Login history is stored for 6 months.", "data_retention",
     {{"logs_retention_period", 6, "months"}}, {}},
    {"later and peak words", "Now 2,000 members, next spring perhaps 2,600.", "scalability",
     {{"total_users", 2000, ""}, {"total_users_later", 2600, ""}}, {}},
    {"later and peak words", "Visitors: 5,000 a day, spiking to 40,000 on launch day.", "scalability",
     {{"daily_active_users", 5000, ""}, {"daily_active_users_peak", 40000, ""}}, {}},
};

class QuantityRuleTest : public ::testing::TestWithParam<Row> {};

std::string listing(const std::vector<Candidate>& found) {
  std::string out;
  for (const Candidate& c : found)
    if (c.bound) out += " " + c.specification.key + "=" + std::to_string(c.bound->amount) + c.bound->unit;
  return out;
}

bool same(const Candidate& c, const Expected& e) {
  return c.bound && (e.key.empty() || c.specification.key == e.key) && std::abs(c.bound->amount - e.amount) < 1e-9 &&
         (e.key.empty() || c.bound->unit == e.unit);
}

TEST_P(QuantityRuleTest, ReadsTheFigures) {
  const Row& row = GetParam();
  const std::vector<Candidate> found = shipped().extract(row.answer, row.question);
  for (const Expected& e : row.figures)
    EXPECT_TRUE(std::any_of(found.begin(), found.end(), [&](const Candidate& c) { return same(c, e); }))
        << "no " << e.key << " = " << e.amount << e.unit << " among:" << listing(found);
  for (const Expected& e : row.absent)
    EXPECT_FALSE(std::any_of(found.begin(), found.end(), [&](const Candidate& c) { return same(c, e); }))
        << "unexpected " << (e.key.empty() ? "figure" : e.key) << " = " << e.amount << e.unit << " among:" << listing(found);
}

INSTANTIATE_TEST_SUITE_P(Rules, QuantityRuleTest, ::testing::ValuesIn(kRows));

// A count of people said in passing, answering about something else, leaves the clause its
// statement; asked about scale, the count is all the clause says.
TEST(QuantityRule, ACountInPassingKeepsTheStatement) {
  const auto categories = [](const std::vector<Candidate>& found) {
    std::vector<std::string> out;
    for (const Candidate& c : found) out.push_back(c.specification.category);
    return out;
  };
  const auto goals = categories(shipped().extract("Our 25 couriers still plan their routes on paper.", "goals"));
  EXPECT_NE(std::find(goals.begin(), goals.end(), "goals"), goals.end());
  EXPECT_NE(std::find(goals.begin(), goals.end(), "scalability"), goals.end());
  const auto scale = categories(shipped().extract("Our 25 couriers still plan their routes on paper.", "scalability"));
  EXPECT_EQ(std::count(scale.begin(), scale.end(), "scalability"), 1);
}

}  // namespace
}  // namespace socrates::engine

// Conflict detection: duplicates, contradictions (same slot, exclusive choices), inconsistencies
// (numbers), severities, and candidates of one answer checked against each other.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::spec;

TEST(ConflictDetectorTest, SameValueRestatedIsADuplicateNotAVersion) {
  const std::vector<Specification> current = {spec("goals", "x", "y", 0.7),
                                              spec("tech_stack", "database", "PostgreSQL", 0.9)};
  const CheckResult r = shipped().check(spec("tech_stack", "database", "postgres", 0.7), current);
  EXPECT_EQ(r.outcome, CheckOutcome::kDuplicate);
  ASSERT_TRUE(r.duplicate_of.has_value());
  EXPECT_EQ(r.duplicate_of->source, SpecificationRef::Source::kCurrent);
  EXPECT_EQ(r.duplicate_of->index, 1u);
  EXPECT_TRUE(r.conflicts.empty());
}

TEST(ConflictDetectorTest, SameValueRules) {
  const Engine& e = shipped();
  EXPECT_TRUE(e.same_value("PostgreSQL", "postgres"));
  EXPECT_TRUE(e.same_value("PostgreSQL", "POSTGRESQL."));
  EXPECT_TRUE(e.same_value("Python, Go", "golang, python"));
  EXPECT_TRUE(e.same_value("web only", "Web-only"));
  EXPECT_TRUE(e.same_value("2 s", "2000 ms"));
  EXPECT_TRUE(e.same_value("\xE2\x89\xA4 200 ms", "200 ms"));  // a bare number restates a bound
  EXPECT_TRUE(e.same_value("\xE2\x89\xA4 200 ms", "<= 0.2 s"));
  EXPECT_TRUE(e.same_value("10000", "10,000"));
  EXPECT_FALSE(e.same_value("\xE2\x89\xA5 200 ms", "\xE2\x89\xA4 200 ms"));
  EXPECT_FALSE(e.same_value("MySQL", "PostgreSQL"));
  EXPECT_FALSE(e.same_value("Python", "Python, Go"));
  EXPECT_FALSE(e.same_value("30 days", "30 min"));
}

TEST(ConflictDetectorTest, DifferentValueInOneSlotIsAContradiction) {
  const std::vector<Specification> current = {spec("tech_stack", "database", "PostgreSQL", 0.9)};
  const CheckResult r = shipped().check(spec("tech_stack", "database", "MySQL", 0.7), current);
  EXPECT_EQ(r.outcome, CheckOutcome::kConflict);
  ASSERT_EQ(r.conflicts.size(), 1u);
  const Conflict& c = r.conflicts[0];
  EXPECT_EQ(c.type, ConflictType::kContradiction);
  EXPECT_EQ(c.severity, Severity::kHigh);
  EXPECT_EQ(c.against.index, 0u);
  EXPECT_EQ(c.existing.value, "PostgreSQL");
  EXPECT_EQ(c.description,
            "technology stack / database: 'PostgreSQL' was recorded earlier, the new statement says 'MySQL'.");
}

TEST(ConflictDetectorTest, NumbersThatCannotBothHoldAreAnInconsistency) {
  const std::vector<Specification> current = {spec("performance", "p95_latency", "\xE2\x89\xA4 100 ms", 0.9)};
  const CheckResult r = shipped().check(spec("performance", "p95_latency", "\xE2\x89\xA4 2 s", 0.7), current);
  ASSERT_EQ(r.conflicts.size(), 1u);
  EXPECT_EQ(r.conflicts[0].type, ConflictType::kInconsistency);
  EXPECT_EQ(r.conflicts[0].severity, Severity::kMedium);
  EXPECT_EQ(r.conflicts[0].description,
            "performance / p95 latency: '\xE2\x89\xA4 100 ms' was recorded earlier, and '\xE2\x89\xA4 2 s' cannot hold "
            "at the same time.");
}

TEST(ConflictDetectorTest, ExclusiveChoicesInDifferentSlots) {
  const Engine& e = shipped();
  // On-premises against any cloud provider, in both directions.
  EXPECT_EQ(
      e.check(spec("tech_stack", "hosting", "on-premises", 0.9), {spec("tech_stack", "cloud_provider", "Azure", 0.9)})
          .conflicts.at(0)
          .type,
      ConflictType::kContradiction);
  EXPECT_EQ(
      e.check(spec("tech_stack", "cloud_provider", "Hetzner", 0.9), {spec("tech_stack", "hosting", "on-premises", 0.9)})
          .outcome,
      CheckOutcome::kConflict);
  // "public cloud" and a cloud provider are the same choice.
  EXPECT_EQ(
      e.check(spec("tech_stack", "cloud_provider", "AWS", 0.9), {spec("tech_stack", "hosting", "public cloud", 0.9)})
          .outcome,
      CheckOutcome::kNew);
  // Web only excludes apps; a web application does not.
  EXPECT_EQ(e.check(spec("requirements", "platform_desktop_application", "desktop application", 0.7),
                    {spec("requirements", "platform_web_only", "web only", 0.7)})
                .outcome,
            CheckOutcome::kConflict);
  EXPECT_EQ(e.check(spec("requirements", "platform_native_mobile_apps", "native mobile apps", 0.7),
                    {spec("requirements", "platform_web_application", "web application", 0.7)})
                .outcome,
            CheckOutcome::kNew);
  // A manually entered single "platform" key takes part too.
  EXPECT_EQ(e.check(spec("requirements", "platform_mobile_apps", "mobile apps", 0.7),
                    {spec("requirements", "platform", "Web only", 0.7)})
                .outcome,
            CheckOutcome::kConflict);
  const Conflict c =
      e.check(spec("tech_stack", "hosting", "on-premises", 0.9), {spec("tech_stack", "cloud_provider", "AWS", 0.9)})
          .conflicts.at(0);
  EXPECT_EQ(c.description,
            "'on-premises' (hosting) cannot hold together with 'AWS' (cloud provider), recorded earlier: where the "
            "software is hosted.");
}

TEST(ConflictDetectorTest, OneConflictPerConflictingSpecification) {
  const std::vector<Specification> current = {spec("tech_stack", "cloud_provider", "AWS", 0.9),
                                              spec("tech_stack", "hosting", "public cloud", 0.7),
                                              spec("tech_stack", "database", "MySQL", 0.9)};
  const CheckResult r = shipped().check(spec("tech_stack", "hosting", "on-premises", 0.9), current);
  ASSERT_EQ(r.conflicts.size(), 2u);
  EXPECT_EQ(r.conflicts[0].against.index, 0u);  // exclusive with the cloud provider
  EXPECT_EQ(r.conflicts[1].against.index, 1u);  // same slot, other value
}

TEST(ConflictDetectorTest, SeverityFollowsCategoryAndConfidence) {
  struct Row {
    const char* category;
    double candidate_confidence;
    double existing_confidence;
    Severity expected;
  };
  const std::vector<Row> rows = {
      {"tech_stack", 0.9, 0.9, Severity::kHigh},   {"security", 0.7, 0.7, Severity::kHigh},
      {"requirements", 0.7, 0.9, Severity::kHigh}, {"goals", 0.9, 0.9, Severity::kMedium},
      {"monitoring", 0.7, 0.7, Severity::kMedium}, {"disaster_recovery", 0.6, 0.6, Severity::kMedium},
      {"tech_stack", 0.5, 0.9, Severity::kLow},    {"goals", 0.9, 0.5, Severity::kLow},
      {"security", 0.59, 0.9, Severity::kLow},
  };
  for (const Row& row : rows) {
    const CheckResult r = shipped().check(spec(row.category, "some_slot", "new value", row.candidate_confidence),
                                          {spec(row.category, "some_slot", "old value", row.existing_confidence)});
    ASSERT_EQ(r.conflicts.size(), 1u) << row.category;
    EXPECT_EQ(r.conflicts[0].severity, row.expected)
        << row.category << " " << row.candidate_confidence << "/" << row.existing_confidence;
  }
}

TEST(ConflictDetectorTest, AnswerCandidatesSeeEachOther) {
  // The second latency of one answer is checked against the first, which was accepted before it.
  const AnswerAnalysis a =
      shipped().analyse("Pages should load in under 2 seconds. The API must respond within 200 ms.", "performance", {});
  ASSERT_EQ(a.findings.size(), 2u);
  EXPECT_EQ(a.findings[0].check.outcome, CheckOutcome::kNew);
  EXPECT_EQ(a.findings[1].check.outcome, CheckOutcome::kConflict);
  const Conflict& c = a.findings[1].check.conflicts.at(0);
  EXPECT_EQ(c.against.source, SpecificationRef::Source::kThisAnswer);
  EXPECT_EQ(c.against.index, 0u);
  EXPECT_EQ(a.accepted().size(), 1u);
  EXPECT_EQ(a.conflicting_count(), 1u);
  EXPECT_EQ(a.duplicate_count(), 0u);
}

TEST(ConflictDetectorTest, ConflictJson) {
  const CheckResult r = shipped().check(spec("tech_stack", "database", "MySQL", 0.7),
                                        {spec("tech_stack", "database", "PostgreSQL", 0.9)});
  const nlohmann::json j = r.conflicts.at(0);
  EXPECT_EQ(j.at("type"), "contradiction");
  EXPECT_EQ(j.at("severity"), "high");
  EXPECT_EQ(j.at("existing").at("value"), "PostgreSQL");
  EXPECT_TRUE(j.at("description").is_string());
}

}  // namespace
}  // namespace socrates::engine

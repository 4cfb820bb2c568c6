// The built-in direct-chat reply.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::spec;

TEST(ReplyWriterTest, RestatesWhatWasRecordedAndNamesTheNextCategory) {
  const AnswerAnalysis analysis =
      shipped().analyse("We use PostgreSQL and Redis. Our goal is to replace paper forms.", "", {});
  std::vector<Specification> after;
  for (const Candidate& c : analysis.accepted()) after.push_back(c.specification);
  EXPECT_EQ(shipped().direct_reply(analysis, after),
            "Recorded database: PostgreSQL; cache: Redis; 'Our goal is to replace paper forms' (goals). Next, let's "
            "talk about requirements: What people must be able to do with the software and the rules it must follow.");
}

TEST(ReplyWriterTest, SaysSoWhenNothingWasRecorded) {
  const AnswerAnalysis analysis = shipped().analyse("Thanks, that's all.", "", {});
  EXPECT_TRUE(analysis.findings.empty());
  EXPECT_EQ(shipped().direct_reply(analysis, {}),
            "I could not record a specification from that message. Next, let's talk about goals: What the software is "
            "for, who it serves and what success looks like.");
}

TEST(ReplyWriterTest, MentionsConflictsAndDuplicates) {
  const std::vector<Specification> current = {spec("tech_stack", "database", "PostgreSQL", 0.9),
                                              spec("tech_stack", "cache", "Redis", 0.9)};
  const AnswerAnalysis analysis = shipped().analyse("We use MySQL and Redis.", "", current);
  EXPECT_EQ(analysis.conflicting_count(), 1u);
  EXPECT_EQ(analysis.duplicate_count(), 1u);
  EXPECT_EQ(shipped().direct_reply(analysis, current),
            "One statement contradicts what was recorded before and waits as an open conflict. Some of it was already "
            "recorded. Next, let's talk about goals: What the software is for, who it serves and what success looks "
            "like.");
  ReplyFacts facts;
  facts.conflicts = 3;
  EXPECT_EQ(shipped().direct_reply(facts, {}).rfind("3 statements contradict what was recorded before", 0), 0u);
}

TEST(ReplyWriterTest, MetricsAreRestatedWithTheirLabel) {
  const AnswerAnalysis analysis = shipped().analyse("The API must respond within 200 ms.", "", {});
  std::vector<Specification> after;
  for (const Candidate& c : analysis.accepted()) after.push_back(c.specification);
  EXPECT_EQ(shipped()
                .direct_reply(analysis, after)
                .rfind("Recorded p95 latency: \xE2\x89\xA4 200 ms. Next, let's talk about goals", 0),
            0u);
}

}  // namespace
}  // namespace socrates::engine

// The built-in direct-chat reply, as docs/domain.md describes it: a short acknowledgement that
// restates what was recorded and names the least-covered category to discuss next. Its wording is
// data (question_bank.json's `replies`), so the tests check what it says, not its sentences.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::spec;

bool says(const std::string& reply, const std::string& part) { return reply.find(part) != std::string::npos; }

// The reply names the category to discuss next by its label and description.
::testing::AssertionResult NamesNext(const std::string& reply, const std::string& category) {
  const Category* c = shipped().taxonomy().find(category);
  if (!c) return ::testing::AssertionFailure() << "no category " << category;
  if (says(reply, c->label) && says(reply, c->description)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << reply << "\" does not name " << category << " next ('" << c->label
                                       << "': '" << c->description << "')";
}

std::vector<Specification> accepted(const AnswerAnalysis& analysis) {
  std::vector<Specification> out;
  for (const Candidate& c : analysis.accepted()) out.push_back(c.specification);
  return out;
}

TEST(ReplyWriterTest, RestatesWhatWasRecordedAndNamesTheNextCategory) {
  const AnswerAnalysis analysis =
      shipped().analyse("We use PostgreSQL and Redis. Our goal is to replace paper forms.", "", {});
  const std::string reply = shipped().direct_reply(analysis, accepted(analysis));
  for (const char* recorded : {"PostgreSQL", "Redis", "replace paper forms"}) EXPECT_TRUE(says(reply, recorded)) << reply;
  EXPECT_FALSE(says(reply, shipped().question_bank().replies().nothing)) << reply;
  // goals has a statement now; requirements, next in the taxonomy's order, has none.
  EXPECT_TRUE(NamesNext(reply, "requirements"));
}

TEST(ReplyWriterTest, SaysSoWhenNothingWasRecorded) {
  const AnswerAnalysis analysis = shipped().analyse("Thanks, that's all.", "", {});
  EXPECT_TRUE(analysis.findings.empty());
  const std::string reply = shipped().direct_reply(analysis, {});
  EXPECT_TRUE(says(reply, shipped().question_bank().replies().nothing)) << reply;
  EXPECT_TRUE(NamesNext(reply, "goals")) << "a project with nothing recorded starts with goals";
}

TEST(ReplyWriterTest, MentionsConflictsAndDuplicates) {
  const std::vector<Specification> current = {spec("tech_stack", "database", "PostgreSQL", 0.9),
                                              spec("tech_stack", "cache", "Redis", 0.9)};
  const AnswerAnalysis analysis = shipped().analyse("We use MySQL and Redis.", "", current);
  EXPECT_EQ(analysis.conflicting_count(), 1u);
  EXPECT_EQ(analysis.duplicate_count(), 1u);
  const std::string reply = shipped().direct_reply(analysis, current);
  const ReplyTemplates& templates = shipped().question_bank().replies();
  EXPECT_TRUE(says(reply, templates.conflicts_one)) << reply;
  EXPECT_TRUE(says(reply, templates.duplicates)) << reply;
  EXPECT_FALSE(says(reply, "MySQL")) << "a conflicting statement is not recorded: " << reply;
  EXPECT_TRUE(NamesNext(reply, "goals"));

  ReplyFacts facts;
  facts.conflicts = 3;
  const std::string many = shipped().direct_reply(facts, {});
  EXPECT_TRUE(says(many, "3")) << many;
  EXPECT_FALSE(says(many, templates.conflicts_one)) << many;
}

TEST(ReplyWriterTest, MetricsAreRestatedWithTheirLabelAndBound) {
  const AnswerAnalysis analysis = shipped().analyse("The API must respond within 200 ms.", "", {});
  const std::string reply = shipped().direct_reply(analysis, accepted(analysis));
  EXPECT_TRUE(says(reply, "p95 latency")) << reply;
  EXPECT_TRUE(says(reply, "\xE2\x89\xA4 200 ms")) << reply;
  EXPECT_TRUE(NamesNext(reply, "goals"));
}

}  // namespace
}  // namespace socrates::engine

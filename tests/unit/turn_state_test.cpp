// libs/dialogue (socrates/dialogue/store.hpp): the state an answer hands on to its next question
// in the answer flow. It must come back exactly as it went (every byte of a value, the confidence,
// the order), and anything that is not such a state must be refused, not guessed at: the asker
// would plan on made-up specifications.
#include <socrates/dialogue/store.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace socrates::agents::dialogue {
namespace {

TEST(TurnStateTest, WhatIsHandedOnComesBackExactly) {
  const std::vector<engine::Specification> specs = {
      {"goals", "primary_goal", "Bakeries take orders online", 0.9},
      {"performance", "search_latency_p95", std::string("≤ 200 ms at p95, \"quoted\", a\ttab, a NUL \0 inside", 50), 0.7},
      {"tech_stack", "database", std::string(5000, 'x'), 1.0}};
  const std::string bytes = encode_turn_state({"7c9e6679-7425-40de-944b-e07fc1f90ae7", "operations", specs});
  const auto state = decode_turn_state(bytes);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->project_id, "7c9e6679-7425-40de-944b-e07fc1f90ae7");
  EXPECT_EQ(state->domain_role, "operations");
  ASSERT_EQ(state->specifications.size(), specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ(state->specifications[i].category, specs[i].category);
    EXPECT_EQ(state->specifications[i].key, specs[i].key);
    EXPECT_EQ(state->specifications[i].value, specs[i].value);
    EXPECT_DOUBLE_EQ(state->specifications[i].confidence, specs[i].confidence);
  }

  const auto none = decode_turn_state(encode_turn_state({"p", "", {}}));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->domain_role, "");
  EXPECT_TRUE(none->specifications.empty());
}

TEST(TurnStateTest, AnythingElseIsRefused) {
  const std::string good = encode_turn_state({"p", "", {{"goals", "g", "v", 0.5}}});
  ASSERT_TRUE(decode_turn_state(good));
  // Every cut short, and anything left over.
  for (std::size_t size = 0; size < good.size(); ++size)
    EXPECT_FALSE(decode_turn_state(good.substr(0, size))) << "accepted the first " << size << " bytes";
  EXPECT_FALSE(decode_turn_state(good + "x"));
  // A count or a length beyond the bytes there are (no allocation of what is not there).
  std::string many = good;
  many[9] = many[10] = many[11] = many[12] = '\xff';  // the count: 4 billion specifications
  EXPECT_FALSE(decode_turn_state(many));
  std::string huge = good;
  huge[13] = huge[14] = huge[15] = huge[16] = '\xff';  // the first category's length: 4 GiB
  EXPECT_FALSE(decode_turn_state(huge));
  EXPECT_FALSE(decode_turn_state("[\"p\", [[\"goals\", \"g\", \"v\", 0.5]]]")) << "JSON is not this format";
}

}  // namespace
}  // namespace socrates::agents::dialogue

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
  const std::vector<engine::AskedQuestion> asked = {
      {"What problem does it solve?", "goals", true, {}},
      {"How fast must search answer?", "performance", true, {"performance", "performance", "tech_stack"}},
      {std::string("Who signs \"off\"?\n\0", 18), "requirements", false, {}}};
  const std::string bytes = encode_turn_state({"7c9e6679-7425-40de-944b-e07fc1f90ae7", "operations", specs, asked});
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
  ASSERT_TRUE(state->asked);
  ASSERT_EQ(state->asked->size(), asked.size());
  for (std::size_t i = 0; i < asked.size(); ++i) {
    EXPECT_EQ((*state->asked)[i].text, asked[i].text);
    EXPECT_EQ((*state->asked)[i].category, asked[i].category);
    EXPECT_EQ((*state->asked)[i].answered, asked[i].answered);
    EXPECT_EQ((*state->asked)[i].recorded_categories, asked[i].recorded_categories);
  }

  // Without the questions asked (the next question's agent reads them), and with none asked yet.
  const auto none = decode_turn_state(encode_turn_state({"p", "", {}, std::nullopt}));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->domain_role, "");
  EXPECT_TRUE(none->specifications.empty());
  EXPECT_FALSE(none->asked);
  const auto first = decode_turn_state(encode_turn_state({"p", "", {}, std::vector<engine::AskedQuestion>{}}));
  ASSERT_TRUE(first && first->asked);
  EXPECT_TRUE(first->asked->empty());
}

TEST(TurnStateTest, AnythingElseIsRefused) {
  const std::string good = encode_turn_state({"p", "", {{"goals", "g", "v", 0.5}}, std::nullopt});
  ASSERT_TRUE(decode_turn_state(good));
  // Every cut short, and anything left over.
  for (std::size_t size = 0; size < good.size(); ++size)
    EXPECT_FALSE(decode_turn_state(good.substr(0, size))) << "accepted the first " << size << " bytes";
  EXPECT_FALSE(decode_turn_state(good + "x"));
  // The same with the questions asked: every cut inside them, an answered flag that is no flag, a
  // count of questions or of recorded categories beyond the bytes there are.
  const std::string with_asked =
      encode_turn_state({"p", "", {{"goals", "g", "v", 0.5}}, std::vector<engine::AskedQuestion>{{"q?", "goals", true, {"goals"}}}});
  ASSERT_TRUE(decode_turn_state(with_asked));
  for (std::size_t size = good.size() + 1; size < with_asked.size(); ++size)
    EXPECT_FALSE(decode_turn_state(with_asked.substr(0, size))) << "accepted the first " << size << " bytes";
  EXPECT_FALSE(decode_turn_state(with_asked + "x"));
  std::string not_a_flag = with_asked;
  not_a_flag[good.size() + 4 + 6 + 9] = '\x02';  // after the count, the text "q?" and the category "goals"
  EXPECT_FALSE(decode_turn_state(not_a_flag));
  std::string many_asked = with_asked;
  for (std::size_t i = 0; i < 4; ++i) many_asked[good.size() + i] = '\xff';
  EXPECT_FALSE(decode_turn_state(many_asked));
  std::string many_recorded = with_asked;
  for (std::size_t i = 0; i < 4; ++i) many_recorded[good.size() + 4 + 6 + 9 + 1 + i] = '\xff';
  EXPECT_FALSE(decode_turn_state(many_recorded));
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

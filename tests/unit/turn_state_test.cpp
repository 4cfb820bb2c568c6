// libs/dialogue (socrates/dialogue/store.hpp): the state an answer hands on to its next question
// in the answer flow. It must come back exactly as it went (every character of a value, the
// confidence, the order), and anything that is not such a state must be refused, not guessed at:
// the asker would plan on made-up specifications.
#include <socrates/dialogue/store.hpp>

#include <nlohmann/json.hpp>

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
  const std::string bytes = encode_turn_state("7c9e6679-7425-40de-944b-e07fc1f90ae7", specs);
  const auto state = decode_turn_state(bytes);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->project_id, "7c9e6679-7425-40de-944b-e07fc1f90ae7");
  ASSERT_EQ(state->specifications.size(), specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ(state->specifications[i].category, specs[i].category);
    EXPECT_EQ(state->specifications[i].key, specs[i].key);
    EXPECT_EQ(state->specifications[i].value, specs[i].value);
    EXPECT_DOUBLE_EQ(state->specifications[i].confidence, specs[i].confidence);
  }

  const auto none = decode_turn_state(encode_turn_state("p", {}));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->specifications.empty());
}

TEST(TurnStateTest, AnythingElseIsRefused) {
  const std::string good = encode_turn_state("p", {{"goals", "g", "v", 0.5}});
  for (const std::string& bytes : {std::string(), std::string("[\"p\", []]"), good.substr(0, good.size() - 1),
                                   good + "x", std::string("\xc1")})
    EXPECT_FALSE(decode_turn_state(bytes)) << "accepted " << bytes.size() << " bytes";
  // Valid MessagePack of the wrong shape.
  for (const nlohmann::json& wrong :
       {nlohmann::json::array({"p"}), nlohmann::json::array({1, nlohmann::json::array()}),
        nlohmann::json::array({"p", nlohmann::json::array({nlohmann::json::array({"goals", "g", "v"})})}),
        nlohmann::json::array({"p", nlohmann::json::array({nlohmann::json::array({"goals", "g", "v", "0.5"})})}),
        nlohmann::json::array({"p", nlohmann::json::array({nlohmann::json::array({"goals", 1, "v", 0.5})})}),
        nlohmann::json::object({{"project_id", "p"}, {"specifications", nlohmann::json::array()}})}) {
    std::string bytes;
    nlohmann::json::to_msgpack(wrong, bytes);
    EXPECT_FALSE(decode_turn_state(bytes)) << wrong.dump();
  }
}

}  // namespace
}  // namespace socrates::agents::dialogue

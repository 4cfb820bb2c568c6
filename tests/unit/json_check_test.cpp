// The check of a plugin's answer (host/plugins/json_check.hpp): one JSON text, RFC 8259, in UTF-8;
// the fast path and the fallback agree with nlohmann::json::accept.
#include "host/plugins/json_check.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <string>

namespace socrates::host {
namespace {

TEST(JsonCheckTest, AcceptsEveryKindOfJsonText) {
  for (const std::string text : {R"({"a":[1,2.5e3,-0,true,false,null,"\u00e9\n"]})", "[]", "{}", "  {\"x\" : 1 }\n",
                                 "\"just a string\"", "42", "null", "\"caf\xC3\xA9\""})
    EXPECT_TRUE(is_json_text(text)) << text;
}

TEST(JsonCheckTest, AcceptsAnIntegerPast64BitsAsNlohmannDoes) {
  const std::string big = R"({"n":123456789012345678901234567890})";
  ASSERT_TRUE(nlohmann::json::accept(big));
  EXPECT_TRUE(is_json_text(big));
}

TEST(JsonCheckTest, RefusesWhatIsNotOneJsonText) {
  for (const std::string text : {"", " ", "{", "{\"a\":1", "{} {}", "{} x", "{'a':1}", "[1,]", "NaN", "{\"a\":01}",
                                 "\"\xFF\"", "\"\xC3\"", "\"tab\there\"", "[\"\\q\"]"})
    EXPECT_FALSE(is_json_text(text)) << text;
}

// An answer larger than a thread's kept parser is checked by a parser of its own, the same way.
TEST(JsonCheckTest, ChecksALargeAnswerTheSameWay) {
  std::string large = "[";
  for (int i = 0; i < 20000; ++i) large += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  large += "]";
  ASSERT_GT(large.size(), 64u * 1024);
  EXPECT_TRUE(is_json_text(large));
  large.back() = ',';
  EXPECT_FALSE(is_json_text(large));
}

}  // namespace
}  // namespace socrates::host

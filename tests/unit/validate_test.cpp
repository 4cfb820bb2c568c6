#include <socrates/sdk/database.hpp>
#include <socrates/sdk/validate.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace socrates::sdk {
namespace {

using nlohmann::json;

// The error a validation helper throws; a test failure when it does not throw.
template <typename Fn>
Error rejection(Fn&& fn) {
  try {
    fn();
  } catch (const AgentException& e) {
    return e.error();
  }
  ADD_FAILURE() << "the value was accepted";
  return {};
}

std::string field_of(const Error& e) { return e.details.value("field", std::string()); }

TEST(ValidateTest, IsUuidAcceptsCanonicalUuidsInEitherCase) {
  EXPECT_TRUE(validate::is_uuid("0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11"));
  EXPECT_TRUE(validate::is_uuid("0B7E4A52-3C1D-4F7A-9A55-8D2E6F1C0A11"));
  EXPECT_TRUE(validate::is_uuid("00000000-0000-0000-0000-000000000000"));
}

TEST(ValidateTest, IsUuidRejectsEverythingElse) {
  for (const char* text : {"", "not-a-uuid", "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a1",    // one short
                           "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a111",                    // one long
                           "0b7e4a523c1d4f7a9a558d2e6f1c0a11",                         // no dashes
                           "0b7e4a52-3c1d-4f7a-9a55_8d2e6f1c0a11",                     // wrong separator
                           "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a1g",                     // not hex
                           "{b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a1}",                     // braces
                           " b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11", "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a1'"})
    EXPECT_FALSE(validate::is_uuid(text)) << text;
}

TEST(ValidateTest, Utf8LengthCountsCodePoints) {
  // Limits such as "name 1..255" are characters for the person typing, whatever their script.
  EXPECT_EQ(validate::utf8_length(""), 0u);
  EXPECT_EQ(validate::utf8_length("hello"), 5u);
  EXPECT_EQ(validate::utf8_length("h\xC3\xA9llo"), 5u);                  // héllo
  EXPECT_EQ(validate::utf8_length("\xE6\x97\xA5\xE6\x9C\xAC"), 2u);      // 日本
  EXPECT_EQ(validate::utf8_length("\xF0\x9F\x98\x80!"), 2u);             // 😀!
  EXPECT_EQ(validate::utf8_length("\xD0\x9F\xD1\x80\xD0\xB8"), 3u);      // При
}

TEST(ValidateTest, RequiredStringAnswersTheValue) {
  EXPECT_EQ(validate::required_string({{"name", "Ada"}}, "name", 1, 255), "Ada");
  EXPECT_EQ(validate::required_string({{"name", "h\xC3\xA9llo"}}, "name", 5, 5), "h\xC3\xA9llo")
      << "five characters in six bytes fit a limit of five";
}

TEST(ValidateTest, RequiredStringMissingOrNullNamesTheField) {
  for (const json& body : {json::object(), json{{"name", nullptr}}, json{{"other", "x"}}}) {
    const Error e = rejection([&] { validate::required_string(body, "name", 1, 255); });
    EXPECT_EQ(e.code, errc::kValidation) << body;
    EXPECT_EQ(field_of(e), "name") << body;
    EXPECT_NE(e.message.find("required"), std::string::npos) << e.message;
  }
}

TEST(ValidateTest, RequiredStringOfTheWrongTypeNamesTheField) {
  for (const json& value : {json(5), json(true), json::array({"a"}), json::object()}) {
    const Error e = rejection([&] { validate::required_string({{"name", value}}, "name", 1, 255); });
    EXPECT_EQ(e.code, errc::kValidation) << value;
    EXPECT_EQ(field_of(e), "name") << value;
    EXPECT_NE(e.message.find("string"), std::string::npos) << e.message;
  }
}

TEST(ValidateTest, StringLengthLimitsAreInclusiveAndNamed) {
  const json body = {{"name", std::string(255, 'x')}};
  EXPECT_EQ(validate::required_string(body, "name", 1, 255).size(), 255u);

  Error e = rejection([] { validate::required_string({{"name", std::string(256, 'x')}}, "name", 1, 255); });
  EXPECT_EQ(field_of(e), "name");
  EXPECT_NE(e.message.find("1 to 255"), std::string::npos) << e.message;

  e = rejection([] { validate::required_string({{"name", ""}}, "name", 1, 255); });
  EXPECT_EQ(field_of(e), "name");

  // Three characters (six bytes) are too short for a minimum of four.
  e = rejection([] { validate::required_string({{"name", "\xC3\xA9\xC3\xA9\xC3\xA9"}}, "name", 4, 10); });
  EXPECT_EQ(field_of(e), "name");
}

TEST(ValidateTest, OptionalStringAbsentOrNullIsNullopt) {
  EXPECT_EQ(validate::optional_string(json::object(), "description", 0, 10), std::nullopt);
  EXPECT_EQ(validate::optional_string({{"description", nullptr}}, "description", 0, 10), std::nullopt);
  EXPECT_EQ(validate::optional_string({{"description", ""}}, "description", 0, 10), "");
  EXPECT_EQ(validate::optional_string({{"description", "short"}}, "description", 0, 10), "short");

  const Error e =
      rejection([] { validate::optional_string({{"description", std::string(11, 'd')}}, "description", 0, 10); });
  EXPECT_EQ(field_of(e), "description");
}

TEST(ValidateTest, BodyThatIsNotAnObjectIsReportedAsBody) {
  for (const json& body : {json::array(), json("text"), json(nullptr), json(1)}) {
    const Error e = rejection([&] { validate::optional_string(body, "name", 0, 10); });
    EXPECT_EQ(e.code, errc::kValidation) << body;
    EXPECT_EQ(field_of(e), "body") << body;
    EXPECT_EQ(field_of(rejection([&] { validate::integer(body, "limit", 1, 200, 50); })), "body") << body;
  }
}

TEST(ValidateTest, RequiredUuidIsLowerCased) {
  EXPECT_EQ(validate::required_uuid({{"id", "0B7E4A52-3C1D-4F7A-9A55-8D2E6F1C0A11"}}, "id"),
            "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11");
  EXPECT_EQ(field_of(rejection([] { validate::required_uuid({{"id", "nope"}}, "id"); })), "id");
  EXPECT_EQ(field_of(rejection([] { validate::required_uuid(json::object(), "question_id"); })), "question_id");
}

TEST(ValidateTest, OneOfAcceptsListedWordsAndFallsBack) {
  EXPECT_EQ(validate::one_of({{"mode", "direct_chat"}}, "mode", {"socratic", "direct_chat"}, "socratic"),
            "direct_chat");
  EXPECT_EQ(validate::one_of(json::object(), "mode", {"socratic", "direct_chat"}, "socratic"), "socratic");
  EXPECT_EQ(validate::one_of({{"mode", nullptr}}, "mode", {"socratic", "direct_chat"}, "socratic"), "socratic");
}

TEST(ValidateTest, OneOfRefusalNamesTheFieldAndTheChoices) {
  for (const json& value : {json("Socratic"), json(""), json("lecture"), json(1)}) {
    const Error e = rejection([&] { validate::one_of({{"mode", value}}, "mode", {"socratic", "direct_chat"}, "x"); });
    EXPECT_EQ(e.code, errc::kValidation) << value;
    EXPECT_EQ(field_of(e), "mode") << value;
    if (value.is_string()) {
      EXPECT_NE(e.message.find("socratic, direct_chat"), std::string::npos) << e.message;
    }
  }
}

TEST(ValidateTest, IntegerWithinBoundsAndFallback) {
  EXPECT_EQ(validate::integer({{"limit", 1}}, "limit", 1, 200, 50), 1);
  EXPECT_EQ(validate::integer({{"limit", 200}}, "limit", 1, 200, 50), 200);
  EXPECT_EQ(validate::integer(json::object(), "limit", 1, 200, 50), 50);
  EXPECT_EQ(validate::integer({{"limit", nullptr}}, "limit", 1, 200, 50), 50);
  EXPECT_EQ(validate::integer({{"delta", -5}}, "delta", -10, 10, 0), -5);
}

TEST(ValidateTest, IntegerOutOfBoundsNamesTheFieldAndTheRange) {
  for (long long value : {0LL, 201LL, -1LL, 1000000LL}) {
    const Error e = rejection([&] { validate::integer({{"limit", value}}, "limit", 1, 200, 50); });
    EXPECT_EQ(field_of(e), "limit") << value;
    EXPECT_NE(e.message.find("between 1 and 200"), std::string::npos) << e.message;
  }
}

TEST(ValidateTest, IntegerOfTheWrongTypeIsRefused) {
  // "10" and 10.5 are mistakes of the client, not values to guess at.
  for (const json& value : {json("10"), json(10.5), json(10.0), json(true), json::array({1})}) {
    const Error e = rejection([&] { validate::integer({{"limit", value}}, "limit", 1, 200, 50); });
    EXPECT_EQ(e.code, errc::kValidation) << value;
    EXPECT_EQ(field_of(e), "limit") << value;
  }
}

TEST(ValidateTest, IntegerTooLargeForSixtyFourBitsIsRefusedNotWrapped) {
  // 2^64-1 parses as an unsigned JSON integer; read as long long it wraps to -1, which a range
  // that allows negatives would accept.
  const json body = json::parse(R"({"delta": 18446744073709551615})");
  const Error e = rejection([&] { validate::integer(body, "delta", -10, 10, 0); });
  EXPECT_EQ(field_of(e), "delta");
}

TEST(ParamTest, NullAndText) {
  EXPECT_TRUE(Param(nullptr).is_null());
  EXPECT_FALSE(Param("").is_null()) << "an empty string is not SQL NULL";
  EXPECT_EQ(Param("text").text(), "text");
  EXPECT_EQ(Param(std::string("owned")).text(), "owned");
  EXPECT_EQ(Param(std::string_view("view")).text(), "view");
}

TEST(ParamTest, NullCharPointerIsSqlNull) {
  // The constructor sets null_ from `text == nullptr`, so a null C string is meant to be NULL;
  // it must not construct a std::string from a null pointer first.
  // From getenv so that the compiler cannot see the null at build time.
  const char* missing = std::getenv("SOCRATES_UNIT_TEST_SURELY_UNSET_VARIABLE");
  ASSERT_EQ(missing, nullptr);
  std::optional<Param> param;
  EXPECT_NO_THROW(param.emplace(missing));
  ASSERT_TRUE(param.has_value());
  EXPECT_TRUE(param->is_null());
}

TEST(ParamTest, NumbersAndBooleansAreSentAsPostgresText) {
  EXPECT_EQ(Param(true).text(), "true");
  EXPECT_EQ(Param(false).text(), "false");
  EXPECT_EQ(Param(-42).text(), "-42");
  EXPECT_EQ(Param(1234567890123L).text(), "1234567890123");
  EXPECT_EQ(Param(std::numeric_limits<long long>::min()).text(), "-9223372036854775808");
  EXPECT_FALSE(Param(0).is_null());
}

TEST(ParamTest, DoublesRoundTripExactly) {
  // Confidences and scores are compared after a round trip through PostgreSQL's text format.
  for (double value : {0.1, 0.7, 1.0 / 3.0, -2.5e-300, 1e308, 123456789.123456789, 0.0,
                       std::numeric_limits<double>::min(), std::numeric_limits<double>::denorm_min()}) {
    const Param p(value);
    EXPECT_FALSE(p.is_null());
    EXPECT_EQ(std::strtod(p.text().c_str(), nullptr), value) << p.text();
  }
  EXPECT_EQ(Param(0.5).text(), "0.5");
}

TEST(ParamTest, OptionalsAreNullWhenEmpty) {
  const std::optional<std::string> none;
  const std::optional<std::string> some = std::string("value");
  EXPECT_TRUE(Param(none).is_null());
  EXPECT_FALSE(Param(some).is_null());
  EXPECT_EQ(Param(some).text(), "value");

  const std::optional<double> confidence = 0.25;
  EXPECT_EQ(Param(confidence).text(), "0.25");
  EXPECT_TRUE(Param(std::optional<int>()).is_null());
  EXPECT_EQ(Param(std::optional<int>(7)).text(), "7");
}

Rows sample_rows() {
  ResultSet set;
  set.columns = {"id", "name", "score", "confidence", "active", "note"};
  set.rows.push_back({std::string("p1"), std::string("Ada"), std::string("42"), std::string("0.75"),
                      std::string("t"), std::nullopt});
  set.rows.push_back({std::string("p2"), std::nullopt, std::nullopt, std::nullopt, std::string("f"),
                      std::string("n")});
  set.affected_rows = 2;
  return Rows(std::move(set));
}

TEST(RowTest, AccessorsByName) {
  const Rows rows = sample_rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.affected_rows(), 2);
  const Row& row = rows[0];
  EXPECT_EQ(row.size(), 6u);
  EXPECT_EQ(row.str("id"), "p1");
  EXPECT_EQ(row.str(1), "Ada");
  EXPECT_EQ(row.i64("score"), 42);
  EXPECT_DOUBLE_EQ(row.f64("confidence"), 0.75);
  EXPECT_TRUE(row.boolean("active"));
  EXPECT_EQ(row.opt("name"), "Ada");
  EXPECT_TRUE(row.is_null("note"));
  EXPECT_EQ(row.opt("note"), std::nullopt);
  EXPECT_EQ(row.index("confidence"), 3u);
}

TEST(RowTest, NullCellsReadAsEmptyOrZero) {
  const Rows rows = sample_rows();
  const Row& row = rows[1];
  EXPECT_EQ(row.str("name"), "");
  EXPECT_TRUE(row.is_null("name"));
  EXPECT_EQ(row.i64("score"), 0);
  EXPECT_EQ(row.f64("confidence"), 0.0);
  EXPECT_FALSE(row.boolean("active"));
  EXPECT_FALSE(row.is_null("note"));
}

TEST(RowTest, UnknownColumnThrowsNamingIt) {
  const Rows rows = sample_rows();
  try {
    (void)rows[0].str("nmae");
    FAIL() << "an unknown column was answered";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("nmae"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)rows[0].i64("missing"), std::out_of_range);
  EXPECT_THROW((void)rows[0].opt("missing"), std::out_of_range);
  EXPECT_THROW((void)rows[0].is_null("missing"), std::out_of_range);
  EXPECT_THROW((void)rows[0].str(6), std::out_of_range);
  EXPECT_THROW((void)rows[2], std::out_of_range);
}

TEST(RowTest, RowsIterateInOrder) {
  const Rows rows = sample_rows();
  std::vector<std::string> ids;
  for (const Row& row : rows) ids.push_back(row.str("id"));
  EXPECT_EQ(ids, (std::vector<std::string>{"p1", "p2"}));
  EXPECT_TRUE(Rows().empty());
}

}  // namespace
}  // namespace socrates::sdk

// The SDK's database values without a database: how a Row reads NULL (SDK 1.3: a documented
// default from the plain getters, std::nullopt from the opt getters) and what text a Param binds,
// unsigned integers included (SDK 1.3). tests/integration/connection_pool_test.cpp sends them to
// PostgreSQL.
#include <socrates/sdk/database.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace socrates::sdk {
namespace {

// One row as the host hands it over: text cells, NULL as no value.
Row row_of(std::vector<std::string> columns, std::vector<std::optional<std::string>> cells) {
  return Row(std::make_shared<const std::vector<std::string>>(std::move(columns)), std::move(cells));
}

TEST(RowTest, PlainGettersReadNullAsTheirDocumentedDefault) {
  const Row row = row_of({"text", "count", "ratio", "flag"}, {std::nullopt, std::nullopt, std::nullopt, std::nullopt});
  EXPECT_TRUE(row.is_null("count"));
  EXPECT_EQ(row.str("text"), "");
  EXPECT_EQ(row.i64("count"), 0);
  EXPECT_EQ(row.f64("ratio"), 0.0);
  EXPECT_FALSE(row.boolean("flag"));
}

TEST(RowTest, OptGettersTellNullFromAValue) {
  const Row nulls = row_of({"text", "count", "ratio", "flag"}, {std::nullopt, std::nullopt, std::nullopt, std::nullopt});
  EXPECT_EQ(nulls.opt("text"), std::nullopt);
  EXPECT_EQ(nulls.opt_i64("count"), std::nullopt);
  EXPECT_EQ(nulls.opt_f64("ratio"), std::nullopt);
  EXPECT_EQ(nulls.opt_boolean("flag"), std::nullopt);

  // The values the defaults would hide: "", 0, 0.0 and false are values, not NULL.
  const Row values = row_of({"text", "count", "ratio", "flag"}, {"", "0", "0", "f"});
  EXPECT_EQ(values.opt("text"), std::optional<std::string>(""));
  EXPECT_EQ(values.opt_i64("count"), std::optional<std::int64_t>(0));
  EXPECT_EQ(values.opt_f64("ratio"), std::optional<double>(0.0));
  EXPECT_EQ(values.opt_boolean("flag"), std::optional<bool>(false));

  const Row set = row_of({"count", "ratio", "flag"}, {"-9223372036854775808", "0.25", "t"});
  EXPECT_EQ(set.opt_i64("count"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(set.opt_f64("ratio"), 0.25);
  EXPECT_EQ(set.opt_boolean("flag"), true);
}

TEST(RowTest, AColumnTheResultDoesNotHaveThrows) {
  const Row row = row_of({"id"}, {"1"});
  EXPECT_THROW((void)row.str("nope"), std::out_of_range);
  EXPECT_THROW((void)row.opt_i64("nope"), std::out_of_range);
}

TEST(ParamTest, UnsignedIntegersBindAsTheirDecimalText) {
  const std::size_t size = 20;
  const std::uint32_t small = 7;
  const unsigned long long big = std::numeric_limits<unsigned long long>::max();
  EXPECT_EQ(Param(size).text(), "20");
  EXPECT_EQ(Param(small).text(), "7");
  EXPECT_EQ(Param(big).text(), "18446744073709551615");
  EXPECT_FALSE(Param(0u).is_null());
  EXPECT_EQ(Param(std::optional<std::size_t>()).is_null(), true);
  EXPECT_EQ(Param(std::optional<std::size_t>(3)).text(), "3");
  // In a parameter list, as agents write them.
  const std::vector<Param> params = {size, small, -1, "text", nullptr};
  EXPECT_EQ(params[0].text(), "20");
  EXPECT_EQ(params[2].text(), "-1");
  EXPECT_TRUE(params[4].is_null());
}

}  // namespace
}  // namespace socrates::sdk

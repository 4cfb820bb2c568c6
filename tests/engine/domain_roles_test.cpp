// A member's domain role aims the questions (domain.md "Attribution and stakeholders"): the role's
// categories from domain_roles.json are preferred over the least-covered category of all, after
// following a rich answer and never into a category the person was just silent about.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::shipped_json;
using test_support::spec;
using test_support::TempDir;

// Enough firm, clear specifications to cover `category` completely.
std::vector<Specification> covered(const std::string& category, std::vector<Specification> specs = {}) {
  const double target = shipped().taxonomy().find(category)->target;
  for (int i = 0; i <= static_cast<int>(target); ++i) {
    const std::string aspect(1, static_cast<char>('a' + i));
    specs.push_back(spec(category, category + "_aspect_" + aspect, "aspect " + aspect, 1.0));
  }
  return specs;
}

TEST(DomainRolesTest, ShippedRolesMapTheSeedsExamples) {
  const DomainRoles& roles = shipped().domain_roles();
  const auto& operations = roles.categories_of("operations");
  ASSERT_GE(operations.size(), 2u);
  EXPECT_EQ(operations[0], "scalability");
  EXPECT_EQ(operations[1], "disaster_recovery");
  ASSERT_FALSE(roles.categories_of("security").empty());
  EXPECT_EQ(roles.categories_of("security").front(), "security");
  EXPECT_EQ(roles.categories_of("product").front(), "goals");
}

TEST(DomainRolesTest, RolesMatchByNameOrAliasIgnoringCaseAndSpaces) {
  const DomainRoles& roles = shipped().domain_roles();
  EXPECT_EQ(roles.categories_of("  DevOps "), roles.categories_of("operations"));
  EXPECT_EQ(roles.categories_of("SRE"), roles.categories_of("operations"));
  EXPECT_EQ(roles.categories_of("Product Owner"), roles.categories_of("product"));
  EXPECT_TRUE(roles.categories_of("astronaut").empty());
  EXPECT_TRUE(roles.categories_of("").empty());
}

TEST(DomainRolesTest, AnOperatorIsFirstAskedAboutScalability) {
  const Question q = shipped().next_question_after({}, {}, "operations");
  EXPECT_EQ(q.category, "scalability");
  EXPECT_EQ(q.text, shipped().question_bank().questions("scalability").front());
  EXPECT_EQ(q.context.rfind("aimed at the member's role: ", 0), 0u) << q.context;
}

TEST(DomainRolesTest, SecurityIsFirstAskedAboutSecurity) {
  EXPECT_EQ(shipped().next_question_after({}, {}, "security").category, "security");
}

TEST(DomainRolesTest, WithoutAKnownRoleTheQuestionIsTheSameAsWithoutOne) {
  const Question none = shipped().next_question_after({}, {});
  const Question unknown = shipped().next_question_after({}, {}, "astronaut");
  EXPECT_EQ(none.category, "goals");
  EXPECT_EQ(unknown.category, none.category);
  EXPECT_EQ(unknown.text, none.text);
  EXPECT_EQ(unknown.context, none.context);
}

TEST(DomainRolesTest, TheLeastCoveredOfTheRolesCategoriesComesFirst) {
  // Scalability is covered: the operator is asked about disaster recovery next.
  const Question q = shipped().next_question_after(covered("scalability"), {}, "operations");
  EXPECT_EQ(q.category, "disaster_recovery");
}

TEST(DomainRolesTest, OnceTheRolesCategoriesAreCoveredTheLeastCoveredOfAllIsAsked) {
  const auto specs = covered("security", covered("data_retention"));
  const Question q = shipped().next_question_after(specs, {}, "security");
  EXPECT_EQ(q.category, "goals");
  EXPECT_EQ(q.category, shipped().next_question_after(specs, {}).category);
}

TEST(DomainRolesTest, ARichAnswerIsFollowedBeforeTheRole) {
  const std::vector<Specification> specs = {spec("performance", "p95_latency", "<= 200 ms", 0.9),
                                            spec("performance", "throughput", "500 requests per second", 0.9)};
  const std::vector<AskedQuestion> asked = {
      {shipped().question_bank().questions("performance").front(), "performance", true,
       {"performance", "performance"}}};
  const Question q = shipped().next_question_after(specs, asked, "security");
  EXPECT_EQ(q.category, "performance");
  EXPECT_EQ(q.context.rfind("following the person: ", 0), 0u) << q.context;
}

TEST(DomainRolesTest, ARoleCategoryThePersonWasSilentAboutRests) {
  // The security question got no answer that recorded anything: the next one is data retention.
  const std::vector<AskedQuestion> asked = {
      {shipped().question_bank().questions("security").front(), "security", true, {}}};
  const Question q = shipped().next_question_after({}, asked, "security");
  EXPECT_EQ(q.category, "data_retention");
}

TEST(DomainRolesTest, AnUnknownCategoryIsRefusedNamingTheFile) {
  TempDir dir;
  dir.copy_shipped();
  nlohmann::json roles = shipped_json(kDomainRolesFile);
  roles["roles"][0]["categories"].push_back("compliance");
  dir.write(kDomainRolesFile, roles);
  try {
    Engine::load(dir.path());
    FAIL() << "an unknown category was accepted";
  } catch (const DataError& e) {
    EXPECT_EQ(e.file(), (dir.path() / kDomainRolesFile).string());
    EXPECT_NE(e.problem().find("unknown category 'compliance'"), std::string::npos) << e.what();
  }
}

TEST(DomainRolesTest, AnAliasOfTwoRolesIsRefused) {
  nlohmann::json roles = shipped_json(kDomainRolesFile);
  roles["roles"][1]["aliases"].push_back("Product Owner");
  EXPECT_THROW(DomainRoles::parse(roles, "domain_roles.json"), DataError);
}

}  // namespace
}  // namespace socrates::engine

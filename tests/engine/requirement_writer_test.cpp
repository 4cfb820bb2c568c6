// Requirements: every EARS form chosen from a specification's slot and value by the shipped
// templates, the acceptance criteria of measurable specifications, IDs, and the templates' loading
// errors.

#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace socrates::engine {
namespace {

using test_support::shipped;
using test_support::shipped_json;
using test_support::TempDir;

struct Case {
  const char* category;
  const char* key;
  const char* value;
  const char* template_name;
  EarsForm form;
  const char* statement;
  const char* then = "";  // a part of the first criterion's "then"; "" when the requirement has none
};

std::ostream& operator<<(std::ostream& out, const Case& c) {
  return out << c.category << "/" << c.key << " = " << c.value;
}

const Case kCases[] = {
    // Slots and metrics of the lexicon.
    {"performance", "p95_latency", "\xE2\x89\xA4 200 ms", "p95_latency", EarsForm::kUbiquitous,
     "The system shall respond within 200 ms at the 95th percentile.", "the 95th-percentile response time is at most 200 ms"},
    {"performance", "p95_latency", "300 ms", "p95_latency", EarsForm::kUbiquitous,
     "The system shall respond within 300 ms at the 95th percentile.", "response time is 300 ms"},
    {"performance", "p99_latency", "\xE2\x89\xA4 1 s", "p99_latency", EarsForm::kUbiquitous,
     "The system shall respond within 1 s at the 99th percentile.", "the 99th-percentile response time is at most 1 s"},
    {"performance", "availability", "\xE2\x89\xA5 99.9%", "availability", EarsForm::kUbiquitous,
     "The system shall be available at least 99.9% of the time.", "it is at least 99.9%"},
    {"security", "session_timeout", "30 minutes", "session_timeout", EarsForm::kStateDriven,
     "While a user's session is idle, the system shall end it after 30 min.", "ends the session"},
    {"monitoring", "detection_time", "\xE2\x89\xA4 5 minutes", "detection_time", EarsForm::kEventDriven,
     "When a failure occurs, the system shall alert its operators within 5 min.", "within 5 min"},
    {"disaster_recovery", "rto", "\xE2\x89\xA4 15 minutes", "recovery_time", EarsForm::kUnwanted,
     "If the system fails, then the system shall be back in service within 15 min.", "serves requests again within 15 min"},
    {"disaster_recovery", "rpo", "\xE2\x89\xA4 5 minutes", "recovery_point", EarsForm::kUnwanted,
     "If the system fails, then the system shall lose no more than the last 5 min of data.", "at most the last 5 min"},
    {"disaster_recovery", "backup_interval", "1 day", "backup_interval", EarsForm::kUnwanted,
     "If data is lost or corrupted, then the system shall restore it from a backup taken no more than 1 day earlier.",
     "no older than 1 day"},
    {"data_retention", "retention_period", "30 days", "retention_period", EarsForm::kUbiquitous,
     "The system shall keep the data covered by its retention period for 30 days.", "retention period of 30 days"},
    {"data_retention", "logs_retention_period", "90 days", "retention_period", EarsForm::kUbiquitous,
     "The system shall keep the data covered by its logs retention period for 90 days.", "of 90 days"},
    {"scalability", "peak_concurrent_users", "\xE2\x89\xA5 10000", "concurrent_users", EarsForm::kStateDriven,
     "While at least 10000 users are connected at once, the system shall keep serving them within its performance "
     "requirements.",
     "meets its performance requirements"},
    {"scalability", "requests_per_second", "1000", "load", EarsForm::kUbiquitous,
     "The system shall handle 1000 requests per second.", "keeps serving requests"},
    {"scalability", "daily_active_users", "\xE2\x89\xA5 5000", "load", EarsForm::kUbiquitous,
     "The system shall handle at least 5000 daily active users.", "keeps serving"},
    {"requirements", "max_upload_size", "\xE2\x89\xA4 10 MB", "upload_size", EarsForm::kUnwanted,
     "If an upload is larger than 10 MB, then the system shall refuse it and name the limit.", "the limit of 10 MB"},
    {"testing", "coverage_target", "\xE2\x89\xA5 80%", "coverage_target", EarsForm::kUbiquitous,
     "The system's automated tests shall cover at least 80% of its code.", "line coverage is at least 80%"},
    {"disaster_recovery", "failover_strategy", "active-passive", "failover", EarsForm::kUnwanted,
     "If its primary instance fails, then the system shall fail over to a standby (active-passive)."},
    {"disaster_recovery", "region_strategy", "multi-region", "region", EarsForm::kUnwanted,
     "If a hosting region becomes unavailable, then the system shall keep its data and service safe according to its "
     "multi-region setup."},
    {"requirements", "connectivity", "works offline", "offline", EarsForm::kStateDriven,
     "While no network connection is available, the system shall keep working (works offline)."},
    {"requirements", "connectivity", "online only", "connectivity", EarsForm::kUbiquitous,
     "The system shall work online only."},
    {"security", "authentication_method_single_sign_on", "single sign-on", "authentication", EarsForm::kOptional,
     "Where single sign-on is enabled, the system shall let users sign in with single sign-on."},
    {"security", "compliance_gdpr", "GDPR", "compliance", EarsForm::kUbiquitous, "The system shall comply with GDPR."},
    {"requirements", "platform_web_application", "web application", "platform", EarsForm::kUbiquitous,
     "The system shall be delivered in this form: web application."},
    {"requirements", "tenancy", "multi-tenant", "tenancy", EarsForm::kUbiquitous, "The system shall be multi-tenant."},
    {"tech_stack", "api_style_rest", "REST", "api_style", EarsForm::kUbiquitous, "The system shall offer a REST API."},
    {"monitoring", "monitoring_tool_prometheus", "Prometheus", "monitoring_tool", EarsForm::kUbiquitous,
     "The system shall report its health and metrics to Prometheus."},
    {"tech_stack", "database", "PostgreSQL", "technology", EarsForm::kUbiquitous,
     "The system shall use PostgreSQL for its database."},
    {"tech_stack", "backend_language", "C++", "technology", EarsForm::kUbiquitous,
     "The system shall use C++ for its backend language."},
    {"tech_stack", "message_broker", "Kafka", "integration", EarsForm::kUbiquitous,
     "The system shall use Kafka as its message broker."},
    {"testing", "test_tool_pytest", "pytest", "technology", EarsForm::kUbiquitous,
     "The system shall use pytest for its test tool."},

    // Statements: the form follows the words they start with.
    {"requirements", "order_placed_notify_warehouse", "When an order is placed, notify the warehouse.", "event",
     EarsForm::kEventDriven, "When an order is placed, the system shall notify the warehouse."},
    {"requirements", "payment_fails_customer_email", "Whenever a payment fails, the customer must get an email",
     "event_modal", EarsForm::kEventDriven, "When a payment fails, the customer shall get an email."},
    {"requirements", "signup_welcome_email", "As soon as a user signs up, send a welcome email", "event",
     EarsForm::kEventDriven, "When a user signs up, the system shall send a welcome email."},
    {"requirements", "maintenance_mode_banner", "While the store is in maintenance mode, show a banner", "state",
     EarsForm::kStateDriven, "While the store is in maintenance mode, the system shall show a banner."},
    {"requirements", "sale_prices_locked", "As long as a sale runs, prices must stay locked", "state_modal",
     EarsForm::kStateDriven, "While a sale runs, prices shall stay locked."},
    {"requirements", "payment_provider_down", "If the payment provider is down, queue the orders", "unwanted",
     EarsForm::kUnwanted, "If the payment provider is down, then the system shall queue the orders."},
    {"security", "login_fails_account_locked", "If a login fails five times then the account must be locked",
     "unwanted_modal", EarsForm::kUnwanted, "If a login fails five times, then the account shall be locked."},
    {"requirements", "importer_crashes", "In case the importer crashes, then keep the last good data", "unwanted",
     EarsForm::kUnwanted, "If the importer crashes, then the system shall keep the last good data."},
    {"requirements", "premium_plan_pdf", "Where the customer has a premium plan, export reports as PDF", "optional",
     EarsForm::kOptional, "Where the customer has a premium plan, the system shall export reports as PDF."},
    {"security", "tenant_sso", "Where a tenant enables SSO, users must sign in through it", "optional_modal",
     EarsForm::kOptional, "Where a tenant enables SSO, users shall sign in through it."},
    {"requirements", "slack_integration", "Integration with Slack is optional", "optional_feature", EarsForm::kOptional,
     "Where this feature is enabled, the system shall provide it: integration with Slack is optional."},
    {"disaster_recovery", "copy_data_building", "Keep a copy of the data in another building", "recovery_statement",
     EarsForm::kUnwanted,
     "If the system or its data is lost, then the system shall recover as stated: keep a copy of the data in another "
     "building."},
    {"goals", "small_shops_inventory", "Help small shops track their inventory", "goal", EarsForm::kUbiquitous,
     "The system shall serve this goal: help small shops track their inventory."},
    {"security", "passwords_hashed", "Passwords must be hashed", "modal_statement", EarsForm::kUbiquitous,
     "Passwords shall be hashed."},
    {"security", "admins_card_numbers", "Admins must not see card numbers.", "modal_statement", EarsForm::kUbiquitous,
     "Admins shall not see card numbers."},
    {"requirements", "reports_signed_manager", "Reports have to be signed by a manager", "modal_statement",
     EarsForm::kUbiquitous, "Reports shall be signed by a manager."},
    {"requirements", "reports_weekly", "Reports have to be sent weekly", "modal_statement", EarsForm::kUbiquitous,
     "Reports shall be sent weekly.", "it is observed that reports have to be sent weekly"},
    {"performance", "p95_latency", "fast", "slot", EarsForm::kUbiquitous,
     "The system shall have fast as its p95 latency."},
    {"requirements", "users_search_products", "Users can search products by name", "statement", EarsForm::kUbiquitous,
     "The system shall meet this need: users can search products by name."},
    {"requirements", "file_uploaded_preview", "When a file is uploaded the user sees a preview", "statement",
     EarsForm::kUbiquitous, "The system shall meet this need: when a file is uploaded the user sees a preview."},
    {"performance", "pages_load_seconds", "Pages must load in under 2 seconds", "modal_statement",
     EarsForm::kUbiquitous, "Pages shall load in under 2 seconds.", "it is observed that pages must load in under 2 seconds"},
};

class RequirementFormTest : public ::testing::TestWithParam<Case> {};

TEST_P(RequirementFormTest, WritesTheStatementOfItsTemplate) {
  const Case& c = GetParam();
  const Specification spec{c.category, c.key, c.value, 0.9};
  const RequirementWriter& writer = shipped().requirements();
  EXPECT_EQ(writer.template_for(spec), c.template_name);
  const Requirement r = writer.write(spec, 7);
  EXPECT_EQ(to_string(r.form), to_string(c.form));
  EXPECT_EQ(r.statement, c.statement);
  EXPECT_EQ(r.category, c.category);
  EXPECT_EQ(r.key, c.key);
  EXPECT_EQ(r.value, c.value);
  if (std::string(c.then).empty()) {
    EXPECT_TRUE(r.acceptance.empty()) << "a specification without a quantity has no acceptance criteria";
  } else {
    ASSERT_FALSE(r.acceptance.empty());
    EXPECT_NE(r.acceptance[0].then.find(c.then), std::string::npos) << r.acceptance[0].then;
    EXPECT_FALSE(r.acceptance[0].given.empty());
    EXPECT_FALSE(r.acceptance[0].when.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, RequirementFormTest, ::testing::ValuesIn(kCases));

// The acceptance criteria carry the specification's number and unit, as the statement does.
TEST_P(RequirementFormTest, MeasurableOnesKeepTheirNumberAndUnit) {
  const Case& c = GetParam();
  const RequirementWriter& writer = shipped().requirements();
  const Requirement r = writer.write({c.category, c.key, c.value, 0.9}, 1);
  const auto in_value = writer.quantities(c.value);
  if (std::string(c.then).empty() || in_value.empty()) return;
  const auto in_statement = writer.quantities(r.statement);
  for (const auto& quantity : in_value) {
    EXPECT_NE(std::find(in_statement.begin(), in_statement.end(), quantity), in_statement.end())
        << quantity << " is missing from " << r.statement;
    std::string criteria;
    for (const auto& a : r.acceptance) criteria += a.given + " " + a.when + " " + a.then + " ";
    const auto in_criteria = writer.quantities(criteria);
    EXPECT_NE(std::find(in_criteria.begin(), in_criteria.end(), quantity), in_criteria.end())
        << quantity << " is missing from " << criteria;
  }
}

TEST(RequirementWriterTest, EveryShippedTemplateAndEveryFormHasACase) {
  std::set<std::string> covered;
  std::set<std::string> forms;
  for (const Case& c : kCases) {
    covered.insert(c.template_name);
    forms.insert(std::string(to_string(c.form)));
  }
  for (const auto& t : shipped().requirements().templates().templates())
    EXPECT_TRUE(covered.count(t.name)) << "no case chooses the template '" << t.name << "'";
  EXPECT_EQ(forms.size(), 5u);
}

TEST(RequirementWriterTest, IdsArePrefixAndZeroPaddedNumber) {
  const RequirementWriter& writer = shipped().requirements();
  EXPECT_EQ(writer.id("performance", 3), "PERF-003");
  EXPECT_EQ(writer.id("requirements", 12), "FR-012");
  EXPECT_EQ(writer.id("security", 1234), "SEC-1234");
  EXPECT_EQ(writer.id("performance", 0), "");
  EXPECT_EQ(writer.id("no_such_category", 1), "");
  EXPECT_EQ(writer.write({"security", "passwords_hashed", "Passwords must be hashed", 0.9}, 2).id, "SEC-002");
  EXPECT_EQ(writer.write({"security", "passwords_hashed", "Passwords must be hashed", 0.9}, 0).id, "");
}

TEST(RequirementWriterTest, EveryCategoryHasItsOwnPrefix) {
  std::set<std::string> prefixes;
  for (const auto& category : shipped().taxonomy().categories()) {
    const std::string id = shipped().requirements().id(category.name, 1);
    ASSERT_FALSE(id.empty()) << category.name;
    EXPECT_TRUE(prefixes.insert(id).second) << id;
  }
}

TEST(RequirementWriterTest, QuantitiesAreTheNumbersWithTheirUnits) {
  const RequirementWriter& writer = shipped().requirements();
  EXPECT_EQ(writer.quantities("respond within 200 ms and stay up 99.9% of the time"),
            (std::vector<std::string>{"200 ms", "99.9%"}));
  EXPECT_EQ(writer.quantities("within two seconds"), (std::vector<std::string>{"2 s"}));
  EXPECT_TRUE(writer.quantities("no numbers here").empty());
}

TEST(RequirementWriterTest, SameSpecificationSameRequirement) {
  const RequirementWriter& writer = shipped().requirements();
  const Specification spec{"performance", "p95_latency", "\xE2\x89\xA4 200 ms", 0.9};
  const Requirement a = writer.write(spec, 3);
  const Requirement b = writer.write(spec, 3);
  EXPECT_EQ(a.statement, b.statement);
  EXPECT_EQ(a.id, b.id);
  ASSERT_EQ(a.acceptance.size(), b.acceptance.size());
}

// ---- loading: a broken templates file stops start-up naming the file and the place.

std::string error_with(const std::function<void(nlohmann::json&)>& edit) {
  TempDir dir;
  dir.copy_shipped();
  nlohmann::json document = shipped_json(kRequirementTemplatesFile);
  edit(document);
  dir.write(kRequirementTemplatesFile, document);
  try {
    Engine::load(dir.path());
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

struct LoadCase {
  const char* name;
  std::function<void(nlohmann::json&)> edit;
  const char* expected;
};

TEST(RequirementTemplatesLoadingTest, RefusesBrokenFiles) {
  const std::vector<LoadCase> cases = {
      {"missing prefix", [](nlohmann::json& d) { d["prefixes"].erase("security"); },
       "the category 'security' of"},
      {"shared prefix", [](nlohmann::json& d) { d["prefixes"]["security"] = "PERF"; },
       "is used by another category"},
      {"lower-case prefix", [](nlohmann::json& d) { d["prefixes"]["security"] = "sec"; },
       "prefixes.security: a prefix is upper-case"},
      {"unknown category", [](nlohmann::json& d) { d["prefixes"]["billing"] = "BILL"; },
       "prefixes.billing: unknown category"},
      {"unknown form", [](nlohmann::json& d) { d["templates"][0]["form"] = "sometimes"; },
       "templates[0].form: unknown EARS form 'sometimes'"},
      {"unknown placeholder", [](nlohmann::json& d) { d["templates"][0]["statement"] = "{system} shall {fly}."; },
       "templates[0].statement"},
      {"quantity without measurable",
       [](nlohmann::json& d) { d["templates"][0].erase("measurable"); d["templates"][0].erase("acceptance"); },
       "{quantity} needs \"measurable\": true"},
      {"shall without modal", [](nlohmann::json& d) { d["templates"][0]["statement"] = "{shall}."; },
       "{shall} needs \"modal\": true"},
      {"condition without lead words",
       [](nlohmann::json& d) { d["templates"][0]["statement"] = "When {condition}, {system} shall act."; },
       "{condition} needs lead_words"},
      {"conditional last template",
       [](nlohmann::json& d) { d["templates"].back()["categories"] = nlohmann::json::array({"goals"}); },
       "the last template must have no conditions"},
      {"duplicate name", [](nlohmann::json& d) { d["templates"][1]["name"] = d["templates"][0]["name"]; },
       "templates[1].name: the name"},
      {"wrong format", [](nlohmann::json& d) { d["format"] = 2; }, "format"},
  };
  for (const auto& c : cases) {
    const std::string error = error_with(c.edit);
    EXPECT_NE(error.find(kRequirementTemplatesFile), std::string::npos) << c.name << ": " << error;
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.name << ": " << error;
  }
}

TEST(RequirementTemplatesLoadingTest, MissingFileIsNamed) {
  TempDir dir;
  dir.copy_shipped();
  std::filesystem::remove(dir.path() / kRequirementTemplatesFile);
  try {
    Engine::load(dir.path());
    FAIL() << "loaded without requirement_templates.json";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path() / kRequirementTemplatesFile).string()), std::string::npos);
  }
}

// A deployment's own wording is used as written.
TEST(RequirementTemplatesLoadingTest, ADeploymentsOwnWordingIsUsed) {
  TempDir dir;
  dir.copy_shipped();
  nlohmann::json document = shipped_json(kRequirementTemplatesFile);
  document["system"] = "the shop";
  document["prefixes"]["performance"] = "NFR";
  dir.write(kRequirementTemplatesFile, document);
  const Engine engine = Engine::load(dir.path());
  const Requirement r = engine.requirements().write({"performance", "p95_latency", "\xE2\x89\xA4 200 ms", 0.9}, 4);
  EXPECT_EQ(r.id, "NFR-004");
  EXPECT_EQ(r.statement, "The shop shall respond within 200 ms at the 95th percentile.");
}

}  // namespace
}  // namespace socrates::engine

// socratic/reply, loaded from the real plugin library: it is internal, and every parameter's size
// is checked before any work (the fake services have no database, so an input that passes the
// checks ends in DATABASE_UNAVAILABLE, and one that does not ends in VALIDATION_ERROR naming it).
#include "host/orchestrator/agent_registry.hpp"
#include "host/plugins/plugin_loader.hpp"

#include <socrates/sdk/testing.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace socrates::host {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kUserId = "0b7e4a52-3c1d-4f7a-9a55-8d2e6f1c0a11";
const std::string kSessionId = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a";

class SocraticReplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    copy_dir_ = fs::temp_directory_path() / ("socrates_socratic_reply_test." + std::to_string(::getpid()));
    plugin_.emplace(PluginLoader(copy_dir_).load(fs::path(SOCRATES_PLUGIN_DIR) / "libsocratic_agent.so"));
    std::string error;
    ASSERT_TRUE(plugin_->agent->start(services_, &error)) << error;
  }
  void TearDown() override {
    plugin_.reset();
    fs::remove_all(copy_dir_);
  }

  sdk::Result reply(json params) {
    sdk::Request request;
    request.action = "reply";
    request.params = std::move(params);
    request.caller = sdk::Caller{kUserId, "user", "req-reply"};
    return plugin_->agent->handle(request, services_);
  }
  static json spec(const std::string& key = "database", const std::string& category = "tech_stack") {
    return {{"category", category}, {"key", key}, {"value", "PostgreSQL"}, {"confidence", 0.9}};
  }
  static json params(json recorded = json::array(), std::string message = "We use PostgreSQL.") {
    return {{"session_id", kSessionId}, {"message", std::move(message)}, {"recorded", std::move(recorded)},
            {"conflicts", 0}, {"duplicates", 0}};
  }
  // The field a VALIDATION_ERROR names, or the code of any other answer.
  std::string refusal(json p) {
    const sdk::Result result = reply(std::move(p));
    if (result.is_ok()) return "OK";
    if (result.error().code != sdk::errc::kValidation) return result.error().code;
    return result.error().details.value("field", "?");
  }

  fs::path copy_dir_;
  sdk::testing::FakeServices services_{std::map<std::string, std::string>{{"DATA_DIR", SOCRATES_ENGINE_DATA_DIR}}};
  std::optional<LoadedPlugin> plugin_;
};

TEST_F(SocraticReplyTest, ReplyIsInternal) {
  EXPECT_TRUE(plugin_->agent->is_internal("reply"));
  EXPECT_FALSE(plugin_->agent->is_internal("next_question"));
}

TEST_F(SocraticReplyTest, InputWithinItsBoundsReachesTheDatabase) {
  json recorded = json::array();
  for (int i = 0; i < 200; ++i) recorded.push_back(spec("key_" + std::to_string(i)));
  EXPECT_EQ(refusal(params(recorded, std::string(20000, 'x'))), sdk::errc::kDatabaseUnavailable);
}

TEST_F(SocraticReplyTest, EveryParameterIsBounded) {
  json too_many = json::array();
  for (int i = 0; i < 201; ++i) too_many.push_back(spec());
  EXPECT_EQ(refusal(params(too_many)), "recorded");
  EXPECT_EQ(refusal(params(json::object())), "recorded");
  EXPECT_EQ(refusal(params(json::array({"database"}))), "recorded[0]");
  EXPECT_EQ(refusal(params(json::array({spec(), spec(std::string(101, 'k'))}))), "recorded[1].key");
  EXPECT_EQ(refusal(params(json::array({spec("")}))), "recorded[0].key");
  EXPECT_EQ(refusal(params(json::array({spec("database", "astrology")}))), "recorded[0].category");
  json long_value = spec();
  long_value["value"] = std::string(20001, 'v');
  EXPECT_EQ(refusal(params(json::array({long_value}))), "recorded[0].value");
  json odd_confidence = spec();
  odd_confidence["confidence"] = 1.5;
  EXPECT_EQ(refusal(params(json::array({odd_confidence}))), "recorded[0].confidence");
  EXPECT_EQ(refusal(params(json::array(), std::string(20001, 'm'))), "message");
  json no_message = params();
  no_message.erase("message");
  EXPECT_EQ(refusal(no_message), "message");
  json many_conflicts = params();
  many_conflicts["conflicts"] = 100001;
  EXPECT_EQ(refusal(many_conflicts), "conflicts");
  json bad_session = params();
  bad_session["session_id"] = "not-a-uuid";
  EXPECT_EQ(refusal(bad_session), "session_id");
}

}  // namespace
}  // namespace socrates::host

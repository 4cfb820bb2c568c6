// BaseAgent's internal actions (SDK 1.2): registering one, how each list reports it, and that
// handle() still dispatches it (the host decides who may call which). Actions registered as member
// functions (SDK 1.3), and sdk::testing's call() and FakeServices as a plugin author uses them.
#include <socrates/sdk/base_agent.hpp>
#include <socrates/sdk/testing.hpp>
#include <socrates/sdk/version.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace socrates::sdk {
namespace {

using Names = std::vector<std::string>;

class MixedAgent final : public BaseAgent {
 public:
  MixedAgent() : BaseAgent(AgentInfo{"mixed", "Mixed", "1.0.0"}) {
    register_action("shout", [](const Request&, Services&) { return Result::ok("public"); });
    register_action(
        "whisper", [](const Request&, Services&) { return Result::ok("internal"); }, ActionVisibility::kInternal);
    register_action("ask", [](const Request&, Services&) { return Result::ok("public"); }, ActionVisibility::kPublic);
  }
  // Re-registration, for the test below.
  void declare(const std::string& action, ActionVisibility visibility) {
    register_action(action, [](const Request&, Services&) { return Result::ok("again"); }, visibility);
  }
};

TEST(BaseAgentTest, ActionsArePublicUnlessRegisteredInternal) {
  MixedAgent agent;
  EXPECT_EQ(agent.capabilities(), (Names{"ask", "shout", "whisper"}));
  EXPECT_EQ(agent.public_capabilities(), (Names{"ask", "shout"}));
  EXPECT_EQ(agent.internal_capabilities(), (Names{"whisper"}));
  EXPECT_TRUE(agent.is_internal("whisper"));
  EXPECT_FALSE(agent.is_internal("shout"));
  EXPECT_FALSE(agent.is_internal("no_such_action"));
  EXPECT_TRUE(agent.supports("whisper"));
}

TEST(BaseAgentTest, HandleStillDispatchesAnInternalAction) {
  MixedAgent agent;
  testing::FakeServices services;
  Request request;
  request.action = "whisper";
  const Result result = agent.handle(request, services);
  ASSERT_TRUE(result.is_ok());
  EXPECT_EQ(result.value(), "internal");
}

TEST(BaseAgentTest, RegisteringAnActionAgainSetsItsVisibilityAnew) {
  MixedAgent agent;
  agent.declare("whisper", ActionVisibility::kPublic);
  agent.declare("shout", ActionVisibility::kInternal);
  EXPECT_EQ(agent.public_capabilities(), (Names{"ask", "whisper"}));
  EXPECT_EQ(agent.internal_capabilities(), (Names{"shout"}));
}

// An agent whose actions are its member functions, registered without a lambda around them.
class CounterAgent final : public BaseAgent {
 public:
  CounterAgent() : BaseAgent(AgentInfo{"counter", "Counter", "1.0.0"}) {
    register_action("add", &CounterAgent::add);
    register_action("peek", &CounterAgent::peek, ActionVisibility::kInternal);
    register_action("lambda", [](const Request&, Services&) { return Result::ok("still works"); });
  }

 private:
  Result add(const Request& request, Services& services) {
    total_ += request.params.value("by", 1);
    services.log(LogLevel::kInfo, "added for " + request.caller.user_id);
    return Result::ok({{"total", total_}});
  }
  Result peek(const Request&, Services&) const { return Result::ok({{"total", total_}}); }

  int total_ = 0;
};

TEST(BaseAgentTest, MemberFunctionsAreActionsOfTheirOwnAgent) {
  CounterAgent agent;
  testing::FakeServices services;
  EXPECT_EQ(agent.public_capabilities(), (Names{"add", "lambda"}));
  EXPECT_EQ(agent.internal_capabilities(), (Names{"peek"}));

  EXPECT_EQ(testing::call(agent, services, "add", {{"by", 2}}).value()["total"], 2);
  EXPECT_EQ(testing::call(agent, services, "add").value()["total"], 3) << "the same object's state";
  EXPECT_EQ(testing::call(agent, services, "peek").value()["total"], 3) << "a const member function";
  EXPECT_EQ(testing::call(agent, services, "lambda").value(), "still works");
  EXPECT_TRUE(services.logged("added for " + testing::user().user_id)) << "call() passes a signed-in user";
}

TEST(BaseAgentTest, TestingCallAnswersAsTheHostWould) {
  CounterAgent agent;
  testing::FakeServices services;
  const Result unknown = testing::call(agent, services, "nope");
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.error().code, errc::kUnsupportedAction);
  // What a handler throws becomes an error result, as in the host.
  const Result bad = testing::call(agent, services, "add", {{"by", "two"}});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.error().code, errc::kAgentError);
  EXPECT_FALSE(services.lines().empty()) << "the exception is logged";
}

TEST(BaseAgentTest, FakeServicesHasNoDatabaseAndTheLlmATestGivesIt) {
  class EchoLlm final : public LlmClient {
   public:
    const char* provider() const noexcept override { return "echo"; }
    bool complete(const LlmRequest& request, LlmResponse* out, Error*) noexcept override {
      out->text = request.messages.at(0).content;
      return true;
    }
  } llm;
  testing::FakeServices services({{"DATA_DIR", "/data"}});
  EXPECT_EQ(services.setting("DATA_DIR"), "/data");
  EXPECT_EQ(services.setting("SECRET_KEY"), std::nullopt);
  EXPECT_EQ(services.llm(), nullptr) << "the built-in engine, by default";
  services.set_llm(&llm);
  EXPECT_STREQ(services.llm()->provider(), "echo");
  try {
    Db db(services, Database::kSpecs);
    FAIL() << "a database was opened";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(e.kind(), DbStatus::Kind::kUnavailable);
  }
}

TEST(BaseAgentTest, TheSdkIsTheVersionOfThePluginAbiItSpeaks) {
  EXPECT_EQ(kVersionMajor, 2);
  EXPECT_GE(kVersionMinor, 1);
  EXPECT_EQ(kVersionMajor, SOCRATES_ABI_VERSION_MAJOR);
  EXPECT_EQ(kVersionMinor, SOCRATES_ABI_VERSION_MINOR);
}

}  // namespace
}  // namespace socrates::sdk

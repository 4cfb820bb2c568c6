// BaseAgent's internal actions (SDK 1.2): registering one, how each list reports it, and that
// handle() still dispatches it (the host decides who may call which).
#include <socrates/sdk/base_agent.hpp>
#include <socrates/sdk/version.hpp>

#include "support/fake_services.hpp"

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
  test::FakeServices services;
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

TEST(BaseAgentTest, TheSdkIsVersionOneTwo) {
  EXPECT_EQ(kVersionMajor, 1);
  EXPECT_GE(kVersionMinor, 2);
}

}  // namespace
}  // namespace socrates::sdk

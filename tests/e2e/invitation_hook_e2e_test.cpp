// The outbound hook of new invitations over real HTTP (INVITATION_HOOK_URL pointing at a receiving
// server on 127.0.0.1, INVITATION_HOOK_SECRET set): each new invitation is POSTed once, signed, with
// the token the invited person accepts; a receiver that answers 500 gets the same delivery again;
// and a receiver that holds its answer, or a URL where nothing listens, neither delays nor fails
// the invitation.
#include "e2e/e2e_helpers.hpp"

#include "host/notify/webhook.hpp"
#include "support/fake_llm_server.hpp"
#include "support/gate.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace socrates::test::e2e {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "a-shared-secret-of-the-operator";

class InvitationHookE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    receiver_ = new FakeLlmServer();
    host_ = new HostUnderTest(
        EnvMap{{"INVITATION_HOOK_URL", receiver_->base_url() + "/hooks/socrates"}, {"INVITATION_HOOK_SECRET", kSecret}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
    delete receiver_;
    receiver_ = nullptr;
  }
  void SetUp() override {
    receiver_->reset();
    seen_before_ = receiver_->request_count();
    expect_host_started(host_);
    owner_ = new_user(client(), "hook-owner");
  }
  void TearDown() override {
    receiver_->release();
    expect_host_alive(host_);
  }

  HttpClient client() const { return host_->client(); }
  std::string new_project() const {
    const auto project = client().post("/api/v1/projects", {{"name", "Allotment swap"}}, owner_.access_token);
    EXPECT_EQ(project.status, 201) << describe(project);
    return project.json().value("id", "");
  }
  Response invite(const std::string& project_id, const std::string& email) const {
    return client().post("/api/v1/projects/" + project_id + "/invitations",
                         {{"email", email}, {"role", "viewer"}, {"domain_role", "operations"}}, owner_.access_token);
  }
  // The receiver keeps the requests of the suite's earlier tests: these count from this test's start.
  bool received(std::size_t count) const {
    return eventually([this, count] { return receiver_->request_count() >= seen_before_ + count; });
  }
  std::vector<ReceivedRequest> deliveries() const {
    auto all = receiver_->requests();
    return {all.begin() + static_cast<std::ptrdiff_t>(seen_before_), all.end()};
  }

  inline static FakeLlmServer* receiver_ = nullptr;
  inline static HostUnderTest* host_ = nullptr;
  TestUser owner_;
  std::size_t seen_before_ = 0;
};

TEST_F(InvitationHookE2eTest, ANewInvitationIsPostedSignedWithItsTokenAndTheInvitedPersonCanAcceptIt) {
  receiver_->set_default({});
  const TestUser gardener = new_user(client(), "hook-gardener");
  const std::string project = new_project();
  const auto invited = invite(project, gardener.email);
  ASSERT_EQ(invited.status, 201) << describe(invited);
  ASSERT_TRUE(received(1));

  const auto delivery = deliveries().at(0);
  EXPECT_EQ(delivery.method, "POST");
  EXPECT_EQ(delivery.path, "/hooks/socrates");
  EXPECT_EQ(delivery.header("content-type"), "application/json");
  EXPECT_EQ(delivery.header("x-socrates-event"), "invitation.created");
  EXPECT_EQ(delivery.header("x-socrates-signature"), host::notify::WebhookSender::signature(kSecret, delivery.body));
  const json body = delivery.json();
  EXPECT_EQ(body["event"], "invitation.created");
  EXPECT_EQ(body["delivery_id"], delivery.header("x-socrates-delivery"));
  const json& invitation = body["invitation"];
  EXPECT_EQ(invitation["id"], invited.json()["id"]);
  EXPECT_EQ(invitation["project_id"], project);
  EXPECT_EQ(invitation["project_name"], "Allotment swap");
  EXPECT_EQ(invitation["email"], gardener.email);
  EXPECT_EQ(invitation["role"], "viewer");
  EXPECT_EQ(invitation["invited_by_email"], owner_.email);
  ASSERT_EQ(invitation["token"], invited.json()["token"]);

  // The token the receiver got is the one the invited person accepts with.
  const auto accepted = client().post("/api/v1/invitations/accept", {{"token", invitation["token"]}}, gardener.access_token);
  ASSERT_EQ(accepted.status, 200) << describe(accepted);
  EXPECT_EQ(accepted.json()["role"], "viewer");
  // Accepting posts nothing: only new invitations are announced.
  EXPECT_EQ(deliveries().size(), 1u);
}

TEST_F(InvitationHookE2eTest, AReceiverThatFailsGetsTheSameDeliveryAgain) {
  receiver_->push({500, {}, R"({"error":"mail relay down"})"});
  receiver_->set_default({});
  const auto invited = invite(new_project(), "retry@example.com");
  ASSERT_EQ(invited.status, 201) << describe(invited);
  ASSERT_TRUE(received(2));
  const auto requests = deliveries();
  EXPECT_EQ(requests[0].header("x-socrates-delivery"), requests[1].header("x-socrates-delivery"));
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[1].json()["invitation"]["email"], "retry@example.com");
}

TEST_F(InvitationHookE2eTest, AReceiverThatHoldsItsAnswerDelaysNoInvitation) {
  ScriptedReply held;
  held.held = true;
  receiver_->set_default(held);
  const std::string project = new_project();
  const auto first = invite(project, "first@example.com");
  ASSERT_EQ(first.status, 201) << describe(first);
  ASSERT_TRUE(eventually([] { return receiver_->in_progress() == 1; }));
  // The receiver still holds the first delivery: the next invitations are answered all the same.
  const auto second = invite(project, "second@example.com");
  ASSERT_EQ(second.status, 201) << describe(second);
  const auto listed = client().get("/api/v1/projects/" + project + "/invitations", owner_.access_token);
  ASSERT_EQ(listed.status, 200) << describe(listed);
  EXPECT_EQ(listed.json()["total"], 2);
  EXPECT_EQ(receiver_->in_progress(), 1u);
  receiver_->release();
  ASSERT_TRUE(received(2));
}

TEST(InvitationHookUnreachableE2eTest, AHookWhereNothingListensFailsNoInvitation) {
  // A port that was just free: nothing listens there.
  std::uint16_t closed = 0;
  {
    FakeLlmServer gone;
    closed = gone.port();
  }
  HostUnderTest host(EnvMap{{"INVITATION_HOOK_URL", "http://127.0.0.1:" + std::to_string(closed) + "/hook"}});
  expect_host_started(&host);
  const TestUser owner = new_user(host.client(), "hook-unreachable");
  const auto project = host.client().post("/api/v1/projects", {{"name", "Nobody listens"}}, owner.access_token);
  ASSERT_EQ(project.status, 201) << describe(project);
  const std::string id = project.json().value("id", "");
  for (const char* email : {"a@example.com", "b@example.com", "c@example.com"}) {
    const auto invited = host.client().post("/api/v1/projects/" + id + "/invitations", {{"email", email}},
                                            owner.access_token);
    ASSERT_EQ(invited.status, 201) << describe(invited);
  }
  const auto listed = host.client().get("/api/v1/projects/" + id + "/invitations?status=pending", owner.access_token);
  ASSERT_EQ(listed.status, 200) << describe(listed);
  EXPECT_EQ(listed.json()["total"], 3);
  expect_host_alive(&host);
}

TEST(InvitationHookConfigE2eTest, AHookUrlThatIsNotHttpStopsStartUpNamingIt) {
  HostUnderTest host(EnvMap{{"INVITATION_HOOK_URL", "ftp://mail.example.com/invite"}});
  ASSERT_FALSE(host.start_error.empty());
  EXPECT_NE(host.start_error.find("INVITATION_HOOK_URL"), std::string::npos) << host.start_error;
}

}  // namespace
}  // namespace socrates::test::e2e

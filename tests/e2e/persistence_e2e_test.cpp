// "A 2xx answer to a write means the write is committed": a host killed with SIGKILL right after
// answering must not lose what it acknowledged.
#include "e2e/e2e_helpers.hpp"

namespace socrates::test::e2e {
namespace {

TEST(PersistenceE2eTest, AnAcknowledgedProjectSurvivesAHostKilledRightAfterTheAnswer) {
  TestDatabases databases;
  const EnvMap env = host_environment(databases);

  HostProcess first(env);
  ASSERT_NO_THROW(first.start());
  const HttpClient a(first.base_url());
  const TestUser user = new_user(a);
  const auto created =
      a.post("/api/v1/projects", {{"name", "durable"}, {"description", "must outlive a crash"}}, user.access_token);
  // No grace at all: the kill follows the answer immediately, so nothing written after it can help.
  first.kill();
  ASSERT_EQ(created.status, 201) << describe(created);
  const std::string id = created.json()["id"];

  HostProcess second(env);
  ASSERT_NO_THROW(second.start());
  const HttpClient b(second.base_url());
  // The login survived too: the same access token works on the new process.
  const auto fetched = b.get("/api/v1/projects/" + id, user.access_token);
  ASSERT_EQ(fetched.status, 200) << describe(fetched) << "\n" << second.stderr_text();
  EXPECT_EQ(fetched.json(), created.json());
  const auto listed = b.get("/api/v1/projects", user.access_token);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.json()["total"], 1);
  EXPECT_EQ(second.stop(), 0) << second.stderr_text();
}

TEST(PersistenceE2eTest, AcknowledgedAccountChangesSurviveAKill) {
  TestDatabases databases;
  const EnvMap env = host_environment(databases);

  HostProcess first(env);
  ASSERT_NO_THROW(first.start());
  const HttpClient a(first.base_url());
  const TestUser user = new_user(a);
  const auto logout = a.post("/api/v1/auth/logout", nullptr, user.access_token);
  first.kill();
  ASSERT_EQ(logout.status, 204) << describe(logout);

  HostProcess second(env);
  ASSERT_NO_THROW(second.start());
  const HttpClient b(second.base_url());
  // The registration is there (login works) and so is the logout (the old token stays refused).
  EXPECT_EQ(login(b, user.email, user.password).status, 200);
  EXPECT_TRUE(IsApiError(b.get("/api/v1/auth/me", user.access_token), 401, "UNAUTHENTICATED"));
}

}  // namespace
}  // namespace socrates::test::e2e

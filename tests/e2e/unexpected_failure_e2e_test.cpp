// Failures the code does not expect, caused for real in the database under a running host
// (no test hook in the host: production code has nothing that only a test can switch on):
//  - a statement failing for a reason the code has no answer for (here a trigger that raises, as a
//    broken schema, a bad migration or a full disk would): the exception leaves the host's own code
//    (AccountService::logout has no catch) and the route's boundary answers 500 INTERNAL_ERROR in
//    the error shape, without the database's words, which go to the log; nothing half-done stays,
//    and the host keeps serving;
//  - an account deleted while one of its requests runs: 404 USER_NOT_FOUND.
#include "e2e/e2e_helpers.hpp"

#include <future>
#include <thread>

namespace socrates::test::e2e {
namespace {

using namespace std::chrono_literals;

class UnexpectedFailureE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { host_ = new HostUnderTest(); }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override { expect_host_started(host_); }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }
  const std::string& auth_url() const { return host_->databases->auth_url(); }

  static HostUnderTest* host_;
};

HostUnderTest* UnexpectedFailureE2eTest::host_ = nullptr;

// A connection of the test's own to one of the host's databases, for locks held across a request.
class Holder {
 public:
  explicit Holder(const std::string& url) : conn_(PQconnectdb(url.c_str()), &PQfinish) {}
  bool connected() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
  std::string scalar(const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn_.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
      throw std::runtime_error("'" + sql + "' failed: " + PQresultErrorMessage(result.get()));
    return status == PGRES_TUPLES_OK && PQntuples(result.get()) > 0 ? PQgetvalue(result.get(), 0, 0) : "";
  }

  // Waits until a statement of another session waits for a lock on `table` (a hang-catching deadline).
  bool someone_waits_for(const std::string& table) {
    for (int attempt = 0; attempt < 1200; ++attempt) {
      if (scalar("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '" + table + "'::regclass") != "0")
        return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

 private:
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

TEST_F(UnexpectedFailureE2eTest, AStatementThatFailsUnexpectedlyIs500InternalErrorAndTheHostKeepsServing) {
  const TestUser user = new_user(client());
  const std::string words = "fixture: logins cannot change today";
  exec_sql(auth_url(),
           "CREATE FUNCTION refuse_login_change() RETURNS trigger LANGUAGE plpgsql AS "
           "$$ BEGIN RAISE EXCEPTION '" + words + "'; END $$; "
           "CREATE TRIGGER refuse_login_change BEFORE UPDATE ON logins "
           "FOR EACH ROW EXECUTE FUNCTION refuse_login_change()");

  const auto failed = client().post("/api/v1/auth/logout", nullptr, user.access_token);
  exec_sql(auth_url(), "DROP TRIGGER refuse_login_change ON logins; DROP FUNCTION refuse_login_change()");
  ASSERT_TRUE(IsApiError(failed, 500, "INTERNAL_ERROR"));
  EXPECT_EQ(failed.body.find(words), std::string::npos) << "the database's words are for the log: " << failed.body;
  EXPECT_EQ(failed.body.find("logins"), std::string::npos) << failed.body;

  // Nothing was half-done: the logout rolled back, so the login still works.
  EXPECT_EQ(client().get("/api/v1/auth/me", user.access_token).status, 200);
  // The host keeps serving: liveness, other routes, and the same route once the fault is gone.
  EXPECT_EQ(client().get("/health").status, 200);
  EXPECT_EQ(client().post("/api/v1/projects", {{"name", "after the failure"}}, user.access_token).status, 201);
  EXPECT_EQ(client().post("/api/v1/auth/logout", nullptr, user.access_token).status, 204);
  EXPECT_TRUE(IsApiError(client().get("/api/v1/auth/me", user.access_token), 401, "UNAUTHENTICATED"));

  // Why it failed is in the log (written after the answer: wait for it).
  bool logged = false;
  for (int attempt = 0; attempt < 600 && !logged; ++attempt) {
    logged = host_->process->stderr_text().find(words) != std::string::npos;
    if (!logged) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(logged) << host_->process->stderr_text();
}

// The account is deleted after the request's token was checked and before the account is read:
// the request waits on a lock the test holds on a table it reads in between (the login throttle's),
// and the test deletes the account before letting it go.
TEST_F(UnexpectedFailureE2eTest, AnAccountDeletedWhileItsRequestRunsIs404UserNotFound) {
  const TestUser user = new_user(client());
  Holder holder(auth_url());
  ASSERT_TRUE(holder.connected());
  holder.scalar("BEGIN");
  holder.scalar("LOCK TABLE account_locks IN ACCESS EXCLUSIVE MODE");
  auto change = std::async(std::launch::async, [&] {
    return client().post("/api/v1/auth/change-password",
                         {{"current_password", user.password}, {"new_password", "another password 123"}},
                         user.access_token);
  });
  const bool waiting = holder.someone_waits_for("account_locks");
  holder.scalar("DELETE FROM users WHERE id = '" + user.id + "'");
  holder.scalar("COMMIT");
  ASSERT_TRUE(waiting) << "the request never reached the throttle check";

  EXPECT_TRUE(IsApiError(change.get(), 404, "USER_NOT_FOUND"));
  // The account and its logins are gone: the token is refused from now on.
  EXPECT_TRUE(IsApiError(client().get("/api/v1/auth/me", user.access_token), 401, "UNAUTHENTICATED"));
}

}  // namespace
}  // namespace socrates::test::e2e

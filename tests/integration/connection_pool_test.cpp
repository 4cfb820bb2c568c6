// host::ConnectionPool against a real PostgreSQL: durability of committed work, rollback of
// abandoned work, error classification, lease limits, and recovery from lost server connections.
#include "host/db/connection_pool.hpp"

#include "support/integration_fixture.hpp"

#include <socrates/sdk/database.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace socrates {
namespace {

using host::ConnectionPool;
using Kind = sdk::DbStatus::Kind;
using std::chrono::milliseconds;

constexpr const char* kInsertUser =
    "INSERT INTO users (email, password_hash) VALUES ($1, 'not-a-real-hash') RETURNING id::text AS id";

class ConnectionPoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<ConnectionPool> open_pool(std::size_t size, milliseconds lease_timeout = milliseconds(5000)) {
    return std::make_unique<ConnectionPool>("auth", databases_.auth_url(), size, lease_timeout);
  }

  std::int64_t users_with_email(const std::string& email) {
    return test::db_count(databases_.auth_url(), "SELECT count(*) FROM users WHERE email = '" + email + "'");
  }

  // Ends every server connection to the auth database, as a PostgreSQL restart or an idle-session
  // killer would. pg_terminate_backend only signals, so wait until the backends are really gone:
  // the pool must then meet dead sockets, not live ones.
  void kill_server_connections() {
    const std::string name = databases_.auth_name();
    test::admin_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name +
                     "' AND pid <> pg_backend_pid()");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (test::admin_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + name + "'") != "0") {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the killed backends did not exit";
      std::this_thread::sleep_for(milliseconds(10));
    }
  }

  test::MigratedDatabases databases_;
};

// The lesson of the previous attempt: a 201 was sent, the session closed, and nothing was stored.
TEST_F(ConnectionPoolTest, CommittedWriteSurvivesReleasingTheSessionAndDestroyingThePool) {
  std::string id;
  {
    auto pool = open_pool(2);
    sdk::Db db = pool->open();
    db.begin();
    id = db.query_one(kInsertUser, {"persisted@example.com"})->str("id");
    db.commit();
  }  // session released, then every connection of the pool closed

  auto fresh = open_pool(1);
  sdk::Db db = fresh->open();
  auto row = db.query_one("SELECT email FROM users WHERE id = $1::uuid", {id});
  ASSERT_TRUE(row.has_value()) << "the committed row is gone once its pool was destroyed";
  EXPECT_EQ(row->str("email"), "persisted@example.com");
}

TEST_F(ConnectionPoolTest, WriteIsVisibleThroughAnotherConnectionAfterTheFirstIsReleased) {
  auto pool = open_pool(2);
  {
    sdk::Db writer = pool->open();
    writer.begin();
    writer.query_one(kInsertUser, {"shared@example.com"});
    writer.commit();
  }
  // Both connections at once, so one of them is certainly not the writer's.
  sdk::Db first = pool->open();
  sdk::Db second = pool->open();
  for (sdk::Db* reader : {&first, &second}) {
    auto row = reader->query_one("SELECT count(*) AS n FROM users WHERE email = $1", {"shared@example.com"});
    EXPECT_EQ(row->i64("n"), 1);
  }
}

TEST_F(ConnectionPoolTest, TransactionNotCommittedIsRolledBackWhenTheSessionIsReleased) {
  // One connection, so the next lease gets the very connection the abandoned transaction was on.
  auto pool = open_pool(1);
  {
    sdk::Db db = pool->open();
    db.begin();
    db.query_one(kInsertUser, {"abandoned@example.com"});
  }  // released without commit, as a handler that threw would
  {
    sdk::Db db = pool->open();
    // Autocommit work on the same connection must not end up inside the abandoned transaction.
    db.query_one(kInsertUser, {"after@example.com"});
  }
  pool.reset();

  EXPECT_EQ(users_with_email("abandoned@example.com"), 0);
  EXPECT_EQ(users_with_email("after@example.com"), 1);
}

TEST_F(ConnectionPoolTest, UniqueViolationIsReportedWithTheConstraintName) {
  auto pool = open_pool(1);
  sdk::DbStatus status;
  auto session = pool->lease(&status);
  ASSERT_TRUE(session);
  const sdk::Param first[] = {"Dup@Example.com"};
  ASSERT_TRUE(session->execute(kInsertUser, first, 1, nullptr, &status)) << status.message;

  // Emails are unique case-insensitively (users_email_key is on lower(email)).
  const sdk::Param second[] = {"dup@example.COM"};
  EXPECT_FALSE(session->execute(kInsertUser, second, 1, nullptr, &status));
  EXPECT_EQ(status.kind, Kind::kUniqueViolation);
  EXPECT_EQ(status.sqlstate, "23505");
  EXPECT_EQ(status.constraint, "users_email_key");

  // The same through the SDK wrapper, which is what agents see.
  sdk::Db db(std::move(session));
  try {
    db.query_one(kInsertUser, {"DUP@example.com"});
    ADD_FAILURE() << "a duplicate email was inserted";
  } catch (const sdk::DatabaseError& e) {
    EXPECT_TRUE(e.is_unique_violation("users_email_key")) << e.what();
  }
  EXPECT_EQ(db.query_one("SELECT count(*) AS n FROM users")->i64("n"), 1);
}

TEST_F(ConnectionPoolTest, SyntaxErrorIsAQueryErrorAndTheSessionStaysUsable) {
  auto pool = open_pool(1);
  sdk::DbStatus status;
  auto session = pool->lease(&status);
  ASSERT_TRUE(session);
  sdk::ResultSet result;
  EXPECT_FALSE(session->execute("SELEC 1", nullptr, 0, &result, &status));
  EXPECT_EQ(status.kind, Kind::kQuery);
  EXPECT_EQ(status.sqlstate, "42601");

  ASSERT_TRUE(session->execute("SELECT 41 + 1", nullptr, 0, &result, &status)) << status.message;
  ASSERT_EQ(result.rows.size(), 1u);
  EXPECT_EQ(result.rows[0][0], "42");
}

TEST_F(ConnectionPoolTest, FailedStatementMakesTheTransactionCommitNothing) {
  auto pool = open_pool(1);
  {
    sdk::Db db = pool->open();
    db.begin();
    db.query_one(kInsertUser, {"half@example.com"});
    EXPECT_THROW(db.execute("SELEC 1"), sdk::DatabaseError);
    // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK and no error: that must not
    // pass for a commit, or a handler would acknowledge a write that is not there.
    EXPECT_THROW(db.commit(), sdk::DatabaseError);
    // And the connection is clean again for the next statement.
    db.query_one(kInsertUser, {"next@example.com"});
  }
  EXPECT_EQ(users_with_email("half@example.com"), 0);
  EXPECT_EQ(users_with_email("next@example.com"), 1);
}

TEST_F(ConnectionPoolTest, LeasingBeyondThePoolSizeFailsWithUnavailableUntilASessionIsReturned) {
  auto pool = open_pool(2, milliseconds(200));
  sdk::DbStatus status;
  auto a = pool->lease(&status);
  auto b = pool->lease(&status);
  ASSERT_TRUE(a && b);

  const auto start = std::chrono::steady_clock::now();
  auto c = pool->lease(&status);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(c);
  EXPECT_EQ(status.kind, Kind::kUnavailable);
  // It waited for the 200 ms lease timeout, not at all: a timed wait never ends early, so this
  // bound holds however busy the machine (an upper bound would not; a hang is the test timeout's to
  // catch). The slack is for SOCI's deadline, which is on the system clock.
  EXPECT_GE(waited, milliseconds(150));

  a.reset();
  c = pool->lease(&status);
  ASSERT_TRUE(c) << status.message;
  EXPECT_TRUE(status.ok());
  sdk::ResultSet result;
  EXPECT_TRUE(c->execute("SELECT 1", nullptr, 0, &result, &status)) << status.message;
}

TEST_F(ConnectionPoolTest, WaitingLeaseIsServedWhenAnotherThreadReturnsASession) {
  auto pool = open_pool(1, milliseconds(5000));
  sdk::DbStatus status;
  auto held = pool->lease(&status);
  ASSERT_TRUE(held);
  std::thread releaser([&held] {
    std::this_thread::sleep_for(milliseconds(100));
    held.reset();
  });
  auto waiting = pool->lease(&status);
  releaser.join();
  ASSERT_TRUE(waiting) << status.message;
}

TEST_F(ConnectionPoolTest, StatsIdleGoesDownWithLeasesAndBackUpWithReturns) {
  auto pool = open_pool(3);
  EXPECT_EQ(pool->stats().size, 3u);
  EXPECT_EQ(pool->stats().idle, 3u);
  sdk::DbStatus status;
  auto a = pool->lease(&status);
  EXPECT_EQ(pool->stats().idle, 2u);
  auto b = pool->lease(&status);
  EXPECT_EQ(pool->stats().idle, 1u);
  a.reset();
  EXPECT_EQ(pool->stats().idle, 2u);
  b.reset();
  EXPECT_EQ(pool->stats().idle, 3u);
  EXPECT_EQ(pool->stats().size, 3u);
}

TEST_F(ConnectionPoolTest, AutocommitStatementSucceedsAfterTheServerKilledEveryConnection) {
  auto pool = open_pool(2);
  constexpr const char* kCount = "SELECT count(*) AS n FROM users";
  {
    // Every connection has run (and so prepared) the statement before it dies.
    sdk::Db a = pool->open(), b = pool->open();
    a.query_one(kCount);
    b.query_one(kCount);
  }
  ASSERT_NO_FATAL_FAILURE(kill_server_connections());

  sdk::Db a = pool->open(), b = pool->open();
  for (sdk::Db* db : {&a, &b}) {
    try {
      // The same text as before the outage, and one never seen on this connection.
      EXPECT_EQ(db->query_one(kCount)->i64("n"), 0);
      EXPECT_EQ(db->query_one("SELECT 7 AS seven")->i64("seven"), 7);
    } catch (const sdk::DatabaseError& e) {
      ADD_FAILURE() << "the pool did not heal: " << e.what();
    }
  }
}

TEST_F(ConnectionPoolTest, TransactionBeginsAfterTheServerKilledEveryConnection) {
  auto pool = open_pool(2);
  {
    sdk::Db a = pool->open(), b = pool->open();
    a.query_one("SELECT 1 AS one");
    b.query_one("SELECT 1 AS one");
  }
  ASSERT_NO_FATAL_FAILURE(kill_server_connections());

  sdk::Db a = pool->open(), b = pool->open();
  int n = 0;
  for (sdk::Db* db : {&a, &b}) {
    const std::string email = "healed" + std::to_string(n++) + "@example.com";
    try {
      db->begin();
      db->query_one(kInsertUser, {email});
      db->commit();
    } catch (const sdk::DatabaseError& e) {
      ADD_FAILURE() << "a transaction could not run after the outage: " << e.what();
    }
    EXPECT_EQ(users_with_email(email), 1);
  }
}

TEST_F(ConnectionPoolTest, ConnectionLostInsideATransactionFailsTheStatementInsteadOfRunningItAlone) {
  auto pool = open_pool(1);
  {
    sdk::Db db = pool->open();
    db.begin();
    db.query_one("SELECT 1 AS one");  // the transaction has reached the server
    ASSERT_NO_FATAL_FAILURE(kill_server_connections());
    // The transaction died with its connection. Replaying the statement on a new connection would
    // run it outside any transaction: committed at once, beyond the reach of a later rollback.
    try {
      db.query_one(kInsertUser, {"orphan@example.com"});
      ADD_FAILURE() << "the statement of a lost transaction was reported as done";
    } catch (const sdk::DatabaseError& e) {
      EXPECT_EQ(e.kind(), Kind::kUnavailable) << e.what();
    }
    db.rollback();
  }
  EXPECT_EQ(users_with_email("orphan@example.com"), 0)
      << "a statement of a rolled-back transaction was committed on its own";

  // The next request gets a working connection again.
  sdk::Db db = pool->open();
  EXPECT_NO_THROW(db.query_one("SELECT 1 AS one"));
}

TEST_F(ConnectionPoolTest, ConnectionLostBeforeATransactionsFirstStatementIsReplayedInsideTheTransaction) {
  auto pool = open_pool(1);
  {
    sdk::Db db = pool->open();
    db.begin();  // BEGIN leaves with the first statement: nothing has reached the server yet
    ASSERT_NO_FATAL_FAILURE(kill_server_connections());
    EXPECT_NO_THROW(db.query_one(kInsertUser, {"replayed@example.com"}));
    db.rollback();
  }
  EXPECT_EQ(users_with_email("replayed@example.com"), 0)
      << "the replayed statement ran outside the transaction and survived its rollback";
}

TEST_F(ConnectionPoolTest, PreparedStatementCacheServesRepeatedAndDistinctStatements) {
  auto pool = open_pool(1);
  sdk::Db db = pool->open();
  for (int i = 0; i < 1000; ++i) {
    auto row = db.query_one("SELECT $1::int * 2 AS doubled", {i});
    ASSERT_EQ(row->i64("doubled"), 2 * i) << "run " << i;
  }
  // More distinct texts than the per-connection cache keeps: each must still answer its own result.
  for (int i = 0; i < 600; ++i) {
    auto row = db.query_one("SELECT " + std::to_string(i) + " AS n");
    ASSERT_EQ(row->i64("n"), i) << "text " << i;
  }
  EXPECT_EQ(db.query_one("SELECT $1::int * 2 AS doubled", {21})->i64("doubled"), 42);
  // Dynamic SQL must not grow the server's memory without bound.
  EXPECT_LE(db.query_one("SELECT count(*) AS n FROM pg_prepared_statements")->i64("n"), 513);
}

TEST_F(ConnectionPoolTest, NullParametersAndNullResultsRoundTrip) {
  auto pool = open_pool(1);
  sdk::Db db = pool->open();
  auto row = db.query_one("SELECT $1::text AS a, $2::text AS b, $3::text AS c, $4::int AS d, NULL::text AS e",
                          {nullptr, std::optional<std::string>(), std::string(), std::optional<int>()});
  EXPECT_TRUE(row->is_null("a"));
  EXPECT_FALSE(row->opt("b").has_value());
  // An empty string is a value, not NULL.
  EXPECT_FALSE(row->is_null("c"));
  EXPECT_EQ(row->opt("c"), std::optional<std::string>(""));
  EXPECT_TRUE(row->is_null("d"));
  EXPECT_TRUE(row->is_null("e"));

  // Through a stored column too.
  const std::string user_id = db.query_one(kInsertUser, {"nulls@example.com"})->str("id");
  db.execute("INSERT INTO logins (user_id, revoke_reason) VALUES ($1::uuid, $2)", {user_id, nullptr});
  db.execute("INSERT INTO logins (user_id, revoke_reason) VALUES ($1::uuid, $2)", {user_id, ""});
  auto stored = db.query(
      "SELECT revoke_reason FROM logins WHERE user_id = $1::uuid ORDER BY revoke_reason NULLS FIRST", {user_id});
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_TRUE(stored[0].is_null("revoke_reason"));
  EXPECT_FALSE(stored[1].is_null("revoke_reason"));
  EXPECT_EQ(stored[1].str("revoke_reason"), "");
}

// Row's opt getters and unsigned Params (SDK 1.3) against what PostgreSQL really answers.
TEST_F(ConnectionPoolTest, UnsignedParametersAndNullableNumbersRoundTrip) {
  auto pool = open_pool(1);
  sdk::Db db = pool->open();
  const std::size_t limit = 20;
  const unsigned long long big = 18446744073709551615ull;
  auto row = db.query_one("SELECT $1::bigint AS limit_n, $2::numeric::text AS big, NULL::bigint AS none, "
                          "0::bigint AS zero, NULL::float8 AS ratio, NULL::boolean AS flag",
                          {limit, big});
  EXPECT_EQ(row->i64("limit_n"), 20);
  EXPECT_EQ(row->str("big"), "18446744073709551615");
  EXPECT_EQ(row->opt_i64("none"), std::nullopt);
  EXPECT_EQ(row->i64("none"), 0) << "the documented default";
  EXPECT_EQ(row->opt_i64("zero"), std::optional<std::int64_t>(0));
  EXPECT_EQ(row->opt_f64("ratio"), std::nullopt);
  EXPECT_EQ(row->opt_boolean("flag"), std::nullopt);
}

// sdk::Param(const char*) documents a null pointer as SQL NULL (a C API handing over a missing
// value); it must not be undefined behaviour.
TEST_F(ConnectionPoolTest, NullCharPointerParameterIsSqlNull) {
  auto pool = open_pool(1);
  sdk::Db db = pool->open();
  // What a C API answers for a missing value (and the compiler cannot fold it away).
  const char* missing = std::getenv("SOCRATES_TEST_VARIABLE_THAT_IS_NEVER_SET");
  ASSERT_EQ(missing, nullptr);
  try {
    auto row = db.query_one("SELECT $1::text AS a", {missing});
    EXPECT_TRUE(row->is_null("a"));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "a null const char* parameter threw: " << e.what();
  }
}

TEST_F(ConnectionPoolTest, BadUrlThrowsDatabaseErrorUnavailable) {
  const std::vector<std::string> urls = {
      "postgresql://socrates:secret@127.0.0.1:1/postgres",                     // nothing listens there
      test::url_for_database(test::test_cluster_url(), "no_such_database_here"),  // the server refuses it
      "this is not a connection string",
  };
  for (const auto& url : urls) {
    try {
      ConnectionPool pool("auth", url, 1, milliseconds(500));
      ADD_FAILURE() << "a pool opened on " << url;
    } catch (const sdk::DatabaseError& e) {
      EXPECT_EQ(e.kind(), Kind::kUnavailable) << url << ": " << e.what();
    }
  }
}

// ---- batches: several statements, and the commit, in one round trip

TEST_F(ConnectionPoolTest, BatchRunsItsStatementsInOrderAndEachSeesTheOnesBefore) {
  auto pool = open_pool(1);
  sdk::Db db = pool->open();
  db.begin();
  sdk::Batch batch;
  const auto first = batch.add(kInsertUser, {"batch-a@example.com"});
  const auto count = batch.add("SELECT count(*) AS n FROM users WHERE email LIKE 'batch-%'");
  const auto second = batch.add(kInsertUser, {"batch-b@example.com"});
  const auto same_text_again = batch.add("SELECT count(*) AS n FROM users WHERE email LIKE 'batch-%'");
  const auto results = db.commit(batch);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[first].size(), 1u);
  EXPECT_EQ(results[count][0].i64("n"), 1) << "the second statement did not see the first";
  EXPECT_NE(results[second][0].str("id"), results[first][0].str("id"));
  EXPECT_EQ(results[same_text_again][0].i64("n"), 2);
  EXPECT_EQ(users_with_email("batch-a@example.com") + users_with_email("batch-b@example.com"), 2)
      << "db.commit(batch) returned but the rows are not committed";
}

TEST_F(ConnectionPoolTest, BatchStopsAtTheFailingStatementAndCommitsNothing) {
  auto pool = open_pool(1);
  {
    sdk::Db db = pool->open();
    db.begin();
    db.query_one(kInsertUser, {"taken@example.com"});
    db.commit();
  }
  sdk::Db db = pool->open();
  db.begin();
  sdk::Batch batch;
  batch.add(kInsertUser, {"before-failure@example.com"});
  batch.add(kInsertUser, {"taken@example.com"});  // unique violation
  batch.add(kInsertUser, {"after-failure@example.com"});
  try {
    db.commit(batch);
    ADD_FAILURE() << "a batch with a failing statement was reported committed";
  } catch (const sdk::DatabaseError& e) {
    EXPECT_TRUE(e.is_unique_violation()) << e.what();
  }
  db.rollback();
  EXPECT_EQ(users_with_email("before-failure@example.com"), 0) << "part of a failed batch was committed";
  EXPECT_EQ(users_with_email("after-failure@example.com"), 0) << "a statement after the failure ran";
  // The connection is in step with the server again.
  EXPECT_EQ(db.query_one("SELECT 7 AS seven")->i64("seven"), 7);
}

// The answer flow's question commits without waiting for the disk (socratic's insert_question):
// its batch, outside a transaction, must be one transaction, all or nothing, whose local setting
// ends with it. Otherwise the connection's next commits, a client's writes among them, would
// not wait for the disk either.
TEST_F(ConnectionPoolTest, ABatchOutsideATransactionIsOneTransactionAndItsLocalSettingEndsWithIt) {
  auto pool = open_pool(1);
  {
    sdk::Db db = pool->open();
    db.query_one(kInsertUser, {"one-transaction-taken@example.com"});
  }
  sdk::Db db = pool->open();
  // The connection's own setting, whatever the test cluster's (which runs without durable commits).
  db.query_one("SELECT set_config('synchronous_commit', 'on', false)");
  sdk::Batch deferred;
  deferred.add("SELECT pg_catalog.set_config('synchronous_commit', 'off', true)");
  const auto seen = deferred.add("SELECT current_setting('synchronous_commit') AS setting");
  const auto inserted = deferred.add(kInsertUser, {"one-transaction@example.com"});
  const auto results = db.run(deferred);
  EXPECT_EQ(results[seen][0].str("setting"), "off") << "the setting did not reach the batch's next statement";
  EXPECT_EQ(results[inserted].size(), 1u);
  EXPECT_EQ(users_with_email("one-transaction@example.com"), 1) << "the batch's write is not committed";
  EXPECT_EQ(db.query_one("SELECT current_setting('synchronous_commit') AS setting")->str("setting"), "on")
      << "the setting outlived the batch's transaction";

  // All or nothing: a batch that fails at its last statement commits none of its writes.
  sdk::Batch failing;
  failing.add(kInsertUser, {"one-transaction-lost@example.com"});
  failing.add(kInsertUser, {"one-transaction-taken@example.com"});  // unique violation
  EXPECT_THROW(db.run(failing), sdk::DatabaseError);
  EXPECT_EQ(users_with_email("one-transaction-lost@example.com"), 0) << "part of a failed batch was committed";
  EXPECT_EQ(db.query_one("SELECT current_setting('synchronous_commit') AS setting")->str("setting"), "on");
}

TEST_F(ConnectionPoolTest, BatchWithAStatementThatCannotBePreparedLeavesTheConnectionUsable) {
  auto pool = open_pool(1);
  sdk::Db db = pool->open();
  sdk::Batch batch;
  batch.add("SELECT 1 AS one");
  batch.add("SELEKT nonsense");
  try {
    db.run(batch);
    ADD_FAILURE() << "a syntax error was reported as success";
  } catch (const sdk::DatabaseError& e) {
    EXPECT_EQ(e.kind(), Kind::kQuery) << e.what();
  }
  // The statement that failed to prepare is not cached under its text, and the others still work.
  for (int i = 0; i < 3; ++i) {
    sdk::Batch again;
    const auto one = again.add("SELECT 1 AS one");
    const auto doubled = again.add("SELECT $1::int * 2 AS doubled", {i});
    const auto results = db.run(again);
    EXPECT_EQ(results[one][0].i64("one"), 1);
    EXPECT_EQ(results[doubled][0].i64("doubled"), 2 * i);
  }
  EXPECT_THROW(db.query_one("SELEKT nonsense"), sdk::DatabaseError);
}

TEST_F(ConnectionPoolTest, AnEmptyTransactionCommitsWithoutTouchingTheServer) {
  auto pool = open_pool(1);
  sdk::Db db = pool->open();
  db.begin();
  EXPECT_NO_THROW(db.commit());
  db.begin();  // and a new one can start
  db.query_one(kInsertUser, {"after-empty@example.com"});
  db.commit();
  EXPECT_EQ(users_with_email("after-empty@example.com"), 1);
}

TEST_F(ConnectionPoolTest, EveryConnectionPlansItsStatementsOnceAlsoAfterAReconnect) {
  auto pool = open_pool(1);
  {
    sdk::Db db = pool->open();
    EXPECT_EQ(db.query_one("SELECT current_setting('plan_cache_mode') AS mode")->str("mode"), "force_generic_plan");
  }
  ASSERT_NO_FATAL_FAILURE(kill_server_connections());
  sdk::Db db = pool->open();
  EXPECT_EQ(db.query_one("SELECT current_setting('plan_cache_mode') AS mode")->str("mode"), "force_generic_plan")
      << "the re-opened connection lost the setting";
}

// Each session has the search path it was leased with, on whatever connection it gets: the pool
// sets it with the first statement when the connection has another, and a transaction that set it
// and was undone (rolled back, or an autocommit statement that failed) leaves the connection on the
// old one, which the pool must then know it does not know. One connection, so every session
// shares it.
TEST_F(ConnectionPoolTest, EverySessionHasItsOwnSearchPathOnASharedConnection) {
  auto pool = open_pool(1);
  const std::string agent = "\"some_agent\", public";
  auto path_of = [&](const std::string& search_path, bool in_transaction = false) {
    sdk::DbStatus status;
    auto session = pool->lease(&status, search_path);
    EXPECT_TRUE(session) << status.message;
    if (!session) return std::string("(no session)");
    sdk::Db db(std::move(session));
    if (in_transaction) db.begin();
    return db.query_one("SELECT current_setting('search_path') AS p")->str("p");
  };
  const std::string host_default = path_of("");
  EXPECT_EQ(host_default.find("some_agent"), std::string::npos) << host_default;

  EXPECT_EQ(path_of(agent), agent);
  EXPECT_EQ(path_of(""), host_default);  // not left over from the agent's session
  EXPECT_EQ(path_of(agent, /*in_transaction=*/true), agent);  // that transaction is rolled back
  EXPECT_EQ(path_of(agent), agent);
  EXPECT_EQ(path_of(""), host_default);

  // An autocommit statement that fails undoes the path it was sent with.
  {
    sdk::DbStatus status;
    auto session = pool->lease(&status, agent);
    ASSERT_TRUE(session) << status.message;
    EXPECT_FALSE(session->execute("SELECT 1/0", nullptr, 0, nullptr, &status));
  }
  EXPECT_EQ(path_of(agent), agent);
  // And a transaction whose statement failed, rolled back when the session goes.
  {
    sdk::DbStatus status;
    auto session = pool->lease(&status, agent);
    ASSERT_TRUE(session) << status.message;
    ASSERT_TRUE(session->begin(&status));
    EXPECT_FALSE(session->execute("SELECT 1/0", nullptr, 0, nullptr, &status));
  }
  EXPECT_EQ(path_of(agent, /*in_transaction=*/true), agent);
  EXPECT_EQ(path_of(""), host_default);
}

}  // namespace
}  // namespace socrates

// PostgreSQL stopped, crashed and started again under a running host, on a cluster of the test's
// own with durable commits (the shared test cluster runs with fsync off and must never stop):
//  - while it is down, requests answer 503 DATABASE_UNAVAILABLE in the error shape, liveness
//    (/health, which touches no database by contract) still answers, and the admin health says
//    503 degraded with each database unavailable;
//  - once it is back the same host process serves again, without a restart;
//  - no acknowledged write is lost: a writer creates projects throughout, and every 201 it got,
//    before the stop, while the database went away and after it came back, is found afterwards.
// The crash (`pg_ctl stop -m immediate`) discards PostgreSQL's shared memory, WAL buffers
// included: with synchronous_commit off (the fast test cluster) a commit acknowledged in the last
// moments before it could be lost; with durable commits it must not be. (Checked: run on a
// kFast cluster, the crash test lost an acknowledged project in each of two runs.)
// Nothing here is timed: the test waits for events (acknowledgements, refusals) with deadlines
// that only catch a hang.
#include "e2e/e2e_helpers.hpp"

#include "support/integration_fixture.hpp"
#include "support/pg_cluster.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace socrates::test::e2e {
namespace {

using namespace std::chrono_literals;

constexpr auto kHangDeadline = 120s;  // only a hung host or database takes this long

// Creates projects one after another until finish(), keeping the id of every 201 and every other answer.
class ProjectWriter {
 public:
  ProjectWriter(HttpClient client, std::string token) : client_(std::move(client)), token_(std::move(token)) {
    thread_ = std::thread([this] { loop(); });
  }
  ~ProjectWriter() { finish(); }
  ProjectWriter(const ProjectWriter&) = delete;
  ProjectWriter& operator=(const ProjectWriter&) = delete;

  void finish() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }

  // Waits until at least `count` writes were acknowledged (or refused); false on a hang.
  bool wait_for_acks(std::size_t count) { return wait([&] { return acked_.size() >= count; }); }
  bool wait_for_refusals(std::size_t count) { return wait([&] { return refused_.size() >= count; }); }

  std::vector<std::pair<std::string, std::string>> acked() const {  // (id, name)
    std::lock_guard<std::mutex> lock(mutex_);
    return acked_;
  }
  std::vector<Response> refused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return refused_;
  }

 private:
  template <typename Predicate>
  bool wait(Predicate ready) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, kHangDeadline, ready);
  }

  void loop() {
    for (int i = 0;; ++i) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) return;
      }
      const std::string name = "write " + std::to_string(i);
      std::optional<Response> answer;
      try {
        answer = client_.post("/api/v1/projects", {{"name", name}}, token_);
      } catch (const std::exception& e) {
        answer = Response{};
        answer->body = e.what();  // no HTTP answer at all: status 0, kept as a refusal
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (answer->status == 201)
        acked_.emplace_back(answer->json().value("id", ""), name);
      else
        refused_.push_back(*answer);
      changed_.notify_all();
    }
  }

  HttpClient client_;
  std::string token_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::vector<std::pair<std::string, std::string>> acked_;
  std::vector<Response> refused_;
  std::thread thread_;
};

class DatabaseOutageE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      cluster_ = new PgCluster(PgCluster::Durability::kDurable);
    } catch (const std::exception& e) {
      cluster_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(cluster_, nullptr) << cluster_error_;
    cluster_->start();  // whatever an earlier test left behind
    // The durability this test relies on, as the server reports it.
    EXPECT_EQ(db_scalar(cluster_->admin_url(), "SHOW fsync"), "on");
    EXPECT_EQ(db_scalar(cluster_->admin_url(), "SHOW synchronous_commit"), "on");
    databases_ = std::make_unique<TestDatabases>(cluster_->admin_url());
    host_ = std::make_unique<HostProcess>(host_environment(*databases_));
    ASSERT_NO_THROW(host_->start());
  }
  void TearDown() override {
    if (cluster_) cluster_->start();
    if (host_) {
      int status = 0;
      EXPECT_TRUE(host_->alive(&status)) << "the host died (status " << status << "):\n" << host_->stderr_text();
      host_.reset();
    }
    databases_.reset();
  }

  HttpClient client() const { return HttpClient(host_->base_url()); }

  // Every acknowledged project is there, as it was acknowledged, over HTTP.
  void expect_every_acknowledged_write_found(const ProjectWriter& writer, const TestUser& user) const {
    const auto acked = writer.acked();
    for (const auto& [id, name] : acked) {
      const auto fetched = client().get("/api/v1/projects/" + id, user.access_token);
      ASSERT_EQ(fetched.status, 200) << "an acknowledged project was lost: " << id << "\n" << describe(fetched);
      EXPECT_EQ(fetched.json()["name"], name);
    }
    // And the list agrees (a refused write may have committed before the connection broke, so at least).
    const auto listed = client().get("/api/v1/projects?limit=1", user.access_token);
    ASSERT_EQ(listed.status, 200) << describe(listed);
    EXPECT_GE(listed.json()["total"].get<std::size_t>(), acked.size());
  }

  // What the writer was told while the database went away: only the documented refusal.
  static void expect_refusals_are_database_unavailable(const ProjectWriter& writer) {
    for (const auto& refused : writer.refused()) EXPECT_TRUE(IsApiError(refused, 503, "DATABASE_UNAVAILABLE"));
  }

  static PgCluster* cluster_;
  static std::string cluster_error_;
  std::unique_ptr<TestDatabases> databases_;
  std::unique_ptr<HostProcess> host_;
};

PgCluster* DatabaseOutageE2eTest::cluster_ = nullptr;
std::string DatabaseOutageE2eTest::cluster_error_;

TEST_F(DatabaseOutageE2eTest, StoppedIs503DatabaseUnavailableAndStartedAgainServesWithEveryAcknowledgedWrite) {
  const TestUser user = new_user(client());
  ProjectWriter writer(client(), user.access_token);
  ASSERT_TRUE(writer.wait_for_acks(20)) << "the writer got no acknowledgements";

  cluster_->stop();
  ASSERT_TRUE(writer.wait_for_refusals(3)) << "the writer was never refused while the database was down";
  const std::size_t acked_before_start = writer.acked().size();

  // Database-backed routes of either database refuse with the documented code, in the error shape.
  EXPECT_TRUE(IsApiError(client().get("/api/v1/projects", user.access_token), 503, "DATABASE_UNAVAILABLE"));
  EXPECT_TRUE(IsApiError(client().get("/api/v1/auth/me", user.access_token), 503, "DATABASE_UNAVAILABLE"));
  EXPECT_TRUE(IsApiError(login(client(), user.email, user.password), 503, "DATABASE_UNAVAILABLE"));
  // Liveness is the process, not the database (api.md: it touches no database).
  const auto live = client().get("/health");
  EXPECT_EQ(live.status, 200) << describe(live);
  // The admin health is where the outage shows.
  const auto health = client().get("/api/v1/admin/health");
  ASSERT_EQ(health.status, 503) << describe(health);
  EXPECT_EQ(health.json()["status"], "degraded") << health.body;
  for (const char* name : {"auth", "specs"}) {
    EXPECT_EQ(health.json()["databases"][name]["status"], "unavailable") << name << ": " << health.body;
    EXPECT_TRUE(health.json()["databases"][name]["latency_ms"].is_null()) << name << ": " << health.body;
  }

  cluster_->start();
  // The same process serves again: its first requests after the restart succeed.
  const auto listed = client().get("/api/v1/projects", user.access_token);
  EXPECT_EQ(listed.status, 200) << describe(listed);
  EXPECT_EQ(client().get("/api/v1/auth/me", user.access_token).status, 200);
  EXPECT_EQ(login(client(), user.email, user.password).status, 200);
  const auto healthy = client().get("/api/v1/admin/health");
  EXPECT_EQ(healthy.status, 200) << describe(healthy);
  EXPECT_EQ(healthy.json()["status"], "ok") << healthy.body;
  ASSERT_TRUE(writer.wait_for_acks(acked_before_start + 5)) << "the writer was not served again";
  writer.finish();

  expect_refusals_are_database_unavailable(writer);
  expect_every_acknowledged_write_found(writer, user);
}

TEST_F(DatabaseOutageE2eTest, ACrashOfPostgresqlLosesNoAcknowledgedWrite) {
  const TestUser user = new_user(client());
  ProjectWriter writer(client(), user.access_token);
  ASSERT_TRUE(writer.wait_for_acks(20)) << "the writer got no acknowledgements";

  cluster_->crash();
  ASSERT_TRUE(writer.wait_for_refusals(3)) << "the writer was never refused while the database was down";
  const std::size_t acked_before_start = writer.acked().size();
  cluster_->start();  // replays the WAL
  ASSERT_TRUE(writer.wait_for_acks(acked_before_start + 5)) << "the writer was not served again";
  writer.finish();

  expect_refusals_are_database_unavailable(writer);
  expect_every_acknowledged_write_found(writer, user);
}

// An answer's follow-up question commits without waiting for the disk (docs/architecture.md
// "Flows"): a crash right after a turn may take that question, never an acknowledged answer, and
// the interview goes on from where it is.
TEST_F(DatabaseOutageE2eTest, ACrashRightAfterATurnLosesNoAcknowledgedAnswerAndTheInterviewGoesOn) {
  const TestUser user = new_user(client());
  const auto project = client().post("/api/v1/projects", {{"name", "Crash"}}, user.access_token);
  ASSERT_EQ(project.status, 201) << describe(project);
  const auto session = client().post("/api/v1/projects/" + project.json()["id"].get<std::string>() + "/sessions",
                                     {{"mode", "socratic"}}, user.access_token);
  ASSERT_EQ(session.status, 201) << describe(session);
  const std::string path = "/api/v1/sessions/" + session.json()["id"].get<std::string>();
  ASSERT_EQ(client().post(path + "/next-question", nlohmann::json::object(), user.access_token).status, 201);
  const std::vector<std::string> answers = {
      "A booking tool for a small chain of bicycle repair shops.",
      "The shop owners want the backend in Go and the bookings kept in PostgreSQL.",
      "Looking up a free slot should take under 400 ms for 500 riders.",
      "Mechanics sign in with a password that is never kept in plain text.",
  };
  for (const std::string& text : answers) {
    const auto turn = client().post(path + "/answer", {{"answer", text}}, user.access_token);
    ASSERT_EQ(turn.status, 200) << describe(turn);
    ASSERT_TRUE(turn.json()["next_question"].is_object()) << turn.body;
  }

  cluster_->crash();  // at once: the last turn's question may still be only in WAL buffers
  cluster_->start();  // replays the WAL

  const auto history = client().get(path + "/history?limit=100", user.access_token);
  ASSERT_EQ(history.status, 200) << describe(history);
  const nlohmann::json items = history.json()["items"];
  std::vector<std::string> recorded;
  for (const auto& item : items)
    if (item["message_type"] == "answer") recorded.push_back(item["content"].get<std::string>());
  EXPECT_EQ(recorded, answers) << "an acknowledged answer was lost: " << history.body;

  // The question is there, or asked again; and the next answer is taken.
  const auto next = client().post(path + "/next-question", nlohmann::json::object(), user.access_token);
  ASSERT_TRUE(next.status == 200 || next.status == 201) << describe(next);
  const auto after = client().post(path + "/answer", {{"answer", "Riders pick a shop, a date and the kind of repair."}},
                                   user.access_token);
  EXPECT_EQ(after.status, 200) << describe(after);
}

}  // namespace
}  // namespace socrates::test::e2e

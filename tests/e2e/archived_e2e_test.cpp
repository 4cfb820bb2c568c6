// An archived project is read-only until it is restored, over real HTTP: every write to it or to
// its sessions, specifications, conflicts and plans answers 409 PROJECT_ARCHIVED and changes
// nothing; every read and export still answers; restoring makes it writable again.
#include "e2e/host_suite.hpp"

#include <map>
#include <string>
#include <vector>

namespace socrates::test::e2e {
namespace {

class ArchivedE2eTest : public HostSuite {
 protected:
  ArchivedE2eTest() : HostSuite("archived") {}
};

// One write route as a client sends it; `{p}`, `{s}`, `{chat}`, `{spec}` and `{conflict}` stand
// for the ids of the project under test and its parts.
struct Write {
  const char* method;
  const char* path;
  const char* body;  // JSON text, or nullptr for none
};

constexpr Write kWrites[] = {
    {"PATCH", "/api/v1/projects/{p}", R"({"name":"renamed"})"},
    {"POST", "/api/v1/projects/{p}/advance", nullptr},
    {"POST", "/api/v1/projects/{p}/sessions", R"({"mode":"socratic"})"},
    {"POST", "/api/v1/sessions/{s}/next-question", nullptr},
    {"POST", "/api/v1/sessions/{s}/answer", R"({"answer":"We will use Redis for caching."})"},
    {"POST", "/api/v1/sessions/{chat}/message", R"({"message":"We will use Redis for caching."})"},
    {"PUT", "/api/v1/sessions/{s}/mode", R"({"mode":"direct_chat"})"},
    {"POST", "/api/v1/sessions/{s}/pause", nullptr},
    {"POST", "/api/v1/sessions/{s}/resume", nullptr},
    {"POST", "/api/v1/sessions/{s}/end", nullptr},
    {"POST", "/api/v1/projects/{p}/specifications", R"({"category":"security","key":"tls","value":"TLS 1.3"})"},
    {"PUT", "/api/v1/specifications/{spec}", R"({"value":"MySQL"})"},
    {"DELETE", "/api/v1/specifications/{spec}", nullptr},
    {"POST", "/api/v1/conflicts/{conflict}/resolve", R"({"resolution":"use_proposed"})"},
    {"POST", "/api/v1/projects/{p}/plans/design/regenerate", nullptr},
    {"PUT", "/api/v1/projects/{p}/plans/design", R"({"sections":[]})"},
    {"POST", "/api/v1/projects/{p}/requirements/reword", nullptr},
    {"POST", "/api/v1/open-items/{item}/assume", R"({"value":"Students who sell their textbooks"})"},
    // The generic agent route reaches the same actions, and is refused the same way.
    {"POST", "/api/v1/agents/context/record_answer", R"({"session_id":"{s}","answer":"We will use Redis."})"},
};

std::string filled(std::string text, const std::map<std::string, std::string>& ids) {
  for (const auto& [name, id] : ids)
    for (std::size_t at; (at = text.find(name)) != std::string::npos;) text.replace(at, name.size(), id);
  return text;
}

TEST_F(ArchivedE2eTest, EveryWriteToAnArchivedProjectIs409ProjectArchivedAndChangesNothing) {
  const std::string project = made("POST", "/api/v1/projects", {{"name", "Archive me"}})["id"];
  const std::string session = made("POST", "/api/v1/projects/" + project + "/sessions")["id"];
  const std::string chat = made("POST", "/api/v1/projects/" + project + "/sessions", {{"mode", "direct_chat"}})["id"];
  made("POST", "/api/v1/sessions/" + session + "/next-question");
  const auto unsure = made("POST", "/api/v1/sessions/" + session + "/answer", {{"answer", "I don't know yet."}});
  ASSERT_EQ(unsure["open_items"].size(), 1u) << unsure.dump();
  const std::string item = unsure["open_items"][0]["id"];
  made("POST", "/api/v1/sessions/" + session + "/next-question");
  const std::string spec = made("POST", "/api/v1/projects/" + project + "/specifications",
                                {{"category", "tech_stack"}, {"key", "database"}, {"value", "PostgreSQL"}})["id"];
  const auto conflicting = call("POST", "/api/v1/projects/" + project + "/specifications",
                                {{"category", "tech_stack"}, {"key", "database"}, {"value", "MongoDB"}});
  ASSERT_EQ(conflicting.status, 409) << describe(conflicting);
  const std::string conflict = conflicting.json()["error"]["details"]["conflict"]["id"];
  const std::map<std::string, std::string> ids = {
      {"{p}", project}, {"{s}", session}, {"{chat}", chat}, {"{spec}", spec}, {"{conflict}", conflict}, {"{item}", item}};

  // What the reads answer before; the same after every refused write.
  const std::vector<std::string> reads = {
      "/api/v1/projects/" + project + "/specifications?history=true",
      "/api/v1/projects/" + project + "/conflicts?status=all",
      "/api/v1/projects/" + project + "/sessions",
      "/api/v1/sessions/" + session + "/history",
      "/api/v1/projects/" + project + "/maturity",
      "/api/v1/projects/" + project + "/baselines",
      "/api/v1/projects/" + project + "/plans",
      "/api/v1/projects/" + project + "/requirements",
      "/api/v1/projects/" + project + "/open-items?status=all",
  };
  ASSERT_EQ(client().del("/api/v1/projects/" + project, token()).status, 204);
  const nlohmann::json archived = made("GET", "/api/v1/projects/" + project);
  ASSERT_EQ(archived["status"], "archived");
  std::vector<nlohmann::json> before;
  for (const auto& path : reads) before.push_back(made("GET", path));

  for (const auto& write : kWrites) {
    const std::string path = filled(write.path, ids);
    SCOPED_TRACE(std::string(write.method) + " " + path);
    const auto refused = client().request(write.method, path, write.body ? filled(write.body, ids) : "", bearer(token()));
    EXPECT_TRUE(IsApiError(refused, 409, "PROJECT_ARCHIVED"));
    if (refused.status == 409) {
      EXPECT_EQ(refused.json()["error"]["details"]["project_id"], project);
    }
  }
  for (std::size_t i = 0; i < reads.size(); ++i) EXPECT_EQ(made("GET", reads[i]), before[i]) << reads[i];
  EXPECT_EQ(made("GET", "/api/v1/projects/" + project), archived);

  // Reads and exports still answer.
  EXPECT_EQ(made("GET", "/api/v1/sessions/" + session)["status"], "active");
  EXPECT_EQ(made("GET", "/api/v1/conflicts/" + conflict)["status"], "open");
  const auto markdown = call("GET", "/api/v1/projects/" + project + "/export?format=markdown");
  EXPECT_EQ(markdown.status, 200) << describe(markdown);
  EXPECT_NE(markdown.body.find("PostgreSQL"), std::string::npos) << markdown.body;
  EXPECT_EQ(call("GET", "/api/v1/projects/" + project + "/export?format=json").status, 200);

  // Restored, it takes writes again.
  EXPECT_EQ(made("POST", "/api/v1/projects/" + project + "/restore")["status"], "active");
  EXPECT_EQ(made("PATCH", "/api/v1/projects/" + project, {{"name", "Back again"}})["name"], "Back again");
  EXPECT_EQ(made("POST", "/api/v1/sessions/" + session + "/answer", {{"answer", "We will use Redis for caching."}})
                ["specifications"].size(),
            1u);
  EXPECT_EQ(made("POST", "/api/v1/conflicts/" + conflict + "/resolve", {{"resolution", "keep_existing"}})["status"],
            "resolved");
  EXPECT_EQ(made("POST", "/api/v1/projects/" + project + "/sessions")["status"], "active");
}

TEST_F(ArchivedE2eTest, AnotherUsersArchivedProjectIsStillNotFound) {
  const std::string project = made("POST", "/api/v1/projects", {{"name", "Private"}})["id"];
  ASSERT_EQ(client().del("/api/v1/projects/" + project, token()).status, 204);
  const TestUser intruder = new_user(client(), "intruder");
  EXPECT_TRUE(IsApiError(client().patch("/api/v1/projects/" + project, {{"name", "x"}}, intruder.access_token), 404,
                         "PROJECT_NOT_FOUND"));
  EXPECT_TRUE(IsApiError(client().post("/api/v1/projects/" + project + "/sessions", nlohmann::json::object(),
                                       intruder.access_token),
                         404, "PROJECT_NOT_FOUND"));
}

}  // namespace
}  // namespace socrates::test::e2e

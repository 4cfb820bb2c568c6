// Attribution over real HTTP (docs/domain.md "Attribution and stakeholders"): the history shows who
// answered, every requirement of every export format is attributed, a conflict names who said each
// side and its resolution who decided; one person's change of mind is listed apart from a conflict
// between members.
#include "e2e/host_suite.hpp"

#include <map>
#include <string>

namespace socrates::test::e2e {
namespace {

class AttributionE2eTest : public HostSuite {
 protected:
  AttributionE2eTest() : HostSuite("attribution") {}

  std::string new_project() const { return HostSuite::new_project({{"name", "Bakery orders"}}); }
  std::string new_session(const std::string& project, const std::string& bearer_token) const {
    const auto response =
        client().post("/api/v1/projects/" + project + "/sessions", nlohmann::json::object(), bearer_token);
    EXPECT_EQ(response.status, 201) << describe(response);
    return response.json().value("id", "");
  }
  // Asks the session's next question and answers it with `text`: the turn's answer.
  nlohmann::json answer(const std::string& session, const std::string& text, const std::string& bearer_token) const {
    const auto asked =
        client().post("/api/v1/sessions/" + session + "/next-question", nlohmann::json::object(), bearer_token);
    EXPECT_TRUE(asked.status == 200 || asked.status == 201) << describe(asked);
    const auto response = client().post("/api/v1/sessions/" + session + "/answer", {{"answer", text}}, bearer_token);
    EXPECT_EQ(response.status, 200) << describe(response);
    return response.json();
  }
  static std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
    return n;
  }
};

TEST_F(AttributionE2eTest, TheHistoryShowsWhoAnswered) {
  const std::string project = new_project();
  const std::string session = new_session(project, token());
  answer(session, "We must help small bakeries take orders online.", token());

  const auto history = made("GET", "/api/v1/sessions/" + session + "/history")["items"];
  bool answered = false;
  for (const auto& line : history) {
    if (line["role"] == "user") {
      answered = true;
      EXPECT_EQ(line["author_id"], user_.id) << line.dump();
      EXPECT_EQ(line["author_email"], user_.email) << line.dump();
    } else {
      EXPECT_TRUE(line["author_id"].is_null()) << line.dump();  // the assistant's questions are nobody's
    }
  }
  EXPECT_TRUE(answered) << history.dump();
}

TEST_F(AttributionE2eTest, EveryExportAttributesEveryRequirement) {
  const std::string project = new_project();
  const std::string session = new_session(project, token());
  answer(session, "We must help small bakeries take orders online.", token());
  answer(session, "The backend will be written in Python with PostgreSQL as the database.", token());
  made("POST", "/api/v1/projects/" + project + "/specifications",
       {{"category", "performance"}, {"key", "p95_latency"}, {"value", "<= 200 ms"}});

  const auto document = made("GET", "/api/v1/projects/" + project + "/export?format=json");
  const auto& requirements = document["requirements"];
  ASSERT_GE(requirements.size(), 3u) << document.dump();
  for (const auto& r : requirements) {
    EXPECT_EQ(r["attributed_to"], user_.email) << r.dump();
    EXPECT_EQ(r["trace"]["author_id"], user_.id) << r.dump();
    for (const auto& v : r["trace"]["versions"]) EXPECT_EQ(v["author_email"], user_.email) << r.dump();
  }
  // The requirements list answers the same requirement objects.
  const nlohmann::json listed = made("GET", "/api/v1/projects/" + project + "/requirements");
  ASSERT_FALSE(listed["items"].empty()) << listed.dump();
  for (const auto& r : listed["items"]) EXPECT_EQ(r["attributed_to"], user_.email) << r.dump();

  auto text = [&](const std::string& format) {
    const auto response = call("GET", "/api/v1/projects/" + project + "/export?format=" + format);
    EXPECT_EQ(response.status, 200) << describe(response);
    return response.body;
  };
  const std::size_t n = requirements.size();
  const std::string markdown = text("markdown");
  EXPECT_EQ(occurrences(markdown, ", by " + user_.email + ")"), n) << markdown;  // under each requirement
  EXPECT_EQ(occurrences(markdown, "| " + user_.email + " |"), n) << markdown;    // its traceability row
  EXPECT_EQ(occurrences(text("spec-kit"), "from " + user_.email), n);
  EXPECT_EQ(occurrences(text("kiro"), ", from " + user_.email + ")"), n);  // each EARS criterion
}

TEST_F(AttributionE2eTest, OnePersonsChangeOfMindIsNotBetweenMembersAndTheResolutionRecordsWhoDecided) {
  const std::string project = new_project();
  const std::string session = new_session(project, token());
  answer(session, "We will use PostgreSQL as the database.", token());
  const auto turn = answer(session, "The data will live in MySQL.", token());
  ASSERT_EQ(turn["conflicts"].size(), 1u) << turn.dump();
  const auto conflict = turn["conflicts"][0];
  EXPECT_EQ(conflict["between_members"], false);
  EXPECT_EQ(conflict["existing"]["author_id"], user_.id);
  EXPECT_EQ(conflict["proposed"]["author_id"], user_.id);
  EXPECT_EQ(conflict["proposed"]["author_email"], user_.email);
  EXPECT_TRUE(conflict["resolved_by"].is_null());

  const std::string conflicts = "/api/v1/projects/" + project + "/conflicts";
  EXPECT_EQ(made("GET", conflicts + "?between_members=false")["total"], 1);
  EXPECT_EQ(made("GET", conflicts + "?between_members=true")["total"], 0);
  EXPECT_EQ(made("GET", conflicts)["total"], 1);
  EXPECT_TRUE(IsValidationError(call("GET", conflicts + "?between_members=maybe"), "between_members"));

  const auto resolved = made("POST", "/api/v1/conflicts/" + conflict["id"].get<std::string>() + "/resolve",
                             {{"resolution", "merge"}, {"value", "PostgreSQL 16"}});
  EXPECT_EQ(resolved["resolved_by"], user_.id);
  EXPECT_EQ(resolved["resolved_by_email"], user_.email);
  const auto database = made("GET", "/api/v1/projects/" + project + "/specifications?category=tech_stack")["items"];
  ASSERT_EQ(database.size(), 1u);
  EXPECT_EQ(database[0]["value"], "PostgreSQL 16");
  EXPECT_EQ(database[0]["author_email"], user_.email);  // the merged value is the decider's words

  const auto markdown = call("GET", "/api/v1/projects/" + project + "/export").body;
  EXPECT_NE(markdown.find("decided by " + user_.email), std::string::npos) << markdown;
}

// ---- two members of one project: each joins through an invitation, with a domain role or none.

class TwoMembersE2eTest : public AttributionE2eTest {
 protected:
  // Makes `member` a contributor of the owner's `project` with `domain_role` (empty: none), through
  // the members' API (an invitation by email, accepted by the invited account).
  void join(const std::string& project, const TestUser& member, const std::string& domain_role) const {
    nlohmann::json invitation = {{"email", member.email}, {"role", "contributor"}};
    if (!domain_role.empty()) invitation["domain_role"] = domain_role;
    const std::string invitation_token = made("POST", "/api/v1/projects/" + project + "/invitations", invitation)["token"];
    const auto accepted =
        client().post("/api/v1/invitations/accept", {{"token", invitation_token}}, member.access_token);
    ASSERT_EQ(accepted.status, 200) << describe(accepted);
  }
};

TEST_F(TwoMembersE2eTest, TwoMembersContradictingEachOtherMakeAConflictNamingBoth) {
  const TestUser bob = new_user(client(), "attribution-bob");
  const std::string project = new_project();
  join(project, bob, "");
  const std::string ann_session = new_session(project, token());
  const std::string bob_session = new_session(project, bob.access_token);
  answer(ann_session, "We will use PostgreSQL as the database.", token());
  const auto turn = answer(bob_session, "The data will live in MySQL.", bob.access_token);
  ASSERT_EQ(turn["conflicts"].size(), 1u) << turn.dump();
  const auto conflict = turn["conflicts"][0];
  EXPECT_EQ(conflict["between_members"], true);
  EXPECT_EQ(conflict["existing"]["author_email"], user_.email);
  EXPECT_EQ(conflict["existing"]["value"], "PostgreSQL");
  EXPECT_EQ(conflict["proposed"]["author_email"], bob.email);
  EXPECT_EQ(conflict["proposed"]["value"], "MySQL");

  const std::string conflicts = "/api/v1/projects/" + project + "/conflicts";
  EXPECT_EQ(made("GET", conflicts + "?between_members=true")["total"], 1);
  EXPECT_EQ(made("GET", conflicts + "?between_members=false")["total"], 0);
  // Each member's history shows who answered in it.
  const nlohmann::json history = made("GET", "/api/v1/sessions/" + bob_session + "/history");
  std::size_t answers = 0;
  for (const auto& line : history["items"]) {
    if (line["role"] == "user") {
      ++answers;
      EXPECT_EQ(line["author_email"], bob.email) << line.dump();
    }
  }
  EXPECT_GE(answers, 1u) << history.dump();

  // The owner decides; the resolution says so.
  const auto resolved =
      made("POST", "/api/v1/conflicts/" + conflict["id"].get<std::string>() + "/resolve", {{"resolution", "keep_existing"}});
  EXPECT_EQ(resolved["resolved_by_email"], user_.email);
  const auto markdown = call("GET", "/api/v1/projects/" + project + "/export").body;
  EXPECT_NE(markdown.find("between members: " + user_.email + " said `PostgreSQL`, " + bob.email + " said `MySQL`"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("decided by " + user_.email), std::string::npos) << markdown;
}

TEST_F(TwoMembersE2eTest, TheExportAttributesEachRequirementToItsOwnMember) {
  const TestUser bob = new_user(client(), "attribution-bob");
  const std::string project = new_project();
  join(project, bob, "");
  answer(new_session(project, token()), "We must help small bakeries take orders online.", token());
  answer(new_session(project, bob.access_token), "We will use PostgreSQL as the database.", bob.access_token);
  std::map<std::string, std::string> by_category;
  const nlohmann::json document = made("GET", "/api/v1/projects/" + project + "/export?format=json");
  for (const auto& r : document["requirements"])
    by_category[r["category"].get<std::string>()] = r["attributed_to"].get<std::string>();
  EXPECT_EQ(by_category["goals"], user_.email);
  EXPECT_EQ(by_category["tech_stack"], bob.email);
}

TEST_F(TwoMembersE2eTest, AMembersDomainRoleAimsTheirSessionsQuestions) {
  const TestUser bob = new_user(client(), "attribution-bob");
  const std::string project = new_project();
  join(project, bob, "operations");
  const std::string path = "/next-question";
  const auto bobs = client().post("/api/v1/sessions/" + new_session(project, bob.access_token) + path,
                                  nlohmann::json::object(), bob.access_token);
  ASSERT_EQ(bobs.status, 201) << describe(bobs);
  EXPECT_EQ(bobs.json()["category"], "scalability");  // operations → scalability first
  EXPECT_NE(bobs.json()["context"].get<std::string>().find("aimed at the member's role"), std::string::npos);
  // The owner has no domain role: the usual first question.
  EXPECT_EQ(made("POST", "/api/v1/sessions/" + new_session(project, token()) + path)["category"], "goals");
}

}  // namespace
}  // namespace socrates::test::e2e

// Every error code of the contract is triggered by at least one test against the real host over
// HTTP. The one place that says which test triggers each code is kTriggeredBy below; the check
// reads the codes from docs/api.md and fails when
//  - a code of the contract has no entry (write a test that triggers it, then name it here), or an
//    entry names a code the contract does not have;
//  - the named test does not exist in an end-to-end test source (tests/**/*_e2e_test.cpp), or its
//    body does not assert the code (the code's quoted name must appear in it outside comments, as
//    in IsApiError(response, 503, "DATABASE_UNAVAILABLE")).
// The named tests themselves run in the same suite, so a listed test that stops triggering its
// code fails there. It cannot pass on nothing: it fails when the contract's list cannot be read.
#include "e2e/e2e_helpers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace socrates::test::e2e {
namespace {

namespace fs = std::filesystem;

struct Trigger {
  const char* code;
  const char* test;  // Suite.Name of a test in an *_e2e_test.cpp source
};

constexpr Trigger kTriggeredBy[] = {
    {"VALIDATION_ERROR", "ProjectsE2eTest.MalformedIdAnswers400ValidationError"},
    {"UNAUTHENTICATED", "AccountsE2eTest.LogoutAnswers204AndTheTokensAreRefusedAfterwards"},
    {"ACCOUNT_INACTIVE", "AccountsE2eTest.ASuspendedAccountAnswers403AccountInactive"},
    {"FORBIDDEN", "HealthE2eTest.AdminRoutesRefuseANormalUserWith403"},
    {"NOT_FOUND", "HealthE2eTest.UnknownPathAnswers404InTheErrorShape"},
    {"USER_NOT_FOUND", "UnexpectedFailureE2eTest.AnAccountDeletedWhileItsRequestRunsIs404UserNotFound"},
    {"PROJECT_NOT_FOUND", "ProjectsE2eTest.UnknownIdAnswers404ProjectNotFound"},
    {"SESSION_NOT_FOUND", "DialogueE2eTest.AnotherUsersSessionsSpecificationsAndConflictsAreNotFound"},
    {"QUESTION_NOT_FOUND", "DialogueE2eTest.NextQuestionIsPendingUntilAnsweredAndTheAnswerIsRecorded"},
    {"SPECIFICATION_NOT_FOUND", "DialogueE2eTest.SpecificationsAreVersionedEditedAndDeleted"},
    {"CONFLICT_NOT_FOUND", "DialogueE2eTest.AnotherUsersSessionsSpecificationsAndConflictsAreNotFound"},
    {"EMAIL_TAKEN", "AccountsE2eTest.RegisterTheSameEmailInAnotherCaseAnswers409EmailTaken"},
    {"INVALID_CREDENTIALS", "AccountsE2eTest.UnknownEmailAndWrongPasswordGetTheSameAnswer"},
    {"TOKEN_REUSED", "AccountsE2eTest.ASpentRefreshTokenAnswers401TokenReusedAndEndsTheLogin"},
    {"TOO_MANY_ATTEMPTS", "AccountsE2eTest.RepeatedFailuresAnswer429WithRetryAfterEvenForTheRightPassword"},
    {"SESSION_NOT_ACTIVE", "DialogueE2eTest.SessionsAreCreatedListedReadAndMoveThroughTheirStates"},
    {"WRONG_MODE", "DialogueE2eTest.NextQuestionIsPendingUntilAnsweredAndTheAnswerIsRecorded"},
    {"CONFLICT_DETECTED", "DialogueE2eTest.AManualSpecificationThatConflictsAnswers409AndKeepsTheConflict"},
    {"CONFLICT_ALREADY_RESOLVED", "DialogueE2eTest.AContradictionWaitsInAConflictAndUseProposedMakesANewVersion"},
    {"PHASE_GATE", "DialogueE2eTest.AScriptedInterviewTakesANewProjectThroughTheAnalysisGate"},
    {"PROJECT_ARCHIVED", "ArchivedE2eTest.EveryWriteToAnArchivedProjectIs409ProjectArchivedAndChangesNothing"},
    {"LAST_OWNER", "MembersE2eTest.TheLastOwnerCannotLeaveBeRemovedOrDemoted"},
    {"INVITATION_USED", "MembersE2eTest.AnInvitationIsAcceptedOnceByTheInvitedAccount"},
    {"INVITATION_EXPIRED", "ExpiredInvitationE2eTest.AnExpiredInvitationIs410InvitationExpired"},
    {"INVITATION_REVOKED", "MembersE2eTest.ARevokedInvitationIs410InvitationRevoked"},
    {"UNKNOWN_AGENT", "ProjectsE2eTest.AgentRouteForAnUnknownAgentAnswers404UnknownAgent"},
    {"UNSUPPORTED_ACTION", "ProjectsE2eTest.AgentRouteForAnUnsupportedActionListsTheCapabilities"},
    {"AGENT_ERROR", "AgentFailureE2eTest.AThrowingActionAnswers500AgentErrorAndTheHostKeepsServing"},
    {"PLUGIN_INCOMPATIBLE", "PluginPlatformE2eTest.ReloadRefusesIncompatibleLibrariesAndTheOldGenerationKeepsServing"},
    {"LLM_ERROR", "LlmE2eTest.AModelAnswerThatIsNotTheAskedJsonIsLlmErrorAndNothingIsSaved"},
    {"LLM_UNAVAILABLE", "LlmOutageE2eTest.AnUnreachableProviderIs503LlmUnavailableAndNothingIsSaved"},
    {"PAYLOAD_TOO_LARGE", "ProjectsE2eTest.ABodyOver1MibAnswers413InTheErrorShape"},
    {"METHOD_NOT_ALLOWED", "HealthE2eTest.WrongMethodAnswers405WithAnAllowHeader"},
    {"DATABASE_UNAVAILABLE",
     "DatabaseOutageE2eTest.StoppedIs503DatabaseUnavailableAndStartedAgainServesWithEveryAcknowledgedWrite"},
    {"INTERNAL_ERROR",
     "UnexpectedFailureE2eTest.AStatementThatFailsUnexpectedlyIs500InternalErrorAndTheHostKeepsServing"},
    {"UNSUPPORTED_MEDIA_TYPE", "HardeningE2eTest.ABodyThatIsNotJsonIsRefusedWith415OnEveryRouteThatReadsABody"},
    {"HEADERS_TOO_LARGE", "HardeningE2eTest.AHeadOverTheLimitIs431AndTheConnectionIsClosed"},
    {"RATE_LIMITED", "LlmQuotaE2eTest.TheThirdCallOfTheDayIsRateLimitedWithoutAskingTheProvider"},
    {"SERVER_BUSY", "WorkerQueueE2eTest.AFullQueueIs503ServerBusyAndTheHostRecovers"},
    {"REQUEST_TIMEOUT", "HardeningE2eTest.AHeadThatStallsIs408AndTheConnectionIsClosed"},
    {"AGENT_TIMEOUT", "DeadlineE2eTest.ACallPastItsDeadlineIsAnswered504AtTheDeadline"},
    {"AGENT_CRASHED", "IsolationE2eTest.BadAgentsFailAloneWhile32KeepAliveClientsUseTheOthers"},
    {"AGENT_QUARANTINED", "IsolationE2eTest.AnAgentThatKeepsCrashingIsQuarantinedUntilReloaded"},
};

// From `open` (a '{') to its matching '}', skipping string, raw string and character literals and
// comments, so that a brace or a code inside them neither ends the body early nor counts.
// Comments are dropped from the text returned: a code named only in a comment asserts nothing.
std::string body_at(const std::string& source, std::size_t open) {
  std::string body;
  int depth = 0;
  for (std::size_t at = open; at < source.size(); ++at) {
    const char c = source[at];
    std::size_t end = at;
    if (source.compare(at, 2, "//") == 0) {
      at = source.find('\n', at);
      if (at == std::string::npos) break;
      body += '\n';
      continue;
    }
    if (source.compare(at, 2, "/*") == 0) {
      at = source.find("*/", at);
      if (at == std::string::npos) break;
      ++at;
      continue;
    }
    if (source.compare(at, 2, "R\"") == 0) {  // R"delim( ... )delim"
      const auto paren = source.find('(', at);
      const std::string close = ")" + source.substr(at + 2, paren - at - 2) + "\"";
      end = source.find(close, paren);
      end = end == std::string::npos ? source.size() - 1 : end + close.size() - 1;
    } else if (c == '"' || c == '\'') {
      for (end = at + 1; end < source.size() && source[end] != c; ++end)
        if (source[end] == '\\') ++end;
    }
    if (end != at) {
      body += source.substr(at, end - at + 1);
      at = end;
      continue;
    }
    body += c;
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) break;
  }
  return body;
}

// The body of every TEST/TEST_F/TEST_P in the end-to-end sources, by "Suite.Name".
std::map<std::string, std::string> e2e_test_bodies() {
  std::map<std::string, std::string> bodies;
  static const std::regex head(R"(\bTEST(?:_F|_P)?\(\s*(\w+)\s*,\s*(\w+)\s*\))");
  const fs::path tests = fs::path(SOCRATES_SOURCE_DIR) / "tests";
  for (const auto& entry : fs::recursive_directory_iterator(tests)) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = "_e2e_test.cpp";
    if (!entry.is_regular_file() || name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string source = read_file(entry.path());
    for (std::sregex_iterator it(source.begin(), source.end(), head), last; it != last; ++it) {
      const auto open = source.find('{', static_cast<std::size_t>(it->position() + it->length()));
      if (open != std::string::npos) bodies[(*it)[1].str() + "." + (*it)[2].str()] = body_at(source, open);
    }
  }
  return bodies;
}

TEST(ErrorCodesE2eTest, EveryContractCodeIsTriggeredByAnHttpTest) {
  const auto codes = api_md_error_codes();
  ASSERT_FALSE(codes.empty()) << "no error codes read from docs/api.md (the 'Error codes:' list moved?)";
  const std::set<std::string> contract(codes.begin(), codes.end());
  EXPECT_EQ(contract.size(), codes.size()) << "docs/api.md lists a code twice";
  EXPECT_TRUE(contract.count("VALIDATION_ERROR") && contract.count("REQUEST_TIMEOUT"))
      << "the list was not read whole";

  std::set<std::string> mapped;
  for (const auto& trigger : kTriggeredBy) {
    EXPECT_TRUE(mapped.insert(trigger.code).second) << trigger.code << " is listed twice in kTriggeredBy";
    EXPECT_TRUE(contract.count(trigger.code)) << trigger.code << " is not an error code of docs/api.md";
  }
  for (const auto& code : contract)
    EXPECT_TRUE(mapped.count(code)) << code << " is in docs/api.md but no test that triggers it is named in kTriggeredBy";

  const auto bodies = e2e_test_bodies();
  ASSERT_GT(bodies.size(), 100u) << "the end-to-end test sources were not found under " SOCRATES_SOURCE_DIR "/tests";
  for (const auto& trigger : kTriggeredBy) {
    SCOPED_TRACE(trigger.code);
    const auto body = bodies.find(trigger.test);
    if (body == bodies.end()) {
      ADD_FAILURE() << "no end-to-end test named " << trigger.test;
      continue;
    }
    EXPECT_NE(body->second.find(std::string("\"") + trigger.code + "\""), std::string::npos)
        << trigger.test << " does not assert " << trigger.code;
  }
}

}  // namespace
}  // namespace socrates::test::e2e

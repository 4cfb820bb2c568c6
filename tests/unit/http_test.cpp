#include "host/rest/http.hpp"

#include "host/error_codes.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace socrates::host::rest {
namespace {

using nlohmann::json;

struct CodeStatus {
  const char* code;
  int status;
};

// One row per error code of api.md's Conventions. Where api.md states the status, it is binding;
// the rows marked "chosen" are the code's choice, which the report reviews.
const CodeStatus kCodeStatus[] = {
    {"VALIDATION_ERROR", 400},
    {"UNSUPPORTED_ACTION", 400},
    {"UNAUTHENTICATED", 401},
    {"INVALID_CREDENTIALS", 401},
    {"TOKEN_REUSED", 401},
    {"ACCOUNT_INACTIVE", 403},
    {"FORBIDDEN", 403},
    {"NOT_FOUND", 404},                // chosen: the generic not-found
    {"USER_NOT_FOUND", 404},           // chosen, like every *_NOT_FOUND
    {"PROJECT_NOT_FOUND", 404},
    {"SESSION_NOT_FOUND", 404},
    {"QUESTION_NOT_FOUND", 404},
    {"SPECIFICATION_NOT_FOUND", 404},
    {"CONFLICT_NOT_FOUND", 404},
    {"UNKNOWN_AGENT", 404},
    {"METHOD_NOT_ALLOWED", 405},       // chosen: what its name says
    {"EMAIL_TAKEN", 409},
    {"SESSION_NOT_ACTIVE", 409},
    {"WRONG_MODE", 409},
    {"CONFLICT_DETECTED", 409},
    {"CONFLICT_ALREADY_RESOLVED", 409},
    {"PHASE_GATE", 409},
    {"PROJECT_ARCHIVED", 409},
    {"LAST_OWNER", 409},
    {"INVITATION_USED", 409},
    {"INVITATION_EXPIRED", 410},
    {"INVITATION_REVOKED", 410},
    {"REQUEST_TIMEOUT", 408},
    {"PAYLOAD_TOO_LARGE", 413},
    {"UNSUPPORTED_MEDIA_TYPE", 415},
    {"HEADERS_TOO_LARGE", 431},
    {"RATE_LIMITED", 429},
    {"PLUGIN_INCOMPATIBLE", 422},
    {"TOO_MANY_ATTEMPTS", 429},
    {"AGENT_ERROR", 500},
    {"INTERNAL_ERROR", 500},
    {"LLM_ERROR", 502},                // chosen: the upstream model answered badly (bad gateway)
    {"LLM_UNAVAILABLE", 503},          // chosen: the upstream model cannot be reached; retry later
    {"DATABASE_UNAVAILABLE", 503},
    {"SERVER_BUSY", 503},
};

TEST(HttpStatusTest, EveryApiErrorCodeHasItsStatus) {
  for (const auto& row : kCodeStatus) EXPECT_EQ(status_for_error(row.code), row.status) << row.code;
}

TEST(HttpStatusTest, TheTableCoversEveryCodeOfTheApiExactlyOnce) {
  // docs/api.md lists 40 codes; a code added there without a row here would silently answer 422.
  std::set<std::string> codes;
  for (const auto& row : kCodeStatus) EXPECT_TRUE(codes.insert(row.code).second) << "duplicate row " << row.code;
  EXPECT_EQ(codes.size(), 40u);
  namespace e = host::errc;
  for (const char* code :
       {e::kValidation, e::kUnauthenticated, e::kAccountInactive, e::kForbidden, e::kNotFound, e::kUserNotFound,
        e::kProjectNotFound, e::kSessionNotFound, e::kQuestionNotFound, e::kSpecificationNotFound,
        e::kConflictNotFound, e::kEmailTaken, e::kInvalidCredentials, e::kTokenReused, e::kTooManyAttempts,
        e::kSessionNotActive, e::kWrongMode, e::kConflictDetected, e::kConflictAlreadyResolved, e::kPhaseGate,
        e::kProjectArchived, e::kLastOwner, e::kInvitationUsed, e::kInvitationExpired, e::kInvitationRevoked,
        e::kUnknownAgent, e::kUnsupportedAction, e::kAgentError, e::kPluginIncompatible, e::kLlmError,
        e::kLlmUnavailable, e::kPayloadTooLarge, e::kMethodNotAllowed, e::kDatabaseUnavailable, e::kInternal,
        e::kUnsupportedMediaType, e::kHeadersTooLarge, e::kRateLimited, e::kServerBusy,
        e::kRequestTimeout})
    EXPECT_EQ(codes.count(code), 1u) << code << " has no row";
}

TEST(HttpStatusTest, AnAgentsOwnCodeAnswers422) {
  EXPECT_EQ(status_for_error("QUOTA_EXCEEDED"), 422);
  EXPECT_EQ(status_for_error("validation_error"), 422) << "codes are case-sensitive";
  EXPECT_EQ(status_for_error(""), 422);
}

TEST(HttpResponseTest, ErrorHasExactlyTheApiShape) {
  const HttpResponse r = HttpResponse::error(sdk::errc::kProjectNotFound, "no such project", "req-42",
                                             {{"project_id", "p1"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  const json body = json::parse(r.body);
  const json expected = {
      {"error", {{"code", "PROJECT_NOT_FOUND"}, {"message", "no such project"}, {"details", {{"project_id", "p1"}}}}},
      {"request_id", "req-42"}};
  EXPECT_EQ(body, expected);
}

TEST(HttpResponseTest, ErrorWithoutDetailsHasAnEmptyDetailsObject) {
  const json body = json::parse(HttpResponse::error(sdk::errc::kInternal, "oops", "r").body);
  ASSERT_TRUE(body.at("error").at("details").is_object());
  EXPECT_TRUE(body.at("error").at("details").empty());
  EXPECT_EQ(body.at("error").size(), 3u);
  EXPECT_EQ(body.size(), 2u);
}

TEST(HttpResponseTest, ErrorDetailsThatAreNotAnObjectBecomeAnEmptyObject) {
  // Clients read details.field and similar; an array or a string there would break them.
  for (const json& details : {json::array({1, 2}), json("text"), json(nullptr), json(3)}) {
    const sdk::Error error{"AGENT_ERROR", "m", details};
    const json body = json::parse(HttpResponse::error(error, "r").body);
    EXPECT_EQ(body.at("error").at("details"), json::object()) << details;
  }
}

TEST(HttpResponseTest, ErrorOfAnAgentsOwnCodeKeepsTheCodeAndAnswers422) {
  const HttpResponse r = HttpResponse::error(sdk::Error{"QUOTA_EXCEEDED", "too many", {{"limit", 3}}}, "r");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "QUOTA_EXCEEDED");
}

TEST(HttpResponseTest, ErrorBodyIsValidJsonEvenWithInvalidUtf8) {
  // A message built from user input may carry broken UTF-8; the body must still parse.
  const HttpResponse r = HttpResponse::error(sdk::errc::kValidation, std::string("bad \xff\xfe byte"), "r");
  EXPECT_NO_THROW(json::parse(r.body));
}

TEST(HttpResponseTest, NoContentHasNoBodyAndNoContentType) {
  const HttpResponse r = HttpResponse::no_content();
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(r.content_type.empty());
}

TEST(HttpResponseTest, FromResultMapsOutcomes) {
  const HttpResponse ok = from_result(sdk::Result::ok({{"a", 1}}), "r");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(json::parse(ok.body), (json{{"a", 1}}));

  const HttpResponse created = from_result(sdk::Result::created({{"id", "x"}}), "r");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(json::parse(created.body), (json{{"id", "x"}}));

  const HttpResponse none = from_result(sdk::Result::no_content(), "r");
  EXPECT_EQ(none.status, 204);
  EXPECT_TRUE(none.body.empty());

  // A value with kNoContent is still answered without a body: 204 must not carry one.
  const HttpResponse ignored = from_result(sdk::Result::ok({{"ignored", true}}, sdk::Outcome::kNoContent), "r");
  EXPECT_EQ(ignored.status, 204);
  EXPECT_TRUE(ignored.body.empty());
}

// The generic agent route's envelope: an agent's text goes in as it came (its spacing and member
// order kept: it was not parsed and written again); a value is written.
TEST(HttpResponseTest, TheResultEnvelopeHoldsTheAgentsTextAsItCame) {
  const HttpResponse text = result_envelope(sdk::Result::ok_text("{\"b\": 2,  \"a\":[1, \"\\u00e9\"]}"));
  EXPECT_EQ(text.status, 200);
  EXPECT_EQ(text.content_type, "application/json");
  EXPECT_EQ(text.body, "{\"result\":{\"b\": 2,  \"a\":[1, \"\\u00e9\"]}}");
  EXPECT_EQ(json::parse(text.body)["result"]["a"][1], "\u00e9");

  const HttpResponse value = result_envelope(sdk::Result::ok({{"a", 1}}));
  EXPECT_EQ(value.status, 200);
  EXPECT_EQ(json::parse(value.body), (json{{"result", {{"a", 1}}}}));
}

TEST(HttpResponseTest, FromResultOfAnErrorIsTheErrorShape) {
  const HttpResponse r =
      from_result(sdk::Result::fail(sdk::errc::kSessionNotActive, "session ended", {{"status", "completed"}}), "req-7");
  EXPECT_EQ(r.status, 409);
  const json body = json::parse(r.body);
  EXPECT_EQ(body.at("error").at("code"), "SESSION_NOT_ACTIVE");
  EXPECT_EQ(body.at("error").at("message"), "session ended");
  EXPECT_EQ(body.at("error").at("details"), (json{{"status", "completed"}}));
  EXPECT_EQ(body.at("request_id"), "req-7");
}

TEST(UrlDecodeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(url_decode("hello%20world"), "hello world");
  EXPECT_EQ(url_decode("a+b+c"), "a b c");
  EXPECT_EQ(url_decode("%2B%2b"), "++") << "an escaped plus is a plus, in either hex case";
  EXPECT_EQ(url_decode("caf%C3%A9"), "caf\xC3\xA9");
  EXPECT_EQ(url_decode("user%40example.com"), "user@example.com");
  EXPECT_EQ(url_decode(""), "");
  EXPECT_EQ(url_decode("plain"), "plain");
}

TEST(UrlDecodeTest, InvalidEscapesAreKeptAsTheyAre) {
  EXPECT_EQ(url_decode("100%"), "100%");
  EXPECT_EQ(url_decode("%"), "%");
  EXPECT_EQ(url_decode("%4"), "%4");
  EXPECT_EQ(url_decode("x%4"), "x%4");
  EXPECT_EQ(url_decode("%zz"), "%zz");
  EXPECT_EQ(url_decode("%g1%41"), "%g1A");
  EXPECT_EQ(url_decode("%%41"), "%A");
}

TEST(UrlDecodeTest, EscapeAtTheVeryEndIsDecoded) {
  EXPECT_EQ(url_decode("%41"), "A");
  EXPECT_EQ(url_decode("abc%21"), "abc!");
}

TEST(UrlDecodeTest, EncodedNulIsDecodedNotTruncating) {
  const std::string decoded = url_decode("a%00b");
  EXPECT_EQ(decoded.size(), 3u);
  EXPECT_EQ(decoded, std::string("a\0b", 3));
}

TEST(ParseFormTest, ParsesTheOAuth2PasswordForm) {
  const auto form = parse_form("grant_type=password&username=ada%40example.com&password=p%26ss+word%3D1");
  EXPECT_EQ(form.at("grant_type"), "password");
  EXPECT_EQ(form.at("username"), "ada@example.com");
  EXPECT_EQ(form.at("password"), "p&ss word=1");
  EXPECT_EQ(form.size(), 3u);
}

TEST(ParseFormTest, HandlesEmptyPiecesMissingValuesAndEqualsInValues) {
  const auto form = parse_form("&a=1&&flag&empty=&b=x=y&");
  EXPECT_EQ(form.at("a"), "1");
  EXPECT_EQ(form.at("flag"), "");
  EXPECT_EQ(form.at("empty"), "");
  EXPECT_EQ(form.at("b"), "x=y");
  EXPECT_EQ(form.size(), 4u);
  EXPECT_TRUE(parse_form("").empty());
}

TEST(ParseFormTest, DecodesNames) {
  const auto form = parse_form("first+name=Ada&last%5Fname=Lovelace");
  EXPECT_EQ(form.at("first name"), "Ada");
  EXPECT_EQ(form.at("last_name"), "Lovelace");
}

TEST(HttpRequestTest, AccessorsAnswerWhatIsThere) {
  HttpRequest r;
  r.headers["authorization"] = "Bearer t";
  r.query["limit"] = "10";
  r.path_params["id"] = "p1";
  EXPECT_EQ(r.header("authorization"), "Bearer t");
  EXPECT_EQ(r.header("x-missing"), std::nullopt);
  EXPECT_EQ(r.query_param("limit"), "10");
  EXPECT_EQ(r.query_param("offset"), std::nullopt);
  EXPECT_EQ(r.path_param("id"), "p1");
  EXPECT_THROW(r.path_param("other"), std::out_of_range);
}

}  // namespace
}  // namespace socrates::host::rest

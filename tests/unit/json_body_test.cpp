// host/rest/api.hpp json_body: the checks every JSON body passes before any route or agent sees it.
#include "host/rest/api.hpp"

#include <gtest/gtest.h>

#include <string>

namespace socrates::host::rest {
namespace {

using nlohmann::json;

HttpRequest json_request(std::string body, std::string content_type = "application/json") {
  HttpRequest request;
  request.method = "POST";
  request.path = "/x";
  request.request_id = "req-1";
  request.body = std::move(body);
  if (!content_type.empty()) request.headers["content-type"] = std::move(content_type);
  return request;
}

// `{"a": [[...]]}` with `depth` containers in all, the outer object included.
std::string nested(int depth) {
  return "{\"a\":" + std::string(static_cast<std::size_t>(depth - 1), '[') + std::string(static_cast<std::size_t>(depth - 1), ']') + "}";
}

json error_of(const std::variant<json, HttpResponse>& parsed) {
  const auto* response = std::get_if<HttpResponse>(&parsed);
  if (!response) return json();
  return json::parse(response->body)["error"];
}

int status_of(const std::variant<json, HttpResponse>& parsed) {
  const auto* response = std::get_if<HttpResponse>(&parsed);
  return response ? response->status : 200;
}

TEST(JsonBodyTest, SixtyFourLevelsAreAcceptedSixtyFiveAreNot) {
  const auto ok = json_body(json_request(nested(64)));
  ASSERT_TRUE(std::holds_alternative<json>(ok)) << error_of(ok).dump();
  const auto refused = json_body(json_request(nested(65)));
  ASSERT_EQ(status_of(refused), 400);
  EXPECT_EQ(error_of(refused)["code"], "VALIDATION_ERROR");
  EXPECT_EQ(error_of(refused)["details"]["field"], "body");
}

TEST(JsonBodyTest, AHundredThousandLevelsAreRefusedWithoutExhaustingTheStack) {
  const auto refused = json_body(json_request(nested(100000)));
  ASSERT_EQ(status_of(refused), 400);
  EXPECT_NE(error_of(refused)["message"].get<std::string>().find("64"), std::string::npos);
  // An unterminated one too: refused for its depth before the parser reaches its end.
  const auto unterminated = json_body(json_request("{\"a\":" + std::string(100000, '[')));
  EXPECT_EQ(status_of(unterminated), 400);
}

TEST(JsonBodyTest, ANulCharacterIsRefusedNamingItsField) {
  struct Case {
    const char* body;
    const char* field;
  };
  const Case cases[] = {
      {R"({"name":"a\u0000b"})", "name"},
      {R"({"ok":"x","items":[{"value":"fine"},{"value":"\u0000"}]})", "items/1/value"},
      {R"({"a/b~c":{"k\u0000":1}})", "a~1b~0c/k\\u0000"},
  };
  for (const auto& c : cases) {
    const auto refused = json_body(json_request(c.body));
    ASSERT_EQ(status_of(refused), 400) << c.body;
    EXPECT_EQ(error_of(refused)["details"]["field"], json::parse(std::string("\"") + c.field + "\"")) << c.body;
  }
  // An escaped backslash followed by u0000 is text, not a NUL.
  EXPECT_TRUE(std::holds_alternative<json>(json_body(json_request(R"({"name":"a\\u0000b"})"))));
}

TEST(JsonBodyTest, OnlyJsonMediaTypesAreRead) {
  for (const char* type : {"application/json", "application/json; charset=utf-8", "Application/JSON",
                           "application/merge-patch+json", "application/vnd.socrates+json;v=1"})
    EXPECT_TRUE(std::holds_alternative<json>(json_body(json_request("{}", type)))) << type;
  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded", "text/json", "application/jsonx",
                           "multipart/form-data; boundary=x", "+json"}) {
    const auto refused = json_body(json_request("{}", type));
    ASSERT_EQ(status_of(refused), 415) << type;
    EXPECT_EQ(error_of(refused)["code"], "UNSUPPORTED_MEDIA_TYPE") << type;
  }
  // No body at all needs no type.
  EXPECT_TRUE(std::holds_alternative<json>(json_body(json_request("", ""), /*allow_empty=*/true)));
}

TEST(JsonBodyTest, WhatIsNotAnObjectIsRefused) {
  for (const char* body : {"[]", "1", "\"x\"", "{", "{\"a\":1}}", "nul"})
    EXPECT_EQ(status_of(json_body(json_request(body))), 400) << body;
}

}  // namespace
}  // namespace socrates::host::rest

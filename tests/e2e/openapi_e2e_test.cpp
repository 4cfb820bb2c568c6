// docs/openapi.json, the machine-readable contract: it names exactly the routes the router serves
// (both ways, with the same capture names), and the host serves it at GET /openapi.json and its
// reference page (Redoc, loaded from the host itself) at GET /docs. Its schemas are checked
// against the host's real answers by the contract test (tests/contract/).
#include "e2e/host_suite.hpp"
#include "e2e/route_table.hpp"
#include "host/rest/http.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace socrates::test::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json the_document() {
  return json::parse(read_file(fs::path(SOCRATES_SOURCE_DIR) / "docs" / "openapi.json"), nullptr, false);
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

class OpenApiE2eTest : public HostSuite {
 protected:
  OpenApiE2eTest() : HostSuite("openapi") {}
};

// Every route of the router is an operation of the document and every operation a route, with
// the router's capture names ({project_id}, not {id}). A route added to the router without its
// operation, or an operation left behind, fails here by name.
TEST_F(OpenApiE2eTest, TheDocumentNamesExactlyTheRoutesTheRouterServes) {
  const json document = the_document();
  ASSERT_FALSE(document.is_discarded()) << "docs/openapi.json is not JSON";
  ASSERT_TRUE(document.contains("paths") && document["paths"].is_object());
  static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  std::set<std::string> documented;
  for (const auto& [path, item] : document["paths"].items())
    for (const auto& [method, operation] : item.items())
      if (kMethods.count(method)) documented.insert(upper(method) + " " + path);
  std::set<std::string> served;
  for (const auto& [method, pattern] : route_table(host_->env)) served.insert(method + " " + pattern);
  for (const auto& route : served)
    EXPECT_EQ(documented.count(route), 1u) << "served by the router but not in docs/openapi.json: " << route
                                           << " (add it under paths)";
  for (const auto& route : documented)
    EXPECT_EQ(served.count(route), 1u) << "in docs/openapi.json but not served by the router: " << route;
  EXPECT_GE(documented.size(), 60u);
}

// The error codes of the document are api.md's, and every error response of every operation lists
// only codes that answer its status (host/rest/http.cpp's one table).
TEST_F(OpenApiE2eTest, EveryErrorResponseListsCodesOfItsStatusAndTheCodesAreApiMds) {
  const json document = the_document();
  const json& codes = document["components"]["schemas"]["ErrorCode"]["enum"];
  const auto contract = api_md_error_codes();
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()), std::set<std::string>(contract.begin(), contract.end()))
      << "the ErrorCode enum of docs/openapi.json and the \"Error codes:\" of docs/api.md differ";
  const json& shared = document["components"]["responses"];
  std::size_t checked = 0;
  for (const auto& [path, item] : document["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      for (const auto& [status, documented] : operation["responses"].items()) {
        json response = documented;
        if (response.contains("$ref")) {
          const std::string name = response["$ref"].get<std::string>().substr(std::string("#/components/responses/").size());
          ASSERT_TRUE(shared.contains(name)) << method << " " << path << " " << status << ": no response " << name;
          response = shared[name];
        }
        const auto pointer = json::json_pointer("/content/application~1json/schema/properties/error/properties/code/enum");
        if (!response.contains(pointer)) continue;
        for (const auto& error : response[pointer]) {
          EXPECT_EQ(std::to_string(host::rest::status_for_error(error.get<std::string>())), status)
              << method << " " << path << ": " << error << " is listed under " << status;
          ++checked;
        }
      }
    }
  }
  EXPECT_GE(checked, 300u);
}

// Public, the file itself, as JSON.
TEST_F(OpenApiE2eTest, TheHostServesTheDocumentAtOpenapiJson) {
  const auto response = client().get("/openapi.json");
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_EQ(response.header("content-type").value_or("").rfind("application/json", 0), 0u) << describe(response);
  EXPECT_EQ(response.json(), the_document());
  EXPECT_EQ(response.json().value("openapi", ""), "3.1.0");
}

// The reference page: an HTML page that loads Redoc from the host (no CDN, nothing from the
// internet) and points it at /openapi.json; the script it loads is served.
TEST_F(OpenApiE2eTest, TheReferencePageLoadsRedocFromTheHostAndPointsItAtTheDocument) {
  const auto page = client().get("/docs");
  ASSERT_EQ(page.status, 200) << describe(page);
  EXPECT_EQ(page.header("content-type").value_or("").rfind("text/html", 0), 0u) << describe(page);
  EXPECT_NE(page.body.find("spec-url=\"/openapi.json\""), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("src=\"/docs/redoc.standalone.js\""), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("http://"), std::string::npos) << "the page loads nothing from elsewhere";
  EXPECT_EQ(page.body.find("https://"), std::string::npos) << "the page loads nothing from elsewhere";

  const auto script = client().get("/docs/redoc.standalone.js");
  ASSERT_EQ(script.status, 200) << describe(script).substr(0, 500);
  EXPECT_NE(script.header("content-type").value_or("").find("javascript"), std::string::npos);
  const std::string installed =
      read_file(fs::path(SOCRATES_SOURCE_DIR) / "node_modules" / "redoc" / "bundles" / "redoc.standalone.js");
  ASSERT_FALSE(installed.empty()) << "node_modules/redoc is not installed (scripts/install-deps.sh runs npm ci)";
  EXPECT_EQ(script.body.size(), installed.size());
  EXPECT_TRUE(script.body == installed) << "the script served is not redoc's bundle";
}

// HEAD answers a GET's headers without its body: a proxy or a link checker can look cheaply.
TEST_F(OpenApiE2eTest, HeadOfTheReferenceAnswersTheHeadersOfGetWithoutABody) {
  for (const std::string path : {"/openapi.json", "/docs", "/docs/redoc.standalone.js"}) {
    const auto get = client().get(path);
    const auto head = client().request("HEAD", path);
    ASSERT_EQ(head.status, 200) << path << ": " << describe(head);
    EXPECT_TRUE(head.body.empty()) << path;
    EXPECT_EQ(head.header("content-type"), get.header("content-type")) << path;
    EXPECT_EQ(head.header("etag"), get.header("etag")) << path;
  }
}

}  // namespace
}  // namespace socrates::test::e2e

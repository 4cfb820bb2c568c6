#include "host/rest/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace socrates::host::rest {
namespace {

namespace fs = std::filesystem;

// A fresh directory `site/` holding index.html and app.js, beside a file outside it.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("static-files-" + std::to_string(std::random_device{}()));
    site_ = root_ / "site";
    fs::create_directories(site_);
    write(site_ / "index.html", "<!doctype html><title>x</title>");
    write(site_ / "app.js", "export const x = 1;\n");
    write(root_ / "secret.txt", "not for you");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void write(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
  }
  HttpRequest get(const std::string& path, const std::string& method = "GET") const {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.request_id = "req-1";
    return request;
  }
  static std::string header(const HttpResponse& response, const std::string& name) {
    for (const auto& [key, value] : response.headers)
      if (key == name) return value;
    return "";
  }
  static void expect_not_found(const HttpResponse& response) {
    EXPECT_EQ(response.status, 404);
    const auto body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["error"]["code"], "NOT_FOUND");
    EXPECT_EQ(body["request_id"], "req-1");
  }

  fs::path root_;
  fs::path site_;
};

TEST_F(StaticFilesTest, ContentTypesFollowTheExtension) {
  EXPECT_EQ(static_content_type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(static_content_type("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(static_content_type("app.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(static_content_type("site.css"), "text/css; charset=utf-8");
  EXPECT_EQ(static_content_type("logo.svg"), "image/svg+xml");
  EXPECT_EQ(static_content_type("logo.png"), "image/png");
  EXPECT_EQ(static_content_type("data.json"), "application/json");
  EXPECT_EQ(static_content_type("app.js.map"), "application/json");
  EXPECT_EQ(static_content_type("favicon.ico"), "image/x-icon");
  EXPECT_EQ(static_content_type("LICENSE.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(static_content_type("run.sh"), std::nullopt);
  EXPECT_EQ(static_content_type("Makefile"), std::nullopt);
  EXPECT_EQ(static_content_type("x.HTML"), std::nullopt);
}

TEST_F(StaticFilesTest, AFileOfTheDirectoryIsFound) {
  const auto file = resolve_static_file(site_, "app.js");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(*file, fs::canonical(site_ / "app.js"));
}

TEST_F(StaticFilesTest, NamesThatCouldLeaveTheDirectoryAreRefused) {
  for (const std::string name : {"../secret.txt", "..", ".", "..%2Fsecret.txt", "%2e%2e%2fsecret.txt",
                                 "a/../app.js", "/etc/passwd", "..\\secret.txt", std::string("app.js\0.txt", 11),
                                 "app.js%00.txt", ".hidden.txt", "", "app..js", "app.js ", "app.js?x=1"})
    EXPECT_EQ(resolve_static_file(site_, name), std::nullopt) << name;
  EXPECT_EQ(resolve_static_file(site_, std::string(300, 'a') + ".js"), std::nullopt);
}

TEST_F(StaticFilesTest, ASymlinkToAFileOutsideTheDirectoryIsRefused) {
  fs::create_symlink(root_ / "secret.txt", site_ / "link.txt");
  EXPECT_EQ(resolve_static_file(site_, "link.txt"), std::nullopt);
  expect_not_found(serve_static_file(get("/web/link.txt"), site_, "link.txt"));
  // One inside it is followed.
  fs::create_symlink(site_ / "app.js", site_ / "alias.js");
  EXPECT_TRUE(resolve_static_file(site_, "alias.js").has_value());
}

TEST_F(StaticFilesTest, ADirectoryOrAMissingFileIsNotFound) {
  fs::create_directories(site_ / "sub.js");
  EXPECT_EQ(resolve_static_file(site_, "sub.js"), std::nullopt);
  EXPECT_EQ(resolve_static_file(site_, "missing.js"), std::nullopt);
  EXPECT_EQ(resolve_static_file(root_ / "no-such-dir", "app.js"), std::nullopt);
  expect_not_found(serve_static_file(get("/web/missing.js"), site_, "missing.js"));
}

TEST_F(StaticFilesTest, AFileIsServedWithItsTypeETagAndCacheControl) {
  const auto response = serve_static_file(get("/web/app.js"), site_, "app.js", {{"X-Extra", "yes"}});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "export const x = 1;\n");
  EXPECT_EQ(response.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(response, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(response, "X-Extra"), "yes");
  const std::string etag = header(response, "ETag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
}

TEST_F(StaticFilesTest, IfNoneMatchWithTheCurrentETagIs304AndAChangedFileGetsANewOne) {
  const std::string etag = header(serve_static_file(get("/web/app.js"), site_, "app.js"), "ETag");
  auto request = get("/web/app.js");
  request.headers["if-none-match"] = "W/\"other\", " + etag;
  const auto unchanged = serve_static_file(request, site_, "app.js");
  EXPECT_EQ(unchanged.status, 304);
  EXPECT_TRUE(unchanged.body.empty());
  EXPECT_EQ(header(unchanged, "ETag"), etag);

  write(site_ / "app.js", "export const x = 22;\n");  // a different size: read again
  const auto changed = serve_static_file(request, site_, "app.js");
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, "export const x = 22;\n");
  EXPECT_NE(header(changed, "ETag"), etag);

  request.headers["if-none-match"] = "\"something-else\"";
  EXPECT_EQ(serve_static_file(request, site_, "app.js").status, 200);
}

TEST_F(StaticFilesTest, HeadAnswersTheHeadersWithoutTheBody) {
  const auto response = serve_static_file(get("/", "HEAD"), site_, "index.html");
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(header(response, "ETag").empty());
  const auto missing = serve_static_file(get("/web/nope.js", "HEAD"), site_, "nope.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.empty());
}

TEST_F(StaticFilesTest, RoutesServeTheIndexAtTheRootAndFilesUnderThePrefix) {
  Router router;
  add_static_file(router, "/", site_, "index.html");
  add_static_routes(router, "/web", site_);
  auto index = router.match("GET", "/");
  ASSERT_NE(index.route, nullptr);
  auto request = get("/");
  EXPECT_EQ(index.route->handler(request).body, "<!doctype html><title>x</title>");
  auto file = router.match("HEAD", "/web/app.js");
  ASSERT_NE(file.route, nullptr);
  EXPECT_EQ(file.params.at("file"), "app.js");
  // A path of more than one segment under the prefix is no route at all.
  EXPECT_EQ(router.match("GET", "/web/a/app.js").route, nullptr);
  EXPECT_EQ(router.match("POST", "/web/app.js").route, nullptr);
}

}  // namespace
}  // namespace socrates::host::rest

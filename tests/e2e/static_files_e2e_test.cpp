// The static files the real host serves (WEB_DIR at / and /web/{file}) over real HTTP: types,
// ETag and 304, HEAD, and every way out of the directory answered 404 in the API's error shape.
#include "e2e/e2e_helpers.hpp"

#include <filesystem>
#include <fstream>
#include <random>

namespace socrates::test::e2e {
namespace {

namespace fs = std::filesystem;

class StaticFilesE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(fs::temp_directory_path() / ("web-e2e-" + std::to_string(std::random_device{}())));
    fs::create_directories(*root_ / "site");
    std::ofstream(*root_ / "site" / "index.html") << "<!doctype html><title>Socrates</title>";
    std::ofstream(*root_ / "site" / "app.js") << "export const answer = 42;\n";
    std::ofstream(*root_ / "secret.txt") << "outside";
    fs::create_symlink(*root_ / "secret.txt", *root_ / "site" / "leak.txt");
    host_ = new HostUnderTest(EnvMap{{"WEB_DIR", (*root_ / "site").string()}});
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
    fs::remove_all(*root_);
    delete root_;
  }
  void SetUp() override { expect_host_started(host_); }
  void TearDown() override { expect_host_alive(host_); }

  static HostUnderTest* host_;
  static fs::path* root_;
};

HostUnderTest* StaticFilesE2eTest::host_ = nullptr;
fs::path* StaticFilesE2eTest::root_ = nullptr;

TEST_F(StaticFilesE2eTest, TheIndexAndTheFilesAreServedWithTheirTypes) {
  const auto index = host_->client().get("/");
  ASSERT_EQ(index.status, 200) << describe(index);
  EXPECT_EQ(index.body, "<!doctype html><title>Socrates</title>");
  EXPECT_EQ(index.header("content-type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("cache-control").value_or(""), "no-cache");
  EXPECT_NE(index.header("content-security-policy").value_or("").find("default-src 'self'"), std::string::npos);
  const auto script = host_->client().get("/web/app.js");
  ASSERT_EQ(script.status, 200) << describe(script);
  EXPECT_EQ(script.header("content-type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_EQ(script.body, "export const answer = 42;\n");
}

TEST_F(StaticFilesE2eTest, ACurrentETagIsAnswered304AndHeadHasNoBody) {
  const auto first = host_->client().get("/web/app.js");
  const std::string etag = first.header("etag").value_or("");
  ASSERT_FALSE(etag.empty()) << describe(first);
  const auto again = host_->client().request("GET", "/web/app.js", "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304) << describe(again);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag").value_or(""), etag);
  const auto head = host_->client().request("HEAD", "/web/app.js");
  EXPECT_EQ(head.status, 200) << describe(head);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("etag").value_or(""), etag);
  const auto index_head = host_->client().request("HEAD", "/");
  EXPECT_EQ(index_head.status, 200) << describe(index_head);
  EXPECT_TRUE(index_head.body.empty());
  EXPECT_EQ(index_head.header("content-type").value_or(""), "text/html; charset=utf-8");
}

TEST_F(StaticFilesE2eTest, NoPathLeavesTheDirectory) {
  for (const std::string path : {"/web/%2e%2e%2fsecret.txt", "/web/..%2Fsecret.txt", "/web/leak.txt",
                                 "/web/app.js%00.txt", "/web/.hidden.txt", "/web/missing.js", "/web/run.sh"}) {
    const auto response = host_->client().get(path);
    EXPECT_TRUE(IsApiError(response, 404, "NOT_FOUND")) << path;
    EXPECT_EQ(response.body.find("outside"), std::string::npos) << path;
  }
  // More than one segment under /web is no route at all; also 404 in the one shape.
  EXPECT_TRUE(IsApiError(host_->client().get("/web/sub/app.js"), 404, "NOT_FOUND"));
  EXPECT_TRUE(IsApiError(host_->client().request("POST", "/web/app.js", "{}"), 405, "METHOD_NOT_ALLOWED"));
}

}  // namespace
}  // namespace socrates::test::e2e

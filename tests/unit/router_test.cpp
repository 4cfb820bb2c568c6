#include "host/rest/router.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace socrates::host::rest {
namespace {

// A handler that answers with its own name, so a test can tell which route was chosen.
Handler named(const std::string& name) {
  return [name](HttpRequest&) { return HttpResponse::json(200, {{"route", name}}); };
}

// The name of the route that answers (method, path), or "" when none does.
std::string chosen(const Router& router, const std::string& method, const std::string& path) {
  const auto match = router.match(method, path);
  if (!match.route) return "";
  HttpRequest request;
  return nlohmann::json::parse(match.route->handler(request).body).at("route").get<std::string>();
}

std::vector<std::string> sorted(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  return values;
}

TEST(RouterTest, MatchesLiteralPaths) {
  Router router;
  router.add("GET", "/health", named("health"), Dispatch::kInline);
  router.add("GET", "/api/v1/projects", named("list"));

  const auto match = router.match("GET", "/health");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/health");
  EXPECT_EQ(match.route->dispatch, Dispatch::kInline);
  EXPECT_TRUE(match.params.empty());
  EXPECT_EQ(chosen(router, "GET", "/api/v1/projects"), "list");
  EXPECT_EQ(chosen(router, "GET", "/api/v1/project"), "");
  EXPECT_EQ(chosen(router, "GET", "/api/v1/projects/extra"), "");
  EXPECT_EQ(chosen(router, "GET", "/api/v1"), "");
}

TEST(RouterTest, CapturesNamedParameters) {
  Router router;
  router.add("POST", "/api/v1/agents/{agent_id}/{action}", named("agent"));

  const auto match = router.match("POST", "/api/v1/agents/socratic/next_question");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->dispatch, Dispatch::kWorker) << "work goes to the worker pool unless told otherwise";
  EXPECT_EQ(match.params.at("agent_id"), "socratic");
  EXPECT_EQ(match.params.at("action"), "next_question");
  EXPECT_EQ(match.params.size(), 2u);
}

TEST(RouterTest, CaptureNeedsANonEmptySegment) {
  Router router;
  router.add("GET", "/api/v1/projects/{id}", named("project"));
  EXPECT_EQ(chosen(router, "GET", "/api/v1/projects/"), "");
  EXPECT_EQ(chosen(router, "GET", "/api/v1/projects//"), "");
}

TEST(RouterTest, LiteralBeatsCaptureAtTheSamePositionWhicheverIsAddedFirst) {
  for (bool literal_first : {true, false}) {
    Router router;
    if (literal_first) router.add("GET", "/api/v1/projects/archived", named("literal"));
    router.add("GET", "/api/v1/projects/{id}", named("capture"));
    if (!literal_first) router.add("GET", "/api/v1/projects/archived", named("literal"));

    EXPECT_EQ(chosen(router, "GET", "/api/v1/projects/archived"), "literal") << "literal_first=" << literal_first;
    EXPECT_EQ(chosen(router, "GET", "/api/v1/projects/1234"), "capture") << "literal_first=" << literal_first;
  }
}

TEST(RouterTest, TheLiteralRouteDoesNotInheritCaptures) {
  Router router;
  router.add("GET", "/a/{x}", named("capture"));
  router.add("GET", "/a/b", named("literal"));
  const auto match = router.match("GET", "/a/b");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/a/b");
  EXPECT_TRUE(match.params.empty());
}

TEST(RouterTest, EarlierLiteralWinsWhenTwoRoutesHaveAsManyLiterals) {
  // "/x/b/c" fits both patterns with two literals each. The header promises that a literal beats a
  // capture at the same position; at position 1 "/x/b/{d}" has the literal, so it must answer
  // whatever the registration order (otherwise moving an add() line silently reroutes requests).
  for (bool capture_first : {true, false}) {
    Router router;
    if (capture_first) router.add("GET", "/x/{a}/c", named("late-literal"));
    router.add("GET", "/x/b/{d}", named("early-literal"));
    if (!capture_first) router.add("GET", "/x/{a}/c", named("late-literal"));
    EXPECT_EQ(chosen(router, "GET", "/x/b/c"), "early-literal") << "capture_first=" << capture_first;
  }
}

TEST(RouterTest, TrailingAndDoubleSlashesAreIgnored) {
  Router router;
  router.add("GET", "/api/v1/projects/{id}/sessions", named("sessions"));

  for (const char* path : {"/api/v1/projects/p1/sessions", "/api/v1/projects/p1/sessions/",
                           "//api/v1//projects/p1///sessions", "api/v1/projects/p1/sessions"}) {
    const auto match = router.match("GET", path);
    ASSERT_NE(match.route, nullptr) << path;
    EXPECT_EQ(match.params.at("id"), "p1") << path;
  }
}

TEST(RouterTest, RootPathMatchesOnlyTheRootPattern) {
  Router router;
  router.add("GET", "/", named("root"));
  router.add("GET", "/health", named("health"));
  EXPECT_EQ(chosen(router, "GET", "/"), "root");
  EXPECT_EQ(chosen(router, "GET", ""), "root");
  EXPECT_EQ(chosen(router, "GET", "/health"), "health");
}

TEST(RouterTest, OtherMethodOnAKnownPathGivesTheAllowedMethods) {
  // The server turns this into 405 METHOD_NOT_ALLOWED with an Allow header, and answers CORS preflights.
  Router router;
  router.add("GET", "/api/v1/projects/{id}", named("get"));
  router.add("PATCH", "/api/v1/projects/{id}", named("patch"));
  router.add("DELETE", "/api/v1/projects/{id}", named("delete"));
  router.add("POST", "/api/v1/projects", named("create"));

  const auto match = router.match("PUT", "/api/v1/projects/p1");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(sorted(match.allowed_methods), (std::vector<std::string>{"DELETE", "GET", "PATCH"}));

  const auto options = router.match("OPTIONS", "/api/v1/projects");
  EXPECT_EQ(options.route, nullptr);
  EXPECT_EQ(options.allowed_methods, (std::vector<std::string>{"POST"}));
}

TEST(RouterTest, AllowedMethodsAreListedOnceAndAlsoOnASuccessfulMatch) {
  Router router;
  router.add("GET", "/things/{id}", named("capture"));
  router.add("GET", "/things/special", named("literal"));
  router.add("POST", "/things/special", named("post"));

  const auto match = router.match("GET", "/things/special");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(sorted(match.allowed_methods), (std::vector<std::string>{"GET", "POST"}));
}

TEST(RouterTest, MethodsAreCaseSensitive) {
  // HTTP methods are case-sensitive tokens; the server upper-cases nothing for us.
  Router router;
  router.add("GET", "/health", named("health"));
  const auto match = router.match("get", "/health");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"GET"}));
}

TEST(RouterTest, UnknownPathGivesNoRouteAndNoAllowedMethods) {
  // The server answers 404 NOT_FOUND only when allowed_methods is empty.
  Router router;
  router.add("GET", "/api/v1/projects/{id}", named("get"));
  for (const char* path : {"/api/v1/nothing", "/api/v1/projects/p1/extra", "/", "/api/v1/projects"}) {
    const auto match = router.match("GET", path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allowed_methods.empty()) << path;
    EXPECT_TRUE(match.params.empty()) << path;
  }
}

TEST(RouterTest, EmptyRouterMatchesNothing) {
  Router router;
  const auto match = router.match("GET", "/health");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.allowed_methods.empty());
}

}  // namespace
}  // namespace socrates::host::rest

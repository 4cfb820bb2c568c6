// Router::match on the host's real route table with any method and any path.
// Input: "METHOD PATH" (split at the first space; no space: GET and the whole input as the path).
// Checked: a match is for that method, its captures fill exactly the pattern's {names} with
// non-empty segments, the path rebuilt from the pattern and the captures routes to the same
// route with the same captures, allowed_methods lists each method once and includes the one
// matched, and a method the path answers is always matched.

#include "fuzz_check.hpp"
#include "route_table.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using socrates::host::rest::Router;

namespace {

void check_match(const Router& router, const std::string& method, const std::string& path, const Router::Match& m) {
  std::set<std::string> methods(m.allowed_methods.begin(), m.allowed_methods.end());
  FUZZ_CHECK(methods.size() == m.allowed_methods.size(), "allowed_methods repeats a method for " + path);
  FUZZ_CHECK((m.route != nullptr) == (methods.count(method) == 1),
             "a method the path answers must match, and only such a one: " + method + " " + path);
  if (!m.route) {
    FUZZ_CHECK(m.params.empty(), "captures without a route for " + path);
    return;
  }
  FUZZ_CHECK(m.route->method == method, "matched " + m.route->method + " for " + method);

  std::vector<std::string> segments;
  std::string rebuilt;
  std::size_t captures = 0;
  for (const auto& pattern : m.route->segments) {
    if (pattern.size() > 2 && pattern.front() == '{' && pattern.back() == '}') {
      const auto it = m.params.find(pattern.substr(1, pattern.size() - 2));
      FUZZ_CHECK(it != m.params.end(), "capture " + pattern + " missing for " + path);
      FUZZ_CHECK(!it->second.empty() && it->second.find('/') == std::string::npos,
                 "capture " + pattern + " is not one segment: '" + it->second + "'");
      rebuilt += "/" + it->second;
      ++captures;
    } else {
      FUZZ_CHECK(path.find(pattern) != std::string::npos, "literal " + pattern + " not in " + path);
      rebuilt += "/" + pattern;
    }
  }
  FUZZ_CHECK(captures == m.params.size(), "extra captures for " + path);

  const auto again = router.match(method, rebuilt);
  FUZZ_CHECK(again.route == m.route && again.params == m.params,
             "the rebuilt path " + rebuilt + " routes elsewhere than " + path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(socrates::fuzz::as_text(data, size));
  const auto space = input.find(' ');
  const std::string method = space == std::string::npos ? "GET" : input.substr(0, space);
  const std::string path = space == std::string::npos ? input : input.substr(space + 1);

  const Router& router = socrates::fuzz::route_table();
  const auto m = router.match(method, path);
  check_match(router, method, path, m);
  const auto twice = router.match(method, path);
  FUZZ_CHECK(twice.route == m.route && twice.params == m.params && twice.allowed_methods == m.allowed_methods,
             "match is not deterministic for " + path);
  return 0;
}

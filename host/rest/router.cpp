#include "host/rest/router.hpp"

#include <algorithm>

namespace socrates::host::rest {

std::vector<std::string> Router::split(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

void Router::add(std::string method, std::string pattern, Handler handler, Dispatch dispatch) {
  Route route{std::move(method), pattern, split(pattern), std::move(handler), dispatch};
  routes_.push_back(std::move(route));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  const auto segments = split(path);
  Match best;
  int best_literals = -1;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    int literals = 0;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      const std::string& pattern = route.segments[i];
      if (pattern.size() > 2 && pattern.front() == '{' && pattern.back() == '}') {
        params[pattern.substr(1, pattern.size() - 2)] = segments[i];
      } else if (pattern == segments[i]) {
        ++literals;
      } else {
        ok = false;
      }
    }
    if (!ok) continue;
    if (std::find(best.allowed_methods.begin(), best.allowed_methods.end(), route.method) == best.allowed_methods.end())
      best.allowed_methods.push_back(route.method);
    if (route.method == method && literals > best_literals) {
      best.route = &route;
      best.params = std::move(params);
      best_literals = literals;
    }
  }
  return best;
}

}  // namespace socrates::host::rest

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
  // Which positions of the best route are literal: at the first position where two routes differ,
  // the literal one wins, whatever order they were added in.
  std::vector<bool> best_mask;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    std::vector<bool> mask(segments.size(), false);
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      const std::string& pattern = route.segments[i];
      if (pattern.size() > 2 && pattern.front() == '{' && pattern.back() == '}') {
        params[pattern.substr(1, pattern.size() - 2)] = segments[i];
      } else if (pattern == segments[i]) {
        mask[i] = true;
      } else {
        ok = false;
      }
    }
    if (!ok) continue;
    if (std::find(best.allowed_methods.begin(), best.allowed_methods.end(), route.method) == best.allowed_methods.end())
      best.allowed_methods.push_back(route.method);
    if (route.method == method && (!best.route || mask > best_mask)) {
      best.route = &route;
      best.params = std::move(params);
      best_mask = std::move(mask);
    }
  }
  return best;
}

}  // namespace socrates::host::rest

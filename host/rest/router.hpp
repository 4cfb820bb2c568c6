#pragma once
// Maps (method, path) to a handler. Patterns are literal segments and {name} captures:
// "/api/v1/projects/{id}/restore". Literal segments win over captures at the same position.

#include "host/rest/http.hpp"

#include <functional>
#include <string>
#include <vector>

namespace socrates::host::rest {

// Where a handler runs: on the reactor thread (only for work that never blocks, such as
// GET /health) or on the worker pool (anything touching a database, an agent or a hash).
enum class Dispatch { kInline, kWorker };

using Handler = std::function<HttpResponse(HttpRequest&)>;

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;
  Handler handler;
  Dispatch dispatch = Dispatch::kWorker;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler, Dispatch dispatch = Dispatch::kWorker);

  struct Match {
    const Route* route = nullptr;                 // null when nothing matched this method
    std::map<std::string, std::string> params;    // captures of the matched route
    std::vector<std::string> allowed_methods;     // methods the path does answer (for 405 and OPTIONS)
  };
  Match match(const std::string& method, const std::string& path) const;
  // Every route, in the order added (for tests and documentation that walk the table).
  const std::vector<Route>& routes() const noexcept { return routes_; }

 private:
  static std::vector<std::string> split(const std::string& path);
  std::vector<Route> routes_;
};

}  // namespace socrates::host::rest

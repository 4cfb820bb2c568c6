#pragma once
// The Pistache surface: parses a request into an HttpRequest, applies the edge rules (request id,
// body limit, CORS, 404/405 in the API's error shape), runs the matched handler inline or on the
// worker pool, writes the answer and logs one line with its latency.

#include "host/rest/router.hpp"
#include "host/rest/worker_pool.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace Pistache::Http {
class Endpoint;
}

namespace socrates::host::rest {

struct ServerOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8000;  // 0 picks a free port; see Server::port()
  int threads = 2;
  std::size_t workers = 16;
  std::size_t max_queued = 4096;
  // Tasks that may block at once in an LLM call (each compensated by one extra worker thread);
  // LLM_CONCURRENCY. See WorkerPool.
  std::size_t max_blocked = 64;
  std::size_t max_body_bytes = 1024 * 1024;
  std::vector<std::string> cors_origins;  // "*" allows any origin
  bool access_log = true;
};

class Server {
 public:
  Server(ServerOptions options, std::shared_ptr<const Router> router);
  ~Server();

  void start();  // binds and serves on background threads; throws std::runtime_error on bind failure
  std::uint16_t port() const;
  void shutdown();  // stops accepting, finishes queued work

  struct State;

 private:
  ServerOptions options_;
  std::shared_ptr<State> state_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

}  // namespace socrates::host::rest

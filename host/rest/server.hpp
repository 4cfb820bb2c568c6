#pragma once
// The Pistache surface: cuts each request out of its connection's bytes (request_framing.hpp),
// parses it into an HttpRequest, applies the edge rules (request id, head and body limits,
// timeouts, the connection cap, CORS, 404/405 in the API's error shape), runs the matched handler
// inline or on the worker pool, writes the answer and logs one line with its latency. Requests on
// one connection are answered one at a time, in order.

#include "host/metrics/metrics.hpp"
#include "host/rest/router.hpp"
#include "host/rest/worker_pool.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace Pistache::Tcp {
class Listener;
}

namespace socrates::host::rest {

struct ServerOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8000;  // 0 picks a free port; see Server::port()
  int threads = 2;
  std::size_t workers = 16;
  std::size_t max_queued = 1024;  // WORKER_QUEUE: requests waiting for a worker; one more is 503 SERVER_BUSY
  // Tasks that may block at once in an LLM call (each compensated by one extra worker thread);
  // LLM_CONCURRENCY. See WorkerPool.
  std::size_t max_blocked = 64;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_head_bytes = 32 * 1024;  // request line + headers; more is 431 HEADERS_TOO_LARGE
  std::size_t max_connections = 1024;      // open connections; one more is answered 503 SERVER_BUSY and closed
  // A request's head must arrive within header_timeout of its first byte (or of the connection),
  // its body within body_timeout of its head (else 408 and the connection closes); a keep-alive
  // connection with nothing to do is closed after keepalive_timeout.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds keepalive_timeout{60000};
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
  std::unique_ptr<Pistache::Tcp::Listener> listener_;
  metrics::SourceHandle metrics_source_;  // the worker queue and connections, while serving
};

}  // namespace socrates::host::rest

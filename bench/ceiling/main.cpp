// socrates-pistache-ceiling PORT [THREADS]: the raw Pistache ceiling for bench/bench.sh.
//
// Serves every request with 200 {"status":"ok"} (application/json) from the reactor thread, with
// the endpoint options the host uses (host/rest/server.cpp: reactor threads, ReuseAddr, the same
// maximum request size, backlog 1024), so the difference between this and the host's GET /health
// is the host's own per-request work. THREADS defaults to the host's default: one per core.
// Listens on 127.0.0.1 until SIGINT or SIGTERM.
#include <pistache/endpoint.h>
#include <pistache/http.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

namespace {

using namespace Pistache;

class TrivialHandler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(TrivialHandler)

  void onRequest(const Http::Request&, Http::ResponseWriter writer) override {
    writer.send(Http::Code::Ok, R"({"status":"ok"})", MIME(Application, Json));
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: socrates-pistache-ceiling PORT [THREADS]\n";
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = argc == 3 ? std::atoi(argv[2]) : cores;
  if (port <= 0 || port > 65535 || threads <= 0) {
    std::cerr << "socrates-pistache-ceiling: PORT must be 1..65535 and THREADS positive\n";
    return 2;
  }

  // Only sigwait below sees the stop signals (blocked before any thread starts, as in the host).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The host's limit with the default body limit: MAX_BODY_BYTES (1 MiB) + 64 KiB for the headers.
  constexpr std::size_t kMaxRequestSize = 1024 * 1024 + 64 * 1024;
  Http::Endpoint endpoint(Address(Ipv4::loopback(), Port(static_cast<std::uint16_t>(port))));
  endpoint.init(Http::Endpoint::options()
                    .threads(threads)
                    .flags(Tcp::Options::ReuseAddr)
                    .maxRequestSize(kMaxRequestSize)
                    .backlog(1024));
  endpoint.setHandler(Http::make_handler<TrivialHandler>());
  try {
    endpoint.serveThreaded();
  } catch (const std::exception& e) {
    std::cerr << "socrates-pistache-ceiling: cannot listen on 127.0.0.1:" << port << ": " << e.what() << "\n";
    return 1;
  }
  int signal = 0;
  sigwait(&signals, &signal);
  endpoint.shutdown();
  return 0;
}

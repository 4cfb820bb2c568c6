#include "host/rest/server.hpp"

#include "host/concurrency/early_answer.hpp"
#include "host/crypto/crypto_random.hpp"
#include "host/error_codes.hpp"
#include "host/log/json_log.hpp"
#include "host/metrics/metrics.hpp"
#include "host/rest/pistache_headers.hpp"
#include "host/rest/request_framing.hpp"

#include <pistache/http.h>
#include <pistache/listener.h>
#include <pistache/peer.h>
#include <pistache/transport.h>

#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <utility>

namespace socrates::host::rest {

using namespace Pistache;
using Clock = std::chrono::steady_clock;

namespace {

// Pistache writes only typed headers (addRaw is silently dropped); this one carries any name.
class RawHeader : public Http::Header::Header {
 public:
  RawHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void write(std::ostream& os) const override { os << value_; }
  uint64_t hash() const override { return Http::Header::detail::hash(name_.c_str()); }

 private:
  std::string name_;
  std::string value_;
};

// A caller's X-Request-Id is echoed only when it is a sane token; otherwise we make our own.
bool acceptable_request_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

const char* const kCorsHeaders = "Authorization, Content-Type, X-Request-Id, Mcp-Session-Id, MCP-Protocol-Version";
const char* const kCorsExposed = "X-Request-Id, Retry-After, Mcp-Session-Id, WWW-Authenticate";
const char* const kConnectionKey = "__Conn";  // short: looked up on every read, kept in SSO

// The route label of requests no route of the table answered (metrics stay bounded: never a raw path).
const std::string kRouteRefused = "<refused>";      // refused before routing: framing, timeouts, connection cap
const std::string kRouteUnmatched = "<unmatched>";  // 404 and 405
const std::string kRoutePreflight = "<preflight>";  // CORS preflight, answered by the server itself

// How often the reactor threads look for connections past their deadline.
constexpr auto kSweepInterval = std::chrono::milliseconds(250);
// A connection told to close keeps being read (and its bytes dropped) this long, so that a client
// still sending a refused body reads its answer instead of a reset.
constexpr auto kLingerTimeout = std::chrono::seconds(5);

// One client connection: the bytes not yet answered and where its current request stands. Read and
// written by its reactor thread and, when a worker answers, by that worker; hence the mutex.
struct Connection {
  enum class Phase {
    kHead,     // waiting for (the rest of) a request's head: header timeout
    kBody,     // the head is in, the body is not: body timeout
    kBusy,     // a request is being answered: no timeout (the work has its own)
    kIdle,     // answered, keep-alive, nothing new yet: keep-alive timeout
    kClosing,  // told to close: bytes are dropped until the client closes or the linger ends
  };

  explicit Connection(std::size_t max_request) : parser(max_request) {}

  std::mutex mutex;
  std::string pending;  // received, not yet cut into a request
  Phase phase = Phase::kHead;
  Clock::time_point since = Clock::now();  // when the phase began
  bool pumping = false;                    // a thread is cutting and dispatching requests
  bool gone = false;                       // disconnected: its fd is (being) closed, may be reused
  Http::RequestParser parser;              // parses one cut-out request at a time
};

std::shared_ptr<Connection> connection_of(const std::shared_ptr<Tcp::Peer>& peer) {
  return std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionKey));
}

// The route's handler; whatever it throws is a 500 in the error shape.
HttpResponse respond(const Route& route, HttpRequest& request) {
  try {
    return route.handler(request);
  } catch (const std::exception& e) {
    log::error("handler threw", {{"error", e.what()}, {"path", request.path}});
  } catch (...) {
  }
  return HttpResponse::error(sdk::errc::kInternal, "the request could not be completed", request.request_id);
}

// A request run on a worker, answered once: by its handler, or before that from another thread
// (an agent call past its deadline: host/concurrency/early_answer.hpp). The worker of a request
// answered early counts as blocked in its pool until its handler returns (managed blocking), so
// the pool starts another thread meanwhile and keeps its capacity. It lives on the worker's stack
// for the handler's run and refers to the task's own answer: nothing is allocated for it.
template <class Answer>
class WorkerAnswer final : public EarlyAnswer {
 public:
  WorkerAnswer(const Answer& answer, const std::string& request_id, WorkerPool& pool) noexcept
      : answer_(answer), request_id_(request_id), pool_(pool) {}

  bool answer_now(const sdk::Error& error) noexcept override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (answered_) return false;
      answered_ = true;
      early_.store(true, std::memory_order_release);
      // Refused past LLM_CONCURRENCY blocked tasks: the pool is then one thread short until the
      // handler returns.
      replaced_ = pool_.begin_blocking();
    }
    try {
      HttpResponse response = HttpResponse::error(error, request_id_);
      answer_(response);
    } catch (...) {
    }
    return true;
  }
  bool answered_early() const noexcept override { return early_.load(std::memory_order_acquire); }

  // The handler's answer: sent unless the request was answered early (then dropped).
  void finish(HttpResponse& response) {
    bool send = false, replaced = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      send = !answered_;
      answered_ = true;
      replaced = std::exchange(replaced_, false);
    }
    if (send) answer_(response);
    if (replaced) pool_.end_blocking();
  }

 private:
  const Answer& answer_;
  const std::string& request_id_;
  WorkerPool& pool_;
  std::mutex mutex_;
  bool answered_ = false;
  bool replaced_ = false;
  std::atomic<bool> early_{false};
};

}  // namespace

struct Server::State {
  ServerOptions options;
  std::shared_ptr<const Router> router;
  WorkerPool workers;
  std::atomic<std::size_t> connections{0};

  State(ServerOptions o, std::shared_ptr<const Router> r)
      : options(std::move(o)), router(std::move(r)), workers(options.workers, options.max_queued, options.max_blocked) {}

  std::size_t max_request_bytes() const {
    // A chunked body carries its size lines as well as its data.
    return options.max_head_bytes * 2 + options.max_body_bytes + options.max_body_bytes / 8 + 1024;
  }

  HttpResponse too_large(const std::string& request_id) const {
    return HttpResponse::error(host::errc::kPayloadTooLarge,
                               "the request body is larger than " + std::to_string(options.max_body_bytes) + " bytes",
                               request_id, {{"max_bytes", options.max_body_bytes}});
  }

  std::optional<std::string> allowed_origin(const std::optional<std::string>& origin) const {
    if (!origin || options.cors_origins.empty()) return std::nullopt;
    for (const auto& allowed : options.cors_origins) {
      if (allowed == "*") return std::string("*");  // any origin, never with credentials
      if (allowed == *origin) return *origin;
    }
    return std::nullopt;
  }

  Async::Promise<ssize_t> send(Http::ResponseWriter& writer, HttpResponse& response, const HttpRequest& request,
                               const std::optional<std::string>& cors_origin, Clock::time_point started) const {
    auto& headers = writer.headers();
    headers.add(std::make_shared<RawHeader>("X-Request-Id", request.request_id));
    headers.add(std::make_shared<RawHeader>("X-Content-Type-Options", "nosniff"));
    if (cors_origin) {
      headers.add(std::make_shared<RawHeader>("Access-Control-Allow-Origin", *cors_origin));
      if (*cors_origin != "*") {
        headers.add(std::make_shared<RawHeader>("Access-Control-Allow-Credentials", "true"));
        headers.add(std::make_shared<RawHeader>("Vary", "Origin"));
      }
      headers.add(std::make_shared<RawHeader>("Access-Control-Expose-Headers", kCorsExposed));
    }
    for (const auto& [name, value] : response.headers) headers.add(std::make_shared<RawHeader>(name, value));
    // Counted before it is sent: a client that has its answer finds it counted.
    metrics::process().http_request(request.route ? *request.route : kRouteRefused, request.method, response.status,
                                    metrics::seconds_since(started));
    const auto code = static_cast<Http::Code>(response.status);
    // A HEAD answer is a GET's headers without its body, refusals included (RFC 9110 §9.3.2).
    if (request.method == "HEAD") response.body.clear();
    auto sent = response.status == 204 || response.content_type.empty()
                    ? writer.send(code)
                    : writer.send(code, response.body, Http::Mime::MediaType::fromString(response.content_type));
    if (options.access_log) {
      const double latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      log::info("request", {{"request_id", request.request_id},
                            {"method", request.method},
                            {"path", request.path},
                            {"status", response.status},
                            {"latency_ms", static_cast<double>(static_cast<long long>(latency_ms * 1000)) / 1000}});
    }
    return sent;
  }
};

namespace {

// Pistache's transport with our deadlines: Pistache's own (0.0.5) times a request out while a
// handler is still working on it, answers with a bare text 408, and never closes a connection it
// has answered with `Connection: close`. Here a connection's deadline depends on its phase, a
// request in progress has none, the 408 is in the API's error shape, and connections told to close
// are shut down once their answer is written.
class HttpTransport final : public Tcp::Transport {
 public:
  HttpTransport(const std::shared_ptr<Tcp::Handler>& handler, std::shared_ptr<Server::State> state)
      : Tcp::Transport(handler), handler_(handler), state_(std::move(state)) {}
  ~HttpTransport() override {
    if (timer_fd_ >= 0) ::close(timer_fd_);
  }

  void registerPoller(Polling::Epoll& poller) override {
    Tcp::Transport::registerPoller(poller);
    timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (timer_fd_ < 0) throw std::runtime_error("timerfd_create failed");
    itimerspec spec{};
    spec.it_value.tv_nsec = std::chrono::nanoseconds(kSweepInterval).count();
    spec.it_interval = spec.it_value;
    ::timerfd_settime(timer_fd_, 0, &spec, nullptr);
    poller.addFd(timer_fd_, Flags<Polling::NotifyOn>(Polling::NotifyOn::Read), Polling::Tag(timer_fd_));
  }

  void onReady(const Aio::FdSet& fds) override {
    for (const auto& entry : fds) {
      if (entry.getTag() == Polling::Tag(timer_fd_)) {
        std::uint64_t wakeups = 0;
        [[maybe_unused]] const auto ignored = ::read(timer_fd_, &wakeups, sizeof wakeups);
        sweep();
        break;
      }
    }
    Tcp::Transport::onReady(fds);
  }

  std::shared_ptr<Aio::Handler> clone() const override {
    return std::make_shared<HttpTransport>(handler_->clone(), state_);
  }

 private:
  void sweep();
  void close_now(const std::shared_ptr<Tcp::Peer>& peer) {
    handler_->onDisconnection(peer);
    removePeer(peer);
  }

  std::shared_ptr<Tcp::Handler> handler_;
  std::shared_ptr<Server::State> state_;
  int timer_fd_ = -1;
};

class PistacheHandler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(PistacheHandler)

  explicit PistacheHandler(std::shared_ptr<Server::State> state) : state_(std::move(state)) {}

  void onConnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    auto conn = std::make_shared<Connection>(state_->max_request_bytes());
    peer->putData(kConnectionKey, conn);
    metrics::process().http_connection_accepted();
    if (state_->connections.fetch_add(1) >= state_->options.max_connections) {
      log::warn("connection refused: too many open connections",
                {{"max_connections", state_->options.max_connections}});
      const std::string id = crypto::new_uuid();
      refuse(peer, conn,
             HttpResponse::error(host::errc::kServerBusy, "the server has too many open connections; try again shortly",
                                 id, {{"max_connections", state_->options.max_connections}}),
             id, std::nullopt);
    }
  }

  void onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    if (auto conn = connection_of(peer)) {
      std::lock_guard<std::mutex> lock(conn->mutex);
      if (conn->gone) return;
      conn->gone = true;
      conn->pending.clear();
    }
    state_->connections.fetch_sub(1);
  }

  void onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
    auto conn = connection_of(peer);
    if (!conn) return;
    {
      std::lock_guard<std::mutex> lock(conn->mutex);
      if (conn->phase == Connection::Phase::kClosing || conn->gone) return;  // dropped unread
      if (conn->phase == Connection::Phase::kIdle) {
        conn->phase = Connection::Phase::kHead;
        conn->since = Clock::now();
      }
      conn->pending.append(buffer, len);
      // While a request is answered, the next ones wait here (in order); a client that sends more
      // than one whole request's worth meanwhile is cut off.
      if (conn->pending.size() > state_->max_request_bytes()) {
        conn->phase = Connection::Phase::kClosing;
        conn->since = Clock::now();
        conn->pending.clear();
        return;
      }
      if (conn->pumping || conn->phase == Connection::Phase::kBusy) return;
      conn->pumping = true;
    }
    pump(peer, conn);
  }

  void onRequest(const Http::Request&, Http::ResponseWriter) override {}  // requests go through pump()

  // Sends a refusal in the API's error shape and closes the connection once it is written.
  void refuse(const std::shared_ptr<Tcp::Peer>& peer, const std::shared_ptr<Connection>& conn, HttpResponse response,
              const std::string& request_id, const std::optional<std::string>& origin) {
    HttpRequest described;
    described.request_id = request_id;
    log::warn("request refused before routing", {{"request_id", described.request_id}, {"status", response.status}});
    std::optional<Async::Promise<ssize_t>> sent;
    {
      std::lock_guard<std::mutex> lock(conn->mutex);
      if (conn->gone) return;  // see close_after: its fd may be another client's by now
      conn->phase = Connection::Phase::kClosing;
      conn->since = Clock::now();
      conn->pending.clear();
      Http::ResponseWriter writer(Http::Version::Http11, transport(), this, peer);
      writer.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
      sent.emplace(state_->send(writer, response, described, state_->allowed_origin(origin), Clock::now()));
    }
    close_after(std::move(*sent), conn, peer->fd());
  }

 private:
  // Once `sent` is written, the connection's write side is shut down: the client sees the end of
  // the answer, closes, and the transport then drops the connection (or the linger timeout does).
  //
  // A socket is known to the transport only by its fd, and the reactor thread closes it (the client
  // closed, or a timeout) without waiting for anyone: the fd can then be reused at once by the next
  // accepted connection. So whatever a thread does with a connection's fd (queue an answer on it,
  // shut it down) it does under the connection's mutex while the connection is not `gone`: the
  // transport always calls onDisconnection, which takes that mutex and sets `gone`, before it closes
  // the fd. (The callback below may run on a worker thread, at once, when the answer was written
  // before `then` was called; a shutdown there once hit the next client's connection, which then
  // lost its answer.)
  static void close_after(Async::Promise<ssize_t> sent, const std::shared_ptr<Connection>& conn, int fd) {
    auto shut_down = [conn, fd] {
      std::lock_guard<std::mutex> lock(conn->mutex);
      if (!conn->gone) ::shutdown(fd, SHUT_WR);
    };
    sent.then([shut_down](ssize_t) { shut_down(); }, [shut_down](std::exception_ptr) { shut_down(); });
  }

  // Cuts complete requests out of the connection's bytes and answers them one at a time. Runs on
  // the reactor thread after a read, or on the thread that has just answered the previous request;
  // `conn->pumping` makes sure only one thread does it at a time.
  void pump(const std::shared_ptr<Tcp::Peer>& peer, const std::shared_ptr<Connection>& conn) {
    const FramingLimits limits{state_->options.max_head_bytes, state_->options.max_body_bytes};
    for (;;) {
      std::string bytes;
      Frame frame;
      {
        std::lock_guard<std::mutex> lock(conn->mutex);
        if (conn->gone || conn->phase == Connection::Phase::kClosing || conn->phase == Connection::Phase::kBusy ||
            conn->pending.empty()) {
          conn->pumping = false;
          return;
        }
        frame = frame_request(conn->pending, limits);
        if (frame.kind == Frame::Kind::kIncomplete) {
          if (frame.head_complete && conn->phase == Connection::Phase::kHead) {
            conn->phase = Connection::Phase::kBody;
            conn->since = Clock::now();
          }
          conn->pumping = false;
          return;
        }
        if (frame.kind == Frame::Kind::kComplete) {
          bytes = frame.chunked ? unchunk(std::string_view(conn->pending).substr(0, frame.length))
                                : conn->pending.substr(0, frame.length);
          conn->pending.erase(0, frame.length);
          conn->phase = Connection::Phase::kBusy;
          conn->since = Clock::now();
        } else {
          conn->pumping = false;
          bytes = conn->pending.substr(0, std::min(conn->pending.size(), limits.max_head_bytes));
        }
      }
      if (frame.kind != Frame::Kind::kComplete) return refuse_framing(peer, conn, frame, bytes);
      dispatch(peer, conn, std::move(bytes));
    }
  }

  void refuse_framing(const std::shared_ptr<Tcp::Peer>& peer, const std::shared_ptr<Connection>& conn,
                      const Frame& frame, const std::string& head);

  // Parses one cut-out request and answers it (inline, or from a worker).
  void dispatch(const std::shared_ptr<Tcp::Peer>& peer, const std::shared_ptr<Connection>& conn, std::string bytes);

  std::shared_ptr<Server::State> state_;
};

// The X-Request-Id and Origin of a head that could not be parsed as a whole, read line by line.
std::optional<std::string> raw_header(const std::string& head, const std::string& lower_name) {
  std::size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos + 2 < head.size()) {
    const std::size_t start = pos + 2;
    const std::size_t end = head.find("\r\n", start);
    const std::string line = head.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos && colon == lower_name.size()) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      if (name == lower_name) {
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t") + 1);
        return value;
      }
    }
    pos = end;
  }
  return std::nullopt;
}

void PistacheHandler::refuse_framing(const std::shared_ptr<Tcp::Peer>& peer, const std::shared_ptr<Connection>& conn,
                                     const Frame& frame, const std::string& head) {
  const auto incoming = raw_header(head, "x-request-id");
  const std::string id = incoming && acceptable_request_id(*incoming) ? *incoming : crypto::new_uuid();
  HttpResponse response;
  switch (frame.kind) {
    case Frame::Kind::kHeadTooLarge:
      response = HttpResponse::error(host::errc::kHeadersTooLarge,
                                     "the request line and headers are larger than " +
                                         std::to_string(state_->options.max_head_bytes) + " bytes",
                                     id, {{"max_bytes", state_->options.max_head_bytes}});
      break;
    case Frame::Kind::kBodyTooLarge:
      response = state_->too_large(id);
      break;
    default:
      response = HttpResponse::error(sdk::errc::kValidation, "the request is not valid HTTP/1.1: " + frame.reason, id);
      break;
  }
  refuse(peer, conn, std::move(response), id, raw_header(head, "origin"));
}

void PistacheHandler::dispatch(const std::shared_ptr<Tcp::Peer>& peer, const std::shared_ptr<Connection>& conn,
                               std::string bytes) {
  const auto started = Clock::now();
  auto& parser = conn->parser;  // only the thread that set kBusy touches it until the answer
  parser.reset();
  Http::Private::State parsed = Http::Private::State::Again;
  try {
    if (parser.feed(bytes.data(), bytes.size())) parsed = parser.parse();
  } catch (const std::exception& e) {
    const std::string head = bytes.substr(0, bytes.find("\r\n\r\n"));
    Frame bad;
    bad.kind = Frame::Kind::kMalformed;
    bad.reason = e.what();
    return refuse_framing(peer, conn, bad, head + "\r\n");
  }
  if (parsed != Http::Private::State::Done) {
    Frame bad;
    bad.kind = Frame::Kind::kMalformed;
    bad.reason = "the request could not be parsed";
    return refuse_framing(peer, conn, bad, bytes.substr(0, bytes.find("\r\n\r\n")) + "\r\n");
  }
  const Http::Request& request = parser.request;

  // HTTP/1.1 keeps the connection unless asked to close; HTTP/1.0 closes unless asked to keep it.
  const auto connection = request.headers().tryGet<Http::Header::Connection>();
  const bool keep_alive = request.version() == Http::Version::Http11
                              ? !(connection && connection->control() == Http::ConnectionControl::Close)
                              : (connection && connection->control() == Http::ConnectionControl::KeepAlive);

  auto state = state_;
  auto r = std::make_shared<HttpRequest>();
  r->method = Http::methodString(request.method());
  r->path = request.resource();
  const auto incoming_id = header_value(request, "X-Request-Id");
  r->request_id = incoming_id && acceptable_request_id(*incoming_id) ? *incoming_id : crypto::new_uuid();
  const auto cors_origin = state->allowed_origin(header_value(request, "Origin"));

  Tcp::Transport* transport = this->transport();
  Http::Handler* handler = this;
  const auto version = request.version();
  // Answers on this connection, then lets the next request on it go.
  auto answer = [state, r, cors_origin, started, keep_alive, version, transport, handler, conn,
                 weak_peer = std::weak_ptr<Tcp::Peer>(peer)](HttpResponse& response) {
    auto live = weak_peer.lock();
    if (!live) return;
    std::optional<Async::Promise<ssize_t>> sent;
    bool closing = false;
    bool next = false;
    {
      // Queued under the mutex while the connection is open (see close_after).
      std::lock_guard<std::mutex> lock(conn->mutex);
      if (conn->gone) return;
      // A client that sent more than a request's worth meanwhile was cut off (onInput): closed too.
      closing = !keep_alive || conn->phase == Connection::Phase::kClosing;
      Http::ResponseWriter writer(version, transport, handler, live);
      writer.headers().add<Http::Header::Connection>(closing ? Http::ConnectionControl::Close
                                                             : Http::ConnectionControl::KeepAlive);
      sent.emplace(state->send(writer, response, *r, cors_origin, started));
      conn->since = Clock::now();
      if (closing) {
        conn->phase = Connection::Phase::kClosing;
        conn->pending.clear();
      } else {
        conn->phase = conn->pending.empty() ? Connection::Phase::kIdle : Connection::Phase::kHead;
        if (!conn->pumping && !conn->pending.empty()) next = conn->pumping = true;
      }
    }
    if (closing) PistacheHandler::close_after(std::move(*sent), conn, live->fd());
    if (next) static_cast<PistacheHandler*>(handler)->pump(live, conn);
  };

  HttpResponse early;
  bool answered = false;
  try {
    for (auto it = request.query().parameters_begin(); it != request.query().parameters_end(); ++it) {
      std::string name = url_decode(it->first);
      std::string value = url_decode(it->second);
      if (name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
        early = HttpResponse::error(sdk::validation_error(name, "a NUL character is not allowed"), r->request_id);
        answered = true;
        break;
      }
      r->query[std::move(name)] = std::move(value);
    }
    for (const char* name : {"authorization", "content-type", "user-agent", "x-forwarded-for", "if-none-match", "accept",
                             "mcp-session-id", "mcp-protocol-version"})
      if (auto value = header_value(request, name)) r->headers[name] = *value;
    r->remote_address = peer->address().host();
    if (!answered && request.body().size() > state->options.max_body_bytes) {
      early = state->too_large(r->request_id);
      answered = true;
    } else if (!answered) {
      r->body = request.body();
    }
  } catch (const std::exception& e) {
    early = HttpResponse::error(sdk::errc::kValidation, "the request could not be read", r->request_id);
    answered = true;
  }
  parser.reset();  // the request is copied out; free its buffer now
  if (answered) return answer(early);

  auto match = state->router->match(r->method, r->path);
  r->route = match.route ? &match.route->pattern : &kRouteUnmatched;
  if (r->method == "OPTIONS" && !match.allowed_methods.empty()) {
    r->route = &kRoutePreflight;
    // CORS preflight: answered here, never by a handler.
    HttpResponse preflight = HttpResponse::no_content();
    std::string methods;
    for (const auto& m : match.allowed_methods) methods += (methods.empty() ? "" : ", ") + m;
    preflight.headers.emplace_back("Allow", methods);
    if (cors_origin) {
      preflight.headers.emplace_back("Access-Control-Allow-Methods", methods);
      preflight.headers.emplace_back("Access-Control-Allow-Headers", kCorsHeaders);
      preflight.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    return answer(preflight);
  }
  if (!match.route) {
    HttpResponse response;
    if (match.allowed_methods.empty()) {
      response = HttpResponse::error(sdk::errc::kNotFound, "no such endpoint: " + r->method + " " + r->path,
                                     r->request_id);
    } else {
      std::string methods;
      for (const auto& m : match.allowed_methods) methods += (methods.empty() ? "" : ", ") + m;
      response = HttpResponse::error(host::errc::kMethodNotAllowed,
                                     r->method + " is not allowed on " + r->path + "; use " + methods, r->request_id,
                                     {{"allowed_methods", match.allowed_methods}});
      response.headers.emplace_back("Allow", methods);
    }
    return answer(response);
  }
  r->path_params = std::move(match.params);
  const Route* route = match.route;

  if (route->dispatch == Dispatch::kInline) {
    log::ScopedRequestContext context({r->request_id, "", "", ""});
    HttpResponse response = respond(*route, *r);
    return answer(response);
  }
  auto run = [r, route, answer, &pool = state->workers]() {
    log::ScopedRequestContext context({r->request_id, "", "", ""});
    WorkerAnswer<decltype(answer)> once(answer, r->request_id, pool);
    EarlyAnswerScope answering(once);
    HttpResponse response = respond(*route, *r);
    once.finish(response);
  };
  if (!state->workers.submit(std::move(run))) {
    HttpResponse busy = HttpResponse::error(host::errc::kServerBusy, "the server is overloaded; try again shortly",
                                            r->request_id, {{"max_queued", state->options.max_queued}});
    busy.headers.emplace_back("Retry-After", "1");
    answer(busy);
  }
}

void HttpTransport::sweep() {
  const auto now = Clock::now();
  const auto& options = state_->options;
  std::vector<std::shared_ptr<Tcp::Peer>> to_close;
  std::vector<std::pair<std::shared_ptr<Tcp::Peer>, std::shared_ptr<Connection>>> timed_out;
  for (const auto& [fd, peer] : peers) {
    auto conn = connection_of(peer);
    if (!conn) continue;
    std::lock_guard<std::mutex> lock(conn->mutex);
    const auto elapsed = now - conn->since;
    switch (conn->phase) {
      case Connection::Phase::kHead:
        if (elapsed > options.header_timeout) timed_out.emplace_back(peer, conn);
        break;
      case Connection::Phase::kBody:
        if (elapsed > options.body_timeout) timed_out.emplace_back(peer, conn);
        break;
      case Connection::Phase::kIdle:
        if (elapsed > options.keepalive_timeout) to_close.push_back(peer);
        break;
      case Connection::Phase::kClosing:
        if (elapsed > kLingerTimeout) to_close.push_back(peer);
        break;
      case Connection::Phase::kBusy:
        break;
    }
  }
  auto* handler = static_cast<PistacheHandler*>(handler_.get());
  for (auto& [peer, conn] : timed_out) {
    bool started;
    {
      std::lock_guard<std::mutex> lock(conn->mutex);
      started = !conn->pending.empty();
    }
    if (!started) {  // a connection that never sent anything gets no answer
      close_now(peer);
      continue;
    }
    const std::string id = crypto::new_uuid();
    HttpResponse response = HttpResponse::error(host::errc::kRequestTimeout,
                                                "the request did not arrive in time; the connection is closed", id);
    handler->refuse(peer, conn, std::move(response), id, std::nullopt);
  }
  for (auto& peer : to_close)
    if (peers.count(peer->fd())) close_now(peer);
}

}  // namespace

Server::Server(ServerOptions options, std::shared_ptr<const Router> router)
    : options_(options), state_(std::make_shared<State>(std::move(options), std::move(router))) {}

Server::~Server() { shutdown(); }

void Server::start() {
  listener_ = std::make_unique<Tcp::Listener>(Address(options_.address, Port(options_.port)));
  listener_->init(static_cast<std::size_t>(options_.threads), Flags<Tcp::Options>(Tcp::Options::ReuseAddr), "", 1024);
  auto handler = Http::make_handler<PistacheHandler>(state_);
  auto state = state_;
  listener_->setTransportFactory([handler, state] { return std::make_shared<HttpTransport>(handler, state); });
  listener_->setHandler(handler);
  listener_->bind();
  listener_->runThreaded();
  // The figures only this server knows, read at each scrape.
  metrics_source_ = metrics::process().add_source([state](metrics::Gauges& gauges) {
    gauges.set("socrates_worker_queue_depth", "Requests waiting for a worker (WORKER_QUEUE is the limit)", {},
               static_cast<double>(state->workers.queued()));
    gauges.set("socrates_worker_threads", "Worker threads, compensating ones for blocked tasks included", {},
               static_cast<double>(state->workers.live_threads()));
    gauges.set("socrates_worker_blocked_tasks", "Tasks blocked in an LLM call, or past their agent's deadline (LLM_CONCURRENCY is the limit)", {},
               static_cast<double>(state->workers.blocked()));
    gauges.set("socrates_http_connections_open", "Open client connections (MAX_CONNECTIONS is the limit)", {},
               static_cast<double>(state->connections.load()));
  });
}

std::uint16_t Server::port() const { return listener_ ? static_cast<std::uint16_t>(listener_->getPort()) : 0; }

void Server::shutdown() {
  metrics_source_ = metrics::SourceHandle();
  // Work already queued finishes and is answered while the reactors still run (they write the
  // answers); only then do the reactors, their transports and handlers go.
  state_->workers.stop();
  if (listener_) {
    listener_->shutdown();
    listener_.reset();
  }
}

}  // namespace socrates::host::rest

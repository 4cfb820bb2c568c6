#include "host/rest/server.hpp"

#include "host/auth/crypto_random.hpp"
#include "host/log/json_log.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>

#include <algorithm>
#include <chrono>
#include <sstream>

namespace socrates::host::rest {

using namespace Pistache;

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

std::optional<std::string> header_value(const Http::Request& request, const std::string& name) {
  const auto& headers = request.headers();
  if (auto raw = headers.tryGetRaw(name)) return raw->value();
  if (auto typed = headers.tryGet(name)) {
    std::ostringstream out;
    typed->write(out);
    return out.str();
  }
  return std::nullopt;
}

// A caller's X-Request-Id is echoed only when it is a sane token; otherwise we make our own.
bool acceptable_request_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

// The id of a request refused before routing: the caller's, when its headers arrived and it is sane.
std::string refusal_id(const Http::Request& request) {
  const auto incoming = header_value(request, "X-Request-Id");
  return incoming && acceptable_request_id(*incoming) ? *incoming : auth::new_uuid();
}

// Room for a request's line and headers above the body limit.
constexpr std::size_t kHeaderRoom = 64 * 1024;

// Marks a peer whose request was refused before routing: the rest of its bytes are dropped.
const char* const kRefusedPeer = "__Refused";  // short: looked up on every read, kept in SSO

const char* const kCorsHeaders = "Authorization, Content-Type, X-Request-Id";
const char* const kCorsExposed = "X-Request-Id, Retry-After";

}  // namespace

struct Server::State {
  ServerOptions options;
  std::shared_ptr<const Router> router;
  WorkerPool workers;

  State(ServerOptions o, std::shared_ptr<const Router> r)
      : options(std::move(o)), router(std::move(r)), workers(options.workers, options.max_queued, options.max_blocked) {}

  HttpResponse too_large(const std::string& request_id) const {
    return HttpResponse::error(sdk::errc::kPayloadTooLarge,
                               "the request body is larger than " + std::to_string(options.max_body_bytes) + " bytes",
                               request_id, {{"max_bytes", options.max_body_bytes}});
  }

  std::optional<std::string> allowed_origin(const std::optional<std::string>& origin) const {
    if (!origin || options.cors_origins.empty()) return std::nullopt;
    for (const auto& allowed : options.cors_origins)
      if (allowed == "*" || allowed == *origin) return *origin;
    return std::nullopt;
  }

  void send(Http::ResponseWriter& writer, HttpResponse& response, const HttpRequest& request,
            const std::optional<std::string>& cors_origin,
            std::chrono::steady_clock::time_point started) const {
    auto& headers = writer.headers();
    headers.add(std::make_shared<RawHeader>("X-Request-Id", request.request_id));
    if (cors_origin) {
      headers.add(std::make_shared<RawHeader>("Access-Control-Allow-Origin", *cors_origin));
      headers.add(std::make_shared<RawHeader>("Access-Control-Allow-Credentials", "true"));
      headers.add(std::make_shared<RawHeader>("Access-Control-Expose-Headers", kCorsExposed));
      headers.add(std::make_shared<RawHeader>("Vary", "Origin"));
    }
    for (const auto& [name, value] : response.headers) headers.add(std::make_shared<RawHeader>(name, value));
    const auto code = static_cast<Http::Code>(response.status);
    if (response.status == 204 || response.content_type.empty()) {
      writer.send(code);
    } else {
      writer.send(code, response.body, Http::Mime::MediaType::fromString(response.content_type));
    }
    if (options.access_log) {
      const double latency_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      log::info("request", {{"request_id", request.request_id},
                            {"method", request.method},
                            {"path", request.path},
                            {"status", response.status},
                            {"latency_ms", static_cast<double>(static_cast<long long>(latency_ms * 1000)) / 1000}});
    }
  }
};

namespace {

class PistacheHandler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(PistacheHandler)

  explicit PistacheHandler(std::shared_ptr<Server::State> state) : state_(std::move(state)) {}

  // Pistache's own onInput does this same work (feed the peer's parser, hand each complete
  // request to onRequest with a writer that keeps the connection alive only when asked), but
  // answers a request over its buffer limit, one it cannot parse or a handler's exception with a
  // bare text body (the exception's text included). Here they leave in the API's error shape, and
  // the rest of such a connection's bytes are dropped unread: its stream is out of step, and the
  // answer asks the client to close.
  void onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
    if (peer->tryGetData(kRefusedPeer)) return;
    auto parser = getParser(peer);
    auto& request = parser->request;
    bool fits = true;
    Http::Private::State parsed = Http::Private::State::Again;
    try {
      fits = parser->feed(buffer, len);
      if (fits) parsed = parser->parse();
    } catch (const std::exception& e) {
      const std::string id = refusal_id(request);
      return refuse(peer, *parser,
                    HttpResponse::error(sdk::errc::kValidation,
                                        std::string("the request is not valid HTTP/1.1: ") + e.what(), id),
                    id);
    }
    if (!fits) {
      const std::string id = refusal_id(request);
      return refuse(peer, *parser, state_->too_large(id), id);
    }
    if (parsed != Http::Private::State::Done) return;  // more bytes to come

    Http::ResponseWriter writer(request.version(), transport(), this, peer);
    request.copyAddress(peer->address());
    const auto connection = request.headers().tryGet<Http::Header::Connection>();
    writer.headers().add<Http::Header::Connection>(connection ? connection->control() : Http::ConnectionControl::Close);
    peer->setIdle(false);
    try {
      onRequest(request, std::move(writer));
    } catch (const std::exception& e) {
      log::error("request handling threw", {{"error", e.what()}});
      const std::string id = auth::new_uuid();
      return refuse(peer, *parser,
                    HttpResponse::error(sdk::errc::kInternal, "the request could not be completed", id), id);
    }
    parser->reset();
  }

  void refuse(const std::shared_ptr<Tcp::Peer>& peer, Http::RequestParser& parser, HttpResponse response,
              const std::string& request_id) {
    peer->putData(kRefusedPeer, std::make_shared<bool>(true));
    log::warn("request refused before routing", {{"request_id", request_id}, {"status", response.status}});
    Http::ResponseWriter writer(parser.request.version(), transport(), this, peer);
    writer.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
    HttpRequest described;
    described.request_id = request_id;
    state_->send(writer, response, described, state_->allowed_origin(header_value(parser.request, "Origin")),
                 std::chrono::steady_clock::now());
    parser.reset();
  }

  void onRequest(const Http::Request& request, Http::ResponseWriter writer) override {
    const auto started = std::chrono::steady_clock::now();
    auto state = state_;
    auto r = std::make_shared<HttpRequest>();
    r->method = Http::methodString(request.method());
    r->path = request.resource();
    const auto incoming_id = header_value(request, "X-Request-Id");
    r->request_id = incoming_id && acceptable_request_id(*incoming_id) ? *incoming_id : auth::new_uuid();
    const auto origin = header_value(request, "Origin");
    const auto cors_origin = state->allowed_origin(origin);

    HttpResponse early;
    bool answered = false;
    try {
      for (auto it = request.query().parameters_begin(); it != request.query().parameters_end(); ++it)
        r->query[url_decode(it->first)] = url_decode(it->second);
      for (const char* name : {"authorization", "content-type", "user-agent", "x-forwarded-for"})
        if (auto value = header_value(request, name)) r->headers[name] = *value;
      r->remote_address = request.address().host();

      if (request.body().size() > state->options.max_body_bytes) {
        early = state->too_large(r->request_id);
        answered = true;
      } else {
        r->body = request.body();
      }
    } catch (const std::exception& e) {
      early = HttpResponse::error(sdk::errc::kValidation, "the request could not be read", r->request_id);
      answered = true;
    }
    if (answered) {
      state->send(writer, early, *r, cors_origin, started);
      return;
    }

    auto match = state->router->match(r->method, r->path);
    if (r->method == "OPTIONS" && !match.allowed_methods.empty()) {
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
      state->send(writer, preflight, *r, cors_origin, started);
      return;
    }
    if (!match.route) {
      HttpResponse response;
      if (match.allowed_methods.empty()) {
        response = HttpResponse::error(sdk::errc::kNotFound, "no such endpoint: " + r->method + " " + r->path,
                                       r->request_id);
      } else {
        std::string methods;
        for (const auto& m : match.allowed_methods) methods += (methods.empty() ? "" : ", ") + m;
        response = HttpResponse::error(sdk::errc::kMethodNotAllowed,
                                       r->method + " is not allowed on " + r->path + "; use " + methods,
                                       r->request_id, {{"allowed_methods", match.allowed_methods}});
        response.headers.emplace_back("Allow", methods);
      }
      state->send(writer, response, *r, cors_origin, started);
      return;
    }
    r->path_params = std::move(match.params);
    const Route* route = match.route;

    auto run = [state, r, route, cors_origin, started](Http::ResponseWriter& out) {
      log::ScopedRequestContext context({r->request_id, "", "", ""});
      HttpResponse response;
      try {
        response = route->handler(*r);
      } catch (const std::exception& e) {
        log::error("handler threw", {{"error", e.what()}, {"path", r->path}});
        response = HttpResponse::error(sdk::errc::kInternal, "the request could not be completed", r->request_id);
      } catch (...) {
        response = HttpResponse::error(sdk::errc::kInternal, "the request could not be completed", r->request_id);
      }
      state->send(out, response, *r, cors_origin, started);
    };

    if (route->dispatch == Dispatch::kInline) {
      run(writer);
      return;
    }
    // The writer moves to the worker, which answers from there.
    auto shared_writer = std::make_shared<Http::ResponseWriter>(std::move(writer));
    if (!state->workers.submit([run, shared_writer] { run(*shared_writer); })) {
      HttpResponse busy = HttpResponse::error(sdk::errc::kInternal, "the server is overloaded; try again shortly",
                                              r->request_id);
      busy.status = 503;
      busy.headers.emplace_back("Retry-After", "1");
      state->send(*shared_writer, busy, *r, cors_origin, started);
    }
  }

 private:
  std::shared_ptr<Server::State> state_;
};

}  // namespace

Server::Server(ServerOptions options, std::shared_ptr<const Router> router)
    : options_(options), state_(std::make_shared<State>(std::move(options), std::move(router))) {}

Server::~Server() { shutdown(); }

void Server::start() {
  Address address(options_.address, Port(options_.port));
  endpoint_ = std::make_unique<Http::Endpoint>(address);
  // A request's bytes are buffered up to the body limit plus room for its request line and
  // headers; beyond that onInput refuses it with a 413 at once (without this bound, a connection
  // could make the host hold many MiB). Bodies between the two limits reach onRequest, which
  // refuses them with the same 413.
  const std::size_t pistache_limit = options_.max_body_bytes + kHeaderRoom;
  auto opts = Http::Endpoint::options()
                  .threads(options_.threads)
                  .flags(Tcp::Options::ReuseAddr)
                  .maxRequestSize(pistache_limit)
                  .backlog(1024);
  endpoint_->init(opts);
  endpoint_->setHandler(Http::make_handler<PistacheHandler>(state_));
  endpoint_->serveThreaded();
}

std::uint16_t Server::port() const { return endpoint_ ? static_cast<std::uint16_t>(endpoint_->getPort()) : 0; }

void Server::shutdown() {
  if (endpoint_) {
    endpoint_->shutdown();
    endpoint_.reset();
  }
  state_->workers.stop();
}

}  // namespace socrates::host::rest

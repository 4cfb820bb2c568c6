// deploy/ as an operator would run it: Debian's nginx (a process of this test, with its own prefix
// and configuration under a temporary directory, on free high ports) renders deploy/nginx's site
// with deploy/nginx/render.sh, terminates TLS with a certificate openssl makes now, and proxies to
// two real host instances on loopback that share one test database pair. Checked:
//  - a login through the proxy answered by one instance is honoured by the other, and a logout
//    through one is refused by the other (nginx's access log says which instance answered each
//    request, by the request id the host echoes);
//  - one client TLS connection carries many requests, and the proxied requests reuse a few
//    connections to the instances (counted by the instances' own
//    socrates_http_connections_accepted_total) instead of one per request;
//  - the proxy forwards the client (X-Forwarded-For): GET /metrics through it is refused without
//    METRICS_TOKEN;
//  - systemd accepts deploy/socrates@.service (systemd-analyze verify).
// Nothing here is timed: waits end on events, with deadlines that only catch a hang.
#include "e2e/e2e_helpers.hpp"

#include "support/prometheus_text.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace socrates::test::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kHangDeadline = 30s;  // only a hung process takes this long

// Runs a shell command, returns its exit status and puts its output (both streams) in `output`.
int shell(const std::string& command, std::string* output = nullptr) {
  std::string text;
  int status = -1;
  if (FILE* pipe = ::popen((command + " 2>&1").c_str(), "r")) {
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) text.append(chunk, n);
    status = ::pclose(pipe);
  }
  if (output) *output = text;
  return status;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// nginx as a child process in the foreground (daemon off), stopped by the destructor.
class Nginx {
 public:
  Nginx(const fs::path& prefix, const fs::path& config) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl("/usr/sbin/nginx", "nginx", "-p", prefix.c_str(), "-c", config.c_str(), "-e",
              (prefix / "error.log").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Nginx() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  bool alive() {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  pid_t pid_ = -1;
};

// What nginx's access log (the site's socrates_upstream format) says about one request.
struct Served {
  std::string upstream;  // host:port of the instance that answered
  std::string connection;
  int connection_requests = 0;
};

class DeployTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      set_up();
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }
  static void set_up() {
    char pattern[] = "/tmp/socrates-deploy-XXXXXX";
    if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    // nginx's workers run as nobody when the test runs as root: they must reach the directory.
    ::chmod(dir_.c_str(), 0755);

    databases_ = new TestDatabases();
    EnvMap env = host_environment(*databases_);
    env["TRUSTED_PROXIES"] = "127.0.0.1";
    for (auto*& host : hosts_) {
      host = new HostProcess(env);
      host->start();  // one after the other: the first applies the migrations
    }

    std::string out;
    const std::string cert = (dir_ / "cert.pem").string(), key = (dir_ / "key.pem").string();
    if (shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost "
              "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " + key + " -out " + cert, &out) != 0)
      throw std::runtime_error("openssl could not make a certificate: " + out);

    https_port_ = pick_free_port();
    const std::uint16_t http_port = pick_free_port();
    access_log_ = dir_ / "access.log";
    // The site exactly as an operator renders it.
    const fs::path site = dir_ / "socrates.conf";
    const std::string render =
        "SOCRATES_SERVER_NAME=localhost SOCRATES_TLS_CERT=" + cert + " SOCRATES_TLS_KEY=" + key +
        " SOCRATES_HOST_1=127.0.0.1:" + std::to_string(hosts_[0]->port()) +
        " SOCRATES_HOST_2=127.0.0.1:" + std::to_string(hosts_[1]->port()) +
        " SOCRATES_HTTPS_PORT=127.0.0.1:" + std::to_string(https_port_) +
        " SOCRATES_HTTP_PORT=127.0.0.1:" + std::to_string(http_port) + " SOCRATES_ACCESS_LOG=" + access_log_.string() +
        " bash " + SOCRATES_SOURCE_DIR + "/deploy/nginx/render.sh > " + site.string();
    if (shell(render, &out) != 0) throw std::runtime_error("deploy/nginx/render.sh failed: " + out);

    // The main configuration a Debian nginx.conf would be, reduced to what the site needs.
    std::ofstream(dir_ / "nginx.conf") << "daemon off;\nworker_processes 1;\npid " << (dir_ / "nginx.pid").string()
                                       << ";\nevents { worker_connections 256; }\nhttp {\n"
                                       << "  access_log off;\n"
                                       << "  include " << site.string() << ";\n}\n";
    if (shell("/usr/sbin/nginx -t -q -p " + dir_.string() + " -c " + (dir_ / "nginx.conf").string() + " -e " +
                  (dir_ / "error.log").string(),
              &out) != 0)
      throw std::runtime_error("nginx refuses the configuration: " + out);
    nginx_ = new Nginx(dir_, dir_ / "nginx.conf");

    const auto deadline = std::chrono::steady_clock::now() + kHangDeadline;
    for (;;) {
      try {
        KeepAliveClient probe(base_url(), ca_file());
        if (probe.request("GET", "/health/live").status == 200) break;
      } catch (const std::exception&) {
      }
      if (!nginx_->alive()) throw std::runtime_error("nginx exited: " + read_file(dir_ / "error.log"));
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("nginx did not answer");
      std::this_thread::sleep_for(50ms);
    }
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
    for (auto*& host : hosts_) {
      delete host;
      host = nullptr;
    }
    delete databases_;
    databases_ = nullptr;
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { ASSERT_TRUE(error_.empty()) << error_; }

  static std::string base_url() { return "https://127.0.0.1:" + std::to_string(https_port_); }
  static std::string ca_file() { return (dir_ / "cert.pem").string(); }
  static std::string instance(int i) { return "127.0.0.1:" + std::to_string(hosts_[i]->port()); }

  // The access log's line of the request with this id (the host echoes it; nginx logs the echo).
  static Served served(const std::string& request_id) {
    static const std::regex fields(R"(upstream=(\S+) rid=(\S+) conn=(\d+) reqs=(\d+))");
    const auto deadline = std::chrono::steady_clock::now() + kHangDeadline;
    do {  // nginx logs a request just after it has sent the answer
      std::ifstream log(access_log_);
      for (std::string line; std::getline(log, line);) {
        std::smatch m;
        if (std::regex_search(line, m, fields) && m[2] == request_id)
          return {m[1], m[3], std::stoi(m[4])};
      }
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < deadline);
    ADD_FAILURE() << "no access log line for request " << request_id << ":\n" << read_file(access_log_);
    return {};
  }

  // Sends a request with a fresh id through the proxy; returns the answer and who answered it.
  static std::pair<Response, Served> through_proxy(KeepAliveClient& client, const std::string& method,
                                                   const std::string& path, const std::string& body = "",
                                                   Headers headers = {}) {
    const std::string id = "deploy-" + random_suffix();
    headers["X-Request-Id"] = id;
    Response answer = client.request(method, path, body, headers);
    EXPECT_EQ(answer.header("x-request-id").value_or(""), id);
    return {answer, served(id)};
  }

  // Sends `method path` through the proxy until an instance other than `not_on` answers it.
  static std::pair<Response, Served> on_the_other(KeepAliveClient& client, const std::string& not_on,
                                                  const std::string& method, const std::string& path,
                                                  const Headers& headers = {}) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      auto exchange = through_proxy(client, method, path, "", headers);
      if (exchange.second.upstream != not_on) return exchange;
    }
    ADD_FAILURE() << "ten requests all landed on " << not_on;
    return {};
  }

  static inline fs::path dir_;
  static inline fs::path access_log_;
  static inline std::uint16_t https_port_ = 0;
  static inline TestDatabases* databases_ = nullptr;
  static inline HostProcess* hosts_[2] = {nullptr, nullptr};
  static inline Nginx* nginx_ = nullptr;
  static inline std::string error_;
};

TEST_F(DeployTest, ALoginOnOneInstanceHoldsOnTheOtherAndALogoutEndsItOnBoth) {
  KeepAliveClient client(base_url(), ca_file());
  const std::string email = unique_email("deploy"), password = "correct horse " + random_suffix();
  ASSERT_EQ(client.request("POST", "/api/v1/auth/register", json{{"email", email}, {"password", password}}.dump()).status,
            201);
  const auto [logged_in, login_on] =
      through_proxy(client, "POST", "/api/v1/auth/login", json{{"email", email}, {"password", password}}.dump());
  ASSERT_EQ(logged_in.status, 200) << describe(logged_in);
  ASSERT_TRUE(login_on.upstream == instance(0) || login_on.upstream == instance(1)) << login_on.upstream;
  const std::string token = logged_in.json().value("access_token", "");

  const auto [me, me_on] = on_the_other(client, login_on.upstream, "GET", "/api/v1/auth/me", bearer(token));
  EXPECT_EQ(me.status, 200) << describe(me);
  EXPECT_EQ(me.json().value("email", ""), email);

  const auto [logged_out, logout_on] = through_proxy(client, "POST", "/api/v1/auth/logout", "", bearer(token));
  ASSERT_EQ(logged_out.status, 204) << describe(logged_out);
  const auto [refused, refused_on] = on_the_other(client, logout_on.upstream, "GET", "/api/v1/auth/me", bearer(token));
  EXPECT_TRUE(IsApiError(refused, 401, "UNAUTHENTICATED")) << "answered by " << refused_on.upstream;
}

TEST_F(DeployTest, ConnectionsAreKeptAliveOnBothSidesOfTheProxy) {
  const std::string accepted = "socrates_http_connections_accepted_total";
  // Each scrape opens a connection of its own to the instance (counted in its own figure).
  auto accepted_by = [&](int i) { return metric_value(HttpClient(hosts_[i]->base_url()).get("/metrics").body, accepted); };
  const double before[2] = {accepted_by(0), accepted_by(1)};

  constexpr int kRequests = 20;
  KeepAliveClient client(base_url(), ca_file());
  std::string connection;
  int answered_by[2] = {0, 0};
  for (int i = 0; i < kRequests; ++i) {
    const auto [answer, by] = through_proxy(client, "GET", "/health/live");
    ASSERT_EQ(answer.status, 200);
    if (i > 0) {
      EXPECT_TRUE(client.reused_connection()) << "request " << i << " opened a new TLS connection";
      EXPECT_EQ(by.connection, connection) << "request " << i << " came on another client connection";
    }
    connection = by.connection;
    EXPECT_EQ(by.connection_requests, i + 1);
    ++answered_by[by.upstream == instance(0) ? 0 : 1];
  }
  EXPECT_EQ(answered_by[0] + answered_by[1], kRequests);
  EXPECT_GT(answered_by[0], 0);
  EXPECT_GT(answered_by[1], 0);
  // Upstream: nginx keeps each instance's connection for the next request. One new connection per
  // instance at most (none when an earlier test left one open), plus the scrape below; without the
  // site's keep-alive settings every proxied request would be a new connection.
  for (int i = 0; i < 2; ++i) {
    const double opened = accepted_by(i) - before[i] - 1;
    EXPECT_LE(opened, 1) << "instance " << i << " accepted " << opened << " connections for " << answered_by[i]
                         << " proxied requests";
  }
}

TEST_F(DeployTest, TheProxyForwardsTheClientSoAScrapeThroughItIsRefused) {
  KeepAliveClient client(base_url(), ca_file());
  EXPECT_TRUE(IsApiError(client.request("GET", "/metrics"), 403, "FORBIDDEN"));
  // The same instances answer a scrape made on this machine directly.
  EXPECT_EQ(HttpClient(hosts_[0]->base_url()).get("/metrics").status, 200);
}

TEST(DeployUnitTest, SystemdAcceptsTheUnit) {
  // The unit as shipped, with ExecStart pointing at this build's binary (systemd checks that it
  // exists) and the instance named as systemctl would.
  char pattern[] = "/tmp/socrates-unit-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const fs::path dir = pattern;
  std::string unit = read_file(fs::path(SOCRATES_SOURCE_DIR) / "deploy" / "socrates@.service");
  const std::string shipped = "/opt/socrates/build/host/socrates-host";
  ASSERT_NE(unit.find("ExecStart=" + shipped + " serve"), std::string::npos);
  unit.replace(unit.find(shipped), shipped.size(), SOCRATES_HOST_BINARY);
  std::ofstream(dir / "socrates@8001.service") << unit;
  std::string verdict;
  const int status = shell("systemd-analyze verify " + (dir / "socrates@8001.service").string(), &verdict);
  fs::remove_all(dir);
  EXPECT_EQ(status, 0) << verdict;
  EXPECT_EQ(verdict, "");
  for (const char* directive : {"Restart=on-failure", "EnvironmentFile=", "NoNewPrivileges=yes", "ProtectSystem=strict",
                                "ProtectHome=yes", "PrivateTmp=yes", "User=socrates", "StateDirectory=socrates"})
    EXPECT_NE(unit.find(directive), std::string::npos) << directive;
}

}  // namespace
}  // namespace socrates::test::e2e

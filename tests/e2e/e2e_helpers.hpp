#pragma once
// Shared by the end-to-end suites: a host per suite, fresh users, and the checks of api.md's
// conventions (error shape, request ids, UUIDs, timestamps) that every suite repeats.

#include "support/host_process.hpp"
#include "support/http_client.hpp"
#include "support/test_database.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace socrates::test::e2e {

// Fresh databases and a started host on them; a failed start is kept as text so that every test
// of the suite fails with the host's stderr instead of crashing on a missing host.
struct HostUnderTest {
  explicit HostUnderTest(const EnvMap& overrides = {}, const std::vector<std::string>& unset = {}) {
    try {
      databases = std::make_unique<TestDatabases>();
      env = host_environment(*databases);
      for (const auto& [name, value] : overrides) env[name] = value;
      for (const auto& name : unset) env.erase(name);
      process = std::make_unique<HostProcess>(env);
      process->start();
    } catch (const std::exception& e) {
      start_error = e.what();
    }
  }

  HttpClient client() const { return HttpClient(process ? process->base_url() : "http://127.0.0.1:1"); }

  std::unique_ptr<TestDatabases> databases;
  EnvMap env;
  std::unique_ptr<HostProcess> process;
  std::string start_error;
};

// Asserts in SetUp() that the suite's host started, and in TearDown() that it survived the test.
inline void expect_host_started(const HostUnderTest* host) {
  ASSERT_NE(host, nullptr);
  ASSERT_TRUE(host->start_error.empty()) << host->start_error;
}

inline void expect_host_alive(HostUnderTest* host) {
  if (!host || !host->process) return;
  int exit_code = 0;
  EXPECT_TRUE(host->process->alive(&exit_code))
      << "the host died during the test (status " << exit_code << "); stderr:\n"
      << host->process->stderr_text();
}

// A raw TCP connection to the host, for bytes no HTTP client would send (pipelined requests,
// oversized heads, half-sent requests). Reads time out after `wait`; nothing here measures time.
class RawConnection {
 public:
  RawConnection(std::uint16_t port, std::chrono::milliseconds wait) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{static_cast<time_t>(wait.count() / 1000), static_cast<suseconds_t>((wait.count() % 1000) * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& bytes) {
    return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // Reads until the host closes the connection (closed() is then true) or a read times out.
  std::string read_all() {
    std::string answer;
    char chunk[4096];
    for (ssize_t n; fd_ >= 0 && (n = ::recv(fd_, chunk, sizeof chunk, 0)) >= 0;) {
      if (n == 0) {
        closed_ = true;
        break;
      }
      answer.append(chunk, static_cast<std::size_t>(n));
    }
    return answer;
  }
  // Reads until `text` has arrived `count` times (or the connection closes or a read times out).
  std::string read_until(const std::string& text, int count = 1) {
    std::string answer;
    char chunk[4096];
    auto seen = [&] {
      int found = 0;
      for (auto at = answer.find(text); at != std::string::npos; at = answer.find(text, at + 1)) ++found;
      return found;
    };
    while (seen() < count) {
      const ssize_t n = fd_ >= 0 ? ::recv(fd_, chunk, sizeof chunk, 0) : -1;
      if (n <= 0) {
        closed_ = n == 0;
        break;
      }
      answer.append(chunk, static_cast<std::size_t>(n));
    }
    return answer;
  }
  bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

// Sends raw bytes on a new connection and returns what the host answers until it closes the
// connection or `wait` passes without a byte.
inline std::string exchange_raw(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds wait) {
  RawConnection connection(port, wait);
  if (!connection.send(bytes)) return "";
  return connection.read_all();
}

// The JSON body of the `index`-th answer (0-based) in raw bytes read off a connection.
inline nlohmann::json raw_answer_body(const std::string& raw, int index = 0) {
  std::size_t at = 0;
  for (int i = 0; i <= index; ++i) {
    at = raw.find("HTTP/1.1 ", i == 0 ? 0 : at + 1);
    if (at == std::string::npos) return nlohmann::json();
  }
  const auto body_at = raw.find("\r\n\r\n", at);
  if (body_at == std::string::npos) return nlohmann::json();
  const auto next = raw.find("HTTP/1.1 ", body_at);
  return nlohmann::json::parse(raw.substr(body_at + 4, next == std::string::npos ? std::string::npos : next - body_at - 4),
                               nullptr, false);
}

// PLUGINS for a host with the three bundled agents and one test fixture library ("fixture_slow").
inline std::string bundled_plugins_and(const std::string& fixture) {
  const std::string dir = SOCRATES_PLUGIN_DIR;
  return dir + "/libproject_manager_agent.so," + dir + "/libsocratic_agent.so," + dir + "/libcontext_agent.so," +
         SOCRATES_FIXTURE_DIR + "/lib" + fixture + ".so";
}

inline std::string random_suffix() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return std::to_string(random() % 1000000000) + "-" + std::to_string(counter++);
}

inline std::string unique_email(const std::string& prefix = "user") {
  return prefix + "-" + random_suffix() + "@example.com";
}

inline bool is_lower_uuid(const std::string& text) {
  static const std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  return std::regex_match(text, pattern);
}

inline bool is_lower_uuid(const nlohmann::json& value) {
  return value.is_string() && is_lower_uuid(value.get<std::string>());
}

// RFC 3339 in UTC with a Z, as api.md writes them: 2026-11-22T10:00:00Z (fractions allowed).
inline bool is_rfc3339_utc(const nlohmann::json& value) {
  static const std::regex pattern(
      "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z$");
  return value.is_string() && std::regex_match(value.get<std::string>(), pattern);
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The codes of docs/api.md: every `UPPER_CASE` name in backticks after "Error codes:" up to the
// end of that list item (the next line that starts a new item or the end of the paragraph).
inline std::vector<std::string> api_md_error_codes() {
  const std::string api = read_file(std::filesystem::path(SOCRATES_SOURCE_DIR) / "docs" / "api.md");
  const auto start = api.find("Error codes:");
  if (start == std::string::npos) return {};
  auto end = api.find("\n- ", start);
  end = std::min(end, api.find("\n\n", start));
  const std::string list = api.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::vector<std::string> codes;
  static const std::regex span("`([^`]*)`");
  static const std::regex code("[A-Z][A-Z_]*[A-Z]");
  for (std::sregex_iterator it(list.begin(), list.end(), span), last; it != last; ++it) {
    const std::string inside = (*it)[1];
    for (std::sregex_iterator c(inside.begin(), inside.end(), code); c != last; ++c) codes.push_back(c->str());
  }
  return codes;
}

inline std::string describe(const Response& response) {
  std::string text = "HTTP " + std::to_string(response.status) + "\n";
  for (const auto& [name, value] : response.headers) text += name + ": " + value + "\n";
  return text + response.body.substr(0, 2000);
}

// The one error shape of api.md: {"error":{"code","message","details"},"request_id"}, with the
// status the code maps to and request_id equal to the X-Request-Id header.
inline ::testing::AssertionResult IsApiError(const Response& response, long status, const std::string& code) {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << "\n" << describe(response);
  };
  if (response.status != status) return fail("expected status " + std::to_string(status));
  const auto body = response.json();
  if (!body.is_object()) return fail("the body is not a JSON object");
  if (body.size() != 2 || !body.contains("error") || !body.contains("request_id"))
    return fail("the body must have exactly 'error' and 'request_id'");
  const auto& error = body["error"];
  if (!error.is_object() || !error.contains("code") || !error.contains("message") || !error.contains("details"))
    return fail("'error' must have code, message and details");
  if (error["code"] != code) return fail("expected error code " + code);
  if (!error["message"].is_string() || error["message"].get<std::string>().empty())
    return fail("'error.message' must be a non-empty string");
  if (!error["details"].is_object()) return fail("'error.details' must be an object");
  if (!body["request_id"].is_string() || body["request_id"].get<std::string>().empty())
    return fail("'request_id' must be a non-empty string");
  const auto header = response.header("x-request-id");
  if (!header || *header != body["request_id"].get<std::string>())
    return fail("'request_id' must equal the X-Request-Id header");
  if (response.header("content-type").value_or("").find("application/json") == std::string::npos)
    return fail("an error must be sent as application/json");
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult IsValidationError(const Response& response, const std::string& field) {
  auto result = IsApiError(response, 400, "VALIDATION_ERROR");
  if (!result) return result;
  const auto details = response.json()["error"]["details"];
  if (!details.contains("field") || details["field"] != field)
    return ::testing::AssertionFailure() << "expected details.field '" << field << "'\n" << describe(response);
  return ::testing::AssertionSuccess();
}

// The user object of api.md.
inline ::testing::AssertionResult IsUserObject(const nlohmann::json& user) {
  auto fail = [&](const std::string& why) { return ::testing::AssertionFailure() << why << ": " << user.dump(); };
  if (!user.is_object()) return fail("not an object");
  for (const char* key : {"id", "email", "name", "role", "status", "created_at"})
    if (!user.contains(key)) return fail(std::string("missing '") + key + "'");
  if (!is_lower_uuid(user["id"])) return fail("id is not a lower-case UUID");
  if (user["role"] != "user" && user["role"] != "admin") return fail("bad role");
  if (user["status"] != "active" && user["status"] != "inactive" && user["status"] != "suspended")
    return fail("bad status");
  if (!is_rfc3339_utc(user["created_at"])) return fail("created_at is not RFC 3339 UTC");
  if (user.contains("password_hash") || user.contains("password")) return fail("the password must never be returned");
  return ::testing::AssertionSuccess();
}

// Runs one statement on a test database directly, for states the API cannot reach (a suspended
// account). Throws std::runtime_error on failure.
inline void exec_sql(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error(std::string("cannot connect: ") + PQerrorMessage(conn.get()));
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error("'" + sql + "' failed: " + PQresultErrorMessage(result.get()));
}

struct TestUser {
  std::string id;
  std::string email;
  std::string password;
  std::string access_token;
  std::string refresh_token;
};

inline Response register_user(const HttpClient& client, const std::string& email, const std::string& password,
                              const std::string& name = "E2E User") {
  return client.post("/api/v1/auth/register", {{"email", email}, {"password", password}, {"name", name}});
}

inline Response login(const HttpClient& client, const std::string& email, const std::string& password) {
  return client.post("/api/v1/auth/login", {{"email", email}, {"password", password}});
}

// A fresh, logged-in user. Throws (failing the test) when the host refuses.
// An admin made the way an operator makes one: `socrates-host create-admin` on the host's databases
// (its environment `env`), then logged in; throws when either step fails.
inline TestUser make_admin(const HttpClient& client, const EnvMap& env) {
  TestUser admin;
  admin.email = unique_email("admin");
  admin.password = "admin password " + random_suffix();
  const auto result =
      run_command({"create-admin", "--email", admin.email}, env, std::chrono::seconds(60), admin.password + "\n");
  if (result.exit_code != 0) throw std::runtime_error("create-admin failed: " + result.out + result.err);
  const auto logged_in = login(client, admin.email, admin.password);
  if (logged_in.status != 200) throw std::runtime_error("admin login failed: " + describe(logged_in));
  const auto body = logged_in.json();
  if (body["user"]["role"] != "admin") throw std::runtime_error("create-admin made no admin: " + logged_in.body);
  admin.access_token = body.value("access_token", "");
  admin.id = body["user"].value("id", "");
  return admin;
}

inline TestUser new_user(const HttpClient& client, const std::string& prefix = "user") {
  TestUser user;
  user.email = unique_email(prefix);
  user.password = "correct horse " + random_suffix();
  const auto registered = register_user(client, user.email, user.password);
  if (registered.status != 201) throw std::runtime_error("register failed: " + describe(registered));
  const auto logged_in = login(client, user.email, user.password);
  if (logged_in.status != 200) throw std::runtime_error("login failed: " + describe(logged_in));
  const auto body = logged_in.json();
  user.id = body["user"]["id"];
  user.access_token = body["access_token"];
  user.refresh_token = body["refresh_token"];
  return user;
}

}  // namespace socrates::test::e2e

#include "support/integration_fixture.hpp"

#include "host/db/connection_pool.hpp"
#include "host/db/migrator.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <unistd.h>

namespace socrates::test {
namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

Connection connect(const std::string& url) {
  Connection conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error(std::string("cannot connect to the test database: ") + PQerrorMessage(conn.get()));
  return conn;
}

PgResult run(PGconn* conn, const std::string& sql) {
  PgResult result(PQexec(conn, sql.c_str()), &PQclear);
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error("'" + sql + "' failed: " + PQresultErrorMessage(result.get()));
  return result;
}

std::optional<std::string> scalar(const std::string& url, const std::string& sql) {
  Connection conn = connect(url);
  PgResult result = run(conn.get(), sql);
  if (PQntuples(result.get()) != 1 || PQnfields(result.get()) < 1)
    throw std::runtime_error("'" + sql + "' answered " + std::to_string(PQntuples(result.get())) +
                             " rows, expected exactly one");
  if (PQgetisnull(result.get(), 0, 0)) return std::nullopt;
  return std::string(PQgetvalue(result.get(), 0, 0));
}

}  // namespace

std::filesystem::path migrations_dir(const std::string& database) {
  return std::filesystem::path(SOCRATES_MIGRATIONS_DIR) / database;
}

void migrate(const std::string& url, const std::filesystem::path& directory) {
  host::ConnectionPool pool("migrate", url, 1, std::chrono::milliseconds(5000));
  host::Migrator(pool, directory).apply();
}

MigratedDatabases::MigratedDatabases() {
  migrate(auth_url(), migrations_dir("auth"));
  migrate(specs_url(), migrations_dir("specs"));
}

host::Config integration_config(const TestDatabases& databases, const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> settings = {
      {"DATABASE_URL_AUTH", databases.auth_url()},
      {"DATABASE_URL_SPECS", databases.specs_url()},
      {"SECRET_KEY", kTestSecretKey},
      {"PLUGINS", "/nonexistent/no-plugins-in-this-test.so"},
      // The loader makes its own private directory (random name, mode 0700) in there.
      {"PLUGIN_COPY_DIR", std::filesystem::temp_directory_path().string()},
      {"MIGRATIONS_DIR", std::string(SOCRATES_MIGRATIONS_DIR)},
      {"DB_POOL_SIZE_AUTH", "4"},
      {"DB_POOL_SIZE_SPECS", "4"},
      {"DB_LEASE_TIMEOUT_MS", "5000"},
      {"LOG_LEVEL", "warn"},
  };
  for (const auto& [name, value] : overrides) settings[name] = value;
  return host::load_config(host::Environment::from_map(std::move(settings)));
}

void db_exec(const std::string& url, const std::string& sql) {
  Connection conn = connect(url);
  run(conn.get(), sql);
}

std::optional<std::string> db_scalar(const std::string& url, const std::string& sql) { return scalar(url, sql); }

std::int64_t db_count(const std::string& url, const std::string& sql) {
  auto value = scalar(url, sql);
  if (!value) throw std::runtime_error("'" + sql + "' answered NULL, expected a number");
  return std::stoll(*value);
}

std::optional<std::string> admin_scalar(const std::string& sql) { return scalar(test_cluster_url(), sql); }

std::string code_of(const sdk::Result& result) { return result.is_ok() ? "OK" : result.error().code; }

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          ("socrates_it_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
           std::to_string(random() % 1000000));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace socrates::test

#include "support/test_database.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <unistd.h>
#include <utility>

namespace socrates::test {

std::string test_cluster_url() {
  const char* url = std::getenv("SOCRATES_TEST_PG_URL");
  if (!url || !*url)
    throw std::runtime_error(
        "SOCRATES_TEST_PG_URL is not set: run the tests with scripts/test.sh, which starts a throwaway PostgreSQL "
        "cluster and sets it");
  return url;
}

std::string url_for_database(const std::string& base, const std::string& database) {
  // postgresql://user@host:port/dbname?params
  const auto scheme = base.find("://");
  const auto slash = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const auto query = base.find('?', slash == std::string::npos ? 0 : slash);
  std::string prefix = slash == std::string::npos ? base : base.substr(0, slash);
  std::string suffix = query == std::string::npos ? "" : base.substr(query);
  return prefix + "/" + database + suffix;
}

void admin_exec(const std::string& sql) { admin_exec(test_cluster_url(), sql); }

void admin_exec(const std::string& cluster_url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(cluster_url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error(std::string("cannot connect to the test cluster: ") + PQerrorMessage(conn.get()));
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error("'" + sql + "' failed: " + PQresultErrorMessage(result.get()));
}

TestDatabases::TestDatabases() : TestDatabases(test_cluster_url()) {}

TestDatabases::TestDatabases(std::string cluster_url) : cluster_url_(std::move(cluster_url)) {
  static std::atomic<int> counter{0};
  std::random_device random;
  const std::string stem = "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                           std::to_string(random() % 100000);
  auth_name_ = stem + "_auth";
  specs_name_ = stem + "_specs";
  admin_exec(cluster_url_, "CREATE DATABASE " + auth_name_);
  admin_exec(cluster_url_, "CREATE DATABASE " + specs_name_);
  auth_url_ = url_for_database(cluster_url_, auth_name_);
  specs_url_ = url_for_database(cluster_url_, specs_name_);
}

TestDatabases::~TestDatabases() {
  try {
    admin_exec(cluster_url_, "DROP DATABASE IF EXISTS " + auth_name_ + " WITH (FORCE)");
    admin_exec(cluster_url_, "DROP DATABASE IF EXISTS " + specs_name_ + " WITH (FORCE)");
  } catch (...) {
  }
}

}  // namespace socrates::test

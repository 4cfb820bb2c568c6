#pragma once
// Throwaway databases on the test cluster (SOCRATES_TEST_PG_URL, set by scripts/test.sh): each
// TestDatabases creates a fresh, empty pair (auth, specs) and drops it when destroyed.

#include <string>

namespace socrates::test {

// The admin connection string of the test cluster; fails the test run with a clear message when unset.
std::string test_cluster_url();

// `base` with its database name replaced by `database`.
std::string url_for_database(const std::string& base, const std::string& database);

// Runs one SQL statement on the cluster's maintenance database; throws std::runtime_error on failure.
void admin_exec(const std::string& sql);
// The same on the cluster whose maintenance database `cluster_url` names.
void admin_exec(const std::string& cluster_url, const std::string& sql);

class TestDatabases {
 public:
  TestDatabases();
  // The pair on another cluster (a PgCluster of the test's own), given by its admin URL.
  explicit TestDatabases(std::string cluster_url);
  ~TestDatabases();
  TestDatabases(const TestDatabases&) = delete;
  TestDatabases& operator=(const TestDatabases&) = delete;

  const std::string& auth_url() const { return auth_url_; }
  const std::string& specs_url() const { return specs_url_; }
  const std::string& auth_name() const { return auth_name_; }
  const std::string& specs_name() const { return specs_name_; }

 private:
  std::string cluster_url_, auth_name_, specs_name_, auth_url_, specs_url_;
};

}  // namespace socrates::test

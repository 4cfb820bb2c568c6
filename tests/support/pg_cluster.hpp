#pragma once
// A PostgreSQL cluster of one test's own, for tests that stop, crash and restart the database
// under a running host (which the shared test cluster must never do). It is made and driven by
// scripts/lib/pg.sh, the script the test command and run.sh use, so it finds the server's binaries
// the same way (PG_BIN, else the newest /usr/lib/postgresql/*/bin) and, under root, runs them as
// `postgres`. The cluster listens on 127.0.0.1 only; its superuser is `socrates` with a random password.

#include <filesystem>
#include <string>

namespace socrates::test {

class PgCluster {
 public:
  // kDurable: PostgreSQL's durable settings written out (fsync, synchronous_commit and
  // full_page_writes on), so that a commit is acknowledged only once its WAL is on disk.
  // kFast: durability off, as the shared throwaway test cluster runs.
  enum class Durability { kFast, kDurable };

  // initdb and start; throws std::runtime_error with the script's output when either fails.
  explicit PgCluster(Durability durability);
  ~PgCluster();  // stops the cluster and removes its directory
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  void start();  // returns once the server accepts connections (pg_ctl -w); a no-op when running
  void stop();   // a clean, fast shutdown: sessions are ended, a checkpoint is written
  void crash();  // an immediate shutdown: no checkpoint, shared memory discarded, WAL replayed at start

  // postgresql://socrates:PASSWORD@127.0.0.1:PORT/postgres
  std::string admin_url() const;

 private:
  // Runs `script` in bash after sourcing pg.sh, with DIR, PORT and PASSWORD in its environment;
  // returns its standard output, throws with its output when it fails.
  std::string run(const std::string& script) const;

  std::filesystem::path wanted_dir_;  // the test's own folder: the script's output, and the cluster below it
  std::string dir_;                   // the cluster's folder (pg.sh picks another when the server cannot reach it)
  std::string port_;
  std::string password_;
};

}  // namespace socrates::test

#ifndef IMH_TESTS_REGISTRY_POSTGRES_CLUSTER_H_
#define IMH_TESTS_REGISTRY_POSTGRES_CLUSTER_H_

// A throwaway PostgreSQL cluster for tests: initdb into a temp dir, started
// on a free loopback port, stopped and removed at the end. As root it runs
// the server as the `postgres` user (initdb refuses root). A machine without
// PostgreSQL's server binaries fails the test that asks for one: the
// PostgreSQL half of a suite is never skipped in silence.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "services/registry/sql/sql.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {

class PostgresCluster {
 public:
  // Starts a cluster; an error says what was missing or what failed.
  static absl::StatusOr<std::unique_ptr<PostgresCluster>> Start();
  ~PostgresCluster();

  // postgresql://imh@127.0.0.1:PORT/DB for a database of its own, created
  // empty on each call (one per test keeps tests apart).
  absl::StatusOr<std::string> NewDatabase();
  int port() const { return port_; }

 private:
  PostgresCluster() = default;
  std::string dir_;
  std::string bin_;
  int port_ = 0;
  int databases_ = 0;
  bool started_ = false;
};

// One cluster for the whole test binary, started on first use; null (and
// the test fails with the reason) when it cannot start.
PostgresCluster* SharedPostgresCluster(std::string* error);

// Where a store of `engine` lives for one test: a SQLite file in `dir`, or
// a new database in the shared cluster. Empty (after a test failure saying
// why) when the cluster cannot start.
std::string DatabaseFor(sql::Engine engine, const TempDir& dir);

// "SQLite" or "PostgreSQL", for parameterized test names.
std::string EngineName(const ::testing::TestParamInfo<sql::Engine>& info);

}  // namespace imh::registry::testing

#endif  // IMH_TESTS_REGISTRY_POSTGRES_CLUSTER_H_

#ifndef IMH_TESTS_REGISTRY_POSTGRES_CLUSTER_H_
#define IMH_TESTS_REGISTRY_POSTGRES_CLUSTER_H_

// The test binaries' PostgreSQL: one throwaway cluster per binary
// (tools/postgres/throwaway_cluster.h), a database per test. A machine
// without PostgreSQL's server binaries fails the test that asks for one: the
// PostgreSQL half of a suite is never skipped in silence.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "services/registry/sql/sql.h"
#include "tests/registry/registry_test_support.h"
#include "tools/postgres/throwaway_cluster.h"

namespace imh::registry::testing {

using PostgresCluster = tools::ThrowawayPostgres;

// One cluster for the whole test binary, started on first use (or the one
// the test command started for every test process, on
// $IMH_TEST_POSTGRES_PORT); null (and the test fails with the reason) when
// it cannot start.
PostgresCluster* SharedPostgresCluster(std::string* error);

// Where a store of `engine` lives for one test: a SQLite file in `dir`, or
// a new database in the shared cluster. Empty (after a test failure saying
// why) when the cluster cannot start.
std::string DatabaseFor(sql::Engine engine, const TempDir& dir);

// "SQLite" or "PostgreSQL", for parameterized test names.
std::string EngineName(const ::testing::TestParamInfo<sql::Engine>& info);

}  // namespace imh::registry::testing

#endif  // IMH_TESTS_REGISTRY_POSTGRES_CLUSTER_H_

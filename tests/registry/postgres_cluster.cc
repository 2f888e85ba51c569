#include "tests/registry/postgres_cluster.h"

#include <cstdlib>
#include <mutex>

#include "absl/strings/numbers.h"

namespace imh::registry::testing {

PostgresCluster* SharedPostgresCluster(std::string* error) {
  static std::once_flag once;
  static PostgresCluster* cluster = nullptr;
  static std::string* failure = new std::string();
  std::call_once(once, [] {
    // The test command starts one server for every test process.
    int port = 0;
    if (const char* shared = std::getenv("IMH_TEST_POSTGRES_PORT");
        shared != nullptr && absl::SimpleAtoi(shared, &port) && port > 0) {
      cluster = PostgresCluster::Attach(port).release();
      return;
    }
    absl::StatusOr<std::unique_ptr<PostgresCluster>> started =
        PostgresCluster::Start();
    if (started.ok()) {
      cluster = started->release();
      // Stopped when the test binary exits.
      std::atexit([] { delete cluster; });
    } else {
      *failure = std::string(started.status().message());
    }
  });
  if (cluster == nullptr) *error = *failure;
  return cluster;
}

std::string DatabaseFor(sql::Engine engine, const TempDir& dir) {
  if (engine == sql::Engine::kSqlite) return dir.path() + "/registry.sqlite";
  std::string error;
  PostgresCluster* cluster = SharedPostgresCluster(&error);
  if (cluster == nullptr) {
    ADD_FAILURE() << error;
    return "";
  }
  absl::StatusOr<std::string> url = cluster->NewDatabase();
  if (!url.ok()) {
    ADD_FAILURE() << url.status();
    return "";
  }
  return *url;
}

std::string EngineName(const ::testing::TestParamInfo<sql::Engine>& info) {
  return info.param == sql::Engine::kSqlite ? "SQLite" : "PostgreSQL";
}

}  // namespace imh::registry::testing

#include "tests/registry/postgres_cluster.h"

#include <cstdlib>
#include <mutex>

namespace imh::registry::testing {

PostgresCluster* SharedPostgresCluster(std::string* error) {
  static std::once_flag once;
  static PostgresCluster* cluster = nullptr;
  static std::string* failure = new std::string();
  std::call_once(once, [] {
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

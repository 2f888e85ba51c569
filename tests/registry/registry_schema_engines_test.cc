// The registry's numbered migrations on both engines: applied once (again is
// a no-op), the same tables, the same refusals (nothing deleted, history and
// feed append-only, an endorsement's identity fixed), row versions kept by
// the same rule, and a database from a newer schema refused.

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "services/registry/sql/postgres_engine.h"
#include "services/registry/sql/sql.h"
#include "services/registry/store_internal.h"
#include "services/registry/store_schema_postgres.h"
#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

class SchemaEnginesTest : public ::testing::TestWithParam<sql::Engine> {
 protected:
  void SetUp() override {
    if (GetParam() == sql::Engine::kPostgres) {
      std::string error;
      PostgresCluster* cluster = SharedPostgresCluster(&error);
      ASSERT_NE(cluster, nullptr) << error;
      absl::StatusOr<std::string> url = cluster->NewDatabase();
      ASSERT_TRUE(url.ok()) << url.status();
      db_ = std::make_unique<sql::Database>(sql::OpenPostgres(*url));
    } else {
      db_ = std::make_unique<sql::Database>(
          dir_.path() + "/registry.sqlite",
          sql::OPEN_READWRITE | sql::OPEN_CREATE);
    }
  }

  // The kind of the refusal `statement` meets, or nullopt if it ran.
  std::optional<sql::ErrorKind> Refusal(const std::string& statement) {
    try {
      db_->exec(statement);
    } catch (const sql::Exception& error) {
      return error.kind();
    }
    return std::nullopt;
  }

  // P-1 holding VA-IFS-1, written straight into the migrated tables.
  void AddPersonAndEndorsement() {
    db_->exec(
        "INSERT INTO people (person_id, display_name, county,"
        " membership_paid_through) VALUES ('P-1', 'Ann Lee', 'Fairfax', 2026)");
    db_->exec(
        "INSERT INTO endorsements (number, person_id, category, granted_on,"
        " status, status_since, next_cycle_year, version) VALUES ('VA-IFS-1',"
        " 'P-1', 'IFS', '2025-03-01', 1, '2025-03-01', 2027, 0)");
  }

  TempDir dir_;
  std::unique_ptr<sql::Database> db_;
};

TEST_P(SchemaEnginesTest, EveryMigrationAppliesOnceAndANewerSchemaIsRefused) {
  ASSERT_NE(PostgresMigrationSql(kSchemaVersion), nullptr);
  ASSERT_EQ(PostgresMigrationSql(kSchemaVersion + 1), nullptr)
      << "PostgreSQL has a migration SQLite lacks";
  absl::StatusOr<int> version = MigrateSchema(*db_, VirginiaRulebook());
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, kSchemaVersion);
  version = MigrateSchema(*db_, VirginiaRulebook());
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, kSchemaVersion);
  EXPECT_EQ(db_->execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt(),
            kSchemaVersion);

  db_->exec(
      "INSERT INTO schema_migrations VALUES (99, 'from the future', 'then')");
  version = MigrateSchema(*db_, VirginiaRulebook());
  EXPECT_EQ(version.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(SchemaEnginesTest, RowsAreNeverDeletedAndHistoryNeverRewritten) {
  ASSERT_TRUE(MigrateSchema(*db_, VirginiaRulebook()).ok());
  AddPersonAndEndorsement();
  db_->exec(
      "INSERT INTO status_history (endorsement_id, seq, status, effective_on,"
      " reason, actor, recorded_at_us) VALUES (1, 1, 1, '2025-03-01', 'x',"
      " 'y', 0)");
  db_->exec(
      "INSERT INTO changes (kind, person_id, endorsement_id, at_us) VALUES"
      " (6, 'P-1', 1, 0)");
  EXPECT_EQ(Refusal("DELETE FROM people"), sql::ErrorKind::kConstraint);
  EXPECT_EQ(Refusal("DELETE FROM endorsements"), sql::ErrorKind::kConstraint);
  EXPECT_EQ(Refusal("UPDATE status_history SET reason = 'rewritten'"),
            sql::ErrorKind::kConstraint);
  EXPECT_EQ(Refusal("UPDATE changes SET kind = 1"),
            sql::ErrorKind::kConstraint);
  EXPECT_EQ(Refusal("UPDATE endorsements SET category = 'IFRS'"),
            sql::ErrorKind::kConstraint);
  EXPECT_EQ(db_->execAndGet("SELECT COUNT(*) FROM people").getInt(), 1);
  EXPECT_EQ(db_->execAndGet("SELECT reason FROM status_history").getString(),
            "x");
}

TEST_P(SchemaEnginesTest, AChangedRowKeepsItsFirstVersionOfEachWrite) {
  ASSERT_TRUE(MigrateSchema(*db_, VirginiaRulebook()).ok());
  AddPersonAndEndorsement();
  // Write 1 changes the row twice: the version is the row before write 1.
  db_->exec("UPDATE write_clock SET writes = writes + 1");
  db_->exec("UPDATE endorsements SET status = 3, version = 1");
  db_->exec("UPDATE endorsements SET status = 1, version = 2");
  db_->exec("UPDATE people SET membership_paid_through = 2027");
  sql::Statement versions(*db_,
                          "SELECT replaced_by, status, version FROM"
                          " endorsement_versions ORDER BY replaced_by");
  ASSERT_TRUE(versions.executeStep());
  EXPECT_EQ(versions.getColumn(0).getInt(), 1);
  EXPECT_EQ(versions.getColumn(1).getInt(), 1);
  EXPECT_EQ(versions.getColumn(2).getInt(), 0);
  EXPECT_FALSE(versions.executeStep());
  EXPECT_EQ(db_->execAndGet("SELECT membership_paid_through FROM"
                            " people_versions WHERE replaced_by = 1")
                .getInt(),
            2026);
}

INSTANTIATE_TEST_SUITE_P(BothEngines, SchemaEnginesTest,
                         ::testing::Values(sql::Engine::kSqlite,
                                           sql::Engine::kPostgres),
                         [](const ::testing::TestParamInfo<sql::Engine>& info) {
                           return info.param == sql::Engine::kSqlite
                                      ? "SQLite"
                                      : "PostgreSQL";
                         });

}  // namespace
}  // namespace imh::registry::testing

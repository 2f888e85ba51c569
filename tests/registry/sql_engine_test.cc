// The sql layer behaves the same on both engines: SQLite in a temp file and
// PostgreSQL in a throwaway cluster. Values of every kind round-trip, row ids
// come back through RETURNING, parameters by number and by name, rollback
// leaves nothing, refusals say what kind they are, and write transactions
// run one at a time, each seeing every write committed before it.

#include <algorithm>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/registry/sql/multi_row.h"
#include "services/registry/sql/postgres_engine.h"
#include "services/registry/sql/sql.h"
#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

using sql::Engine;

class SqlEngineTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam() == Engine::kPostgres) {
      std::string error;
      PostgresCluster* cluster = SharedPostgresCluster(&error);
      ASSERT_NE(cluster, nullptr) << error;
      absl::StatusOr<std::string> url = cluster->NewDatabase();
      ASSERT_TRUE(url.ok()) << url.status();
      url_ = *url;
    } else {
      url_ = dir_.path() + "/test.sqlite";
    }
    db_ = Open();
    db_->exec(GetParam() == Engine::kPostgres
                  ? "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, i BIGINT,"
                    " d DOUBLE PRECISION, s TEXT UNIQUE, b BYTEA)"
                  : "CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER,"
                    " d REAL, s TEXT UNIQUE, b BLOB)");
  }

  std::unique_ptr<sql::Database> Open() {
    if (GetParam() == Engine::kPostgres) {
      return std::make_unique<sql::Database>(sql::OpenPostgres(url_));
    }
    auto db = std::make_unique<sql::Database>(
        url_, sql::OPEN_READWRITE | sql::OPEN_CREATE);
    db->exec("PRAGMA busy_timeout = 5000");
    return db;
  }

  int64_t Count(sql::Database& db) {
    return db.execAndGet("SELECT COUNT(*) FROM t").getInt64();
  }

  TempDir dir_;
  std::string url_;
  std::unique_ptr<sql::Database> db_;
};

TEST_P(SqlEngineTest, ValuesOfEveryKindRoundTrip) {
  const std::string bytes("\0\x01\xff\\x'", 6);
  // Seventeen significant digits: hours survive to the last bit.
  const double hours = 12.345678901234567;
  sql::Statement insert(*db_,
                        "INSERT INTO t (i, d, s, b) VALUES (?, ?, ?, ?)"
                        " RETURNING id");
  insert.bind(1, int64_t{1} << 40);
  insert.bind(2, hours);
  insert.bind(3, std::string("Zoë O'Neil; DROP TABLE t; -- ?1 :x"));
  insert.bind(4, bytes.data(), static_cast<int>(bytes.size()));
  ASSERT_TRUE(insert.executeStep());
  const int64_t id = insert.getColumn(0).getInt64();
  EXPECT_GT(id, 0);
  insert.reset();

  sql::Statement nulls(*db_, "INSERT INTO t (i, d, s, b) VALUES (?, ?, ?, ?)");
  nulls.bind(1);
  nulls.bind(2);
  nulls.bind(3);
  nulls.bind(4);
  EXPECT_EQ(nulls.exec(), 1);

  sql::Statement read(*db_, "SELECT i, d, s, b FROM t ORDER BY id");
  ASSERT_TRUE(read.executeStep());
  EXPECT_EQ(read.getColumn(0).getInt64(), int64_t{1} << 40);
  EXPECT_EQ(read.getColumn(1).getDouble(), hours);
  EXPECT_EQ(read.getColumn(0).type(), sql::ValueType::kInteger);
  EXPECT_EQ(read.getColumn(1).type(), sql::ValueType::kReal);
  EXPECT_EQ(read.getColumn(2).type(), sql::ValueType::kText);
  EXPECT_EQ(read.getColumn(3).type(), sql::ValueType::kBlob);
  EXPECT_EQ(read.getColumn(2).getString(),
            "Zoë O'Neil; DROP TABLE t; -- ?1 :x");
  EXPECT_EQ(std::string(static_cast<const char*>(read.getColumn(3).getBlob()),
                        read.getColumn(3).getBytes()),
            bytes);
  ASSERT_TRUE(read.executeStep());
  for (int column = 0; column < 4; ++column) {
    EXPECT_TRUE(read.getColumn(column).isNull()) << column;
    EXPECT_EQ(read.getColumn(column).type(), sql::ValueType::kNull) << column;
  }
  EXPECT_EQ(read.getColumn(0).getInt64(), 0);
  EXPECT_EQ(read.getColumn(2).getString(), "");
  EXPECT_FALSE(read.executeStep());
}

TEST_P(SqlEngineTest, NumberedAndNamedParametersAndBooleansAsIntegers) {
  db_->exec("INSERT INTO t (i, s) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  // A name takes the next number after those used before it (SQLite's
  // rule, kept on PostgreSQL): here ?1 is 1 and :low is 2.
  sql::Statement named(*db_,
                       "SELECT COUNT(*) FROM t WHERE i <= ?1 + 1 AND"
                       " i >= :low AND :low > 0");
  named.bind(1, 1);
  named.bind(":low", 2);
  ASSERT_TRUE(named.executeStep());
  EXPECT_EQ(named.getColumn(0).getInt(), 1);  // 2 <= i <= 2
  named.reset();
  named.bind(1, 5);
  ASSERT_TRUE(named.executeStep());
  EXPECT_EQ(named.getColumn(0).getInt(), 2);  // 2 <= i <= 6

  sql::Statement exists(*db_,
                        "SELECT EXISTS (SELECT 1 FROM t WHERE s = ?),"
                        " EXISTS (SELECT 1 FROM t WHERE s = 'zzz')");
  exists.bind(1, "b");
  ASSERT_TRUE(exists.executeStep());
  EXPECT_EQ(exists.getColumn(0).getInt(), 1);
  EXPECT_EQ(exists.getColumn(1).getInt(), 0);
}

TEST_P(SqlEngineTest, RollbackLeavesNothingCommitKeepsAll) {
  {
    sql::Transaction transaction(*db_, sql::TransactionBehavior::IMMEDIATE);
    db_->exec("INSERT INTO t (i) VALUES (1)");
  }
  EXPECT_EQ(Count(*db_), 0);
  {
    sql::Transaction transaction(*db_, sql::TransactionBehavior::IMMEDIATE);
    db_->exec("INSERT INTO t (i) VALUES (1)");
    db_->exec("INSERT INTO t (i) VALUES (2)");
    transaction.commit();
  }
  EXPECT_EQ(Count(*db_), 2);
}

TEST_P(SqlEngineTest, RefusalsSayWhatKindTheyAre) {
  db_->exec("INSERT INTO t (s) VALUES ('taken')");
  try {
    db_->exec("INSERT INTO t (s) VALUES ('taken')");
    ADD_FAILURE() << "a duplicate was accepted";
  } catch (const sql::Exception& error) {
    EXPECT_EQ(error.kind(), sql::ErrorKind::kConstraint) << error.what();
  }
  try {
    sql::Statement broken(*db_, "SELEC nothing");
    broken.executeStep();
    ADD_FAILURE() << "broken SQL ran";
  } catch (const sql::Exception& error) {
    EXPECT_EQ(error.kind(), sql::ErrorKind::kOther) << error.what();
  }
  // The connection is still usable after both.
  EXPECT_EQ(Count(*db_), 1);
}

TEST_P(SqlEngineTest, WritesRunOneAtATimeEachSeeingTheOnesBefore) {
  std::unique_ptr<sql::Database> other = Open();
  sql::Transaction first(*db_, sql::TransactionBehavior::IMMEDIATE);
  db_->exec("INSERT INTO t (i) VALUES (1)");
  int64_t seen = -1;
  absl::Time second_began;
  std::thread second([&] {
    sql::Transaction transaction(*other, sql::TransactionBehavior::IMMEDIATE);
    second_began = absl::Now();
    seen = Count(*other);
    other->exec("INSERT INTO t (i) VALUES (2)");
    transaction.commit();
  });
  absl::SleepFor(absl::Milliseconds(300));
  const absl::Time first_committed = absl::Now();
  first.commit();
  second.join();
  EXPECT_GE(second_began, first_committed) << "two writers at once";
  EXPECT_EQ(seen, 1) << "the second writer missed the first's write";
  EXPECT_EQ(Count(*db_), 2);
}

// More rows than one statement takes: 250 rows go in as 100, 100 and 50, in
// order (ids ascending with the rows), each returned once; a lookup of 250
// keys (some absent) finds each present one once.
TEST_P(SqlEngineTest, MultiRowRunsManyRowsInBoundedStatementsInOrder) {
  constexpr size_t kRows = 2 * sql::MultiRow::kRowsPerStatement + 50;
  sql::MultiRow insert(*db_, "INSERT INTO t (i, s) VALUES ", "(?, ?)",
                       " RETURNING id, i");
  EXPECT_EQ(insert.per_row(), 2);
  std::vector<std::pair<int64_t, int64_t>> returned;
  insert.Run(
      kRows,
      [](sql::Statement& s, size_t row, int first) {
        s.bind(first, static_cast<int64_t>(row));
        s.bind(first + 1, absl::StrCat("key-", row));
      },
      [&](sql::Statement& s) {
        returned.emplace_back(s.getColumn(0).getInt64(),
                              s.getColumn(1).getInt64());
      });
  ASSERT_EQ(returned.size(), kRows);
  std::sort(returned.begin(), returned.end());
  for (size_t row = 0; row < kRows; ++row) {
    EXPECT_EQ(returned[row].second, static_cast<int64_t>(row));
  }
  EXPECT_EQ(Count(*db_), static_cast<int64_t>(kRows));

  sql::MultiRow lookup(*db_, "SELECT i FROM t WHERE s IN (", "?", ")");
  std::vector<int64_t> found;
  lookup.Run(
      kRows,
      [](sql::Statement& s, size_t key, int first) {
        // An even key names row key / 2; an odd one names key-1000 or
        // later, which no row has.
        s.bind(first, absl::StrCat("key-", key % 2 ? key * 1000 : key / 2));
      },
      [&](sql::Statement& s) { found.push_back(s.getColumn(0).getInt64()); });
  std::sort(found.begin(), found.end());
  std::vector<int64_t> expected;
  for (size_t key = 0; key < kRows; key += 2) {
    expected.push_back(static_cast<int64_t>(key / 2));
  }
  EXPECT_EQ(found, expected);
}

INSTANTIATE_TEST_SUITE_P(BothEngines, SqlEngineTest,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const ::testing::TestParamInfo<Engine>& info) {
                           return info.param == Engine::kSqlite ? "SQLite"
                                                                : "PostgreSQL";
                         });

}  // namespace
}  // namespace imh::registry::testing

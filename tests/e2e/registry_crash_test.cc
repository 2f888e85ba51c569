// The registry binary killed with SIGKILL at random moments while clients
// write to it concurrently, on each engine (a SQLite file; a PostgreSQL
// database). A client retries a write that got no answer with the same
// request_id, as the contract asks; at the end every write the client saw
// acknowledged must be stored exactly once, and after every kill the
// database must hold no partial record (an import half in, an endorsement
// without its history, an idempotency record without its write).

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "services/registry/sql/postgres_engine.h"
#include "tests/e2e/crash_writers.h"
#include "tests/e2e/service_process.h"
#include "tests/registry/postgres_cluster.h"

namespace imh::e2e {
namespace {

namespace sql = registry::sql;
using registry::testing::DatabaseFor;
using registry::testing::TempDir;

constexpr int kRounds = 20;
constexpr int kWriters = 4;

class RegistryCrashTest : public ::testing::TestWithParam<sql::Engine> {
 protected:
  std::unique_ptr<sql::Database> OpenDirect(const std::string& path) {
    if (GetParam() == sql::Engine::kPostgres) {
      return std::make_unique<sql::Database>(sql::OpenPostgres(path));
    }
    return std::make_unique<sql::Database>(path, sql::OPEN_READWRITE);
  }
};

TEST_P(RegistryCrashTest, SigkillMidWrite_AcknowledgedWritesStoredExactlyOnce) {
  TempDir dir;
  const std::string db_path = DatabaseFor(GetParam(), dir);
  ASSERT_FALSE(db_path.empty());
  const unsigned seed = std::random_device{}();
  std::printf("crash test seed %u\n", seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> kill_after_ms(80, 400);

  std::vector<std::unique_ptr<Writer>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::make_unique<Writer>(w));
  }
  int in_doubt_at_kill = 0;
  int in_doubt_committed = 0;

  // kRounds killed rounds, then one that ends with a clean stop; in that
  // last one each writer only finishes the write it has in doubt.
  for (int round = 0; round <= kRounds; ++round) {
    const bool last = round == kRounds;
    auto registry = std::make_unique<ServiceProcess>(
        IMH_REGISTRY_BIN, std::vector<std::string>{"--db=" + db_path},
        dir.path(), "registry");
    ASSERT_TRUE(registry->running()) << "round " << round;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    std::vector<char> refused(kWriters, 0);
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        // The last round only settles what the last kill left in doubt.
        refused[w] = last ? !writers[w]->Settle(registry->address())
                          : !writers[w]->Run(registry->address(), stop);
      });
    }
    if (!last) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(kill_after_ms(random)));
      registry->Kill();
    }
    stop = true;
    for (std::thread& thread : threads) thread.join();
    for (int w = 0; w < kWriters; ++w) {
      ASSERT_FALSE(refused[w]) << "writer " << w << ": " << writers[w]->error();
    }
    if (last) {
      EXPECT_EQ(registry->Stop(), 0) << registry->Log();
      break;
    }
    // The server is dead: look at what the database holds before anyone
    // else touches it.
    std::unique_ptr<sql::Database> db = OpenDirect(db_path);
    ExpectNoPartialRecord(*db);
    for (const auto& writer : writers) {
      const Write* pending = writer->Pending();
      if (pending == nullptr) continue;
      ++in_doubt_at_kill;
      in_doubt_committed +=
          CountOf(*db, "SELECT COUNT(*) FROM idempotency WHERE request_id = ?",
                  pending->request_id);
    }
  }

  std::unique_ptr<sql::Database> db = OpenDirect(db_path);
  ExpectNoPartialRecord(*db);
  const StoredTally tally = ExpectAcknowledgedStoredOnce(*db, writers);
  const int64_t acknowledged = tally.acknowledged;
  const int64_t found = tally.found;
  const int64_t duplicated = tally.duplicated;
  const int64_t lost = acknowledged - found;
  std::printf(
      "crash test on %s: %d SIGKILL rounds, %d writers; %lld writes "
      "acknowledged, "
      "%lld found, %lld lost, %lld duplicated; %d in doubt at a kill (%d had "
      "committed), all settled by retrying with their request_id\n",
      GetParam() == sql::Engine::kPostgres ? "PostgreSQL" : "SQLite", kRounds,
      kWriters, static_cast<long long>(acknowledged),
      static_cast<long long>(found), static_cast<long long>(lost),
      static_cast<long long>(duplicated), in_doubt_at_kill, in_doubt_committed);
  RecordProperty("acknowledged", static_cast<int>(acknowledged));
  RecordProperty("lost", static_cast<int>(lost));
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_GT(acknowledged, kRounds * kWriters) << "too little was written";
  EXPECT_GT(in_doubt_at_kill, 0) << "no kill landed on a write in flight";
}

INSTANTIATE_TEST_SUITE_P(BothEngines, RegistryCrashTest,
                         ::testing::Values(sql::Engine::kSqlite,
                                           sql::Engine::kPostgres),
                         registry::testing::EngineName);

}  // namespace
}  // namespace imh::e2e

// Two registry processes on one PostgreSQL database, as replicas behind one
// address (one given a URL, the other `postgresql://` and the PG* variables,
// as the deployment files do): what is written through one is verified and
// streamed through the other; the day's lapse run happens once; one replica
// killed with SIGKILL under write load loses no acknowledged write, its clients
// finish through the other (retrying with the same request_id), and the other
// keeps serving throughout.

#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "common/dates.h"
#include "gtest/gtest.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "services/registry/sql/postgres_engine.h"
#include "tests/e2e/crash_writers.h"
#include "tests/e2e/service_process.h"
#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::e2e {
namespace {

namespace sql = registry::sql;
using registry::testing::DatabaseFor;
using registry::testing::RegistryTest;
using registry::testing::TempDir;
using Clock = std::chrono::steady_clock;

class RegistryReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = DatabaseFor(sql::Engine::kPostgres, dir_);
    ASSERT_FALSE(url_.empty());
    a_ = StartReplica("replica-a");
    b_ = StartReplicaFromEnvironment("replica-b");
    ASSERT_TRUE(a_->running());
    ASSERT_NE(b_, nullptr);
    ASSERT_TRUE(b_->running());
  }

  std::unique_ptr<ServiceProcess> StartReplica(const std::string& name) {
    return std::make_unique<ServiceProcess>(
        IMH_REGISTRY_BIN, std::vector<std::string>{"--db=" + url_}, dir_.path(),
        name);
  }

  // As the deployment files start it: --db=postgresql:// with the server,
  // user and database in the standard PG* variables.
  std::unique_ptr<ServiceProcess> StartReplicaFromEnvironment(
      const std::string& name) {
    // postgresql://USER@HOST:PORT/DATABASE, as the test cluster hands out.
    const std::vector<std::string> parts = absl::StrSplit(
        absl::StripPrefix(url_, "postgresql://"), absl::ByAnyChar("@:/"));
    EXPECT_EQ(parts.size(), 4u) << url_;
    if (parts.size() != 4) return nullptr;
    const std::vector<std::pair<const char*, std::string>> environment = {
        {"PGUSER", parts[0]},
        {"PGHOST", parts[1]},
        {"PGPORT", parts[2]},
        {"PGDATABASE", parts[3]}};
    for (const auto& [variable, value] : environment) {
      setenv(variable, value.c_str(), 1);
    }
    auto replica = std::make_unique<ServiceProcess>(
        IMH_REGISTRY_BIN, std::vector<std::string>{"--db=postgresql://"},
        dir_.path(), name);
    for (const auto& entry : environment) unsetenv(entry.first);
    return replica;
  }

  static std::unique_ptr<reg::RegistryService::Stub> StubFor(
      const ServiceProcess& replica) {
    return reg::RegistryService::NewStub(grpc::CreateChannel(
        replica.address(), grpc::InsecureChannelCredentials()));
  }

  std::unique_ptr<sql::Database> OpenDirect() {
    return std::make_unique<sql::Database>(sql::OpenPostgres(url_));
  }

  static reg::CredentialStatus Verify(reg::RegistryService::Stub& stub,
                                      const std::string& number) {
    reg::VerifyCredentialsRequest request;
    reg::CredentialQuestion& question = *request.add_questions();
    question.set_endorsement_number(number);
    question.add_categories("IFS");
    reg::VerifyCredentialsResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        stub.VerifyCredentials(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok() || response.answers_size() != 1) {
      return reg::CREDENTIAL_STATUS_UNSPECIFIED;
    }
    return response.answers(0).status();
  }

  TempDir dir_;
  std::string url_;
  std::unique_ptr<ServiceProcess> a_;
  std::unique_ptr<ServiceProcess> b_;
};

TEST_F(RegistryReplicasTest,
       WritesThroughOneAreVerifiedAndWatchedThroughTheOther) {
  auto through_a = StubFor(*a_);
  auto through_b = StubFor(*b_);
  const reg::RegistryRecord record = RegistryTest::Record(1);
  const std::string& number = record.endorsement().endorsement_number();
  EXPECT_EQ(Verify(*through_b, number), reg::CREDENTIAL_STATUS_NOT_HELD);

  // B's feed, from now on, read on a thread of its own.
  grpc::ClientContext watching;
  reg::WatchChangesRequest from_now;
  from_now.set_after_sequence(
      OpenDirect()
          ->execAndGet("SELECT COALESCE(MAX(sequence), 0) FROM changes")
          .getInt64());
  auto feed = through_b->WatchChanges(&watching, from_now);
  std::vector<reg::WatchChangesResponse> seen;
  std::vector<Clock::time_point> seen_at;
  absl::Notification suspension_seen;
  std::thread reader([&] {
    reg::WatchChangesResponse change;
    while (feed->Read(&change)) {
      seen.push_back(change);
      seen_at.push_back(Clock::now());
      if (change.kind() == reg::CHANGE_KIND_STATUS_CHANGED) {
        suspension_seen.Notify();
      }
    }
  });

  reg::ImportEndorsementsRequest import;
  *import.add_records() = record;
  reg::ImportEndorsementsResponse imported;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(
        through_a->ImportEndorsements(&context, import, &imported).ok());
    ASSERT_EQ(imported.imported_count(), 1);
  }
  const Clock::time_point imported_at = Clock::now();
  EXPECT_EQ(Verify(*through_b, number), reg::CREDENTIAL_STATUS_HELD)
      << "B does not see what A committed";

  // And back: a suspension through B is what A answers.
  reg::UpdateEndorsementStatusRequest suspend;
  suspend.set_endorsement_number(number);
  suspend.set_status(reg::ENDORSEMENT_STATUS_SUSPENDED);
  *suspend.mutable_effective_on() = ToProtoDate(TodayInVirginia());
  suspend.set_reason("complaint under review");
  reg::UpdateEndorsementStatusResponse suspended;
  {
    grpc::ClientContext context;
    const grpc::Status status =
        through_b->UpdateEndorsementStatus(&context, suspend, &suspended);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(Verify(*through_a, number), reg::CREDENTIAL_STATUS_NOT_HELD);

  // B's watcher saw both, the import (made through A) first, each soon after
  // it committed: announced across processes, not found by a slow poll.
  EXPECT_TRUE(suspension_seen.WaitForNotificationWithTimeout(absl::Seconds(5)));
  watching.TryCancel();
  reader.join();
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[0].kind(), reg::CHANGE_KIND_ENDORSEMENT_IMPORTED);
  EXPECT_EQ(seen[0].endorsement().endorsement_number(), number);
  EXPECT_EQ(seen[0].endorsement().status(), reg::ENDORSEMENT_STATUS_ACTIVE);
  EXPECT_EQ(seen[1].kind(), reg::CHANGE_KIND_STATUS_CHANGED);
  EXPECT_EQ(seen[1].endorsement().status(), reg::ENDORSEMENT_STATUS_SUSPENDED);
  EXPECT_LT(seen[0].sequence(), seen[1].sequence());
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(
      seen_at[0] - imported_at);
  std::printf(
      "a write through A reached B's watcher %lld ms after A answered\n",
      static_cast<long long>(delay.count()));
  EXPECT_LT(delay.count(), 1000);
}

// Each replica runs the day's lapse run at start; under the registry's
// write lock only the first records one.
TEST_F(RegistryReplicasTest, TheDaysScheduledLapseRunHappensOnce) {
  auto db = OpenDirect();
  EXPECT_EQ(CountOf(*db,
                    "SELECT COUNT(*) FROM lapse_runs WHERE scheduled = 1 AND"
                    " as_of = ?",
                    FormatDay(TodayInVirginia())),
            1);
}

TEST_F(RegistryReplicasTest,
       OneKilledUnderWriteLoadLosesNothingAndTheOtherServes) {
  constexpr int kWriters = 4;  // 0 and 1 through A, 2 and 3 through B
  std::vector<std::unique_ptr<Writer>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::make_unique<Writer>(w));
  }
  auto through = [&](int w) -> const ServiceProcess& {
    return w < 2 ? *a_ : *b_;
  };
  const unsigned seed = std::random_device{}();
  std::printf("replica kill seed %u\n", seed);
  std::mt19937 random(seed);

  // Both replicas under load; A dies mid-write.
  std::atomic<bool> stop{false};
  std::vector<char> refused(kWriters, 0);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back(
        [&, w] { refused[w] = !writers[w]->Run(through(w).address(), stop); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(
      std::uniform_int_distribution<int>(300, 700)(random)));
  a_->Kill();
  stop = true;
  for (std::thread& thread : threads) thread.join();
  for (int w = 0; w < kWriters; ++w) {
    ASSERT_FALSE(refused[w]) << "writer " << w << ": " << writers[w]->error();
  }
  int in_doubt = 0;
  for (int w = 0; w < 2; ++w) in_doubt += writers[w]->Pending() != nullptr;

  // A's clients finish what they had in doubt through B while B's own keep
  // writing.
  auto acknowledged = [&](int w) {
    int count = 0;
    for (const Write& write : writers[w]->writes()) count += write.acknowledged;
    return count;
  };
  const int b_before = acknowledged(2) + acknowledged(3);
  stop = false;
  threads.clear();
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      refused[w] = w < 2 ? !writers[w]->Settle(b_->address())
                         : !writers[w]->Run(b_->address(), stop);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stop = true;
  for (std::thread& thread : threads) thread.join();
  for (int w = 0; w < kWriters; ++w) {
    ASSERT_FALSE(refused[w]) << "writer " << w << ": " << writers[w]->error();
  }
  EXPECT_GT(acknowledged(2) + acknowledged(3), b_before)
      << "B stopped serving when A died";
  EXPECT_EQ(b_->Stop(), 0) << b_->Log();

  auto db = OpenDirect();
  ExpectNoPartialRecord(*db);
  const StoredTally tally = ExpectAcknowledgedStoredOnce(*db, writers);
  std::printf(
      "replicas: A killed under load; %lld writes acknowledged through A and "
      "B, %lld found, %lld duplicated; %d in doubt at the kill, settled "
      "through B\n",
      static_cast<long long>(tally.acknowledged),
      static_cast<long long>(tally.found),
      static_cast<long long>(tally.duplicated), in_doubt);
  EXPECT_EQ(tally.found, tally.acknowledged);
  EXPECT_EQ(tally.duplicated, 0);
  EXPECT_GT(acknowledged(0) + acknowledged(1), 0) << "A took no writes";
}

// A failover (or a restart) of PostgreSQL cuts every connection of both
// replicas: calls meanwhile fail UNAVAILABLE (never INTERNAL, never a wrong
// answer), then both serve again on new connections, feed included.
TEST_F(RegistryReplicasTest, BothCarryOnWhenPostgresqlRestarts) {
  // A server of the test's own: the shared one serves other tests.
  absl::StatusOr<std::unique_ptr<registry::testing::PostgresCluster>> cluster =
      registry::testing::PostgresCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  absl::StatusOr<std::string> url = (*cluster)->NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status();
  url_ = *url;
  a_ = StartReplica("own-replica-a");
  b_ = StartReplicaFromEnvironment("own-replica-b");
  ASSERT_TRUE(a_->running());
  ASSERT_NE(b_, nullptr);
  ASSERT_TRUE(b_->running());
  auto through_a = StubFor(*a_);
  auto through_b = StubFor(*b_);
  auto import = [](reg::RegistryService::Stub& stub, int n) {
    reg::ImportEndorsementsRequest request;
    *request.add_records() = RegistryTest::Record(n);
    request.set_request_id(absl::StrCat("import-", n));
    reg::ImportEndorsementsResponse response;
    grpc::ClientContext context;
    return stub.ImportEndorsements(&context, request, &response);
  };
  ASSERT_TRUE(import(*through_a, 1).ok());
  EXPECT_EQ(Verify(*through_b,
                   RegistryTest::Record(1).endorsement().endorsement_number()),
            reg::CREDENTIAL_STATUS_HELD);

  ASSERT_TRUE((*cluster)->Restart().ok());

  // A write through B, retried (with its request id) while B reconnects.
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(20);
  grpc::Status written = import(*through_b, 2);
  while (!written.ok() && Clock::now() < give_up) {
    EXPECT_EQ(written.error_code(), grpc::StatusCode::UNAVAILABLE)
        << written.error_message();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    written = import(*through_b, 2);
  }
  ASSERT_TRUE(written.ok()) << written.error_message();

  // A answers for it (UNKNOWN, never NOT_HELD, until its readers reconnect).
  const std::string second =
      RegistryTest::Record(2).endorsement().endorsement_number();
  reg::CredentialStatus answer = Verify(*through_a, second);
  while (answer != reg::CREDENTIAL_STATUS_HELD && Clock::now() < give_up) {
    EXPECT_EQ(answer, reg::CREDENTIAL_STATUS_UNKNOWN);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    answer = Verify(*through_a, second);
  }
  EXPECT_EQ(answer, reg::CREDENTIAL_STATUS_HELD);

  // A's feed has both imports, and a write through A reaches B's.
  ASSERT_TRUE(import(*through_a, 3).ok());
  grpc::ClientContext watching;
  watching.set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  auto feed = through_b->WatchChanges(&watching, reg::WatchChangesRequest());
  std::vector<std::string> imported;
  reg::WatchChangesResponse change;
  while (imported.size() < 3 && feed->Read(&change)) {
    imported.push_back(change.endorsement().endorsement_number());
  }
  watching.TryCancel();
  EXPECT_EQ(
      imported,
      (std::vector<std::string>{
          RegistryTest::Record(1).endorsement().endorsement_number(), second,
          RegistryTest::Record(3).endorsement().endorsement_number()}));
}

}  // namespace
}  // namespace imh::e2e

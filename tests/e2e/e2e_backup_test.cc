// Online backup with the real binary: taken while writers keep writing, it is
// one consistent point (a gapless feed, every write acknowledged before it
// began); restored (a registry started on a copy) it is equal to what was
// backed up in every table, row for row, and serves and verifies as the
// original does.

#include <SQLiteCpp/SQLiteCpp.h>
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/registry/registry_test_support.h"

namespace imh::e2e {
namespace {

using registry::testing::RegistryTest;

// Every row of every table of the SQLite file at `path` (read-only; the
// owning server may be running), each row as text with its column types,
// sorted: equal maps are equal databases, whatever the physical order.
std::map<std::string, std::vector<std::string>> TableRows(
    const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  std::vector<std::string> tables;
  SQLite::Statement names(
      db,
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
      " 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name");
  while (names.executeStep()) tables.push_back(names.getColumn(0).getString());
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string& table : tables) {
    SQLite::Statement rows(db, absl::StrCat("SELECT * FROM \"", table, "\""));
    std::vector<std::string>& texts = out[table];
    while (rows.executeStep()) {
      std::string text;
      for (int i = 0; i < rows.getColumnCount(); ++i) {
        const SQLite::Column column = rows.getColumn(i);
        absl::StrAppend(&text, column.getType(), ":",
                        column.isNull() ? "" : column.getString(), "|");
      }
      texts.push_back(std::move(text));
    }
    std::sort(texts.begin(), texts.end());
  }
  return out;
}

void ExpectSameTables(const std::string& a, const std::string& b) {
  const auto rows_a = TableRows(a);
  const auto rows_b = TableRows(b);
  ASSERT_EQ(rows_a.size(), rows_b.size());
  for (const auto& [table, rows] : rows_a) {
    ASSERT_TRUE(rows_b.count(table)) << table;
    EXPECT_EQ(rows.size(), rows_b.at(table).size()) << table;
    EXPECT_TRUE(rows == rows_b.at(table)) << "table " << table << " differs";
  }
  // The tables the issue names are really there.
  for (const char* table :
       {"people", "endorsements", "status_history", "memberships", "renewals",
        "applications", "reviews", "changes", "audit", "idempotency",
        "lapse_runs", "schema_migrations"}) {
    EXPECT_TRUE(rows_a.count(table)) << table;
  }
}

class BackupTest : public EndToEndTest {
 protected:
  void Import(reg::RegistryService::Stub& stub, int first, int count) {
    for (int start = first; start < first + count; start += 10000) {
      reg::ImportEndorsementsRequest request;
      for (int n = start; n < std::min(first + count, start + 10000); ++n) {
        *request.add_records() = RegistryTest::Record(n);
      }
      reg::ImportEndorsementsResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(stub.ImportEndorsements(&context, request, &response).ok());
      ASSERT_EQ(response.imported_count(), request.records_size());
    }
  }

  reg::BackupRegistryResponse Backup(reg::RegistryService::Stub& stub,
                                     const std::string& name) {
    reg::BackupRegistryRequest request;
    request.set_file_name(name);
    reg::BackupRegistryResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        stub.BackupRegistry(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // A registry started on a copy of `backup` (no lapse run, which would
  // write): the restore.
  std::unique_ptr<ServiceProcess> Restore(const std::string& backup,
                                          const std::string& name) {
    const std::string folder = dir_.path() + "/" + name;
    std::filesystem::create_directories(folder);
    std::filesystem::copy_file(backup, folder + "/registry.sqlite");
    auto restored = std::make_unique<ServiceProcess>(
        IMH_REGISTRY_BIN,
        std::vector<std::string>{"--db=" + folder + "/registry.sqlite",
                                 "--run_lapses=false", "--access_log=false"},
        folder, name);
    EXPECT_TRUE(restored->running());
    return restored;
  }

  std::string backups_;
};

TEST_F(BackupTest, UnderWriteLoad_ConsistentAndRestoresEveryTableRowForRow) {
  backups_ = dir_.path() + "/backups";
  std::filesystem::create_directories(backups_);
  StartRegistry({"--backup_dir=" + backups_, "--access_log=false"});
  auto stub = RegistryStub();
  SeedDemoRegistry(*stub);
  Import(*stub, 100000, 20000);

  // Writers: people, memberships, status changes, each with a request id.
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<std::pair<absl::Time, std::string>> acknowledged;
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      auto writer = RegistryStub();
      for (int i = 0; !stop.load(); ++i) {
        const std::string id = absl::StrCat("w", w, "-", i);
        reg::CreatePersonRequest person;
        person.set_request_id(id);
        person.mutable_person()->set_person_id(absl::StrCat("P-W", w, "-", i));
        person.mutable_person()->set_display_name(
            absl::StrCat("Writer ", w, " Zoë ", i));
        person.mutable_person()->set_county("Fairfax");
        person.mutable_person()->set_membership_paid_through_year(2026);
        reg::CreatePersonResponse created;
        grpc::ClientContext context;
        if (writer->CreatePerson(&context, person, &created).ok()) {
          std::lock_guard<std::mutex> lock(mutex);
          acknowledged.emplace_back(absl::Now(), id);
        }
        reg::RecordMembershipRequest membership;
        membership.set_request_id(id + "-m");
        membership.set_person_id(absl::StrFormat("P-%07d", 100000 + i * 2 + w));
        membership.set_year(2027);
        reg::RecordMembershipResponse paid;
        grpc::ClientContext membership_context;
        if (writer->RecordMembership(&membership_context, membership, &paid)
                .ok()) {
          std::lock_guard<std::mutex> lock(mutex);
          acknowledged.emplace_back(absl::Now(), id + "-m");
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const absl::Time backup_started = absl::Now();
  const reg::BackupRegistryResponse under_load = Backup(*stub, "under-load");
  const absl::Time backup_ended = absl::Now();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  for (std::thread& writer : writers) writer.join();

  // Writes went on while the backup was taken.
  int during = 0;
  std::vector<std::string> before_backup;
  for (const auto& [at, id] : acknowledged) {
    if (at > backup_started && at < backup_ended) ++during;
    if (at < backup_started) before_backup.push_back(id);
  }
  std::printf(
      "backup under load: %s, %lld bytes; %d writes acknowledged "
      "while it ran, %zu before, %zu in all\n",
      absl::FormatDuration(backup_ended - backup_started).c_str(),
      static_cast<long long>(under_load.bytes()), during, before_backup.size(),
      acknowledged.size());
  EXPECT_GT(during, 0) << "writers were held while the backup ran";
  ASSERT_EQ(under_load.path(), backups_ + "/under-load");
  ASSERT_GT(under_load.last_sequence(), 20008);

  // One consistent point: the feed gapless up to the sequence it reports,
  // and every write acknowledged before the backup began is in it.
  {
    SQLite::Database copy(under_load.path(), SQLite::OPEN_READONLY);
    EXPECT_EQ(copy.execAndGet("SELECT COUNT(*) FROM changes").getInt64(),
              under_load.last_sequence());
    EXPECT_EQ(copy.execAndGet("SELECT MAX(sequence) FROM changes").getInt64(),
              under_load.last_sequence());
    SQLite::Statement has(copy,
                          "SELECT 1 FROM idempotency WHERE request_id = ?");
    for (const std::string& id : before_backup) {
      has.reset();
      has.bind(1, id);
      EXPECT_TRUE(has.executeStep()) << id << " acknowledged but not backed up";
    }
  }
  // Restored, it is the backup, table for table, and it serves.
  auto restored_under_load = Restore(under_load.path(), "restored-under-load");
  ExpectSameTables(under_load.path(),
                   dir_.path() + "/restored-under-load/registry.sqlite");

  // Quiet now: a backup equals the original, and the restored registry
  // answers as the original does.
  const reg::BackupRegistryResponse quiet = Backup(*stub, "quiet");
  auto restored = Restore(quiet.path(), "restored");
  ExpectSameTables(dir_.path() + "/registry.sqlite",
                   dir_.path() + "/restored/registry.sqlite");
  auto restored_stub = reg::RegistryService::NewStub(grpc::CreateChannel(
      restored->address(), grpc::InsecureChannelCredentials()));
  reg::VerifyCredentialsRequest verify;
  for (const char* person : {"P-1001", "P-1003", "P-1008", "P-0100007"}) {
    reg::CredentialQuestion& question = *verify.add_questions();
    question.set_person_id(person);
    for (const char* category : {"IFRS", "IFS", "IMHM-RF"}) {
      question.add_categories(category);
    }
    *question.mutable_as_of() = DateOf("2026-06-01");
  }
  reg::VerifyCredentialsResponse original_answers;
  reg::VerifyCredentialsResponse restored_answers;
  grpc::ClientContext original_context;
  grpc::ClientContext restored_context;
  ASSERT_TRUE(
      stub->VerifyCredentials(&original_context, verify, &original_answers)
          .ok());
  ASSERT_TRUE(
      restored_stub
          ->VerifyCredentials(&restored_context, verify, &restored_answers)
          .ok());
  EXPECT_EQ(original_answers.SerializeAsString(),
            restored_answers.SerializeAsString());
  EXPECT_EQ(restored_answers.answers(0).status(), reg::CREDENTIAL_STATUS_HELD);

  // A backup never overwrites, and a bad name changes nothing.
  reg::BackupRegistryRequest again;
  again.set_file_name("quiet");
  reg::BackupRegistryResponse refused;
  grpc::ClientContext again_context;
  EXPECT_EQ(stub->BackupRegistry(&again_context, again, &refused).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  again.set_file_name("../escape");
  grpc::ClientContext bad_context;
  EXPECT_EQ(stub->BackupRegistry(&bad_context, again, &refused).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/escape"));
}

TEST_F(BackupTest, WithoutABackupFolderBackupsAreRefused) {
  StartRegistry({"--access_log=false"});
  reg::BackupRegistryRequest request;
  request.set_file_name("b1");
  reg::BackupRegistryResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(
      RegistryStub()->BackupRegistry(&context, request, &response).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace imh::e2e

// Exports read page by page, each page in its own short read, yet all as of
// the moment the export began: writes made between pages (a status change,
// a membership, new endorsements) do not show in it, and the row versions
// that make this possible are kept exactly as long as an export needs them.

#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/dates.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/registry/sql/postgres_engine.h"
#include "services/registry/store.h"
#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

constexpr int kRecords = 1200;
constexpr int kPage = 500;
const absl::CivilDay kToday(2026, 12, 1);

class ExportStoreTest : public ::testing::TestWithParam<sql::Engine> {
 protected:
  void SetUp() override {
    path_ = DatabaseFor(GetParam(), dir_);
    ASSERT_FALSE(path_.empty());
    store_ = OpenAnother();
    ASSERT_NE(store_, nullptr);
    Import(1, kRecords);
  }

  // A store of its own on the same database, as another process has.
  std::unique_ptr<RegistryStore> OpenAnother() {
    StoreOptions options;
    options.path = path_;
    absl::StatusOr<std::unique_ptr<RegistryStore>> store =
        RegistryStore::Open(options, &VirginiaRulebook());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::unique_ptr<sql::Database> OpenDirect() {
    if (GetParam() == sql::Engine::kPostgres) {
      return std::make_unique<sql::Database>(sql::OpenPostgres(path_));
    }
    return std::make_unique<sql::Database>(path_, sql::OPEN_READWRITE);
  }

  void Import(int first, int last) {
    v1::ImportEndorsementsRequest request;
    for (int n = first; n <= last; ++n) {
      *request.add_records() = RegistryTest::Record(n);
    }
    absl::StatusOr<v1::ImportEndorsementsResponse> imported =
        store_->ImportEndorsements(request, {}, context_);
    ASSERT_TRUE(imported.ok()) << imported.status();
    ASSERT_EQ(imported->imported_count(), last - first + 1);
  }

  // Every page of an export from `point`, read through `store` (default:
  // the test's own).
  std::vector<v1::RegistryRecord> ReadAll(const ExportPoint& point,
                                          RegistryStore* store = nullptr) {
    if (store == nullptr) store = store_.get();
    std::vector<v1::RegistryRecord> records;
    std::optional<int64_t> after = 0;
    while (after) {
      absl::StatusOr<ExportPage> page =
          store->ReadExportPage(point, *after, kPage);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (auto& record : page->records) records.push_back(record);
      after = page->next_after_id;
    }
    return records;
  }

  void Suspend(int n) {
    v1::UpdateEndorsementStatusRequest request;
    request.set_endorsement_number(
        RegistryTest::Record(n).endorsement().endorsement_number());
    request.set_status(v1::ENDORSEMENT_STATUS_SUSPENDED);
    *request.mutable_effective_on() = ToProtoDate(kToday);
    request.set_reason("complaint under review");
    absl::StatusOr<v1::UpdateEndorsementStatusResponse> updated =
        store_->UpdateEndorsementStatus(request, context_, kToday);
    ASSERT_TRUE(updated.ok()) << updated.status();
  }

  void PayMembership(int n, int year) {
    v1::RecordMembershipRequest request;
    request.set_person_id(RegistryTest::Record(n).person().person_id());
    request.set_year(year);
    absl::StatusOr<v1::RecordMembershipResponse> recorded =
        store_->RecordMembership(request, context_, kToday);
    ASSERT_TRUE(recorded.ok()) << recorded.status();
  }

  static void ExpectSame(const std::vector<v1::RegistryRecord>& actual,
                         const std::vector<v1::RegistryRecord>& expected) {
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
      EXPECT_TRUE(MessageDifferencer::Equals(actual[i], expected[i]))
          << "record " << i << ":\n"
          << actual[i].DebugString() << "expected:\n"
          << expected[i].DebugString();
    }
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<RegistryStore> store_;
  const WriteContext context_{"registrar", "", ""};
};

TEST_P(ExportStoreTest, Export_PagesReadAfterWritesShowTheRegistryAsItBegan) {
  absl::StatusOr<ExportPoint> point = store_->BeginExport();
  ASSERT_TRUE(point.ok()) << point.status();
  // Read at once, before anything changes: what the export must show.
  const std::vector<v1::RegistryRecord> at_start = ReadAll(*point);
  ASSERT_EQ(at_start.size(), static_cast<size_t>(kRecords));

  // The first page is sent; then, before the client takes the rest, the
  // registry changes under it: rows on later pages, the holder of one, a
  // row changed twice, and new endorsements.
  absl::StatusOr<ExportPage> first = store_->ReadExportPage(*point, 0, kPage);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->next_after_id.has_value());
  Suspend(1100);
  PayMembership(1150, 2027);
  Suspend(700);
  {
    v1::UpdateEndorsementStatusRequest reinstate;
    reinstate.set_endorsement_number(
        RegistryTest::Record(700).endorsement().endorsement_number());
    reinstate.set_status(v1::ENDORSEMENT_STATUS_ACTIVE);
    *reinstate.mutable_effective_on() = ToProtoDate(kToday);
    reinstate.set_reason("complaint dismissed");
    ASSERT_TRUE(
        store_->UpdateEndorsementStatus(reinstate, context_, kToday).ok());
  }
  Import(kRecords + 1, kRecords + 10);

  std::vector<v1::RegistryRecord> exported(first->records.begin(),
                                           first->records.end());
  std::optional<int64_t> after = first->next_after_id;
  while (after) {
    absl::StatusOr<ExportPage> page =
        store_->ReadExportPage(*point, *after, kPage);
    ASSERT_TRUE(page.ok()) << page.status();
    exported.insert(exported.end(), page->records.begin(), page->records.end());
    after = page->next_after_id;
  }
  ExpectSame(exported, at_start);
  store_->EndExport(*point);

  // An export begun now sees every write: the versions were read, not a
  // stale snapshot.
  absl::StatusOr<ExportPoint> now = store_->BeginExport();
  ASSERT_TRUE(now.ok());
  EXPECT_GT(now->sequence, point->sequence);
  const std::vector<v1::RegistryRecord> later = ReadAll(*now);
  store_->EndExport(*now);
  ASSERT_EQ(later.size(), static_cast<size_t>(kRecords + 10));
  EXPECT_EQ(later[1099].endorsement().status(),
            v1::ENDORSEMENT_STATUS_SUSPENDED);
  EXPECT_EQ(later[1099].endorsement().history_size(),
            at_start[1099].endorsement().history_size() + 1);
  EXPECT_EQ(later[1149].person().membership_paid_through_year(), 2027);
  EXPECT_EQ(later[699].endorsement().status(), v1::ENDORSEMENT_STATUS_ACTIVE);
  EXPECT_EQ(later[699].endorsement().history_size(),
            at_start[699].endorsement().history_size() + 2);
  EXPECT_NE(later[699].endorsement().etag(),
            at_start[699].endorsement().etag());
}

TEST_P(ExportStoreTest, PruneVersions_KeepsWhatAPinnedExportStillNeeds) {
  absl::StatusOr<ExportPoint> point = store_->BeginExport();
  ASSERT_TRUE(point.ok());
  const std::vector<v1::RegistryRecord> at_start = ReadAll(*point);
  Suspend(10);
  PayMembership(20, 2027);

  absl::StatusOr<int64_t> pruned = store_->PruneVersions();
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 0) << "pruned versions a pinned export needs";
  ExpectSame(ReadAll(*point), at_start);

  store_->EndExport(*point);
  pruned = store_->PruneVersions();
  ASSERT_TRUE(pruned.ok());
  // Record 10's endorsement and person 20 (and, through the membership, the
  // lapse day of person 20's endorsement).
  EXPECT_GE(*pruned, 2);
  pruned = store_->PruneVersions();
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0);
}

// Processes on one database (replicas on PostgreSQL) share their pins: one's
// prune keeps what another's export needs.
TEST_P(ExportStoreTest, PruneVersions_KeepsWhatAnotherProcesssExportNeeds) {
  std::unique_ptr<RegistryStore> other = OpenAnother();
  ASSERT_NE(other, nullptr);
  absl::StatusOr<ExportPoint> point = other->BeginExport();
  ASSERT_TRUE(point.ok()) << point.status();
  const std::vector<v1::RegistryRecord> at_start = ReadAll(*point, other.get());
  Suspend(10);
  PayMembership(20, 2027);

  absl::StatusOr<int64_t> pruned = store_->PruneVersions();
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 0) << "pruned versions another process's export needs";
  ExpectSame(ReadAll(*point, other.get()), at_start);

  other->EndExport(*point);
  pruned = store_->PruneVersions();
  ASSERT_TRUE(pruned.ok());
  EXPECT_GE(*pruned, 2);
}

// A process that dies mid-export stops renewing its pin; once the pin has
// expired, the versions it held are pruned.
TEST_P(ExportStoreTest, PruneVersions_DropsThePinOfAProcessThatStopped) {
  std::unique_ptr<RegistryStore> other = OpenAnother();
  ASSERT_NE(other, nullptr);
  absl::StatusOr<ExportPoint> point = other->BeginExport();
  ASSERT_TRUE(point.ok()) << point.status();
  Suspend(10);
  other.reset();  // Gone without ending its export.

  absl::StatusOr<int64_t> pruned = store_->PruneVersions();
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 0) << "a pin within its lease was ignored";

  // The lease runs out (as ten minutes without a renewal would do).
  OpenDirect()->exec("UPDATE export_pins SET expires_us = 0");
  pruned = store_->PruneVersions();
  ASSERT_TRUE(pruned.ok());
  EXPECT_GE(*pruned, 1);
  EXPECT_EQ(
      OpenDirect()->execAndGet("SELECT COUNT(*) FROM export_pins").getInt64(),
      0);
}

TEST_P(ExportStoreTest, Export_EmptyRegistryHasNoPages) {
  TempDir other;
  StoreOptions options;
  options.path = DatabaseFor(GetParam(), other);
  absl::StatusOr<std::unique_ptr<RegistryStore>> empty =
      RegistryStore::Open(options, &VirginiaRulebook());
  ASSERT_TRUE(empty.ok());
  absl::StatusOr<ExportPoint> point = (*empty)->BeginExport();
  ASSERT_TRUE(point.ok());
  absl::StatusOr<ExportPage> page = (*empty)->ReadExportPage(*point, 0, kPage);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->records.empty());
  EXPECT_FALSE(page->next_after_id.has_value());
  (*empty)->EndExport(*point);
}

INSTANTIATE_TEST_SUITE_P(BothEngines, ExportStoreTest,
                         ::testing::Values(sql::Engine::kSqlite,
                                           sql::Engine::kPostgres),
                         EngineName);

}  // namespace
}  // namespace imh::registry::testing

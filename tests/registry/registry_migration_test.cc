// Registry files written by earlier schemas open under this build: schema 3
// folds the names already on file into the search index, and the change feed
// still serves the events recorded before it kept each state; schema 4 lets
// an export read rows written before it as of the export's point; schema 6
// writes new names into the search index from the store, once per write.

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "services/registry/store.h"
#include "services/registry/store_internal.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

// P-1 Ann Lee (folded) and her VA-IFS-1, as a schema-3-or-later file holds
// them.
void InsertAnnLeeByHand(sql::Database& db) {
  db.exec(
      "INSERT INTO people (person_id, display_name, county,"
      " membership_paid_through, name_folded, county_folded) VALUES"
      " ('P-1', 'Ann Lee', 'Fairfax', 2026, 'ann lee', 'fairfax')");
  db.exec(
      "INSERT INTO endorsements (number, person_id, category, granted_on,"
      " status, status_since, next_cycle_year, version, grant_kind,"
      " lapses_on, lapse_cause) VALUES ('VA-IFS-1', 'P-1', 'IFS',"
      " '2025-03-01', 1, '2025-03-01', 2027, 0, 2, '2027-01-01', 2)");
}

TEST(RegistryMigration, SchemaTwoFileGainsFoldedSearchAndKeepsItsFeed) {
  TempDir dir;
  const std::string path = dir.path() + "/registry.sqlite";
  {
    sql::Database db(path, sql::OPEN_READWRITE | sql::OPEN_CREATE);
    absl::StatusOr<int> version = MigrateSchema(db, VirginiaRulebook(), 2);
    ASSERT_TRUE(version.ok()) << version.status();
    ASSERT_EQ(*version, 2);
    db.exec(
        "INSERT INTO people (person_id, display_name, county,"
        " membership_paid_through) VALUES ('P-1', 'Zoë Ångström', 'Fairfax',"
        " 2026)");
    db.exec(
        "INSERT INTO endorsements (number, person_id, category, granted_on,"
        " status, status_since, next_cycle_year, version, grant_kind)"
        " VALUES ('VA-IFS-1', 'P-1', 'IFS', '2025-03-01', 1, '2025-03-01',"
        " 2027, 0, 2)");
    db.exec(
        "INSERT INTO status_history (endorsement_id, seq, status,"
        " effective_on, reason, actor, recorded_at_us) VALUES (1, 1, 1,"
        " '2025-03-01', 'imported', 'test', 0)");
    db.exec(
        "INSERT INTO changes (kind, person_id, endorsement_id, at_us)"
        " VALUES (6, 'P-1', 1, 0)");
  }
  StoreOptions options;
  options.path = path;
  absl::StatusOr<std::unique_ptr<RegistryStore>> store =
      RegistryStore::Open(options, &VirginiaRulebook(), nullptr);
  ASSERT_TRUE(store.ok()) << store.status();

  for (const char* query : {"ZOE", "angström", "Zö"}) {
    ListFilter filter;
    filter.name = query;
    filter.county = "FAIRFAX";
    absl::StatusOr<ListPage> page = (*store)->ListEndorsements(filter, 0, 10);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_EQ(page->endorsements.size(), 1u) << query;
    EXPECT_EQ(page->endorsements[0].endorsement_number(), "VA-IFS-1");
  }
  absl::StatusOr<std::vector<Change>> changes = (*store)->ChangesAfter(0, 10);
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_EQ(changes->size(), 1u);
  ASSERT_TRUE((*changes)[0].endorsement.has_value());
  EXPECT_EQ((*changes)[0].endorsement->endorsement_number(), "VA-IFS-1");
}

TEST(RegistryMigration, SchemaThreeFileExportsAsOfItsPointAfterMigrating) {
  TempDir dir;
  const std::string path = dir.path() + "/registry.sqlite";
  {
    sql::Database db(path, sql::OPEN_READWRITE | sql::OPEN_CREATE);
    absl::StatusOr<int> version = MigrateSchema(db, VirginiaRulebook(), 3);
    ASSERT_TRUE(version.ok()) << version.status();
    ASSERT_EQ(*version, 3);
  }
  StoreOptions options;
  options.path = path;
  {
    // Written under schema 3 (the store below migrates first, so these go
    // through a schema-3 file opened by hand).
    sql::Database db(path, sql::OPEN_READWRITE);
    InsertAnnLeeByHand(db);
    db.exec(
        "INSERT INTO status_history (endorsement_id, seq, status,"
        " effective_on, reason, actor, recorded_at_us) VALUES (1, 1, 1,"
        " '2025-03-01', 'imported', 'test', 0)");
  }
  absl::StatusOr<std::unique_ptr<RegistryStore>> store =
      RegistryStore::Open(options, &VirginiaRulebook(), nullptr);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_EQ((*store)->schema_version(), kSchemaVersion);

  absl::StatusOr<ExportPoint> point = (*store)->BeginExport();
  ASSERT_TRUE(point.ok()) << point.status();
  v1::UpdateEndorsementStatusRequest suspend;
  suspend.set_endorsement_number("VA-IFS-1");
  suspend.set_status(v1::ENDORSEMENT_STATUS_SUSPENDED);
  *suspend.mutable_effective_on() = DateOf("2026-06-01");
  suspend.set_reason("complaint under review");
  ASSERT_TRUE((*store)
                  ->UpdateEndorsementStatus(suspend, {"registrar", "", ""},
                                            absl::CivilDay(2026, 6, 1))
                  .ok());
  absl::StatusOr<ExportPage> page = (*store)->ReadExportPage(*point, 0, 10);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->records.size(), 1u);
  // The history entry from before schema 4 (write 0) is in; the suspension
  // after the export's point is not.
  const v1::Endorsement& exported = page->records[0].endorsement();
  EXPECT_EQ(exported.status(), v1::ENDORSEMENT_STATUS_ACTIVE);
  ASSERT_EQ(exported.history_size(), 1);
  EXPECT_EQ(exported.history(0).reason(), "imported");
  (*store)->EndExport(*point);
}

TEST(RegistryMigration,
     SchemaFiveFile_NamesOnFileAndNamesWrittenAfterAreFound) {
  TempDir dir;
  const std::string path = dir.path() + "/registry.sqlite";
  {
    // Under schema 5 a trigger put each new name into the index.
    sql::Database db(path, sql::OPEN_READWRITE | sql::OPEN_CREATE);
    absl::StatusOr<int> version = MigrateSchema(db, VirginiaRulebook(), 5);
    ASSERT_TRUE(version.ok()) << version.status();
    InsertAnnLeeByHand(db);
  }
  StoreOptions options;
  options.path = path;
  absl::StatusOr<std::unique_ptr<RegistryStore>> store =
      RegistryStore::Open(options, &VirginiaRulebook(), nullptr);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_EQ((*store)->schema_version(), kSchemaVersion);
  const WriteContext context{"registrar", "", ""};
  v1::ImportEndorsementsRequest import;
  for (int n = 2; n <= 4; ++n) *import.add_records() = RegistryTest::Record(n);
  absl::StatusOr<v1::ImportEndorsementsResponse> imported =
      (*store)->ImportEndorsements(import, {}, context);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ASSERT_EQ(imported->imported_count(), 3);
  v1::CreatePersonRequest create;
  create.mutable_person()->set_person_id("P-9");
  create.mutable_person()->set_display_name("Rosa Delgado");
  create.mutable_person()->set_county("Henrico");
  ASSERT_TRUE((*store)->CreatePerson(create, context).ok());

  // Names on file and names written since are in the index: found by the
  // store's search and by the index itself, which agrees with the people
  // table (FTS5's integrity check).
  for (const auto& [query, number] :
       std::vector<std::pair<std::string, std::string>>{
           {"ann l", "VA-IFS-1"},
           {RegistryTest::Record(3).person().display_name(),
            RegistryTest::Record(3).endorsement().endorsement_number()}}) {
    ListFilter filter;
    filter.name = query;
    absl::StatusOr<ListPage> page = (*store)->ListEndorsements(filter, 0, 10);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_EQ(page->endorsements.size(), 1u) << query;
    EXPECT_EQ(page->endorsements[0].endorsement_number(), number);
  }
  store->reset();
  sql::Database db(path, sql::OPEN_READWRITE);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM people_names WHERE"
                          " people_names MATCH '\"rosa delgado\"'")
                .getInt(),
            1);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM people_names WHERE"
                          " people_names MATCH '\"ann lee\"'")
                .getInt(),
            1);
  db.exec("INSERT INTO people_names(people_names) VALUES ('integrity-check')");
}

}  // namespace
}  // namespace imh::registry::testing

// A registry file written by the previous schema (2) opens under this build:
// schema 3 folds the names already on file into the search index, and the
// change feed still serves the events recorded before it kept each state.

#include <SQLiteCpp/SQLiteCpp.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "services/registry/store.h"
#include "services/registry/store_internal.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

TEST(RegistryMigration, SchemaTwoFileGainsFoldedSearchAndKeepsItsFeed) {
  TempDir dir;
  const std::string path = dir.path() + "/registry.sqlite";
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
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

}  // namespace
}  // namespace imh::registry::testing

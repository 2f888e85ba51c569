// Moving a SQLite registry to PostgreSQL (store_copy.h): a registry with a
// row in every table (imports, status history, memberships, a renewal, an
// application granted by reviews, a lapse run, idempotency records, row
// versions and an export pin) arrives with every table equal, keeps
// serving from where it was (ids and feed sequences continue), and a copy
// into a registry that is not empty, or that differs, is refused.

#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/decision_checks.h"
#include "services/registry/sql/postgres_engine.h"
#include "services/registry/store.h"
#include "services/registry/store_copy.h"
#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kImported = 450;  // two full batches of rows and a part

class RegistryCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = dir_.path() + "/registry.sqlite";
    destination_ = DatabaseFor(sql::Engine::kPostgres, dir_);
    ASSERT_FALSE(destination_.empty());
  }

  std::unique_ptr<RegistryStore> Open(const std::string& path) {
    StoreOptions options;
    options.path = path;
    absl::StatusOr<std::unique_ptr<RegistryStore>> store =
        RegistryStore::Open(options, &VirginiaRulebook(), keys_.keyring_ptr());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // Something in every table of the registry at `source_`.
  void FillSource() {
    std::unique_ptr<RegistryStore> store = Open(source_);
    ASSERT_NE(store, nullptr);
    const WriteContext registrar{"registrar", "", ""};
    v1::ImportEndorsementsRequest import;
    for (int n = 1; n <= kImported; ++n) {
      *import.add_records() = RegistryTest::Record(n, "IFS", "2025-03-01");
    }
    import.mutable_records(0)
        ->mutable_person()
        ->set_membership_paid_through_year(2028);
    // Idempotency records come with a request id.
    ASSERT_TRUE(store
                    ->ImportEndorsements(import, {},
                                         {"registrar", "import-1", "corr-1"})
                    .ok());
    const std::string first =
        import.records(0).endorsement().endorsement_number();
    const absl::CivilDay today = TodayInVirginia();

    // A renewal (the IFS of person 1, due in the 2027 cycle).
    decision::v1::DecisionRecord renewal;
    renewal.set_decision_id("d-renewal");
    renewal.set_kind(decision::v1::DECISION_KIND_RENEWAL);
    renewal.mutable_subject()->set_person_id("P-0000001");
    renewal.mutable_renewal()->set_endorsement_number(first);
    renewal.mutable_renewal()->set_category("IFS");
    renewal.mutable_renewal()->set_cycle_year(2027);
    renewal.mutable_renewal()->set_outcome(
        decision::v1::DECISION_OUTCOME_ELIGIBLE);
    const absl::CivilDay attested(2027, 11, 15);
    *renewal.mutable_renewal()->mutable_attested_on() = ToProtoDate(attested);
    renewal.mutable_renewal()->set_training_hours(30.123456789012345);
    renewal.mutable_renewal()->set_rsc_hours(24.5);
    *renewal.mutable_as_of() = ToProtoDate(attested);
    renewal.mutable_issued_at()->set_seconds(
        absl::ToUnixSeconds(absl::FromCivil(
            absl::CivilSecond(attested) + 12 * 3600, VirginiaTimeZone())));
    v1::RecordRenewalRequest record_renewal;
    record_renewal.set_endorsement_number(first);
    *record_renewal.mutable_signed_decision() = keys_.Sign(renewal);
    absl::StatusOr<v1::RecordRenewalResponse> renewed = store->RecordRenewal(
        record_renewal, registrar, absl::CivilDay(2027, 11, 20));
    ASSERT_TRUE(renewed.ok()) << renewed.status();

    // A status change and back (history, row versions), a membership.
    for (v1::EndorsementStatus status :
         {v1::ENDORSEMENT_STATUS_SUSPENDED, v1::ENDORSEMENT_STATUS_ACTIVE}) {
      v1::UpdateEndorsementStatusRequest change;
      change.set_endorsement_number(
          import.records(9).endorsement().endorsement_number());
      change.set_status(status);
      *change.mutable_effective_on() = ToProtoDate(today);
      change.set_reason("complaint under review");
      ASSERT_TRUE(
          store->UpdateEndorsementStatus(change, registrar, today).ok());
    }
    v1::RecordMembershipRequest membership;
    membership.set_person_id("P-0000020");
    membership.set_year(today.year() + 1);
    ASSERT_TRUE(store->RecordMembership(membership, registrar, today).ok());

    // An application granted by its reviews.
    v1::CreatePersonRequest person;
    person.mutable_person()->set_person_id("P-APPLICANT");
    person.mutable_person()->set_display_name("Zoë Applicant");
    person.mutable_person()->set_county("Fairfax");
    ASSERT_TRUE(store->CreatePerson(person, registrar).ok());
    v1::SubmitApplicationRequest submit;
    submit.set_person_id("P-APPLICANT");
    submit.set_category("IFS");
    *submit.mutable_signed_decision() =
        keys_.Eligible("P-APPLICANT", "d-portfolio", today);
    absl::StatusOr<v1::SubmitApplicationResponse> submitted =
        store->SubmitApplication(submit, {"portal", "", ""}, today);
    ASSERT_TRUE(submitted.ok()) << submitted.status();
    absl::StatusOr<int> required = RequiredReviewers(VirginiaRulebook(), today);
    ASSERT_TRUE(required.ok());
    for (int r = 1; r <= *required; ++r) {
      v1::ReviewApplicationRequest review;
      review.set_application_id(submitted->application().application_id());
      review.set_verdict(v1::REVIEW_VERDICT_APPROVE);
      review.set_comment("meets every requirement");
      ASSERT_TRUE(store
                      ->ReviewApplication(
                          review, {absl::StrCat("reviewer-", r), "", ""}, today)
                      .ok());
    }
    ASSERT_TRUE(store->RunScheduledLapses(today, registrar).ok());
    // An export under way when the registry stopped.
    ASSERT_TRUE(store->BeginExport().ok());
  }

  TempDir dir_;
  std::string source_;
  std::string destination_;
  TestDecisionKeys keys_;
};

TEST_F(RegistryCopyTest, EveryTableArrivesEqualAndTheRegistryServesOn) {
  FillSource();
  absl::StatusOr<std::vector<TableComparison>> copied =
      CopyRegistry(source_, destination_, VirginiaRulebook());
  ASSERT_TRUE(copied.ok()) << copied.status();
  ASSERT_EQ(copied->size(), RegistryTables().size());
  for (const TableComparison& table : *copied) {
    EXPECT_TRUE(table.same) << table.table;
    EXPECT_GT(table.source_rows, 0) << table.table << " was not exercised";
    EXPECT_EQ(table.destination_rows, table.source_rows) << table.table;
  }

  // Served from PostgreSQL: what was there, and new writes after it.
  std::unique_ptr<RegistryStore> source = Open(source_);
  std::unique_ptr<RegistryStore> moved = Open(destination_);
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(moved->last_sequence(), source->last_sequence());
  absl::StatusOr<v1::GetPersonResponse> applicant =
      moved->GetPerson("P-APPLICANT");
  ASSERT_TRUE(applicant.ok()) << applicant.status();
  ASSERT_EQ(applicant->endorsements_size(), 1);
  EXPECT_EQ(applicant->endorsements(0).status(), v1::ENDORSEMENT_STATUS_ACTIVE);
  ListFilter by_name;
  by_name.name = "zoe";  // folded: the search index was rebuilt
  absl::StatusOr<ListPage> found = moved->ListEndorsements(by_name, 0, 10);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->endorsements.size(), 1u);
  EXPECT_EQ(found->endorsements[0].person_id(), "P-APPLICANT");

  v1::ImportEndorsementsRequest more;
  *more.add_records() = RegistryTest::Record(kImported + 1);
  // The idempotency record came along: the same request id answers again.
  v1::ImportEndorsementsRequest again;
  *again.add_records() = RegistryTest::Record(1, "IFS", "2025-03-01");
  again.mutable_records(0)->mutable_person()->set_membership_paid_through_year(
      2028);
  for (int n = 2; n <= kImported; ++n) {
    *again.add_records() = RegistryTest::Record(n, "IFS", "2025-03-01");
  }
  absl::StatusOr<v1::ImportEndorsementsResponse> replayed =
      moved->ImportEndorsements(again, {}, {"registrar", "import-1", ""});
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->imported_count(), kImported);
  const int64_t before = moved->last_sequence();
  ASSERT_TRUE(moved->ImportEndorsements(more, {}, {"registrar", "", ""}).ok());
  EXPECT_GT(moved->last_sequence(), before) << "feed sequences restarted";
  absl::StatusOr<v1::GetPersonResponse> added = moved->GetPerson(
      RegistryTest::Record(kImported + 1).person().person_id());
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->endorsements_size(), 1);
}

TEST_F(RegistryCopyTest, IntoARegistryThatIsNotEmptyIsRefusedAndAddsNothing) {
  FillSource();
  {
    std::unique_ptr<RegistryStore> other = Open(destination_);
    v1::ImportEndorsementsRequest one;
    *one.add_records() = RegistryTest::Record(9001);
    ASSERT_TRUE(other->ImportEndorsements(one, {}, {"registrar", "", ""}).ok());
  }
  absl::StatusOr<std::vector<TableComparison>> copied =
      CopyRegistry(source_, destination_, VirginiaRulebook());
  EXPECT_TRUE(absl::IsFailedPrecondition(copied.status())) << copied.status();
  EXPECT_THAT(std::string(copied.status().message()), HasSubstr("not empty"));
  sql::Database db(sql::OpenPostgres(destination_));
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM people").getInt64(), 1);
}

// A table added to the schema is added to the copy too: the list is every
// table of both engines' schemas but the migrations' own and SQLite's search
// index.
TEST_F(RegistryCopyTest, CopiesEveryTableOfBothSchemas) {
  ASSERT_NE(Open(source_), nullptr);
  ASSERT_NE(Open(destination_), nullptr);
  const std::set<std::string> copied(RegistryTables().begin(),
                                     RegistryTables().end());
  auto tables = [](sql::Database& db, const std::string& query) {
    std::set<std::string> names;
    sql::Statement rows(db, query);
    while (rows.executeStep()) names.insert(rows.getColumn(0).getString());
    names.erase("schema_migrations");
    return names;
  };
  sql::Database sqlite(source_, sql::OPEN_READONLY);
  EXPECT_EQ(tables(sqlite,
                   "SELECT name FROM sqlite_master WHERE type = 'table' AND"
                   " name NOT LIKE 'sqlite_%' AND name NOT LIKE"
                   " 'people_names%'"),
            copied);
  sql::Database postgres(sql::OpenPostgres(destination_));
  EXPECT_EQ(tables(postgres,
                   "SELECT table_name FROM information_schema.tables WHERE"
                   " table_schema = current_schema()"),
            copied);
}

// The comparison sees a single changed value (so "every table equal" above
// means something).
TEST_F(RegistryCopyTest, CompareFindsOneChangedValue) {
  FillSource();
  ASSERT_TRUE(CopyRegistry(source_, destination_, VirginiaRulebook()).ok());
  {
    sql::Database db(sql::OpenPostgres(destination_));
    db.exec("UPDATE export_pins SET expires_us = expires_us + 1");
  }
  absl::StatusOr<std::vector<TableComparison>> compared =
      CompareRegistries(source_, destination_);
  ASSERT_TRUE(compared.ok()) << compared.status();
  for (const TableComparison& table : *compared) {
    EXPECT_EQ(table.same, table.table != "export_pins") << table.table;
  }
}

}  // namespace
}  // namespace imh::registry::testing

// The store's decision-bound writes on a day of the test's choosing: a
// renewal can only be complete once its cycle year has come (hours are never
// attested for a future year), so the accepted renewal is pinned here, with
// the store's `today`, on a decision signed by a real key the store trusts.
// And what a verification batch answers when storage fails in the middle of
// it.

#include <SQLiteCpp/SQLiteCpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/dates.h"
#include "common/decision_signing.h"
#include "gtest/gtest.h"
#include "services/registry/store.h"
#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

using ::testing::HasSubstr;

class RenewalStoreTest : public ::testing::TestWithParam<sql::Engine> {
 protected:
  void SetUp() override {
    absl::StatusOr<DecisionSigner> signer = DecisionSigner::Generate();
    ASSERT_TRUE(signer.ok());
    signer_ = std::make_unique<DecisionSigner>(std::move(*signer));
    ASSERT_TRUE(keyring_.AddPem(signer_->PublicKeyPem()).ok());
    StoreOptions options;
    options.path = DatabaseFor(GetParam(), dir_);
    ASSERT_FALSE(options.path.empty());
    absl::StatusOr<std::unique_ptr<RegistryStore>> store =
        RegistryStore::Open(options, &VirginiaRulebook(), &keyring_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    // IFS granted 2025-03-01: first due in the 2027 cycle (the grant year is
    // exempt); membership paid through 2028.
    v1::ImportEndorsementsRequest import;
    *import.add_records() = RegistryTest::Record(1, "IFS", "2025-03-01");
    import.mutable_records(0)
        ->mutable_person()
        ->set_membership_paid_through_year(2028);
    number_ = import.records(0).endorsement().endorsement_number();
    ASSERT_TRUE(store_->ImportEndorsements(import, {}, context_).ok());
  }

  // A complete renewal decision for `cycle`, made on `day` (noon in
  // Virginia): 2 owed years (2026, 2027) x 15 h training and 12 h RS/C.
  decision::v1::SignedDecision Decision(int cycle, absl::CivilDay day,
                                        const std::string& id) {
    decision::v1::DecisionRecord record;
    record.set_decision_id(id);
    record.set_kind(decision::v1::DECISION_KIND_RENEWAL);
    record.mutable_subject()->set_person_id("P-0000001");
    decision::v1::RenewalOutcome& renewal = *record.mutable_renewal();
    renewal.set_endorsement_number(number_);
    renewal.set_category("IFS");
    renewal.set_cycle_year(cycle);
    renewal.set_outcome(decision::v1::DECISION_OUTCOME_ELIGIBLE);
    *renewal.mutable_attested_on() = ToProtoDate(day);
    renewal.set_training_hours(30);
    renewal.set_rsc_hours(24);
    *record.mutable_as_of() = ToProtoDate(day);
    record.mutable_issued_at()->set_seconds(absl::ToUnixSeconds(absl::FromCivil(
        absl::CivilSecond(day) + 12 * 3600, VirginiaTimeZone())));
    return *signer_->Sign(record);
  }

  absl::StatusOr<v1::RecordRenewalResponse> Record(
      const decision::v1::SignedDecision& decision, absl::CivilDay today) {
    v1::RecordRenewalRequest request;
    request.set_endorsement_number(number_);
    *request.mutable_signed_decision() = decision;
    return store_->RecordRenewal(request, context_, today);
  }

  TempDir dir_;
  DecisionKeyring keyring_;
  std::unique_ptr<DecisionSigner> signer_;
  std::unique_ptr<RegistryStore> store_;
  const WriteContext context_{"registrar", "", ""};
  std::string number_;
};

TEST_P(RenewalStoreTest, RRnwCycle_CompleteDecisionForTheDueCycleIsRecorded) {
  const absl::CivilDay today(2027, 11, 20);
  // Another cycle: refused, nothing written.
  const absl::StatusOr<v1::RecordRenewalResponse> wrong_cycle =
      Record(Decision(2030, absl::CivilDay(2027, 11, 15), "d-2030"), today);
  EXPECT_TRUE(absl::IsFailedPrecondition(wrong_cycle.status()));
  EXPECT_THAT(std::string(wrong_cycle.status().message()),
              HasSubstr("attests the 2030 cycle; endorsement " + number_ +
                        " is due in the 2027 cycle"));
  // Decided 2027-06-01: 90 days of validity ran out on 2027-08-30.
  const absl::StatusOr<v1::RecordRenewalResponse> stale =
      Record(Decision(2027, absl::CivilDay(2027, 6, 1), "d-june"), today);
  EXPECT_THAT(std::string(stale.status().message()),
              HasSubstr("valid through 2027-08-30"));
  EXPECT_EQ(store_->CountRows()->renewals, 0);

  const absl::StatusOr<v1::RecordRenewalResponse> recorded =
      Record(Decision(2027, absl::CivilDay(2027, 11, 15), "d-ok"), today);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  // Next due one period on; lapses January 1 after the 2028 membership
  // (earlier than January 1 after the 2030 cycle).
  EXPECT_EQ(recorded->endorsement().next_renewal_cycle_year(), 2030);
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(recorded->endorsement().lapses_on())),
            "2029-01-01");
  absl::StatusOr<v1::GetPersonResponse> person = store_->GetPerson("P-0000001");
  ASSERT_TRUE(person.ok());
  ASSERT_EQ(person->renewals_size(), 1);
  EXPECT_EQ(person->renewals(0).decision_id(), "d-ok");
  EXPECT_EQ(person->renewals(0).cycle_year(), 2027);
  EXPECT_EQ(person->renewals(0).training_hours(), 30);
  EXPECT_EQ(person->renewals(0).recorded_by(), "registrar");
}

INSTANTIATE_TEST_SUITE_P(BothEngines, RenewalStoreTest,
                         ::testing::Values(sql::Engine::kSqlite,
                                           sql::Engine::kPostgres),
                         EngineName);

// A storage fault in the middle of a verification batch: the answers given
// before it stand, the question it interrupted and every later one are
// UNKNOWN (never HELD: fail closed), and the batch still has one answer per
// question. The fault is the status history going missing under a running
// registry, which only a question about a past day reads.
TEST(VerifyStoreTest, StorageFaultMidBatchLeavesEarlierAnswersAndFailsTheRest) {
  TempDir dir;
  StoreOptions options;
  options.path = DatabaseFor(sql::Engine::kSqlite, dir);
  absl::StatusOr<std::unique_ptr<RegistryStore>> opened =
      RegistryStore::Open(options, &VirginiaRulebook(), nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status();
  RegistryStore& store = **opened;
  const WriteContext context{"registrar", "", ""};
  // P-0000001: IFS active since its grant. P-0000002: IFRS granted
  // 2020-01-01, lapsed 2021-02-05, active again from 2021-05-16.
  v1::ImportEndorsementsRequest import;
  *import.add_records() = RegistryTest::Record(1, "IFS", "2020-01-01");
  *import.add_records() = RegistryTest::Record(2, "IFRS", "2020-01-01");
  v1::Endorsement& lapsed = *import.mutable_records(1)->mutable_endorsement();
  for (const auto& [status, day] :
       std::vector<std::pair<v1::EndorsementStatus, const char*>>{
           {v1::ENDORSEMENT_STATUS_ACTIVE, "2020-01-01"},
           {v1::ENDORSEMENT_STATUS_LAPSED, "2021-02-05"},
           {v1::ENDORSEMENT_STATUS_ACTIVE, "2021-05-16"}}) {
    v1::StatusChange& change = *lapsed.add_history();
    change.set_status(status);
    *change.mutable_effective_on() = DateOf(day);
  }
  ASSERT_TRUE(store.ImportEndorsements(import, {}, context).ok());
  auto question = [](const char* person, const char* category,
                     absl::CivilDay on) {
    VerifyQuestion q;
    q.subject = person;
    q.categories = {category};
    q.on = on;
    return q;
  };
  // The second question's day is before its endorsement's current status
  // began, so it is answered from the history.
  const std::vector<VerifyQuestion> questions = {
      question("P-0000001", "IFS", absl::CivilDay(2020, 6, 1)),
      question("P-0000002", "IFRS", absl::CivilDay(2021, 3, 1)),
      question("P-0000001", "IFS", absl::CivilDay(2020, 7, 1))};
  std::vector<v1::CredentialAnswer> answers = store.Verify(questions);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].status(), v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(answers[1].status(), v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(answers[1].status_on_date(), v1::ENDORSEMENT_STATUS_LAPSED);
  EXPECT_EQ(answers[2].status(), v1::CREDENTIAL_STATUS_HELD);

  {
    SQLite::Database raw(options.path, SQLite::OPEN_READWRITE);
    raw.exec("ALTER TABLE status_history RENAME TO status_history_gone");
  }
  // A write, so that the pooled reader's next read starts a new snapshot
  // (one that sees the history gone).
  v1::CreatePersonRequest person;
  person.mutable_person()->set_display_name("Someone New");
  ASSERT_TRUE(store.CreatePerson(person, context).ok());

  answers = store.Verify(questions);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].status(), v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(answers[0].endorsement_number(), "VA-IFS-0000001");
  for (int i : {1, 2}) {
    EXPECT_EQ(answers[i].status(), v1::CREDENTIAL_STATUS_UNKNOWN) << i;
    EXPECT_THAT(answers[i].detail(), HasSubstr("status_history")) << i;
    EXPECT_TRUE(answers[i].endorsement_number().empty()) << i;
  }
}

}  // namespace
}  // namespace imh::registry::testing

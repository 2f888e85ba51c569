// Grants racing through two registry processes on one database (two stores,
// each with its own connections, as two replicas have): a person has two
// pending applications for the same category, and the final approvals of
// both arrive at once, one through each process. Exactly one endorsement is
// granted (RULES.md s.6: one live endorsement per person and category); the
// other approval is refused and writes nothing. On both engines.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "gtest/gtest.h"
#include "services/registry/decision_checks.h"
#include "services/registry/sql/postgres_engine.h"
#include "services/registry/store.h"
#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

constexpr int kPeople = 16;

class GrantRaceTest : public ::testing::TestWithParam<sql::Engine> {
 protected:
  void SetUp() override {
    path_ = DatabaseFor(GetParam(), dir_);
    ASSERT_FALSE(path_.empty());
    one_ = Open();
    other_ = Open();
    ASSERT_NE(one_, nullptr);
    ASSERT_NE(other_, nullptr);
    absl::StatusOr<int> required =
        RequiredReviewers(VirginiaRulebook(), today_);
    ASSERT_TRUE(required.ok()) << required.status();
    required_ = *required;
  }

  std::unique_ptr<RegistryStore> Open() {
    StoreOptions options;
    options.path = path_;
    absl::StatusOr<std::unique_ptr<RegistryStore>> store =
        RegistryStore::Open(options, &VirginiaRulebook(), keys_.keyring_ptr());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::string Submit(RegistryStore& store, const std::string& person_id,
                     const std::string& decision_id) {
    v1::SubmitApplicationRequest request;
    request.set_person_id(person_id);
    request.set_category("IFS");
    *request.mutable_signed_decision() =
        keys_.Eligible(person_id, decision_id, today_);
    absl::StatusOr<v1::SubmitApplicationResponse> submitted =
        store.SubmitApplication(request, {"portal", "", ""}, today_);
    EXPECT_TRUE(submitted.ok()) << submitted.status();
    return submitted.ok() ? submitted->application().application_id() : "";
  }

  absl::StatusOr<v1::ReviewApplicationResponse> Approve(
      RegistryStore& store, const std::string& application_id,
      const std::string& reviewer) {
    v1::ReviewApplicationRequest request;
    request.set_application_id(application_id);
    request.set_verdict(v1::REVIEW_VERDICT_APPROVE);
    return store.ReviewApplication(request, {reviewer, "", ""}, today_);
  }

  // The person's endorsements, as the database holds them.
  int64_t Endorsements(const std::string& person_id) {
    std::unique_ptr<sql::Database> db =
        GetParam() == sql::Engine::kPostgres
            ? std::make_unique<sql::Database>(sql::OpenPostgres(path_))
            : std::make_unique<sql::Database>(path_, sql::OPEN_READONLY);
    sql::Statement count(
        *db, "SELECT COUNT(*) FROM endorsements WHERE person_id = ?");
    count.bind(1, person_id);
    count.executeStep();
    return count.getColumn(0).getInt64();
  }

  TempDir dir_;
  std::string path_;
  TestDecisionKeys keys_;
  std::unique_ptr<RegistryStore> one_;
  std::unique_ptr<RegistryStore> other_;
  const absl::CivilDay today_ = TodayInVirginia();
  int required_ = 0;
};

TEST_P(GrantRaceTest, FinalApprovalsThroughTwoProcessesAtOnceGrantOne) {
  struct Race {
    std::string person_id;
    std::string first;   // through one_
    std::string second;  // through other_
  };
  std::vector<Race> races;
  for (int n = 1; n <= kPeople; ++n) {
    Race& race = races.emplace_back();
    race.person_id = absl::StrFormat("P-RACE-%02d", n);
    v1::CreatePersonRequest person;
    person.mutable_person()->set_person_id(race.person_id);
    person.mutable_person()->set_display_name("Race Applicant");
    person.mutable_person()->set_county("Fairfax");
    ASSERT_TRUE(one_->CreatePerson(person, {"registrar", "", ""}).ok());
    race.first = Submit(*one_, race.person_id, race.person_id + "-d1");
    race.second = Submit(*other_, race.person_id, race.person_id + "-d2");
    ASSERT_FALSE(race.first.empty());
    ASSERT_FALSE(race.second.empty());
    // Every approval but the last, so that the next one grants.
    for (int r = 1; r < required_; ++r) {
      const std::string reviewer = absl::StrCat("reviewer-", r);
      ASSERT_TRUE(Approve(*one_, race.first, reviewer).ok());
      ASSERT_TRUE(Approve(*other_, race.second, reviewer).ok());
    }
  }

  const std::string last = absl::StrCat("reviewer-", required_);
  std::vector<absl::StatusOr<v1::ReviewApplicationResponse>> through_one(
      kPeople, absl::UnknownError("not run")),
      through_other(kPeople, absl::UnknownError("not run"));
  // Each pair of approvals starts together: both threads arrive, then go.
  std::atomic<int> arrived{0};
  auto start_together = [&](int round) {
    arrived.fetch_add(1);
    while (arrived.load() < 2 * (round + 1)) std::this_thread::yield();
  };
  std::thread racer([&] {
    for (int i = 0; i < kPeople; ++i) {
      start_together(i);
      through_other[i] = Approve(*other_, races[i].second, last);
    }
  });
  for (int i = 0; i < kPeople; ++i) {
    start_together(i);
    through_one[i] = Approve(*one_, races[i].first, last);
  }
  racer.join();

  for (int i = 0; i < kPeople; ++i) {
    SCOPED_TRACE(races[i].person_id);
    const bool one_granted =
        through_one[i].ok() && through_one[i]->has_endorsement();
    const bool other_granted =
        through_other[i].ok() && through_other[i]->has_endorsement();
    EXPECT_NE(one_granted, other_granted) << "granted by both or by neither";
    // The loser is refused as a whole: its review is not recorded either.
    const auto& loser = one_granted ? through_other[i] : through_one[i];
    EXPECT_EQ(loser.status().code(), absl::StatusCode::kFailedPrecondition)
        << loser.status();
    absl::StatusOr<v1::Application> lost =
        one_->GetApplication(one_granted ? races[i].second : races[i].first);
    ASSERT_TRUE(lost.ok());
    EXPECT_EQ(lost->state(), v1::APPLICATION_STATE_PENDING);
    EXPECT_EQ(lost->reviews_size(), required_ - 1);
    EXPECT_EQ(Endorsements(races[i].person_id), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(BothEngines, GrantRaceTest,
                         ::testing::Values(sql::Engine::kSqlite,
                                           sql::Engine::kPostgres),
                         EngineName);

}  // namespace
}  // namespace imh::registry::testing

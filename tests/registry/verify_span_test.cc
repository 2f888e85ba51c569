// A span question (as_of through `through`) must answer every day of its span
// exactly as the day's own question does: the answer on as_of, then each
// change on the day it starts. Checked on random registries (several
// endorsements a person, random dated histories, random memberships, hence
// random lapse days) on both engines, day by day against one-day questions.

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/dates.h"
#include "gtest/gtest.h"
#include "services/registry/status_transitions.h"
#include "services/registry/store.h"
#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

constexpr v1::EndorsementStatus kStatuses[] = {
    v1::ENDORSEMENT_STATUS_ACTIVE, v1::ENDORSEMENT_STATUS_LAPSED,
    v1::ENDORSEMENT_STATUS_SUSPENDED, v1::ENDORSEMENT_STATUS_REVOKED,
    v1::ENDORSEMENT_STATUS_RETIRED};
constexpr const char* kCategories[] = {"IFS", "IFRS", "IMHM-C"};

absl::CivilDay RandomDay(std::mt19937& random, absl::CivilDay first,
                         absl::CivilDay last) {
  return first + std::uniform_int_distribution<int>(
                     0, static_cast<int>(last - first))(random);
}

// Up to three endorsements for each of `people` people, each granted on a
// random day with a random history of allowed transitions, and a random
// membership year.
v1::ImportEndorsementsRequest RandomRegistry(std::mt19937& random, int people,
                                             absl::CivilDay today) {
  v1::ImportEndorsementsRequest import;
  int number = 0;
  for (int p = 1; p <= people; ++p) {
    const int endorsements = std::uniform_int_distribution<int>(1, 3)(random);
    const int paid_through =
        std::uniform_int_distribution<int>(2018, 2029)(random);
    for (int e = 0; e < endorsements; ++e) {
      v1::RegistryRecord& record = *import.add_records();
      const char* category = kCategories[std::uniform_int_distribution<int>(
          0, std::size(kCategories) - 1)(random)];
      record.mutable_person()->set_person_id(absl::StrFormat("P-%07d", p));
      record.mutable_person()->set_display_name(absl::StrCat("Person ", p));
      record.mutable_person()->set_county("Fairfax");
      record.mutable_person()->set_membership_paid_through_year(paid_through);
      v1::Endorsement& endorsement = *record.mutable_endorsement();
      endorsement.set_endorsement_number(
          absl::StrFormat("VA-%s-%07d", category, ++number));
      endorsement.set_category(category);
      absl::CivilDay day =
          RandomDay(random, absl::CivilDay(2015, 1, 1), today - 400);
      *endorsement.mutable_granted_on() = ToProtoDate(day);
      if (random() % 4 == 0) continue;  // no history: ACTIVE since granted
      v1::EndorsementStatus status = v1::ENDORSEMENT_STATUS_ACTIVE;
      v1::StatusChange* grant = endorsement.add_history();
      grant->set_status(status);
      *grant->mutable_effective_on() = ToProtoDate(day);
      const int steps = std::uniform_int_distribution<int>(0, 4)(random);
      for (int s = 0; s < steps; ++s) {
        std::vector<v1::EndorsementStatus> next;
        for (v1::EndorsementStatus to : kStatuses) {
          if (IsAllowedTransition(status, to)) next.push_back(to);
        }
        if (next.empty()) break;
        status = next[random() % next.size()];
        // Sometimes on the same day as the step before.
        day = random() % 5 == 0 ? day : RandomDay(random, day, today);
        v1::StatusChange* change = endorsement.add_history();
        change->set_status(status);
        *change->mutable_effective_on() = ToProtoDate(day);
      }
    }
  }
  return import;
}

class VerifySpanTest : public ::testing::TestWithParam<sql::Engine> {};

TEST_P(VerifySpanTest, SpanAnswerEqualsEveryDaysOwnAnswer) {
  TempDir dir;
  StoreOptions options;
  options.path = DatabaseFor(GetParam(), dir);
  ASSERT_FALSE(options.path.empty());
  absl::StatusOr<std::unique_ptr<RegistryStore>> opened =
      RegistryStore::Open(options, &VirginiaRulebook(), nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status();
  RegistryStore& store = **opened;
  const absl::CivilDay today = TodayInVirginia();
  std::mt19937 random(20261203);
  constexpr int kPeople = 40;
  ASSERT_TRUE(store
                  .ImportEndorsements(RandomRegistry(random, kPeople, today),
                                      {}, {"registrar", "", ""})
                  .ok());

  const std::vector<std::vector<absl::string_view>> sets = {
      {"IFRS"}, {"IFS", "IMHM-C"}, {"IFS", "IFRS", "IMHM-C"}};
  int changes_seen = 0, answers_compared = 0;
  for (int p = 1; p <= kPeople + 1; ++p) {  // the last is in no registry
    for (const auto& set : sets) {
      VerifyQuestion span;
      span.subject = absl::StrFormat("P-%07d", p);
      span.categories = set;
      span.on = RandomDay(random, absl::CivilDay(2014, 6, 1), today);
      span.through = RandomDay(random, span.on, span.on + 1200);
      std::vector<VerifyQuestion> days;
      for (absl::CivilDay day = span.on; day <= *span.through; ++day) {
        VerifyQuestion one = span;
        one.through.reset();
        one.on = day;
        days.push_back(one);
      }
      const std::vector<v1::CredentialAnswer> spanned = store.Verify({span});
      const std::vector<v1::CredentialAnswer> each = store.Verify(days);
      ASSERT_EQ(spanned.size(), 1u);
      ASSERT_EQ(each.size(), days.size());
      const v1::CredentialAnswer& answer = spanned[0];
      ASSERT_TRUE(answer.has_through()) << answer.DebugString();
      EXPECT_EQ(ToCivilDayUnchecked(answer.through()), *span.through);
      changes_seen += answer.changes_size();
      // The answer on each day, from the span answer, against its own.
      int change = -1;
      v1::CredentialAnswer expected_on_day;
      for (size_t i = 0; i < days.size(); ++i) {
        const absl::CivilDay day = days[i].on;
        while (change + 1 < answer.changes_size() &&
               ToCivilDayUnchecked(answer.changes(change + 1).from()) <= day) {
          ++change;
        }
        v1::CredentialAnswer from_span =
            change < 0 ? answer : answer.changes(change).answer();
        from_span.clear_changes();
        from_span.clear_through();
        from_span.set_person_id(answer.person_id());
        ASSERT_EQ(from_span.SerializeAsString(), each[i].SerializeAsString())
            << span.subject << " on " << FormatDay(day) << ": span says "
            << from_span.ShortDebugString() << "; the day's question says "
            << each[i].ShortDebugString();
        ++answers_compared;
      }
      // Changes are in order, within the span, each unlike the one before.
      for (int c = 0; c < answer.changes_size(); ++c) {
        const absl::CivilDay from =
            ToCivilDayUnchecked(answer.changes(c).from());
        EXPECT_GT(from, span.on);
        EXPECT_LE(from, *span.through);
        if (c > 0) {
          EXPECT_GT(from, ToCivilDayUnchecked(answer.changes(c - 1).from()));
        }
        EXPECT_TRUE(answer.changes(c).answer().person_id().empty());
        EXPECT_EQ(answer.changes(c).answer().changes_size(), 0);
      }
    }
  }
  // The registries drawn are varied enough to test something.
  EXPECT_GT(changes_seen, 40);
  EXPECT_GT(answers_compared, 40000);
}

INSTANTIATE_TEST_SUITE_P(BothEngines, VerifySpanTest,
                         ::testing::Values(sql::Engine::kSqlite,
                                           sql::Engine::kPostgres),
                         EngineName);

}  // namespace
}  // namespace imh::registry::testing

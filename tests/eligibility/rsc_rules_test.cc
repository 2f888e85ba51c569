// R-RSC-*: hours in one window of 12-24 months, after the degree, while doing
// the qualifying work, with a provider endorsed on the session date.

#include "common/dates.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using ::testing::HasSubstr;

v1::RscSession* AddSession(v1::Portfolio& p, const std::string& provider,
                           absl::CivilDay day, double hours) {
  v1::RscSession* s = p.add_rsc_sessions();
  *s->mutable_held_on() = ToProtoDate(day);
  s->set_hours(hours);
  s->set_format(v1::RSC_FORMAT_GROUP);
  s->mutable_provider()->set_person_id(provider);
  return s;
}

// IFS with exactly the given sessions (IFRS provider), work since 2019.
v1::Portfolio IfsWithSessions(
    std::initializer_list<std::pair<absl::CivilDay, double>> sessions) {
  v1::Portfolio p = EligibleIfs();
  p.clear_rsc_sessions();
  for (const auto& [day, hours] : sessions) {
    AddSession(p, kIfrsProvider, day, hours);
  }
  return p;
}

TEST(RscHours, IfsExactlyTwentyFourHoursOverTwelveMonthsMeets_RRscHours) {
  const v1::Finding f =
      FindingOf(Decide(IfsWithSessions({{absl::CivilDay(2024, 1, 10), 12},
                                        {absl::CivilDay(2025, 1, 10), 12}}),
                       "IFS"),
                "R-RSC-HOURS");
  EXPECT_THAT(f, HasStatus(kMet));
  EXPECT_THAT(f.message(), HasSubstr("24 hours"));
  EXPECT_THAT(Cited(f, "rsc_sessions"), ::testing::ElementsAre(0, 1));
}

TEST(RscHours, IfsTwentyThreeHoursIsOneShort_RRscHours) {
  const v1::Finding f =
      FindingOf(Decide(IfsWithSessions({{absl::CivilDay(2024, 1, 10), 12},
                                        {absl::CivilDay(2025, 1, 10), 11}}),
                       "IFS"),
                "R-RSC-HOURS");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f, MissingAmount(1));
  EXPECT_THAT(f.message(),
              HasSubstr("23 of 24 hours of RS/C received between 2024-01 and "
                        "2025-01; 1 more needed"));
}

TEST(RscHours, SessionsSpanningElevenMonthsAreTooShort_RRscHours) {
  const v1::Finding f =
      FindingOf(Decide(IfsWithSessions({{absl::CivilDay(2024, 1, 10), 12},
                                        {absl::CivilDay(2024, 12, 10), 12}}),
                       "IFS"),
                "R-RSC-HOURS");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f.message(), HasSubstr("span only 11 months"));
}

TEST(RscHours, SessionsSpanningTwelveMonthsAreLongEnough_RRscHours) {
  EXPECT_THAT(
      FindingOf(Decide(IfsWithSessions({{absl::CivilDay(2024, 1, 10), 12},
                                        {absl::CivilDay(2025, 1, 10), 12}}),
                       "IFS"),
                "R-RSC-HOURS"),
      HasStatus(kMet));
}

TEST(RscHours, IfsRsc_HoursOutsideTwoYearWindowDoNotCount) {
  // 25 months apart: no window of at most 24 months holds both.
  const v1::Finding f =
      FindingOf(Decide(IfsWithSessions({{absl::CivilDay(2022, 1, 10), 12},
                                        {absl::CivilDay(2024, 2, 10), 12}}),
                       "IFS"),
                "R-RSC-HOURS");
  EXPECT_THAT(f, HasStatus(kNotMet));
}

TEST(RscHours, IfsRsc_SessionsExactlyTwentyFourMonthsApartShareAWindow) {
  EXPECT_THAT(
      FindingOf(Decide(IfsWithSessions({{absl::CivilDay(2022, 1, 10), 12},
                                        {absl::CivilDay(2024, 1, 10), 12}}),
                       "IFS"),
                "R-RSC-HOURS"),
      HasStatus(kMet));
}

TEST(RscHours, TheBestWindowIsFound_RRscHours) {
  v1::Portfolio p = EligibleIfs();
  p.clear_rsc_sessions();
  AddMonthlySessions(p, kIfrsProvider, absl::CivilDay(2019, 6, 1), 13, 1);
  AddMonthlySessions(p, kIfrsProvider, absl::CivilDay(2023, 6, 1), 13, 2);
  const v1::Finding f = FindingOf(Decide(p, "IFS"), "R-RSC-HOURS");
  EXPECT_THAT(f, HasStatus(kMet));
  EXPECT_THAT(f.message(), HasSubstr("26 hours of RS/C received between "
                                     "2023-06 and 2024-06"));
}

TEST(RscAfterDegree, SessionsBeforeTheBachelorsDoNotCount_RRscAfterDegree) {
  v1::Portfolio p = EligibleIfs();
  *p.mutable_education(0)->mutable_conferred_on() = Day(2024, 6, 1);
  const v1::CategoryDecision d = Decide(p, "IFS");
  const v1::Finding excluded = FindingOf(d, "R-RSC-AFTER-DEGREE");
  EXPECT_THAT(excluded, HasStatus(kAdvisory));
  EXPECT_THAT(Cited(excluded, "rsc_sessions"),
              ::testing::ElementsAre(0, 1, 2, 3, 4));  // January to May 2024
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kNotMet));
}

TEST(RscWork, SessionsOutsideQualifyingWorkDoNotCount_RRscWork) {
  v1::Portfolio p = EligibleIfs();
  *p.mutable_work(0)->mutable_started_on() = Day(2024, 7, 1);
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_EQ(Cited(FindingOf(d, "R-RSC-WORK"), "rsc_sessions").size(), 6u);
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kNotMet));
}

// Sessions count inside any qualifying work entry, whatever the entries'
// order, overlaps or nesting: a short job inside a longer one does not end
// the longer one. Monthly sessions from 2024-01-10: only April to June 2024
// fall outside both periods.
TEST(RscWork,
     SessionsCountInsideAnyOfSeveralNestedOrUnorderedPeriods_RRscWork) {
  v1::Portfolio p = EligibleIfs();
  p.clear_work();
  AddWork(p, v1::SERVICE_KIND_PREVENTION, Day(2024, 7, 1), nullptr);
  const google::type::Date march_end = Day(2024, 3, 31);
  AddWork(p, v1::SERVICE_KIND_PREVENTION, Day(2024, 1, 1), &march_end);
  const google::type::Date february_mid = Day(2024, 2, 15);
  AddWork(p, v1::SERVICE_KIND_EARLY_INTERVENTION, Day(2024, 1, 15),
          &february_mid);
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_THAT(Cited(FindingOf(d, "R-RSC-WORK"), "rsc_sessions"),
              ::testing::ElementsAre(3, 4, 5));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), MissingAmount(4));
}

TEST(RscPeer, PeerSupervisionNeverCounts_RRscPeer) {
  v1::Portfolio p = EligibleIfs();
  for (v1::RscSession& s : *p.mutable_rsc_sessions()) {
    s.set_format(v1::RSC_FORMAT_PEER);
  }
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_THAT(FindingOf(d, "R-RSC-PEER"), HasStatus(kAdvisory));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), MissingAmount(24));
}

TEST(RscProvider, EveryProviderEndorsedOnTheSessionDateMeets_RRscProvider) {
  EXPECT_THAT(FindingOf(Decide(EligibleIfs(), "IFS"), "R-RSC-PROVIDER"),
              HasStatus(kMet));
}

TEST(RscProvider, SessionsAfterTheProviderLapsedDoNotCount_RRscProvider) {
  v1::Portfolio p = EligibleIfs();
  for (v1::RscSession& s : *p.mutable_rsc_sessions()) {
    s.mutable_provider()->set_person_id(kLapsedProvider);
  }
  const v1::CategoryDecision d = Decide(p, "IFS");
  const v1::Finding provider = FindingOf(d, "R-RSC-PROVIDER");
  EXPECT_THAT(provider, HasStatus(kNotMet));
  EXPECT_THAT(provider.message(), HasSubstr("IFRS lapsed since 2024-06-01"));
  EXPECT_THAT(
      Cited(provider, "rsc_sessions"),
      ::testing::ElementsAre(5, 6, 7, 8, 9, 10, 11, 12));  // from June 2024
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kNotMet));
  EXPECT_THAT(d, HasOutcome(kNotEligible));
}

// Three providers taking turns (monthly sessions 2024-01..2025-01, 2 h each):
// each session is decided by its own provider's endorsement on its own day,
// never by another provider's. An IFRS holder's sessions count, an IFS
// holder's never do, and the lapsed provider's count before 2024-06-01 only.
TEST(RscProvider, EachSessionIsDecidedByItsOwnProvider_RRscProvider) {
  v1::Portfolio p = EligibleIfs();
  const char* const turns[] = {kIfrsProvider, kIfsRater, kLapsedProvider};
  for (int i = 0; i < p.rsc_sessions_size(); ++i) {
    p.mutable_rsc_sessions(i)->mutable_provider()->set_person_id(turns[i % 3]);
  }
  const v1::CategoryDecision d = Decide(p, "IFS");
  const v1::Finding provider = FindingOf(d, "R-RSC-PROVIDER");
  EXPECT_THAT(provider, HasStatus(kNotMet));
  // The IFS holder's 1, 4, 7, 10; the lapsed provider's 5, 8, 11 (June 2024
  // on), not its 2 (March 2024).
  EXPECT_THAT(Cited(provider, "rsc_sessions"),
              ::testing::ElementsAre(1, 4, 5, 7, 8, 10, 11));
  // Counted: 0, 2, 3, 6, 9, 12, 12 hours between 2024-01 and 2025-01.
  const v1::Finding hours = FindingOf(d, "R-RSC-HOURS");
  EXPECT_THAT(hours, HasStatus(kNotMet));
  EXPECT_THAT(hours, MissingAmount(12));
  EXPECT_THAT(Cited(hours, "rsc_sessions"),
              ::testing::ElementsAre(0, 2, 3, 6, 9, 12));
}

TEST(RscProvider, SessionsBeforeTheProviderWasEndorsedDoNotCount_RRscProvider) {
  v1::Portfolio p = EligibleIfs();
  for (v1::RscSession& s : *p.mutable_rsc_sessions()) {
    s.mutable_provider()->set_person_id(kLateProvider);
  }
  const v1::Finding provider = FindingOf(Decide(p, "IFS"), "R-RSC-PROVIDER");
  EXPECT_THAT(provider, HasStatus(kNotMet));
  EXPECT_THAT(provider.message(), HasSubstr("not granted until 2025-06-01"));
}

TEST(RscProvider, AnIfsProviderDoesNotQualify_RRscProvider) {
  v1::Portfolio p = EligibleIfs();
  for (v1::RscSession& s : *p.mutable_rsc_sessions()) {
    s.mutable_provider()->set_person_id(kIfsRater);
  }
  EXPECT_THAT(FindingOf(Decide(p, "IFS"), "R-RSC-PROVIDER"),
              HasStatus(kNotMet));
}

TEST(RscProvider, ImhmClinicalNeedsAnImhmClinicalProvider_RRscProvider) {
  v1::Portfolio p = EligibleImhmClinical();
  for (v1::RscSession& s : *p.mutable_rsc_sessions()) {
    s.mutable_provider()->set_person_id(kIfrsProvider);
  }
  const v1::CategoryDecision d = Decide(p, "IMHM-C");
  EXPECT_THAT(FindingOf(d, "R-RSC-PROVIDER"), HasStatus(kNotMet));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kNotMet));
}

TEST(RscProvider, RegistryDownMakesHoursUnverifiedNeverEligible_RRscProvider) {
  UnreachableRegistry down;
  const v1::CategoryDecision d = Decide(EligibleIfs(), "IFS", down);
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kUnverified));
  const v1::Finding provider = FindingOf(d, "R-RSC-PROVIDER");
  EXPECT_THAT(provider, HasStatus(kUnverified));
  EXPECT_THAT(provider.message(), HasSubstr("registry unavailable"));
  EXPECT_THAT(d, HasOutcome(kNeedsReview));
}

// A registry that answers a span question for its first day alone (one that
// does not know span questions, or a faulty one): the provider is verified on
// the first session's day only; the twelve later sessions are unverified,
// never counted as verified, so the category needs review.
class FirstDayOnlyRegistry final : public CredentialVerifier {
 public:
  std::vector<CredentialAnswer> Verify(
      const std::vector<CredentialQuestion>& questions) override {
    std::vector<CredentialAnswer> answers = TestRegistry().Verify(questions);
    for (CredentialAnswer& answer : answers) {
      answer.through.reset();
      answer.changes.clear();
    }
    return answers;
  }
};

TEST(RscProvider, DaysASpanAnswerDoesNotCoverAreUnverified_RRscProvider) {
  FirstDayOnlyRegistry first_day_only;
  const v1::CategoryDecision d = Decide(EligibleIfs(), "IFS", first_day_only);
  const v1::Finding provider = FindingOf(d, "R-RSC-PROVIDER");
  EXPECT_THAT(provider, HasStatus(kUnverified));
  EXPECT_THAT(provider.message(),
              HasSubstr("the registry's answer did not cover this day"));
  EXPECT_THAT(Cited(provider, "rsc_sessions"),
              ::testing::ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kUnverified));
  EXPECT_THAT(d, HasOutcome(kNeedsReview));
}

TEST(RscAboutProviding, TwentyEightAboutHoursMeet_RRscAboutProviding) {
  const v1::Finding f = FindingOf(Decide(EligibleImhmClinical(), "IMHM-C"),
                                  "R-RSC-ABOUT-PROVIDING");
  EXPECT_THAT(f, HasStatus(kMet));
  EXPECT_THAT(Cited(f, "rsc_sessions"),
              ::testing::ElementsAre(0, 1, 2, 3, 4, 5, 6));
}

TEST(RscAboutProviding, TwentyFourAboutHoursAreOneShort_RRscAboutProviding) {
  v1::Portfolio p = EligibleImhmClinical();
  p.mutable_rsc_sessions(6)->set_about_rsc_applicant_provides(false);
  const v1::CategoryDecision d = Decide(p, "IMHM-C");
  EXPECT_THAT(FindingOf(d, "R-RSC-ABOUT-PROVIDING"), MissingAmount(1));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kMet));
}

TEST(RscAboutProviding, ExactlyTwentyFiveAboutHoursMeet_RRscAboutProviding) {
  v1::Portfolio p = EligibleImhmClinical();
  p.mutable_rsc_sessions(6)->set_about_rsc_applicant_provides(false);
  v1::RscSession* extra =
      AddSession(p, kMentorProvider, absl::CivilDay(2025, 2, 10), 1);
  extra->set_about_rsc_applicant_provides(true);
  EXPECT_THAT(FindingOf(Decide(p, "IMHM-C"), "R-RSC-ABOUT-PROVIDING"),
              HasStatus(kMet));
}

TEST(RscWhileProviding, IfrsPartTwoMayReuseThePartOneHours_RRscWhileProviding) {
  const v1::CategoryDecision d = Decide(EligibleIfrs(), "IFRS");
  EXPECT_THAT(FindingOf(d, "R-RSC-WHILE-PROVIDING"), HasStatus(kMet));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kMet));
}

v1::Portfolio IfrsWhileProvidingOn(std::initializer_list<int> sessions) {
  v1::Portfolio p = EligibleIfrs();
  for (v1::RscSession& s : *p.mutable_rsc_sessions()) {
    s.set_while_applicant_provided_rsc(false);
  }
  for (int i : sessions) {
    p.mutable_rsc_sessions(i)->set_while_applicant_provided_rsc(true);
  }
  return p;
}

TEST(RscWhileProviding,
     ExactlyTwelveHoursOverTwelveMonthsMeet_RRscWhileProviding) {
  EXPECT_THAT(
      FindingOf(Decide(IfrsWhileProvidingOn({0, 1, 2, 3, 4, 12}), "IFRS"),
                "R-RSC-WHILE-PROVIDING"),
      HasStatus(kMet));
}

TEST(RscWhileProviding, ElevenHoursAreOneShort_RRscWhileProviding) {
  v1::Portfolio p = IfrsWhileProvidingOn({0, 1, 2, 3, 4, 12});
  p.mutable_rsc_sessions(12)->set_hours(1);
  const v1::CategoryDecision d = Decide(p, "IFRS");
  EXPECT_THAT(FindingOf(d, "R-RSC-WHILE-PROVIDING"), MissingAmount(1));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kMet));
}

TEST(RscWhileProviding, PartTwoNeedsItsOwnTwelveMonthSpan_RRscWhileProviding) {
  const v1::Finding f =
      FindingOf(Decide(IfrsWhileProvidingOn({0, 1, 2, 3, 4, 5, 6}), "IFRS"),
                "R-RSC-WHILE-PROVIDING");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f.message(), HasSubstr("span only 6 months"));
}

TEST(RscOptional, IfaWithoutRscGetsARecommendation_RRscOptional) {
  const v1::CategoryDecision d = Decide(EligibleIfa(), "IFA");
  EXPECT_THAT(FindingOf(d, "R-RSC-OPTIONAL"), HasStatus(kAdvisory));
  EXPECT_THAT(d, HasOutcome(kEligible));
}

TEST(RscOptional, IfaWithRscIsNoted_RRscOptional) {
  v1::Portfolio p = EligibleIfa();
  AddMonthlySessions(p, kIfrsProvider, absl::CivilDay(2025, 1, 1), 3, 1);
  EXPECT_THAT(FindingOf(Decide(p, "IFA"), "R-RSC-OPTIONAL"), HasStatus(kMet));
}

TEST(RscOptional, ImhmPolicyHasNoRscRequirement_RRscOptional) {
  const v1::CategoryDecision d = Decide(EligibleImhmPolicy(), "IMHM-P");
  EXPECT_FALSE(HasFinding(d, "R-RSC-HOURS"));
  EXPECT_FALSE(HasFinding(d, "R-RSC-OPTIONAL"));
}

}  // namespace
}  // namespace imh::eligibility::testing

// Boundaries of the rules whose other cases live with their groups: the day a
// condition starts or stops, and the exact threshold.

#include "common/dates.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

// IFS with one 24-hour pair of sessions, the first on `first_day`.
v1::Portfolio IfsWithTwoSessions(absl::CivilDay first_day) {
  v1::Portfolio p = EligibleIfs();
  p.clear_rsc_sessions();
  AddMonthlySessions(p, kIfrsProvider, first_day, 1, 12);
  AddMonthlySessions(p, kIfrsProvider, AddMonths(first_day, 12), 1, 12);
  return p;
}

TEST(RscAfterDegree, ASessionOnTheConferralDayCounts_RRscAfterDegree) {
  v1::Portfolio p = IfsWithTwoSessions(absl::CivilDay(2024, 5, 15));
  *p.mutable_education(0)->mutable_conferred_on() = Day(2024, 5, 15);
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_FALSE(HasFinding(d, "R-RSC-AFTER-DEGREE"));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kMet));
}

TEST(RscAfterDegree, ASessionTheDayBeforeTheConferralDoesNot_RRscAfterDegree) {
  v1::Portfolio p = IfsWithTwoSessions(absl::CivilDay(2024, 5, 14));
  *p.mutable_education(0)->mutable_conferred_on() = Day(2024, 5, 15);
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_THAT(Cited(FindingOf(d, "R-RSC-AFTER-DEGREE"), "rsc_sessions"),
              ::testing::ElementsAre(0));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kNotMet));
}

TEST(RscWork, ASessionOnTheLastDayWorkedCounts_RRscWork) {
  v1::Portfolio p = IfsWithTwoSessions(absl::CivilDay(2024, 1, 10));
  p.mutable_work(0)->set_current(false);
  *p.mutable_work(0)->mutable_ended_on() = Day(2025, 1, 10);
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_FALSE(HasFinding(d, "R-RSC-WORK"));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kMet));
}

TEST(RscWork, ASessionTheDayAfterTheWorkEndedDoesNot_RRscWork) {
  v1::Portfolio p = IfsWithTwoSessions(absl::CivilDay(2024, 1, 10));
  p.mutable_work(0)->set_current(false);
  *p.mutable_work(0)->mutable_ended_on() = Day(2025, 1, 9);
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_THAT(Cited(FindingOf(d, "R-RSC-WORK"), "rsc_sessions"),
              ::testing::ElementsAre(1));
}

TEST(RscWork, SessionsWhileServingOlderChildrenDoNotCount_RRscWork) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_work(0)->set_population_served(v1::POPULATION_FOCUS_AGES_3_TO_6);
  const v1::CategoryDecision d = Decide(p, "IFS");
  const v1::Finding excluded = FindingOf(d, "R-RSC-WORK");
  EXPECT_EQ(Cited(excluded, "rsc_sessions").size(), 13u);
  EXPECT_THAT(excluded.message(), ::testing::HasSubstr("BIRTH_TO_36_MONTHS"));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kNotMet));
}

TEST(RscPeer, PeerSessionsAreLeftOutAndTheRestStillCount_RRscPeer) {
  v1::Portfolio p = EligibleIfs();
  AddMonthlySessions(p, kIfrsProvider, absl::CivilDay(2024, 2, 20), 2, 1);
  p.mutable_rsc_sessions(13)->set_format(v1::RSC_FORMAT_PEER);
  p.mutable_rsc_sessions(14)->set_format(v1::RSC_FORMAT_PEER);
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_THAT(Cited(FindingOf(d, "R-RSC-PEER"), "rsc_sessions"),
              ::testing::ElementsAre(13, 14));
  EXPECT_THAT(FindingOf(d, "R-RSC-HOURS"), HasStatus(kMet));
  EXPECT_FALSE(HasFinding(Decide(EligibleIfs(), "IFS"), "R-RSC-PEER"));
}

TEST(WrkPartTime, AFullTimeWeekIsNotPartTime_RWrkPartTime) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_work(0)->set_hours_per_week(35);
  EXPECT_FALSE(HasFinding(Decide(p, "IFS"), "R-WRK-PART-TIME"));
  p.mutable_work(0)->set_hours_per_week(40);
  EXPECT_FALSE(HasFinding(Decide(p, "IFS"), "R-WRK-PART-TIME"));
}

TEST(WrkPartTime, AWeekJustUnderFullTimeIsFlaggedForTheReviewer_RWrkPartTime) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_work(0)->set_hours_per_week(34.5);
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_THAT(FindingOf(d, "R-WRK-PART-TIME"), HasStatus(kAdvisory));
  EXPECT_THAT(d, HasOutcome(kEligible));
}

TEST(RefFamiliar, EveryRaterAttestingMeets_RRefFamiliar) {
  EXPECT_THAT(FindingOf(Decide(EligibleIfs(), "IFS"), "R-REF-FAMILIAR"),
              HasStatus(kMet));
}

TEST(LdrActivity, OneRegionalActivityMeets_RLdrActivity) {
  v1::Portfolio p = EligibleImhmPolicy();
  p.mutable_leadership(0)->set_level(v1::LEADERSHIP_LEVEL_REGIONAL);
  EXPECT_THAT(FindingOf(Decide(p, "IMHM-P"), "R-LDR-ACTIVITY"),
              HasStatus(kMet));
}

TEST(LdrActivity, NationalOrLocalActivityIsNotRegionalOrState_RLdrActivity) {
  for (const auto level :
       {v1::LEADERSHIP_LEVEL_LOCAL, v1::LEADERSHIP_LEVEL_NATIONAL}) {
    v1::Portfolio p = EligibleImhmPolicy();
    p.mutable_leadership(0)->set_level(level);
    EXPECT_THAT(FindingOf(Decide(p, "IMHM-P"), "R-LDR-ACTIVITY"),
                HasStatus(kNotMet));
  }
}

}  // namespace
}  // namespace imh::eligibility::testing

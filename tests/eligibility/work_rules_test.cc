// R-WRK-*: merged, post-degree, pro-rated work time; families; IFA's
// education-or-work alternative and the volunteer rule.

#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using ::testing::HasSubstr;

// IFS whose only work entry runs from `start` to `end` (inclusive).
v1::Portfolio IfsWorking(google::type::Date start, google::type::Date end) {
  v1::Portfolio p = EligibleIfs();
  p.clear_work();
  AddWork(p, v1::SERVICE_KIND_PREVENTION, start, &end);
  return p;
}

v1::Finding WorkFinding(const v1::Portfolio& p, const std::string& category,
                        const std::string& rule = "R-WRK-DURATION") {
  return FindingOf(Decide(p, category), rule);
}

TEST(WrkDuration, TwentyFourCalendarMonthsMeet_RWrkDuration) {
  const v1::Finding f =
      WorkFinding(IfsWorking(Day(2022, 1, 1), Day(2023, 12, 31)), "IFS");
  EXPECT_THAT(f, HasStatus(kMet));
  EXPECT_THAT(f.message(), HasSubstr("24 months"));
}

TEST(WrkDuration, TwentyThreeMonthsAreOneShort_RWrkDuration) {
  const v1::Finding f =
      WorkFinding(IfsWorking(Day(2022, 1, 1), Day(2023, 11, 30)), "IFS");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f, MissingAmount(1));
  EXPECT_EQ(f.shortfall().unit(), "months");
}

TEST(WrkDuration, TwoOverlappingJobsAreCountedOnce_RWrkDuration) {
  v1::Portfolio p = IfsWorking(Day(2022, 1, 1), Day(2022, 12, 31));
  const google::type::Date end = Day(2023, 6, 30);
  AddWork(p, v1::SERVICE_KIND_EARLY_INTERVENTION, Day(2022, 7, 1), &end);
  const v1::Finding f = WorkFinding(p, "IFS");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f, MissingAmount(6));  // 18 merged months, not 24
  EXPECT_THAT(Cited(f, "work"), ::testing::ElementsAre(0, 1));
}

TEST(WrkDuration, OnlyTimeAfterTheDegreeCounts_RWrkDuration) {
  v1::Portfolio p = IfsWorking(Day(2020, 1, 1), Day(2023, 12, 31));
  *p.mutable_education(0)->mutable_conferred_on() = Day(2022, 7, 1);
  const v1::Finding f = WorkFinding(p, "IFS");
  EXPECT_THAT(f, MissingAmount(6));  // July 2022 to December 2023
  EXPECT_THAT(
      f.message(),
      HasSubstr(
          "after 2022-07-01 (the first conferral of a bachelor's degree"));
}

TEST(WrkDuration, WithoutTheDegreeNoPostDegreeWorkCounts_RWrkDuration) {
  v1::Portfolio p = EligibleIfs();
  p.clear_education();
  const v1::Finding f = WorkFinding(p, "IFS");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f.message(),
              HasSubstr("No bachelor's degree, master's degree or doctorate"));
}

TEST(WrkDuration, HalfTimeCountsProRata_RWrkDuration) {
  v1::Portfolio p = IfsWorking(Day(2019, 1, 1), Day(2022, 12, 31));
  p.mutable_work(0)->set_hours_per_week(17.5);  // half of 35
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_THAT(FindingOf(d, "R-WRK-DURATION"), HasStatus(kMet));  // 48 / 2
  EXPECT_THAT(FindingOf(d, "R-WRK-PART-TIME"), HasStatus(kAdvisory));
  p.mutable_work(0)->set_hours_per_week(17);
  EXPECT_THAT(WorkFinding(p, "IFS"), HasStatus(kNotMet));
}

TEST(WrkDuration, TwoHalfTimeJobsAtOnceMakeFullTime_RWrkDuration) {
  v1::Portfolio p = IfsWorking(Day(2022, 1, 1), Day(2023, 12, 31));
  p.mutable_work(0)->set_hours_per_week(17.5);
  const google::type::Date end = Day(2023, 12, 31);
  AddWork(p, v1::SERVICE_KIND_EARLY_INTERVENTION, Day(2022, 1, 1), &end)
      ->set_hours_per_week(17.5);
  EXPECT_THAT(WorkFinding(p, "IFS"), HasStatus(kMet));
}

TEST(WrkDuration, UnpaidWorkDoesNotCountForIfs_RWrkDuration) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_work(0)->set_paid(false);
  EXPECT_THAT(WorkFinding(p, "IFS"), HasStatus(kNotMet));
}

TEST(WrkDuration, WorkWithOlderChildrenDoesNotCount_RWrkDuration) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_work(0)->set_population_served(v1::POPULATION_FOCUS_AGES_3_TO_6);
  EXPECT_THAT(WorkFinding(p, "IFS"), HasStatus(kNotMet));
}

TEST(WrkDuration, ImhsWorkMustBeSupervisedAndWithParents_RWrkDuration) {
  v1::Portfolio unsupervised = EligibleImhs();
  unsupervised.mutable_work(0)->set_supervised(false);
  EXPECT_THAT(WorkFinding(unsupervised, "IMHS"), HasStatus(kNotMet));
  v1::Portfolio without_parents = EligibleImhs();
  without_parents.mutable_work(0)->set_with_parents_or_caregivers(false);
  EXPECT_THAT(WorkFinding(without_parents, "IMHS"), HasStatus(kNotMet));
}

TEST(WrkFamilies, TenFamiliesMeetNineDoNot_RWrkFamilies) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_work(0)->set_families_served(10);
  EXPECT_THAT(WorkFinding(p, "IFS", "R-WRK-FAMILIES"), HasStatus(kMet));
  p.mutable_work(0)->set_families_served(9);
  const v1::Finding f = WorkFinding(p, "IFS", "R-WRK-FAMILIES");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f, MissingAmount(1));
}

TEST(WrkFamilies, ImhmClinicalCountsStaffSupervised_RWrkFamilies) {
  v1::Portfolio p = EligibleImhmClinical();
  p.mutable_work(0)->set_families_served(4);
  p.mutable_work(0)->set_staff_supervised(6);
  EXPECT_THAT(WorkFinding(p, "IMHM-C", "R-WRK-FAMILIES"), HasStatus(kMet));
  v1::Portfolio ifs = EligibleIfs();
  ifs.mutable_work(0)->set_families_served(4);
  ifs.mutable_work(0)->set_staff_supervised(6);
  EXPECT_THAT(WorkFinding(ifs, "IFS", "R-WRK-FAMILIES"), HasStatus(kNotMet));
}

TEST(WrkRscProvision, ThirtySixMonthsPostMastersMeet_RWrkRscProvision) {
  v1::Portfolio p = EligibleImhmClinical();
  *p.mutable_work(1)->mutable_started_on() = Day(2023, 1, 1);
  p.mutable_work(1)->set_current(false);
  *p.mutable_work(1)->mutable_ended_on() = Day(2025, 12, 31);
  EXPECT_THAT(WorkFinding(p, "IMHM-C", "R-WRK-RSC-PROVISION"), HasStatus(kMet));
  *p.mutable_work(1)->mutable_ended_on() = Day(2025, 11, 30);
  EXPECT_THAT(WorkFinding(p, "IMHM-C", "R-WRK-RSC-PROVISION"),
              MissingAmount(1));
}

TEST(WrkLeadership,
     ImhmPolicyNeedsThreeYearsOfPolicyLeadership_RWrkLeadership) {
  v1::Portfolio p = EligibleImhmPolicy();
  *p.mutable_work(0)->mutable_started_on() = Day(2023, 11, 23);
  EXPECT_THAT(WorkFinding(p, "IMHM-P", "R-WRK-LEADERSHIP"), HasStatus(kMet));
  *p.mutable_work(0)->mutable_started_on() = Day(2024, 1, 1);
  EXPECT_THAT(WorkFinding(p, "IMHM-P", "R-WRK-LEADERSHIP"), HasStatus(kNotMet));
}

TEST(WrkLeadership, ImhmResearchFacultyCountsTeachingNotPolicy_RWrkLeadership) {
  v1::Portfolio p = EligibleImhmResearchFaculty();
  p.mutable_work(0)->set_service_kind(v1::SERVICE_KIND_POLICY_ADMINISTRATION);
  EXPECT_THAT(WorkFinding(p, "IMHM-RF", "R-WRK-LEADERSHIP"),
              HasStatus(kNotMet));
}

TEST(WrkVolunteer,
     SupervisedVolunteerWorkWithFamiliesAndTrainingCounts_RWrkVolunteer) {
  v1::Portfolio p = EligibleIfa();
  p.mutable_work(0)->set_paid(false);
  p.mutable_work(0)->set_included_specialized_training(true);
  const v1::CategoryDecision d = Decide(p, "IFA");
  EXPECT_THAT(FindingOf(d, "R-WRK-VOLUNTEER"), HasStatus(kMet));
  EXPECT_THAT(FindingOf(d, "R-WRK-DURATION"), HasStatus(kMet));
}

TEST(WrkVolunteer, VolunteerWorkWithoutTrainingDoesNotCount_RWrkVolunteer) {
  v1::Portfolio p = EligibleIfa();
  p.mutable_work(0)->set_paid(false);
  p.mutable_work(0)->set_included_specialized_training(false);
  const v1::CategoryDecision d = Decide(p, "IFA");
  EXPECT_THAT(FindingOf(d, "R-WRK-VOLUNTEER"), HasStatus(kAdvisory));
  EXPECT_THAT(FindingOf(d, "R-WRK-ALTERNATIVE"), HasStatus(kNotMet));
  EXPECT_THAT(d, HasOutcome(kNotEligible));
}

TEST(WrkAlternative, IfaWithACdaNeedsNoWorkExperience_RWrkAlternative) {
  v1::Portfolio p = EligibleIfa();
  p.clear_work();
  *p.mutable_cda()->mutable_awarded_on() = Day(2024, 5, 1);
  const v1::CategoryDecision d = Decide(p, "IFA");
  EXPECT_THAT(FindingOf(d, "R-WRK-ALTERNATIVE"), HasStatus(kMet));
  EXPECT_THAT(FindingOf(d, "R-WRK-DURATION"), HasStatus(kAdvisory));
  EXPECT_THAT(d, HasOutcome(kEligible));
}

TEST(WrkAlternative,
     IfaWithAnAssociatesDegreeNeedsNoWorkExperience_RWrkAlternative) {
  v1::Portfolio p = EligibleIfa();
  p.clear_work();
  AddDegree(p, v1::DEGREE_LEVEL_ASSOCIATE, "AA", Day(2023, 5, 1));
  EXPECT_THAT(Decide(p, "IFA"), HasOutcome(kEligible));
}

TEST(WrkAlternative,
     IfaWithNeitherWorkNorAlternativeIsNotEligible_RWrkAlternative) {
  v1::Portfolio p = EligibleIfa();
  p.clear_work();
  const v1::CategoryDecision d = Decide(p, "IFA");
  EXPECT_THAT(FindingOf(d, "R-WRK-ALTERNATIVE"), HasStatus(kNotMet));
  EXPECT_THAT(FindingOf(d, "R-WRK-DURATION"), HasStatus(kNotMet));
}

TEST(WrkAlternative, IfaWithEnoughWorkNeedsNoAlternative_RWrkAlternative) {
  EXPECT_FALSE(HasFinding(Decide(EligibleIfa(), "IFA"), "R-WRK-ALTERNATIVE"));
}

}  // namespace
}  // namespace imh::eligibility::testing

// R-TRN-*.

#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using ::testing::HasSubstr;

v1::Portfolio IfsWithTrainingHours(double hours) {
  v1::Portfolio p = EligibleIfs();
  p.clear_trainings();
  AddTraining(p, hours, v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL);
  return p;
}

TEST(TrnHours, ExactlyThirtyHoursMeets_RTrnHours) {
  EXPECT_THAT(FindingOf(Decide(IfsWithTrainingHours(30), "IFS"), "R-TRN-HOURS"),
              HasStatus(kMet));
}

TEST(TrnHours, TwentyNineAndAHalfHoursFallsShortByHalfAnHour_RTrnHours) {
  const v1::Finding f =
      FindingOf(Decide(IfsWithTrainingHours(29.5), "IFS"), "R-TRN-HOURS");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f, MissingAmount(0.5));
  EXPECT_EQ(f.shortfall().unit(), "hours");
  EXPECT_THAT(f.message(), HasSubstr("29.5 of 30"));
}

TEST(TrnHours, IfrsNeedsFortyEightHours_RTrnHours) {
  v1::Portfolio p = EligibleIfrs();
  p.mutable_trainings(0)->set_clock_hours(29);
  EXPECT_THAT(FindingOf(Decide(p, "IFRS"), "R-TRN-HOURS"), MissingAmount(1));
}

TEST(TrnTypical, BelowTypicalHoursIsAdvisoryOnly_RTrnTypical) {
  const v1::CategoryDecision d = Decide(IfsWithTrainingHours(30), "IFS");
  const v1::Finding f = FindingOf(d, "R-TRN-TYPICAL");
  EXPECT_THAT(f, HasStatus(kAdvisory));
  EXPECT_THAT(f.message(), HasSubstr("60"));
  EXPECT_THAT(d, HasOutcome(kEligible));
}

TEST(TrnTypical, AtTypicalHoursNoAdvisory_RTrnTypical) {
  EXPECT_FALSE(
      HasFinding(Decide(IfsWithTrainingHours(60), "IFS"), "R-TRN-TYPICAL"));
}

TEST(TrnTypical, CompetencyCourseworkWaivesTheTypicalFigure_RTrnTypical) {
  v1::Portfolio p = IfsWithTrainingHours(30);
  p.mutable_trainings(0)->set_competency_guidelines_coursework(true);
  EXPECT_FALSE(HasFinding(Decide(p, "IFS"), "R-TRN-TYPICAL"));
}

TEST(TrnBuckets, IfrsThirtyFifteenThreeMeet_RTrnBuckets) {
  const auto buckets =
      FindingsOf(Decide(EligibleIfrs(), "IFRS"), "R-TRN-BUCKETS");
  ASSERT_EQ(buckets.size(), 3u);
  for (const auto& f : buckets) EXPECT_THAT(f, HasStatus(kMet));
}

TEST(TrnBuckets, TwoHoursOfDiversityTrainingIsOneShort_RTrnBuckets) {
  v1::Portfolio p = EligibleIfrs();
  p.mutable_trainings(2)->set_clock_hours(2);
  p.mutable_trainings(0)->set_clock_hours(31);  // total stays 48
  const v1::CategoryDecision d = Decide(p, "IFRS");
  EXPECT_THAT(FindingOf(d, "R-TRN-HOURS"), HasStatus(kMet));
  const auto buckets = FindingsOf(d, "R-TRN-BUCKETS");
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_THAT(buckets[2], HasStatus(kNotMet));
  EXPECT_THAT(buckets[2], MissingAmount(1));
  EXPECT_THAT(buckets[2].message(),
              HasSubstr("diversity, equity and inclusion"));
}

TEST(TrnBuckets, AnHourCountsTowardItsOwnTopicOnly_RTrnBuckets) {
  v1::Portfolio p = EligibleIfrs();
  // 30 RS/C-provision hours do not fill the social-emotional bucket.
  p.mutable_trainings(0)->set_topic(v1::TRAINING_TOPIC_RSC_PROVISION);
  const auto buckets = FindingsOf(Decide(p, "IFRS"), "R-TRN-BUCKETS");
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_THAT(buckets[0], MissingAmount(30));
  EXPECT_THAT(buckets[1], HasStatus(kMet));
}

TEST(TrnDidacticRsc, FifteenDidacticHoursMeetImhmClinical_RTrnDidacticRsc) {
  v1::Portfolio p = EligibleImhmClinical();
  p.mutable_trainings(1)->set_clock_hours(15);
  p.mutable_trainings(0)->set_clock_hours(65);
  EXPECT_THAT(FindingOf(Decide(p, "IMHM-C"), "R-TRN-DIDACTIC-RSC"),
              HasStatus(kMet));
}

TEST(TrnDidacticRsc, NonDidacticRscTrainingDoesNotCount_RTrnDidacticRsc) {
  v1::Portfolio p = EligibleImhmClinical();
  p.mutable_trainings(1)->set_didactic(false);
  const v1::Finding f = FindingOf(Decide(p, "IMHM-C"), "R-TRN-DIDACTIC-RSC");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f, MissingAmount(15));
}

TEST(TrnUnrelatedField,
     UnrelatedFieldRaisesAnAdvisoryForImhm_RTrnUnrelatedField) {
  v1::Portfolio p = EligibleImhmPolicy();
  p.mutable_education(0)->set_field("Accounting");
  p.mutable_education(0)->set_field_related_to_early_childhood(false);
  const v1::CategoryDecision d = Decide(p, "IMHM-P");
  EXPECT_THAT(FindingOf(d, "R-TRN-UNRELATED-FIELD"), HasStatus(kAdvisory));
  EXPECT_THAT(d, HasOutcome(kEligible));
  EXPECT_FALSE(HasFinding(Decide(EligibleImhmPolicy(), "IMHM-P"),
                          "R-TRN-UNRELATED-FIELD"));
}

}  // namespace
}  // namespace imh::eligibility::testing

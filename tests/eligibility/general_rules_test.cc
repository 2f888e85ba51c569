// R-GEN-*, R-MEM, R-ETH, R-EXM, R-EDU-*.

#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using ::testing::HasSubstr;

TEST(GenResidence, VirginiaResidentMeets_RGenResidence) {
  EXPECT_THAT(FindingOf(Decide(EligibleIfs(), "IFS"), "R-GEN-RESIDENCE"),
              HasStatus(kMet));
}

TEST(GenResidence, OutOfStateResidentIsNotEligible_RGenResidence) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_applicant()->set_residence_state("MD");
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_THAT(FindingOf(d, "R-GEN-RESIDENCE"), HasStatus(kNotMet));
  EXPECT_THAT(d, HasOutcome(kNotEligible));
}

TEST(GenPopulation, AgesThreeToSixIsNotCoveredByImhE_RGenPopulation) {
  v1::Portfolio p = EligibleIfa();
  p.mutable_applicant()->set_population_focus(v1::POPULATION_FOCUS_AGES_3_TO_6);
  EXPECT_THAT(FindingOf(Decide(p, "IFA"), "R-GEN-POPULATION"),
              HasStatus(kNotMet));
  EXPECT_THAT(FindingOf(Decide(EligibleIfa(), "IFA"), "R-GEN-POPULATION"),
              HasStatus(kMet));
}

TEST(Membership, PaidThroughTheAsOfYearMeets_RMem) {
  EXPECT_THAT(FindingOf(Decide(EligibleIfa(), "IFA"), "R-MEM"),
              HasStatus(kMet));
}

TEST(Membership, PaidThroughLastYearOnlyIsNotCurrent_RMem) {
  v1::Portfolio p = EligibleIfa();
  p.mutable_membership()->set_paid_through_year(2025);
  const v1::Finding f = FindingOf(Decide(p, "IFA"), "R-MEM");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f.message(), HasSubstr("2026 is not paid"));
}

TEST(Ethics, BothDocumentsSignedMeet_REth) {
  EXPECT_THAT(FindingOf(Decide(EligibleIfs(), "IFS"), "R-ETH"),
              HasStatus(kMet));
}

TEST(Ethics, UnsignedAgreementIsNotMet_REth) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_ethics()->clear_endorsement_agreement_signed_on();
  const v1::Finding f = FindingOf(Decide(p, "IFS"), "R-ETH");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f.message(), HasSubstr("Endorsement Agreement not signed"));
}

TEST(Exam, RequiredForImhsAndNotPassedIsNotMet_RExm) {
  v1::Portfolio p = EligibleImhs();
  p.mutable_exam()->set_passed(false);
  p.mutable_exam()->clear_taken_on();
  EXPECT_THAT(FindingOf(Decide(p, "IMHS"), "R-EXM"), HasStatus(kNotMet));
  EXPECT_THAT(FindingOf(Decide(EligibleImhs(), "IMHS"), "R-EXM"),
              HasStatus(kMet));
}

TEST(Exam, NotRequiredForIfaIfsIfrs_RExm) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_exam()->set_passed(false);
  p.mutable_exam()->clear_taken_on();
  const v1::CategoryDecision d = Decide(p, "IFS");
  EXPECT_FALSE(HasFinding(d, "R-EXM"));
  EXPECT_THAT(d, HasOutcome(kEligible));
}

TEST(EduDegree, BachelorsQualifiesForIfs_REduDegree) {
  EXPECT_THAT(FindingOf(Decide(EligibleIfs(), "IFS"), "R-EDU-DEGREE"),
              HasStatus(kMet));
}

TEST(EduDegree, AssociatesDoesNotQualifyForIfs_REduDegree) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_education(0)->set_level(v1::DEGREE_LEVEL_ASSOCIATE);
  EXPECT_THAT(FindingOf(Decide(p, "IFS"), "R-EDU-DEGREE"), HasStatus(kNotMet));
}

TEST(EduDegree, ImhsBoundaryBachelorsFailsMastersMeets_REduDegree) {
  v1::Portfolio p = EligibleImhs();
  p.mutable_education(0)->set_level(v1::DEGREE_LEVEL_BACHELOR);
  EXPECT_THAT(FindingOf(Decide(p, "IMHS"), "R-EDU-DEGREE"), HasStatus(kNotMet));
  EXPECT_THAT(FindingOf(Decide(EligibleImhs(), "IMHS"), "R-EDU-DEGREE"),
              HasStatus(kMet));
}

TEST(EduDegree, ImhmAcceptsUniversityCertificate_REduDegree) {
  v1::Portfolio p = EligibleImhmPolicy();
  p.mutable_education(0)->set_level(v1::DEGREE_LEVEL_UNIVERSITY_CERTIFICATE);
  p.mutable_education(0)->set_degree("Certificate");
  EXPECT_THAT(FindingOf(Decide(p, "IMHM-P"), "R-EDU-DEGREE"), HasStatus(kMet));
}

TEST(EduDegree, NoDegreeNeededForIfa_REduDegree) {
  EXPECT_FALSE(HasFinding(Decide(EligibleIfa(), "IFA"), "R-EDU-DEGREE"));
}

TEST(EduTranscript, MissingOfficialTranscriptFailsImhs_REduTranscript) {
  v1::Portfolio p = EligibleImhs();
  p.mutable_education(0)->set_official_transcript_received(false);
  const v1::CategoryDecision d = Decide(p, "IMHS");
  EXPECT_THAT(FindingOf(d, "R-EDU-TRANSCRIPT"), HasStatus(kNotMet));
  EXPECT_THAT(FindingOf(d, "R-EDU-DEGREE"), HasStatus(kMet));
}

TEST(EduTranscript, IfsNeedsNoTranscript_REduTranscript) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_education(0)->set_official_transcript_received(false);
  EXPECT_FALSE(HasFinding(Decide(p, "IFS"), "R-EDU-TRANSCRIPT"));
}

TEST(EduTranscript, PrefersTheDegreeWithATranscript_REduTranscript) {
  v1::Portfolio p = EligibleImhs();
  p.mutable_education(0)->set_official_transcript_received(false);
  AddDegree(p, v1::DEGREE_LEVEL_MASTER, "MEd", Day(2019, 5, 1), true);
  EXPECT_THAT(FindingOf(Decide(p, "IMHS"), "R-EDU-TRANSCRIPT"),
              HasStatus(kMet));
}

TEST(EduListed, UnlistedDegreeIsAnAdvisoryNotAFailure_REduListed) {
  v1::Portfolio p = EligibleImhs();
  p.mutable_education(0)->set_degree("MFT");
  const v1::CategoryDecision d = Decide(p, "IMHS");
  EXPECT_THAT(FindingOf(d, "R-EDU-LISTED"), HasStatus(kAdvisory));
  EXPECT_THAT(d, HasOutcome(kEligible));
}

TEST(EduListed, ListedDegreeMatchesIgnoringCaseAndDots_REduListed) {
  v1::Portfolio p = EligibleImhs();
  p.mutable_education(0)->set_degree("M.Ed.");
  EXPECT_FALSE(HasFinding(Decide(p, "IMHS"), "R-EDU-LISTED"));
}

}  // namespace
}  // namespace imh::eligibility::testing

// R-LDR-* and R-REF-*.

#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using ::testing::HasSubstr;

v1::Portfolio IfrsLeading(google::type::Date start, google::type::Date end) {
  v1::Portfolio p = EligibleIfrs();
  p.clear_leadership();
  AddLeadership(p, v1::LEADERSHIP_LEVEL_REGIONAL, start, &end);
  return p;
}

TEST(LdrDuration, TwelveMonthsMeetElevenDoNot_RLdrDuration) {
  EXPECT_THAT(
      FindingOf(Decide(IfrsLeading(Day(2024, 1, 1), Day(2024, 12, 31)), "IFRS"),
                "R-LDR-DURATION"),
      HasStatus(kMet));
  EXPECT_THAT(
      FindingOf(Decide(IfrsLeading(Day(2024, 1, 1), Day(2024, 11, 30)), "IFRS"),
                "R-LDR-DURATION"),
      MissingAmount(1));
}

TEST(LdrDuration, LocalLeadershipDoesNotCount_RLdrDuration) {
  v1::Portfolio p = EligibleIfrs();
  p.mutable_leadership(0)->set_level(v1::LEADERSHIP_LEVEL_LOCAL);
  EXPECT_THAT(FindingOf(Decide(p, "IFRS"), "R-LDR-DURATION"),
              HasStatus(kNotMet));
}

TEST(LdrDuration, IfrsLeadershipMustBeInfantToddlerSpecific_RLdrDuration) {
  v1::Portfolio p = EligibleIfrs();
  p.mutable_leadership(0)->set_infant_toddler_specific(false);
  EXPECT_THAT(FindingOf(Decide(p, "IFRS"), "R-LDR-DURATION"),
              HasStatus(kNotMet));
}

TEST(LdrActivity, ImhmWithoutLeadershipIsNotEligible_RLdrActivity) {
  v1::Portfolio p = EligibleImhmPolicy();
  p.clear_leadership();
  const v1::CategoryDecision d = Decide(p, "IMHM-P");
  EXPECT_THAT(FindingOf(d, "R-LDR-ACTIVITY"), HasStatus(kNotMet));
  EXPECT_THAT(FindingOf(d, "R-LDR-BEYOND-PAID"), HasStatus(kNotMet));
}

TEST(LdrBeyondPaid, LeadershipOnlyWithinPaidWorkIsNotEnough_RLdrBeyondPaid) {
  v1::Portfolio p = EligibleImhmResearchFaculty();
  p.mutable_leadership(0)->set_in_addition_to_paid_work(false);
  const v1::CategoryDecision d = Decide(p, "IMHM-RF");
  EXPECT_THAT(FindingOf(d, "R-LDR-ACTIVITY"), HasStatus(kMet));
  EXPECT_THAT(FindingOf(d, "R-LDR-BEYOND-PAID"), HasStatus(kNotMet));
}

TEST(LdrDuration, IfsHasNoLeadershipRequirement_RLdrDuration) {
  const v1::CategoryDecision d = Decide(EligibleIfs(), "IFS");
  EXPECT_FALSE(HasFinding(d, "R-LDR-DURATION"));
  EXPECT_FALSE(HasFinding(d, "R-LDR-ACTIVITY"));
}

TEST(RefCount, ExactlyThreeRatingsAreRequired_RRefCount) {
  EXPECT_THAT(FindingOf(Decide(EligibleIfs(), "IFS"), "R-REF-COUNT"),
              HasStatus(kMet));
  v1::Portfolio two = EligibleIfs();
  two.mutable_references()->RemoveLast();
  EXPECT_THAT(FindingOf(Decide(two, "IFS"), "R-REF-COUNT"), MissingAmount(1));
  v1::Portfolio four = EligibleIfs();
  AddReference(four, v1::REFERENCE_ROLE_TRAINER, "Tara Trainer");
  EXPECT_THAT(FindingOf(Decide(four, "IFS"), "R-REF-COUNT"),
              HasStatus(kNotMet));
}

// Found by the portfolio fuzzer: a portfolio without ratings once indexed an
// empty slot table.
TEST(RefRoles, NoRatingsAtAllFillNoRoleInAnyCategory_RRefRoles) {
  const struct {
    v1::Portfolio portfolio;
    const char* category;
  } cases[] = {{EligibleIfa(), "IFA"},
               {EligibleIfs(), "IFS"},
               {EligibleIfrs(), "IFRS"},
               {EligibleImhmClinical(), "IMHM-C"},
               {EligibleImhmPolicy(), "IMHM-P"},
               {EligibleImhmResearchFaculty(), "IMHM-RF"}};
  for (const auto& c : cases) {
    v1::Portfolio none = c.portfolio;
    none.clear_references();
    const v1::CategoryDecision d = Decide(none, c.category);
    EXPECT_THAT(FindingOf(d, "R-REF-COUNT"), MissingAmount(3)) << c.category;
    EXPECT_THAT(FindingOf(d, "R-REF-ROLES"), HasStatus(kNotMet)) << c.category;
    EXPECT_NE(d.outcome(), v1::OUTCOME_ELIGIBLE) << c.category;
  }
}

TEST(RefFamiliar, EveryRaterMustAttestFamiliarity_RRefFamiliar) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_references(2)->set_familiarity_attested(false);
  const v1::Finding f = FindingOf(Decide(p, "IFS"), "R-REF-FAMILIAR");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(Cited(f, "references"), ::testing::ElementsAre(2));
}

TEST(RefEndorsed, ARaterVerifiedInTheRegistryMeets_RRefEndorsed) {
  const v1::Finding f =
      FindingOf(Decide(EligibleIfs(), "IFS"), "R-REF-ENDORSED");
  EXPECT_THAT(f, HasStatus(kMet));
  EXPECT_THAT(Cited(f, "references"), ::testing::ElementsAre(1));
}

TEST(RefEndorsed,
     AClaimWithoutARegistryIdentityIsNotTakenOnTrust_RRefEndorsed) {
  v1::Portfolio p = EligibleImhmPolicy();
  p.mutable_references(1)->mutable_rater()->clear_person_id();
  const v1::Finding f = FindingOf(Decide(p, "IMHM-P"), "R-REF-ENDORSED");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f, MissingAmount(1));
}

TEST(RefEndorsed, ALapsedRaterDoesNotCount_RRefEndorsed) {
  v1::Portfolio p = EligibleImhmPolicy();
  p.mutable_references(1)->mutable_rater()->set_person_id(kLapsedProvider);
  EXPECT_THAT(FindingOf(Decide(p, "IMHM-P"), "R-REF-ENDORSED"),
              HasStatus(kNotMet));
}

TEST(RefEndorsed, RegistryDownIsUnverifiedNeverEligible_RRefEndorsed) {
  UnreachableRegistry down;
  const v1::CategoryDecision d = Decide(EligibleImhmPolicy(), "IMHM-P", down);
  EXPECT_THAT(FindingOf(d, "R-REF-ENDORSED"), HasStatus(kUnverified));
  EXPECT_THAT(d, HasOutcome(kNeedsReview));
}

TEST(RefRoles, IfsRatingsFillSupervisorProviderAndColleague_RRefRoles) {
  const v1::Finding f = FindingOf(Decide(EligibleIfs(), "IFS"), "R-REF-ROLES");
  EXPECT_THAT(f, HasStatus(kMet));
  EXPECT_THAT(Cited(f, "references"), ::testing::ElementsAre(0, 1, 2));
}

TEST(RefRoles, AParentCannotBeAnIfsThirdReference_RRefRoles) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_references(2)->set_role(
      v1::REFERENCE_ROLE_PARENT_OR_SERVICE_RECIPIENT);
  const v1::Finding f = FindingOf(Decide(p, "IFS"), "R-REF-ROLES");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(
      f.message(),
      HasSubstr("another supervisor, trainer, consultant or colleague"));
}

TEST(RefRoles, TheRsProviderReferenceMustBeTheActualProvider_RRefRoles) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_references(1)->mutable_rater()->set_person_id(kMentorProvider);
  const v1::Finding f = FindingOf(Decide(p, "IFS"), "R-REF-ROLES");
  EXPECT_THAT(f, HasStatus(kNotMet));
  EXPECT_THAT(f.message(), HasSubstr("the applicant's RS provider"));
}

TEST(RefRoles, ImhmPolicyThreeColleaguesFallbackIsMetWithAdvisory_RRefRoles) {
  v1::Portfolio p = EligibleImhmPolicy();
  p.mutable_references(0)->set_role(v1::REFERENCE_ROLE_COLLEAGUE);
  const auto roles = FindingsOf(Decide(p, "IMHM-P"), "R-REF-ROLES");
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_THAT(roles[0], HasStatus(kMet));
  EXPECT_THAT(roles[1], HasStatus(kAdvisory));
  EXPECT_THAT(roles[1].message(), HasSubstr("three colleagues"));
}

TEST(RefRoles, ImhmResearchFacultyStudentIsAlwaysRequired_RRefRoles) {
  v1::Portfolio p = EligibleImhmResearchFaculty();
  p.mutable_references(2)->set_role(v1::REFERENCE_ROLE_COLLEAGUE);
  EXPECT_THAT(FindingOf(Decide(p, "IMHM-RF"), "R-REF-ROLES"),
              HasStatus(kNotMet));
}

TEST(RefRoles, ImhmResearchFacultyTwoColleaguesAndAStudent_RRefRoles) {
  v1::Portfolio p = EligibleImhmResearchFaculty();
  p.mutable_references(0)->set_role(v1::REFERENCE_ROLE_COLLEAGUE);
  const auto roles = FindingsOf(Decide(p, "IMHM-RF"), "R-REF-ROLES");
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_THAT(roles[0], HasStatus(kMet));
  EXPECT_THAT(roles[1].message(), HasSubstr("two colleagues"));
}

TEST(RefRoles, IfaEndorsedReferenceMayHoldIfrs_RRefRoles) {
  v1::Portfolio p = EligibleIfa();
  p.mutable_references(1)->mutable_rater()->set_person_id(kIfrsProvider);
  EXPECT_THAT(FindingOf(Decide(p, "IFA"), "R-REF-ROLES"), HasStatus(kMet));
}

TEST(RefRoles, IfaEndorsedReferenceMustBeVerified_RRefRoles) {
  v1::Portfolio p = EligibleIfa();
  p.mutable_references(1)->mutable_rater()->set_person_id(kUnendorsedPerson);
  EXPECT_THAT(FindingOf(Decide(p, "IFA"), "R-REF-ROLES"), HasStatus(kNotMet));
  UnreachableRegistry down;
  EXPECT_THAT(FindingOf(Decide(EligibleIfa(), "IFA", down), "R-REF-ROLES"),
              HasStatus(kUnverified));
}

}  // namespace
}  // namespace imh::eligibility::testing

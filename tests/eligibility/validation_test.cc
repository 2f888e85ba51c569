// Input validation: every violation, with its field path.

#include "services/eligibility/validation.h"

#include <cmath>

#include "services/eligibility/evaluator.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using ::testing::Contains;
using ::testing::Field;
using ::testing::IsEmpty;

auto ViolationAt(const std::string& field) {
  return Contains(Field(&FieldViolation::field, field));
}

FieldViolations Validate(const v1::Portfolio& p) {
  return ValidatePortfolio(p, kAsOf);
}

TEST(Validation, EveryBaselinePortfolioIsValid) {
  for (const auto& p : {EligibleIfa(), EligibleIfs(), EligibleIfrs(),
                        EligibleImhs(), EligibleImhmClinical(),
                        EligibleImhmPolicy(), EligibleImhmResearchFaculty()}) {
    EXPECT_THAT(Validate(p), IsEmpty());
  }
}

TEST(Validation, NegativeZeroAndAbsurdHoursAreNamed) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_trainings(0)->set_clock_hours(-3);
  p.mutable_trainings(1)->set_clock_hours(0);
  p.mutable_trainings(2)->set_clock_hours(5000);
  p.mutable_rsc_sessions(3)->set_hours(25);
  p.mutable_rsc_sessions(4)->set_hours(std::nan(""));
  p.mutable_work(0)->set_hours_per_week(-1);
  const FieldViolations v = Validate(p);
  EXPECT_THAT(v, ViolationAt("portfolio.trainings[0].clock_hours"));
  EXPECT_THAT(v, ViolationAt("portfolio.trainings[1].clock_hours"));
  EXPECT_THAT(v, ViolationAt("portfolio.trainings[2].clock_hours"));
  EXPECT_THAT(v, ViolationAt("portfolio.rsc_sessions[3].hours"));
  EXPECT_THAT(v, ViolationAt("portfolio.rsc_sessions[4].hours"));
  EXPECT_THAT(v, ViolationAt("portfolio.work[0].hours_per_week"));
  EXPECT_EQ(v.size(), 6u);
}

TEST(Validation, EndBeforeStartAndCurrentWithEndAreNamed) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_work(0)->set_current(false);
  *p.mutable_work(0)->mutable_ended_on() = Day(2018, 1, 1);
  AddLeadership(p, v1::LEADERSHIP_LEVEL_STATE, Day(2020, 1, 1), nullptr);
  *p.mutable_leadership(0)->mutable_ended_on() = Day(2021, 1, 1);
  const google::type::Date* no_end = nullptr;
  AddWork(p, v1::SERVICE_KIND_PREVENTION, Day(2020, 1, 1), no_end)
      ->set_current(false);
  const FieldViolations v = Validate(p);
  EXPECT_THAT(v, ViolationAt("portfolio.work[0].ended_on"));
  EXPECT_THAT(v, ViolationAt("portfolio.leadership[0].ended_on"));
  EXPECT_THAT(v, ViolationAt("portfolio.work[1].ended_on"));
}

TEST(Validation, DatesAfterTheAsOfDateAndImpossibleDatesAreNamed) {
  v1::Portfolio p = EligibleIfs();
  *p.mutable_rsc_sessions(0)->mutable_held_on() = Day(2026, 11, 24);
  *p.mutable_education(0)->mutable_conferred_on() = Day(2023, 2, 30);
  p.mutable_trainings(0)->clear_completed_on();
  const FieldViolations v = Validate(p);
  EXPECT_THAT(v, ViolationAt("portfolio.rsc_sessions[0].held_on"));
  EXPECT_THAT(v, ViolationAt("portfolio.education[0].conferred_on"));
  EXPECT_THAT(v, ViolationAt("portfolio.trainings[0].completed_on"));
}

TEST(Validation, UnknownAndMissingEnumsAreNamed) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_trainings(0)->set_topic(static_cast<v1::TrainingTopic>(99));
  p.mutable_references(0)->set_role(v1::REFERENCE_ROLE_UNSPECIFIED);
  p.mutable_applicant()->set_population_focus(
      static_cast<v1::PopulationFocus>(-4));
  const FieldViolations v = Validate(p);
  EXPECT_THAT(v, ViolationAt("portfolio.trainings[0].topic"));
  EXPECT_THAT(v, ViolationAt("portfolio.references[0].role"));
  EXPECT_THAT(v, ViolationAt("portfolio.applicant.population_focus"));
}

TEST(Validation, AProviderWithoutARegistryIdentityIsNamed) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_rsc_sessions(2)->mutable_provider()->clear_person_id();
  EXPECT_THAT(Validate(p),
              ViolationAt("portfolio.rsc_sessions[2].provider.person_id"));
  // A peer session's provider need not be identified.
  p.mutable_rsc_sessions(2)->set_format(v1::RSC_FORMAT_PEER);
  EXPECT_THAT(Validate(p), IsEmpty());
}

TEST(Validation, MissingIdentitiesAreNamed) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_references(2)->mutable_rater()->clear_display_name();
  p.mutable_applicant()->clear_residence_state();
  const FieldViolations v = Validate(p);
  EXPECT_THAT(v, ViolationAt("portfolio.references[2].rater.display_name"));
  EXPECT_THAT(v, ViolationAt("portfolio.applicant.residence_state"));
}

TEST(Validation, ResidenceStateIsATwoLetterCapitalCode) {
  for (const char* bad : {"va", "Virginia", "V", "V1"}) {
    v1::Portfolio p = EligibleIfs();
    p.mutable_applicant()->set_residence_state(bad);
    EXPECT_THAT(Validate(p), ViolationAt("portfolio.applicant.residence_state"))
        << bad;
  }
}

TEST(Validation, TooManyEntriesAndOverlongStringsAreNamed) {
  v1::Portfolio p = EligibleIfs();
  for (int i = 0; i < InputLimits::kMaxReferences; ++i) {
    AddReference(p, v1::REFERENCE_ROLE_COLLEAGUE, "Extra");
  }
  p.mutable_work(0)->set_employer(std::string(300, 'x'));
  const FieldViolations v = Validate(p);
  EXPECT_THAT(v, ViolationAt("portfolio.references"));
  EXPECT_THAT(v, ViolationAt("portfolio.work[0].employer"));
}

TEST(Validation, NamesWithQuotesAndSqlAreJustText) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_references(2)->mutable_rater()->set_display_name(
      "O'Brien\"; DROP TABLE endorsements; --");
  EXPECT_THAT(Validate(p), IsEmpty());
}

TEST(Validation, CategoryCodesAcceptAliasesAndNameUnknownOnes) {
  const FieldViolations v = ValidateCategoryCodes(
      VirginiaRulebook(), {"FS", "MHM-R/F", "imhs", "IMHM", "XYZ"});
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].field, "categories[3]");
  EXPECT_EQ(v[1].field, "categories[4]");
}

TEST(Validation, EvaluateRefusesAnInvalidPortfolio) {
  v1::Portfolio p = EligibleIfs();
  p.mutable_trainings(0)->set_clock_hours(-1);
  const auto decision =
      EvaluateWithVerifier(p, VirginiaRulebook(), kAsOf, {}, TestRegistry());
  EXPECT_THAT(decision.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(decision.status().message()),
              ::testing::HasSubstr("portfolio.trainings[0].clock_hours"));
}

// Records how often it was asked; answers like the test registry.
class CountingVerifier final : public CredentialVerifier {
 public:
  std::vector<CredentialAnswer> Verify(
      const std::vector<CredentialQuestion>& questions) override {
    ++calls;
    return TestRegistry().Verify(questions);
  }
  int calls = 0;
};

TEST(Validation, ARefusedRequestNeverReachesTheRegistry) {
  CountingVerifier registry;
  v1::Portfolio invalid = EligibleIfs();
  invalid.mutable_trainings(0)->set_clock_hours(-1);
  EXPECT_THAT(
      EvaluateWithVerifier(invalid, VirginiaRulebook(), kAsOf, {}, registry)
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
  v1::Portfolio early = EligibleIfa();
  early.clear_references();
  early.clear_work();
  early.clear_ethics();
  early.clear_exam();
  early.clear_trainings();
  early.mutable_membership()->set_paid_through_year(1999);
  AddReference(early, v1::REFERENCE_ROLE_COLLEAGUE, "Rater", kIfsRater);
  EXPECT_THAT(EvaluateWithVerifier(early, VirginiaRulebook(),
                                   absl::CivilDay(1999, 6, 1), {}, registry)
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(registry.calls, 0);
  EXPECT_TRUE(EvaluateWithVerifier(EligibleIfs(), VirginiaRulebook(), kAsOf, {},
                                   registry)
                  .ok());
  EXPECT_EQ(registry.calls, 1);  // one batch for all raters and providers
}

}  // namespace
}  // namespace imh::eligibility::testing

// R-RNW-*: cycle years, per-year hours with dated figures, grant-year
// exemption.

#include "services/eligibility/renewal.h"

#include "services/eligibility/validation.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::RenewalAttestation Attestation(const std::string& category,
                                   google::type::Date granted, int cycle_year,
                                   double training_per_year,
                                   double rsc_per_year) {
  v1::RenewalAttestation a;
  a.mutable_endorsee()->set_display_name("Eve Endorsee");
  a.set_category(category);
  *a.mutable_granted_on() = granted;
  a.set_cycle_year(cycle_year);
  for (int year = cycle_year - 2; year <= cycle_year; ++year) {
    v1::AttestedYear* attested = a.add_years();
    attested->set_year(year);
    attested->set_training_hours(training_per_year);
    attested->set_rsc_hours(rsc_per_year);
  }
  a.mutable_membership()->set_paid_through_year(cycle_year);
  return a;
}

v1::RenewalDecision Renew(const v1::RenewalAttestation& a,
                          absl::CivilDay as_of = absl::CivilDay(2027, 12, 1)) {
  absl::StatusOr<v1::RenewalDecision> d =
      EvaluateRenewal(a, VirginiaRulebook(), as_of);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : v1::RenewalDecision();
}

v1::Finding RenewalFinding(const v1::RenewalDecision& d,
                           const std::string& id) {
  for (const v1::Finding& f : d.findings()) {
    if (f.rule_id() == id) return f;
  }
  ADD_FAILURE() << "no " << id << " in " << d.DebugString();
  return {};
}

TEST(RnwCycle, TheSeedsWorkedExample2027Owes45And36_RRnwTrn) {
  const v1::RenewalDecision d =
      Renew(Attestation("FS", Day(2020, 4, 1), 2027, 15, 12));
  EXPECT_THAT(d.owed_years(), ElementsAre(2025, 2026, 2027));
  EXPECT_EQ(d.outcome(), kEligible);
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN").message(), HasSubstr("45 owed"));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-RSC").message(), HasSubstr("36 owed"));
}

TEST(RnwTrn, FortyFourHoursAreOneShort_RRnwTrn) {
  v1::RenewalAttestation a = Attestation("IFS", Day(2020, 4, 1), 2027, 15, 12);
  a.mutable_years(0)->set_training_hours(14);
  const v1::RenewalDecision d = Renew(a);
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN"), MissingAmount(1));
  EXPECT_EQ(d.outcome(), kNotEligible);
}

TEST(RnwCycle, GrantedIn2025Owes30And24For2027_RRnwCycle) {
  const v1::RenewalDecision d =
      Renew(Attestation("IFS", Day(2025, 3, 1), 2027, 15, 12));
  EXPECT_THAT(d.owed_years(), ElementsAre(2026, 2027));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN").message(), HasSubstr("30 owed"));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-RSC").message(), HasSubstr("24 owed"));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE").message(),
              HasSubstr("grant year 2025 is exempt"));
}

TEST(RnwRsc, The2024CycleOwedOnlyTheSixHourPhaseIn_RRnwRsc) {
  const v1::RenewalDecision d =
      Renew(Attestation("IMHS", Day(2019, 3, 1), 2024, 15, 2),
            absl::CivilDay(2024, 12, 1));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-RSC"), HasStatus(kMet));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-RSC").message(), HasSubstr("6 owed"));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN").message(), HasSubstr("45 owed"));
}

TEST(RnwRsc, GrantedIn2023OwesOnly2024_RRnwRsc) {
  const v1::RenewalDecision d =
      Renew(Attestation("IFS", Day(2023, 5, 1), 2024, 15, 6),
            absl::CivilDay(2024, 12, 1));
  EXPECT_THAT(d.owed_years(), ElementsAre(2024));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-RSC").message(), HasSubstr("6 owed"));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN").message(), HasSubstr("15 owed"));
  EXPECT_EQ(d.outcome(), kEligible);
}

TEST(RnwRsc, IfaAndIfrsOweNoRsc_RRnwRsc) {
  for (const char* category : {"IFA", "IFRS"}) {
    const v1::RenewalDecision d =
        Renew(Attestation(category, Day(2020, 4, 1), 2027, 15, 0));
    for (const v1::Finding& f : d.findings())
      EXPECT_NE(f.rule_id(), "R-RNW-RSC");
    EXPECT_EQ(d.outcome(), kEligible) << category;
  }
}

TEST(RnwCycle, 2026IsNotACycleYear_RRnwCycle) {
  const v1::RenewalDecision d =
      Renew(Attestation("IFS", Day(2020, 4, 1), 2026, 15, 12),
            absl::CivilDay(2026, 6, 1));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE"), HasStatus(kNotMet));
}

TEST(RnwCycle, GrantedInTheCycleYearIsFirstDueNextCycle_RRnwCycle) {
  const v1::RenewalDecision d =
      Renew(Attestation("IFS", Day(2027, 2, 1), 2027, 15, 12));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE").message(), HasSubstr("2030"));
  EXPECT_EQ(d.outcome(), kNotEligible);
}

TEST(RnwCycle, AfterTheCycleYearTheRenewalIsOverdue_RRnwCycle) {
  const v1::RenewalDecision d =
      Renew(Attestation("IFS", Day(2020, 4, 1), 2027, 15, 12),
            absl::CivilDay(2028, 1, 15));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE").message(), HasSubstr("overdue"));
}

TEST(RnwCycle, HoursOutsideTheOwedYearsAreNotCounted_RRnwCycle) {
  v1::RenewalAttestation a = Attestation("IFS", Day(2025, 3, 1), 2027, 15, 12);
  // 2025 is the grant year: its hours do not count toward the cycle.
  a.mutable_years(0)->set_training_hours(40);
  const v1::RenewalDecision d = Renew(a);
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN").message(), HasSubstr("30 hours"));
  bool advisory = false;
  for (const v1::Finding& f : d.findings()) {
    advisory |= f.status() == kAdvisory && f.rule_id() == "R-RNW-CYCLE";
  }
  EXPECT_TRUE(advisory);
}

TEST(RnwMem, MembershipMustRunThroughTheCycleYear_RRnwMem) {
  v1::RenewalAttestation a = Attestation("IFS", Day(2020, 4, 1), 2027, 15, 12);
  EXPECT_THAT(RenewalFinding(Renew(a), "R-RNW-MEM"), HasStatus(kMet));
  a.mutable_membership()->set_paid_through_year(2026);
  EXPECT_THAT(RenewalFinding(Renew(a), "R-RNW-MEM"), HasStatus(kNotMet));
}

TEST(RnwValidation, BadAttestationIsRefusedWithFieldPaths) {
  v1::RenewalAttestation a = Attestation("XYZ", Day(2020, 4, 1), 2027, -1, 12);
  const FieldViolations violations =
      ValidateRenewal(a, VirginiaRulebook(), absl::CivilDay(2027, 12, 1));
  std::vector<std::string> fields;
  for (const auto& v : violations) fields.push_back(v.field);
  EXPECT_THAT(fields,
              ::testing::UnorderedElementsAre(
                  "attestation.category", "attestation.years[0].training_hours",
                  "attestation.years[1].training_hours",
                  "attestation.years[2].training_hours"));
  EXPECT_THAT(
      EvaluateRenewal(a, VirginiaRulebook(), absl::CivilDay(2027, 12, 1))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace imh::eligibility::testing

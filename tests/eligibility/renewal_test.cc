// R-RNW-*: cycle years, per-year hours with dated figures, grant-year
// exemption.

#include "services/eligibility/renewal.h"

#include "services/eligibility/validation.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The registry's record of an ACTIVE endorsement "VA-T-1" of P-EVE.
RenewalRecord Record(const std::string& category, google::type::Date granted,
                     int due_cycle_year, int membership_paid_through) {
  registry::v1::Endorsement endorsement;
  endorsement.set_endorsement_number("VA-T-1");
  endorsement.set_person_id("P-EVE");
  endorsement.set_category(category);
  *endorsement.mutable_granted_on() = granted;
  endorsement.set_status(registry::v1::ENDORSEMENT_STATUS_ACTIVE);
  *endorsement.mutable_status_since() = granted;
  endorsement.set_next_renewal_cycle_year(due_cycle_year);
  registry::v1::Person person;
  person.set_person_id("P-EVE");
  person.set_membership_paid_through_year(membership_paid_through);
  return FoundRecord(endorsement, &person);
}

v1::RenewalAttestation Attestation(int cycle_year, double training_per_year,
                                   double rsc_per_year) {
  v1::RenewalAttestation a;
  a.mutable_endorsee()->set_display_name("Eve Endorsee");
  a.mutable_endorsee()->set_person_id("P-EVE");
  a.set_endorsement_number("VA-T-1");
  a.set_cycle_year(cycle_year);
  for (int year = cycle_year - 2; year <= cycle_year; ++year) {
    v1::AttestedYear* attested = a.add_years();
    attested->set_year(year);
    attested->set_training_hours(training_per_year);
    attested->set_rsc_hours(rsc_per_year);
  }
  return a;
}

// An attestation for the cycle the record has due, with membership through it.
v1::RenewalDecision Renew(const std::string& category,
                          google::type::Date granted, int cycle_year,
                          double training, double rsc,
                          absl::CivilDay as_of = absl::CivilDay(2027, 12, 1)) {
  absl::StatusOr<v1::RenewalDecision> d =
      EvaluateRenewal(Attestation(cycle_year, training, rsc),
                      Record(category, granted, cycle_year, cycle_year),
                      VirginiaRulebook(), as_of);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : v1::RenewalDecision();
}

v1::RenewalDecision Renew(const v1::RenewalAttestation& a,
                          const RenewalRecord& record,
                          absl::CivilDay as_of = absl::CivilDay(2027, 12, 1)) {
  absl::StatusOr<v1::RenewalDecision> d =
      EvaluateRenewal(a, record, VirginiaRulebook(), as_of);
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
  const v1::RenewalDecision d = Renew("IFS", Day(2020, 4, 1), 2027, 15, 12);
  EXPECT_THAT(d.owed_years(), ElementsAre(2025, 2026, 2027));
  EXPECT_EQ(d.outcome(), kEligible);
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN").message(), HasSubstr("45 owed"));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-RSC").message(), HasSubstr("36 owed"));
}

TEST(RnwTrn, FortyFourHoursAreOneShort_RRnwTrn) {
  v1::RenewalAttestation a = Attestation(2027, 15, 12);
  a.mutable_years(0)->set_training_hours(14);
  const v1::RenewalDecision d =
      Renew(a, Record("IFS", Day(2020, 4, 1), 2027, 2027));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN"), MissingAmount(1));
  EXPECT_EQ(d.outcome(), kNotEligible);
}

TEST(RnwCycle, GrantedIn2025Owes30And24For2027_RRnwCycle) {
  const v1::RenewalDecision d = Renew("IFS", Day(2025, 3, 1), 2027, 15, 12);
  EXPECT_THAT(d.owed_years(), ElementsAre(2026, 2027));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN").message(), HasSubstr("30 owed"));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-RSC").message(), HasSubstr("24 owed"));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE").message(),
              HasSubstr("grant year 2025 is exempt"));
}

TEST(RnwRsc, The2024CycleOwedOnlyTheSixHourPhaseIn_RRnwRsc) {
  const v1::RenewalDecision d =
      Renew("IMHS", Day(2019, 3, 1), 2024, 15, 2, absl::CivilDay(2024, 12, 1));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-RSC"), HasStatus(kMet));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-RSC").message(), HasSubstr("6 owed"));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN").message(), HasSubstr("45 owed"));
}

TEST(RnwRsc, GrantedIn2023OwesOnly2024_RRnwRsc) {
  const v1::RenewalDecision d =
      Renew("IFS", Day(2023, 5, 1), 2024, 15, 6, absl::CivilDay(2024, 12, 1));
  EXPECT_THAT(d.owed_years(), ElementsAre(2024));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-RSC").message(), HasSubstr("6 owed"));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN").message(), HasSubstr("15 owed"));
  EXPECT_EQ(d.outcome(), kEligible);
}

TEST(RnwRsc, IfaAndIfrsOweNoRsc_RRnwRsc) {
  for (const char* category : {"IFA", "IFRS"}) {
    const v1::RenewalDecision d = Renew(category, Day(2020, 4, 1), 2027, 15, 0);
    for (const v1::Finding& f : d.findings())
      EXPECT_NE(f.rule_id(), "R-RNW-RSC");
    EXPECT_EQ(d.outcome(), kEligible) << category;
  }
}

TEST(RnwCycle, 2026IsNotACycleYear_RRnwCycle) {
  const v1::RenewalDecision d = Renew(
      Attestation(2026, 15, 12), Record("IFS", Day(2020, 4, 1), 2027, 2027),
      absl::CivilDay(2026, 6, 1));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE"), HasStatus(kNotMet));
}

TEST(RnwCycle, GrantedInTheCycleYearIsFirstDueNextCycle_RRnwCycle) {
  // The registry has the 2030 cycle due for a 2027 grant.
  const v1::RenewalDecision d = Renew(
      Attestation(2027, 15, 12), Record("IFS", Day(2027, 2, 1), 2030, 2030));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE").message(), HasSubstr("2030"));
  EXPECT_EQ(d.outcome(), kNotEligible);
}

TEST(RnwCycle, AfterTheCycleYearTheRenewalIsOverdue_RRnwCycle) {
  const v1::RenewalDecision d =
      Renew("IFS", Day(2020, 4, 1), 2027, 15, 12, absl::CivilDay(2028, 1, 15));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE").message(), HasSubstr("overdue"));
}

TEST(RnwCycle, HoursOutsideTheOwedYearsAreNotCounted_RRnwCycle) {
  v1::RenewalAttestation a = Attestation(2027, 15, 12);
  // 2025 is the grant year: its hours do not count toward the cycle.
  a.mutable_years(0)->set_training_hours(40);
  const v1::RenewalDecision d =
      Renew(a, Record("IFS", Day(2025, 3, 1), 2027, 2027));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-TRN").message(), HasSubstr("30 hours"));
  bool advisory = false;
  for (const v1::Finding& f : d.findings()) {
    advisory |= f.status() == kAdvisory && f.rule_id() == "R-RNW-CYCLE";
  }
  EXPECT_TRUE(advisory);
}

TEST(RnwMem, MembershipTheRegistryRecordsMustRunThroughTheCycleYear_RRnwMem) {
  const v1::RenewalAttestation a = Attestation(2027, 15, 12);
  EXPECT_THAT(
      RenewalFinding(Renew(a, Record("IFS", Day(2020, 4, 1), 2027, 2027)),
                     "R-RNW-MEM"),
      HasStatus(kMet));
  EXPECT_THAT(
      RenewalFinding(Renew(a, Record("IFS", Day(2020, 4, 1), 2027, 2026)),
                     "R-RNW-MEM"),
      HasStatus(kNotMet));
}

TEST(RnwWhoseWord,
     AnAttestationForALaterCycleThanTheMissedOneDueIsNotComplete_RRnwCycle) {
  // Granted 2020; the registry still has 2024 due (never renewed). An
  // attestation for 2027 cannot stand in for it.
  const v1::RenewalDecision d = Renew(
      Attestation(2027, 15, 12), Record("IFS", Day(2020, 4, 1), 2024, 2027));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE"), HasStatus(kNotMet));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE").message(),
              HasSubstr("2024 cycle due"));
  EXPECT_EQ(d.outcome(), kNotEligible);
}

TEST(RnwWhoseWord,
     WhatTheRegistryCannotConfirmIsUnverifiedNeverComplete_RRnwCycle) {
  RenewalRecord unknown;
  unknown.detail = "registry unavailable (UNAVAILABLE): connection refused";
  const v1::RenewalDecision d = Renew(Attestation(2027, 15, 12), unknown);
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE"), HasStatus(kUnverified));
  EXPECT_EQ(d.outcome(), kNeedsReview);

  // The endorsement is known, its holder's membership is not.
  RenewalRecord no_person = Record("IFS", Day(2020, 4, 1), 2027, 2027);
  no_person.membership_known = false;
  const v1::RenewalDecision m = Renew(Attestation(2027, 15, 12), no_person);
  EXPECT_THAT(RenewalFinding(m, "R-RNW-MEM"), HasStatus(kUnverified));
  EXPECT_EQ(m.outcome(), kNeedsReview);
}

TEST(RnwWhoseWord, ALapsedEndorsementIsNotRenewedByAttestation_RRnwCycle) {
  RenewalRecord record = Record("IFS", Day(2020, 4, 1), 2027, 2027);
  record.endorsement.set_status(registry::v1::ENDORSEMENT_STATUS_LAPSED);
  *record.endorsement.mutable_status_since() = Day(2026, 1, 1);
  const v1::RenewalDecision d = Renew(Attestation(2027, 15, 12), record);
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE"), HasStatus(kNotMet));
  EXPECT_EQ(d.outcome(), kNotEligible);
}

TEST(RnwWhoseWord, AnotherPersonsEndorsementIsNotRenewed_RRnwCycle) {
  v1::RenewalAttestation a = Attestation(2027, 15, 12);
  a.mutable_endorsee()->set_person_id("P-SOMEONE-ELSE");
  const v1::RenewalDecision d =
      Renew(a, Record("IFS", Day(2020, 4, 1), 2027, 2027));
  EXPECT_THAT(RenewalFinding(d, "R-RNW-CYCLE"), HasStatus(kNotMet));
}

TEST(RnwValidation, BadAttestationIsRefusedWithFieldPaths) {
  v1::RenewalAttestation a = Attestation(2027, -1, 12);
  a.set_endorsement_number("va ifs; drop table");
  const FieldViolations violations =
      ValidateRenewal(a, absl::CivilDay(2027, 12, 1));
  std::vector<std::string> fields;
  for (const auto& v : violations) fields.push_back(v.field);
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre(
                          "attestation.endorsement_number",
                          "attestation.years[0].training_hours",
                          "attestation.years[1].training_hours",
                          "attestation.years[2].training_hours"));
  EXPECT_THAT(EvaluateRenewal(a, Record("IFS", Day(2020, 4, 1), 2027, 2027),
                              VirginiaRulebook(), absl::CivilDay(2027, 12, 1))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace imh::eligibility::testing

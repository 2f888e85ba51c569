#include "services/eligibility/renewal.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/params.h"
#include "services/eligibility/validation.h"

namespace imh::eligibility {

namespace rb = rulebook::v1;

namespace {

std::string JanuaryFirst(int year) {
  return FormatDay(absl::CivilDay(year, 1, 1));
}

// The per-year figure owed for `years`: each year's value in force on its
// January 1, nothing for a year before the figure existed.
double OwedHours(const rb::NumberParam& per_year,
                 const std::vector<int>& years) {
  double owed = 0;
  for (int year : years) owed += NumberOrZero(per_year, JanuaryFirst(year));
  return owed;
}

void AddHoursFinding(absl::string_view rule_id, absl::string_view what,
                     double owed, double attested,
                     const std::vector<int>& years, v1::RenewalDecision* out) {
  const bool met = AtLeast(attested, owed);
  v1::Finding* finding = out->add_findings();
  finding->set_rule_id(std::string(rule_id));
  finding->set_status(met ? v1::FINDING_STATUS_MET
                          : v1::FINDING_STATUS_NOT_MET);
  const std::string span = years.empty()
                               ? "no owed years"
                               : absl::StrCat(years.front(), "-", years.back());
  finding->set_message(
      met ? absl::StrCat(Amount(attested), " hours of ", what, " attested for ",
                         span, "; ", Amount(owed), " owed.")
          : absl::StrCat(Amount(attested), " of ", Amount(owed), " hours of ",
                         what, " attested for ", span, "; ",
                         Amount(owed - attested), " more needed."));
  SetShortfall(finding, "hours", owed, attested);
}

}  // namespace

std::vector<int> OwedYears(const Rulebook& rulebook, int cycle_year,
                           absl::CivilDay granted_on, absl::CivilDay as_of) {
  const rb::RenewalRules& rules = rulebook.proto().renewal();
  const int period = static_cast<int>(
      NumberOrZero(rules.cycle_period_years(), FormatDay(as_of)));
  const int grant_year = static_cast<int>(granted_on.year());
  std::vector<int> years;
  for (int year = cycle_year - period + 1; year <= cycle_year; ++year) {
    if (year < grant_year) continue;
    if (year == grant_year && rules.grant_year_exempt()) continue;
    years.push_back(year);
  }
  return years;
}

absl::StatusOr<v1::RenewalDecision> EvaluateRenewal(
    const v1::RenewalAttestation& attestation, const Rulebook& rulebook,
    absl::CivilDay as_of) {
  if (const FieldViolations violations =
          ValidateRenewal(attestation, rulebook, as_of);
      !violations.empty()) {
    return absl::InvalidArgumentError(DescribeViolations(violations));
  }
  const rb::RenewalRules& rules = rulebook.proto().renewal();
  const std::string as_of_iso = FormatDay(as_of);
  const std::optional<double> anchor =
      NumberAt(rules.cycle_anchor_year(), as_of_iso);
  const std::optional<double> period =
      NumberAt(rules.cycle_period_years(), as_of_iso);
  if (!anchor || !period || *period < 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("rulebook ", rulebook.version(),
                     " has no renewal cycle in force on ", as_of_iso));
  }
  const rb::Category& category = *rulebook.FindCategory(attestation.category());
  const absl::CivilDay granted = ToCivilDayUnchecked(attestation.granted_on());
  const int cycle_year = attestation.cycle_year();

  v1::RenewalDecision decision;
  decision.set_rulebook_version(rulebook.version());
  *decision.mutable_as_of() = ToProtoDate(as_of);
  decision.set_category(category.code());
  decision.set_cycle_year(cycle_year);
  const std::vector<int> owed = OwedYears(rulebook, cycle_year, granted, as_of);
  for (int year : owed) decision.add_owed_years(year);

  // R-RNW-CYCLE.
  const int anchor_year = static_cast<int>(*anchor);
  const int period_years = static_cast<int>(*period);
  const bool cycle_year_ok = cycle_year >= anchor_year &&
                             (cycle_year - anchor_year) % period_years == 0;
  v1::Finding* cycle = decision.add_findings();
  cycle->set_rule_id("R-RNW-CYCLE");
  cycle->set_status(v1::FINDING_STATUS_NOT_MET);
  if (!cycle_year_ok) {
    cycle->set_message(
        absl::StrCat(cycle_year, " is not a renewal cycle year (", anchor_year,
                     ", ", anchor_year + period_years, ", ",
                     anchor_year + 2 * period_years, ", ...)."));
  } else if (granted.year() >= cycle_year) {
    cycle->set_message(absl::StrCat("Granted in ", granted.year(),
                                    ": first due in the ",
                                    cycle_year + period_years, " cycle."));
  } else if (as_of.year() > cycle_year) {
    cycle->set_message(absl::StrCat("The ", cycle_year, " cycle ended on ",
                                    cycle_year,
                                    "-12-31; the renewal is "
                                    "overdue and the endorsement lapses."));
  } else {
    cycle->set_status(v1::FINDING_STATUS_MET);
    cycle->set_message(absl::StrCat(
        "Renewal for the ", cycle_year, " cycle; hours owed for ",
        owed.empty() ? std::string("no year") : absl::StrJoin(owed, ", "),
        granted.year() >= cycle_year - period_years + 1 &&
                rules.grant_year_exempt()
            ? absl::StrCat(" (the grant year ", granted.year(), " is exempt).")
            : "."));
  }

  double training = 0, rsc = 0;
  std::vector<int> ignored;
  for (const v1::AttestedYear& year : attestation.years()) {
    if (std::find(owed.begin(), owed.end(), year.year()) == owed.end()) {
      ignored.push_back(year.year());
      continue;
    }
    training += year.training_hours();
    rsc += year.rsc_hours();
  }
  AddHoursFinding("R-RNW-TRN",
                  "culturally sensitive, relationship-based training",
                  OwedHours(rules.training_hours_per_year(), owed), training,
                  owed, &decision);
  if (ListHas(CodesAt(rules.rsc_categories(), as_of_iso), category.code())) {
    AddHoursFinding("R-RNW-RSC", "reflective supervision",
                    OwedHours(rules.rsc_hours_per_year(), owed), rsc, owed,
                    &decision);
  }
  if (!ignored.empty()) {
    v1::Finding* finding = decision.add_findings();
    finding->set_rule_id("R-RNW-CYCLE");
    finding->set_status(v1::FINDING_STATUS_ADVISORY);
    finding->set_message(
        absl::StrCat("Hours attested for ", absl::StrJoin(ignored, ", "),
                     " are outside the owed years and were not counted."));
  }
  if (rules.membership_required()) {
    const int needed = std::max(cycle_year, static_cast<int>(as_of.year()));
    const int paid = attestation.membership().paid_through_year();
    v1::Finding* finding = decision.add_findings();
    finding->set_rule_id("R-RNW-MEM");
    finding->set_status(paid >= needed ? v1::FINDING_STATUS_MET
                                       : v1::FINDING_STATUS_NOT_MET);
    finding->set_message(
        paid >= needed
            ? absl::StrCat("VAIMH membership paid through ", paid, ".")
            : absl::StrCat(
                  "VAIMH membership must be paid through ", needed, "; ",
                  paid == 0 ? std::string("none is")
                            : absl::StrCat("paid through ", paid, " only"),
                  "."));
  }
  decision.set_outcome(OutcomeOf(decision.findings()));
  return decision;
}

}  // namespace imh::eligibility

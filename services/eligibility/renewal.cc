#include "services/eligibility/renewal.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/endorsement_status.h"
#include "common/rulebook/params.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/validation.h"

namespace imh::eligibility {

namespace rb = rulebook::v1;
namespace reg = registry::v1;

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

v1::Finding* Add(v1::RenewalDecision* out, absl::string_view rule_id,
                 v1::FindingStatus status, std::string message) {
  v1::Finding* finding = out->add_findings();
  finding->set_rule_id(rule_id.data(), rule_id.size());
  finding->set_status(status);
  finding->set_message(std::move(message));
  return finding;
}

void AddHoursFinding(absl::string_view rule_id, absl::string_view what,
                     double owed, double attested,
                     const std::vector<int>& years, v1::RenewalDecision* out) {
  const bool met = AtLeast(attested, owed);
  const std::string span = years.empty()
                               ? "no owed years"
                               : absl::StrCat(years.front(), "-", years.back());
  v1::Finding* finding = Add(
      out, rule_id, met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET,
      met ? absl::StrCat(Amount(attested), " hours of ", what, " attested for ",
                         span, "; ", Amount(owed), " owed.")
          : absl::StrCat(Amount(attested), " of ", Amount(owed), " hours of ",
                         what, " attested for ", span, "; ",
                         Amount(owed - attested), " more needed."));
  SetShortfall(finding, "hours", owed, attested);
}

// R-RNW-CYCLE from the registry's record: why the attested cycle cannot be
// renewed, or empty when it can.
std::string CycleProblem(const v1::RenewalAttestation& attestation,
                         const reg::Endorsement& endorsement, int anchor_year,
                         int period_years, absl::CivilDay as_of) {
  const int cycle_year = attestation.cycle_year();
  const int due = endorsement.next_renewal_cycle_year();
  const std::string& number = endorsement.endorsement_number();
  if (!attestation.endorsee().person_id().empty() &&
      attestation.endorsee().person_id() != endorsement.person_id()) {
    return absl::StrCat(number, " is held by another person, not ",
                        attestation.endorsee().person_id(), ".");
  }
  if (endorsement.status() != reg::ENDORSEMENT_STATUS_ACTIVE) {
    return absl::StrCat(
        number, " is ", StatusWord(endorsement.status()), " since ",
        FormatDay(ToCivilDayUnchecked(endorsement.status_since())),
        " on the registry; only an active endorsement is renewed.");
  }
  if (cycle_year < anchor_year || (cycle_year - anchor_year) % period_years) {
    return absl::StrCat(cycle_year, " is not a renewal cycle year (",
                        anchor_year, ", ", anchor_year + period_years, ", ",
                        anchor_year + 2 * period_years, ", ...).");
  }
  if (cycle_year != due) {
    return absl::StrCat(
        "The registry's record of ", number, " has the ", due,
        " cycle due, not ", cycle_year,
        due < cycle_year ? absl::StrCat("; the ", due,
                                        " cycle was not renewed, so this "
                                        "attestation cannot stand in for it.")
                         : ".");
  }
  if (as_of.year() > due) {
    return absl::StrCat("The ", due, " cycle ended on ", due,
                        "-12-31; the renewal is overdue and the endorsement "
                        "lapses.");
  }
  return "";
}

}  // namespace

RenewalRecord FoundRecord(reg::Endorsement endorsement,
                          const reg::Person* person) {
  RenewalRecord record;
  record.state = RenewalRecord::State::kFound;
  record.endorsement = std::move(endorsement);
  if (person != nullptr) {
    record.membership_known = true;
    record.membership_paid_through_year =
        person->membership_paid_through_year();
  } else {
    record.detail = "the holder's membership could not be read";
  }
  return record;
}

RenewalRecord RecordFromSnapshot(const reg::RegistrySnapshot& snapshot,
                                 const std::string& endorsement_number) {
  for (reg::Endorsement endorsement : snapshot.endorsements()) {
    if (endorsement.endorsement_number() != endorsement_number) continue;
    // A snapshot written by hand may leave the registry's output fields out.
    if (endorsement.status() == reg::ENDORSEMENT_STATUS_UNSPECIFIED &&
        endorsement.history_size() > 0) {
      const reg::StatusChange& last =
          endorsement.history(endorsement.history_size() - 1);
      endorsement.set_status(last.status());
      *endorsement.mutable_status_since() = last.effective_on();
    }
    if (endorsement.next_renewal_cycle_year() == 0) {
      RenewalRecord record;
      record.detail = "the snapshot does not say which renewal cycle is due";
      return record;
    }
    for (const reg::Person& person : snapshot.people()) {
      if (person.person_id() == endorsement.person_id()) {
        return FoundRecord(endorsement, &person);
      }
    }
    return FoundRecord(endorsement, nullptr);
  }
  RenewalRecord record;
  record.state = RenewalRecord::State::kNotFound;
  record.detail =
      absl::StrCat("no endorsement ", endorsement_number, " on the registry");
  return record;
}

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
    const v1::RenewalAttestation& attestation, const RenewalRecord& record,
    const Rulebook& rulebook, absl::CivilDay as_of) {
  if (const FieldViolations violations = ValidateRenewal(attestation, as_of);
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
  const int cycle_year = attestation.cycle_year();
  v1::RenewalDecision decision;
  decision.set_rulebook_version(rulebook.version());
  *decision.mutable_as_of() = ToProtoDate(as_of);
  decision.set_cycle_year(cycle_year);
  decision.set_endorsement_number(attestation.endorsement_number());

  if (record.state != RenewalRecord::State::kFound) {
    // Nothing the decision rests on is known: the category, the grant year
    // (and so the hours owed), the cycle due, the membership.
    const bool unknown = record.state == RenewalRecord::State::kUnknown;
    Add(&decision, "R-RNW-CYCLE",
        unknown ? v1::FINDING_STATUS_UNVERIFIED : v1::FINDING_STATUS_NOT_MET,
        unknown ? absl::StrCat("The registry could not confirm ",
                               attestation.endorsement_number(), ": ",
                               record.detail, ".")
                : absl::StrCat(record.detail, "."));
    decision.set_outcome(OutcomeOf(decision.findings()));
    return decision;
  }

  const reg::Endorsement& endorsement = record.endorsement;
  const rb::Category* category = rulebook.FindCategory(endorsement.category());
  const absl::CivilDay granted = ToCivilDayUnchecked(endorsement.granted_on());
  decision.set_category(category ? category->code() : endorsement.category());
  *decision.mutable_granted_on() = endorsement.granted_on();
  decision.set_due_cycle_year(endorsement.next_renewal_cycle_year());
  const std::vector<int> owed = OwedYears(rulebook, cycle_year, granted, as_of);
  for (int year : owed) decision.add_owed_years(year);

  // R-RNW-CYCLE.
  const int anchor_year = static_cast<int>(*anchor);
  const int period_years = static_cast<int>(*period);
  const std::string problem =
      CycleProblem(attestation, endorsement, anchor_year, period_years, as_of);
  if (!problem.empty()) {
    Add(&decision, "R-RNW-CYCLE", v1::FINDING_STATUS_NOT_MET, problem);
  } else {
    Add(&decision, "R-RNW-CYCLE", v1::FINDING_STATUS_MET,
        absl::StrCat(
            "Renewal of ", endorsement.endorsement_number(), " for the ",
            cycle_year, " cycle, the one the registry has due; hours owed for ",
            owed.empty() ? std::string("no year") : absl::StrJoin(owed, ", "),
            granted.year() >= cycle_year - period_years + 1 &&
                    rules.grant_year_exempt()
                ? absl::StrCat(" (the grant year ", granted.year(),
                               " is exempt).")
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
  if (category != nullptr &&
      ListHas(CodesAt(rules.rsc_categories(), as_of_iso), category->code())) {
    AddHoursFinding("R-RNW-RSC", "reflective supervision",
                    OwedHours(rules.rsc_hours_per_year(), owed), rsc, owed,
                    &decision);
  }
  if (!ignored.empty()) {
    Add(&decision, "R-RNW-CYCLE", v1::FINDING_STATUS_ADVISORY,
        absl::StrCat("Hours attested for ", absl::StrJoin(ignored, ", "),
                     " are outside the owed years and were not counted."));
  }
  if (rules.membership_required()) {
    const int needed = std::max(cycle_year, static_cast<int>(as_of.year()));
    const int paid = record.membership_paid_through_year;
    decision.set_membership_paid_through_year(paid);
    if (!record.membership_known) {
      Add(&decision, "R-RNW-MEM", v1::FINDING_STATUS_UNVERIFIED,
          absl::StrCat("VAIMH membership through ", needed,
                       " could not be confirmed: ", record.detail, "."));
    } else if (paid >= needed) {
      Add(&decision, "R-RNW-MEM", v1::FINDING_STATUS_MET,
          absl::StrCat("VAIMH membership paid through ", paid, " (registry)."));
    } else {
      Add(&decision, "R-RNW-MEM", v1::FINDING_STATUS_NOT_MET,
          absl::StrCat("VAIMH membership must be paid through ", needed,
                       "; the registry records ",
                       paid == 0 ? std::string("none")
                                 : absl::StrCat("payment through ", paid),
                       "."));
    }
  }
  decision.set_outcome(OutcomeOf(decision.findings()));
  return decision;
}

}  // namespace imh::eligibility

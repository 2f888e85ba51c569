#ifndef IMH_SERVICES_ELIGIBILITY_RENEWAL_H_
#define IMH_SERVICES_ELIGIBILITY_RENEWAL_H_

// Renewal of an endorsement by attestation (RULES.md s.5, R-RNW-*), decided
// from the registry's record of the endorsement, never from what the
// attestation says of it.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rulebook/rulebook.h"
#include "imh/eligibility/v1/renewal.pb.h"
#include "imh/registry/v1/endorsement.pb.h"

namespace imh::eligibility {

// What the registry holds about the endorsement being renewed.
struct RenewalRecord {
  enum class State {
    // The registry answered with the endorsement (and, if known, its holder).
    kFound,
    // The registry answered: it has no such endorsement.
    kNotFound,
    // The registry could not be asked or could not answer: detail says why.
    kUnknown,
  };
  State state = State::kUnknown;
  std::string detail;
  registry::v1::Endorsement endorsement;
  // The holder's membership paid through; unknown when the person could not
  // be read (detail says why).
  bool membership_known = false;
  int membership_paid_through_year = 0;
};

// The record for `endorsement` held by `person` (nullptr when the person could
// not be read).
RenewalRecord FoundRecord(registry::v1::Endorsement endorsement,
                          const registry::v1::Person* person);

// The record for attestation's endorsement number in a registry snapshot:
// kNotFound when the snapshot has no such endorsement; the membership is
// known when the snapshot lists the holder among its people.
RenewalRecord RecordFromSnapshot(const registry::v1::RegistrySnapshot& snapshot,
                                 const std::string& endorsement_number);

// The calendar years of `cycle_year`'s cycle for which hours are owed: the
// cycle's years after the grant year (when the rulebook exempts it), ascending.
// Reads the cycle period in force on `as_of`.
std::vector<int> OwedYears(const Rulebook& rulebook, int cycle_year,
                           absl::CivilDay granted_on, absl::CivilDay as_of);

// Decides a renewal attestation against the registry's record: R-RNW-CYCLE
// (the endorsement is ACTIVE, the attested cycle is the one the registry says
// is due, and it is not over), R-RNW-TRN and R-RNW-RSC (the sum, over the owed
// years, of the per-year figures in force on each year's January 1), R-RNW-MEM
// (membership the registry records). What the registry could not confirm is
// UNVERIFIED, so the outcome is never ELIGIBLE on it.
// Errors: InvalidArgument when the attestation fails ValidateRenewal;
// FailedPrecondition when the rulebook has no cycle figures in force on as_of.
absl::StatusOr<eligibility::v1::RenewalDecision> EvaluateRenewal(
    const eligibility::v1::RenewalAttestation& attestation,
    const RenewalRecord& record, const Rulebook& rulebook,
    absl::CivilDay as_of);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_RENEWAL_H_

#ifndef IMH_SERVICES_ELIGIBILITY_RENEWAL_H_
#define IMH_SERVICES_ELIGIBILITY_RENEWAL_H_

// Renewal of an endorsement by attestation (RULES.md s.5, R-RNW-*).

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "imh/eligibility/v1/renewal.pb.h"
#include "services/eligibility/rulebook.h"

namespace imh::eligibility {

// The calendar years of `cycle_year`'s cycle for which hours are owed: the
// cycle's years after the grant year (when the rulebook exempts it), ascending.
// Reads the cycle period in force on `as_of`.
std::vector<int> OwedYears(const Rulebook& rulebook, int cycle_year,
                           absl::CivilDay granted_on, absl::CivilDay as_of);

// Decides a renewal attestation: R-RNW-CYCLE (a cycle year the endorsement is
// due in, not yet over), R-RNW-TRN and R-RNW-RSC (the sum, over the owed years,
// of the per-year figures in force on each year's January 1), R-RNW-MEM.
// Errors: InvalidArgument when the attestation fails ValidateRenewal;
// FailedPrecondition when the rulebook has no cycle figures in force on as_of.
absl::StatusOr<eligibility::v1::RenewalDecision> EvaluateRenewal(
    const eligibility::v1::RenewalAttestation& attestation,
    const Rulebook& rulebook, absl::CivilDay as_of);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_RENEWAL_H_

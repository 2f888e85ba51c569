#ifndef IMH_SERVICES_REGISTRY_RENEWAL_CYCLE_H_
#define IMH_SERVICES_REGISTRY_RENEWAL_CYCLE_H_

// R-RNW-CYCLE for the registry: which cycle year an endorsement is next due
// in. The anchor year and period are the rulebook's, read on the day asked.

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rulebook/rulebook.h"

namespace imh::registry {

// The first cycle year after the year of the grant (the grant year is exempt:
// RULES.md s.5, "Decision (mid-cycle)"). FailedPrecondition when the rulebook
// has no cycle in force on `granted_on`.
absl::StatusOr<int> FirstCycleYear(const imh::Rulebook& rulebook,
                                   absl::CivilDay granted_on);

// The cycle after `cycle_year`, with the period in force on its January 1.
absl::StatusOr<int> CycleAfter(const imh::Rulebook& rulebook, int cycle_year);

// Whether `year` is a cycle year under the figures in force on its January 1.
bool IsCycleYear(const imh::Rulebook& rulebook, int year);

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_RENEWAL_CYCLE_H_

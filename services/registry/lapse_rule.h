#ifndef IMH_SERVICES_REGISTRY_LAPSE_RULE_H_
#define IMH_SERVICES_REGISTRY_LAPSE_RULE_H_

// RULES.md s.6, "Decision (lapse dates)": the day an ACTIVE endorsement is
// lapsed under the rules. The registry stores it with the endorsement, the
// lapse run records it, and verification answers from it before any run, so
// that recording a lapse never changes the answer for any day.

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "imh/registry/v1/registry_service.pb.h"

namespace imh::registry {

struct LapseDay {
  absl::CivilDay day;
  v1::LapseCause cause = v1::LAPSE_CAUSE_UNSPECIFIED;
};

// What an ACTIVE endorsement's lapse day rests on.
struct LapseFacts {
  absl::CivilDay granted_on;
  // The first day of the current ACTIVE status: a lapse never reaches back
  // before it.
  absl::CivilDay active_since;
  // The cycle year by whose end the next renewal is due (R-RNW-CYCLE).
  int next_cycle_year = 0;
  // The last membership year paid (R-RNW-MEM); 0 for none.
  int membership_paid_through_year = 0;
  // Whether the rulebook requires membership to stay endorsed.
  bool membership_required = true;
};

// January 1 after the cycle year (renewal missed), or January 1 after the
// later of the last year paid and the grant year (membership: being granted
// implies membership through the grant year), whichever is earlier (the
// renewal on a tie); never before active_since.
LapseDay LapseDayOf(const LapseFacts& facts);

// "renewal cycle 2024 not renewed by 2024-12-31", "membership not renewed
// after 2025": for the history and for verification details.
std::string LapseReason(const LapseFacts& facts, v1::LapseCause cause);

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_LAPSE_RULE_H_

#ifndef IMH_COMMON_ENDORSEMENT_STATUS_H_
#define IMH_COMMON_ENDORSEMENT_STATUS_H_

// What an endorsement's dated history says about one day. Shared by the
// registry (which stores the history) and offline verification (which reads a
// snapshot).

#include <string>

#include "absl/time/civil_time.h"
#include "imh/registry/v1/endorsement.pb.h"

namespace imh {

struct StatusOnDay {
  // UNSPECIFIED when the endorsement was not yet granted on that day.
  registry::v1::EndorsementStatus status =
      registry::v1::ENDORSEMENT_STATUS_UNSPECIFIED;
  // First day of that status (the grant date when the history is empty).
  absl::CivilDay since;
};

// The status in force on `day`: the last history entry effective on or before
// it, or ACTIVE from granted_on when the history has none; and, when that is
// the current ACTIVE period and the endorsement carries lapses_on, LAPSED from
// that day (what the registry answers before its lapse run has recorded it).
// Requires complete dates (entries with incomplete dates are ignored).
StatusOnDay EndorsementStatusOn(const registry::v1::Endorsement& endorsement,
                                absl::CivilDay day);

// "active", "lapsed", ... (lower case, for messages).
std::string StatusWord(registry::v1::EndorsementStatus status);

}  // namespace imh

#endif  // IMH_COMMON_ENDORSEMENT_STATUS_H_

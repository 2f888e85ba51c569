#include "services/registry/lapse_rule.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace imh::registry {

LapseDay LapseDayOf(const LapseFacts& facts) {
  LapseDay lapse{absl::CivilDay(facts.next_cycle_year + 1, 1, 1),
                 v1::LAPSE_CAUSE_RENEWAL_MISSED};
  if (facts.membership_required) {
    const int paid_through =
        std::max(facts.membership_paid_through_year,
                 static_cast<int>(facts.granted_on.year()));
    const absl::CivilDay membership_day(paid_through + 1, 1, 1);
    if (membership_day < lapse.day) {
      lapse = {membership_day, v1::LAPSE_CAUSE_MEMBERSHIP_NOT_RENEWED};
    }
  }
  lapse.day = std::max(lapse.day, facts.active_since);
  return lapse;
}

std::string LapseReason(const LapseFacts& facts, v1::LapseCause cause) {
  if (cause == v1::LAPSE_CAUSE_RENEWAL_MISSED) {
    return absl::StrCat("renewal cycle ", facts.next_cycle_year,
                        " not renewed by ", facts.next_cycle_year, "-12-31");
  }
  const int paid_through = std::max(facts.membership_paid_through_year,
                                    static_cast<int>(facts.granted_on.year()));
  return absl::StrCat("membership not renewed after ", paid_through);
}

}  // namespace imh::registry

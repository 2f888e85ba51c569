#ifndef IMH_SERVICES_ELIGIBILITY_WORK_TIME_H_
#define IMH_SERVICES_ELIGIBILITY_WORK_TIME_H_

// Merged, pro-rated durations of dated periods (work, leadership).

#include <vector>

#include "absl/time/civil_time.h"

namespace imh::eligibility {

struct TimePeriod {
  absl::CivilDay start;
  absl::CivilDay end_exclusive;
  // Share of a full-time week, in (0, 1].
  double full_time_share = 1.0;
};

// Calendar months covered by the periods, never counting a day twice: on each
// day the shares of the periods covering it add up, capped at one full time.
// Runs of days with the same share are measured as one span, so continuous
// full-time cover from 2022-01-01 up to 2024-01-01 is exactly 24 months.
double MergedMonths(std::vector<TimePeriod> periods);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_WORK_TIME_H_

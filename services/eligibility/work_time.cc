#include "services/eligibility/work_time.h"

#include <algorithm>
#include <utility>

#include "common/dates.h"

namespace imh::eligibility {

double MergedMonths(std::vector<TimePeriod> periods) {
  // Sweep over start (+share) and end (-share) events.
  std::vector<std::pair<absl::CivilDay, double>> events;
  events.reserve(periods.size() * 2);
  for (const TimePeriod& period : periods) {
    if (period.end_exclusive <= period.start || period.full_time_share <= 0) {
      continue;
    }
    events.emplace_back(period.start, period.full_time_share);
    events.emplace_back(period.end_exclusive, -period.full_time_share);
  }
  std::sort(events.begin(), events.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  double months = 0.0;
  double open_share = 0.0;
  // The current run of days at one capped share.
  double run_share = 0.0;
  absl::CivilDay run_start;
  for (size_t i = 0; i < events.size();) {
    const absl::CivilDay day = events[i].first;
    while (i < events.size() && events[i].first == day) {
      open_share += events[i].second;
      ++i;
    }
    if (open_share < 1e-9) open_share = 0.0;
    const double share = std::min(1.0, open_share);
    if (share != run_share) {
      if (run_share > 0) {
        months += run_share * CalendarMonthsBetween(run_start, day);
      }
      run_share = share;
      run_start = day;
    }
  }
  return months;
}

}  // namespace imh::eligibility

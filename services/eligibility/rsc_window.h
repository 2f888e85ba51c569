#ifndef IMH_SERVICES_ELIGIBILITY_RSC_WINDOW_H_
#define IMH_SERVICES_ELIGIBILITY_RSC_WINDOW_H_

// The RS/C window search (RULES.md, R-RSC decision): the counted hours must lie
// in one window whose sessions span at least min_span and at most max_window
// months (first to last session, inclusive of both ends).

#include <cstddef>
#include <vector>

#include "absl/time/civil_time.h"

namespace imh::eligibility {

struct RscSample {
  absl::CivilDay day;
  double hours = 0;
  // The part of `hours` in a sub-requirement ("of which N hours about ..."),
  // 0 when there is none.
  double subset_hours = 0;
};

struct RscWindow {
  // False when there were no samples.
  bool found = false;
  // The sessions span at least min_span months.
  bool span_ok = false;
  double hours = 0;
  double subset_hours = 0;
  // Indices into the samples: the window is [first, last].
  size_t first = 0;
  size_t last = 0;
};

// The best window over `samples`, which must be sorted by day. Among windows
// whose span is at least `min_span_months`, prefers one meeting both
// `min_hours` and `min_subset_hours`, then the most hours, then the most subset
// hours; when no window spans long enough, returns the one with the most hours
// (span_ok false). O(n) after sorting.
RscWindow BestRscWindow(const std::vector<RscSample>& samples,
                        int max_window_months, int min_span_months,
                        double min_hours, double min_subset_hours);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_RSC_WINDOW_H_

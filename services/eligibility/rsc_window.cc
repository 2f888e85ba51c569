#include "services/eligibility/rsc_window.h"

#include <tuple>

#include "common/dates.h"
#include "services/eligibility/findings.h"

namespace imh::eligibility {

RscWindow BestRscWindow(const std::vector<RscSample>& samples,
                        int max_window_months, int min_span_months,
                        double min_hours, double min_subset_hours) {
  RscWindow best;
  const size_t n = samples.size();
  if (n == 0) return best;
  std::vector<double> hours(n + 1, 0.0), subset(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) {
    hours[i + 1] = hours[i] + samples[i].hours;
    subset[i + 1] = subset[i] + samples[i].subset_hours;
  }
  auto score = [&](const RscWindow& w) {
    const bool meets = w.span_ok && AtLeast(w.hours, min_hours) &&
                       AtLeast(w.subset_hours, min_subset_hours);
    return std::make_tuple(w.span_ok, meets, w.hours, w.subset_hours);
  };
  // Every optimal window starts at some session i and, since adding sessions
  // only adds hours and span, runs to the last session within the maximum.
  size_t last = 0;
  for (size_t first = 0; first < n; ++first) {
    if (last < first) last = first;
    const absl::CivilDay limit =
        AddMonths(samples[first].day, max_window_months);
    while (last + 1 < n && samples[last + 1].day <= limit) ++last;
    RscWindow candidate;
    candidate.found = true;
    candidate.first = first;
    candidate.last = last;
    candidate.hours = hours[last + 1] - hours[first];
    candidate.subset_hours = subset[last + 1] - subset[first];
    candidate.span_ok =
        samples[last].day >= AddMonths(samples[first].day, min_span_months);
    if (!best.found || score(candidate) > score(best)) best = candidate;
  }
  return best;
}

}  // namespace imh::eligibility

#include "services/eligibility/rsc_window.h"

#include <algorithm>
#include <tuple>

#include "common/dates.h"
#include "services/eligibility/findings.h"

namespace imh::eligibility {

namespace {

// Days as integers that order as dates and step by months without the
// normalisation a CivilDay does, which dominated this loop: the month count
// since year 0 times 32, plus the day of the month.
constexpr int kDayBits = 5;
constexpr int kDayMask = (1 << kDayBits) - 1;

int DayKey(absl::CivilDay day) {
  const int months = static_cast<int>(day.year()) * 12 + (day.month() - 1);
  return months << kDayBits | day.day();
}

// AddMonths on day keys, with the same end-of-month clamping (needed only past
// the 28th, which every month has).
int AddMonthsKey(int key, int months) {
  const int month_count = (key >> kDayBits) + months;
  int day = key & kDayMask;
  if (day > 28) {
    day = std::min(day, DaysInMonth(month_count / 12, month_count % 12 + 1));
  }
  return month_count << kDayBits | day;
}

}  // namespace

RscWindow BestRscWindow(const std::vector<RscSample>& samples,
                        int max_window_months, int min_span_months,
                        double min_hours, double min_subset_hours) {
  RscWindow best;
  const size_t n = samples.size();
  if (n == 0) return best;
  // Prefix sums of hours and subset hours, and each sample's day key: one
  // allocation.
  struct Prefix {
    double hours = 0;
    double subset = 0;
    int key = 0;
  };
  std::vector<Prefix> prefix(n + 1);
  for (size_t i = 0; i < n; ++i) {
    prefix[i + 1].hours = prefix[i].hours + samples[i].hours;
    prefix[i + 1].subset = prefix[i].subset + samples[i].subset_hours;
    prefix[i].key = DayKey(samples[i].day);
  }
  const auto hours = [&](size_t i) { return prefix[i].hours; };
  const auto subset = [&](size_t i) { return prefix[i].subset; };
  const auto keys = [&](size_t i) { return prefix[i].key; };
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
    const int limit = AddMonthsKey(keys(first), max_window_months);
    while (last + 1 < n && keys(last + 1) <= limit) ++last;
    RscWindow candidate;
    candidate.found = true;
    candidate.first = first;
    candidate.last = last;
    candidate.hours = hours(last + 1) - hours(first);
    candidate.subset_hours = subset(last + 1) - subset(first);
    candidate.span_ok =
        keys(last) >= AddMonthsKey(keys(first), min_span_months);
    if (!best.found || score(candidate) > score(best)) best = candidate;
  }
  return best;
}

}  // namespace imh::eligibility

#ifndef IMH_COMMON_LOG_TIME_H_
#define IMH_COMMON_LOG_TIME_H_

// Times and durations as the JSON log lines write them, without the general
// formatters: every call's access log line has both.

#include <string>

#include "absl/time/time.h"

namespace imh {

// Appends `time` in UTC to the millisecond, "2026-12-03T04:22:05.123Z": what
// absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone())
// writes (the milliseconds truncated); times outside the years 1000 to 9999
// through FormatTime itself.
void AppendLogTime(std::string& out, absl::Time time);

// Milliseconds with three decimals, "1.235", rounded to the nearest
// microsecond: what absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(d))
// writes, but for a duration exactly halfway between two microseconds (which
// printf rounds as its binary double falls). Negative and infinite durations
// through StrFormat itself.
std::string LogMilliseconds(absl::Duration duration);

}  // namespace imh

#endif  // IMH_COMMON_LOG_TIME_H_

#ifndef IMH_COMMON_DATES_H_
#define IMH_COMMON_DATES_H_

// Calendar-day arithmetic for the rules: conversions between google.type.Date,
// ISO "YYYY-MM-DD" text and absl::CivilDay, and calendar-month spans.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/type/date.pb.h"

namespace imh {

// True when `date` names one real calendar day (year 1..9999, no zero parts).
bool IsCompleteDate(const google::type::Date& date);

// Converts a complete date. Returns InvalidArgument for partial or impossible
// dates (2023-02-30) instead of normalising them.
absl::StatusOr<absl::CivilDay> ToCivilDay(const google::type::Date& date);

// Precondition: IsCompleteDate(date). Cheaper than ToCivilDay for validated
// input.
absl::CivilDay ToCivilDayUnchecked(const google::type::Date& date);

google::type::Date ToProtoDate(absl::CivilDay day);

// 28-31: the days of `month` (1-12) in `year` (Gregorian).
int DaysInMonth(int64_t year, int month);

// "2024-06-01".
std::string FormatDay(absl::CivilDay day);
// "2024-06".
std::string FormatMonth(absl::CivilDay day);

// Parses exactly "YYYY-MM-DD" naming a real day; anything else is
// InvalidArgument.
absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view iso);

// The same day `months` later (or earlier, if negative); a day that the target
// month lacks becomes its last day (Jan 31 + 1 month = Feb 28 or 29).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

// Calendar months from `from` up to `to_exclusive`: whole months first, then
// the remaining days as a fraction of the next month. 2022-01-01 to 2024-01-01
// is exactly 24. Returns 0 when to_exclusive <= from.
double CalendarMonthsBetween(absl::CivilDay from, absl::CivilDay to_exclusive);

// Virginia's time zone (America/New_York; UTC if the zone database is
// missing), loaded once. Days of the rules are days in Virginia.
const absl::TimeZone& VirginiaTimeZone();

// The calendar day in Virginia at `time`.
absl::CivilDay DayInVirginia(absl::Time time);

// The environment variable that pins "today" (YYYY-MM-DD) for demos and tests,
// whose data are written for a fixed day. Never set it in production: a
// pinned registry never reaches the day on which anyone lapses.
inline constexpr char kPinnedTodayVariable[] = "IMH_TODAY";

// The day IMH_TODAY pins, read once per process; nullopt when it is unset.
// InvalidArgument when it is set but not a calendar day: a server refuses to
// start then.
absl::StatusOr<std::optional<absl::CivilDay>> PinnedToday();

// Today in Virginia: the pinned day when IMH_TODAY is a valid day, else the
// calendar day in Virginia now. Every "today" of the rules comes from here.
absl::CivilDay TodayInVirginia();

}  // namespace imh

#endif  // IMH_COMMON_DATES_H_

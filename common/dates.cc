#include "common/dates.h"

#include <algorithm>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace imh {

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool IsCompleteDate(const google::type::Date& date) {
  return date.year() >= 1 && date.year() <= 9999 && date.month() >= 1 &&
         date.month() <= 12 && date.day() >= 1 &&
         date.day() <= DaysInMonth(date.year(), date.month());
}

absl::StatusOr<absl::CivilDay> ToCivilDay(const google::type::Date& date) {
  if (!IsCompleteDate(date)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%04d-%02d-%02d is not a complete calendar date",
                        date.year(), date.month(), date.day()));
  }
  return ToCivilDayUnchecked(date);
}

absl::CivilDay ToCivilDayUnchecked(const google::type::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

google::type::Date ToProtoDate(absl::CivilDay day) {
  google::type::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

namespace {
// Writes `value` as `width` zero-padded digits ending at `end`.
void PutDigits(int64_t value, int width, char* end) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}
}  // namespace

// Hand-formatted: snprintf was a measurable share of building decisions.
std::string FormatDay(absl::CivilDay day) {
  std::string text = "0000-00-00";
  PutDigits(day.year(), 4, &text[4]);
  PutDigits(day.month(), 2, &text[7]);
  PutDigits(day.day(), 2, &text[10]);
  return text;
}

std::string FormatMonth(absl::CivilDay day) {
  std::string text = "0000-00";
  PutDigits(day.year(), 4, &text[4]);
  PutDigits(day.month(), 2, &text[7]);
  return text;
}

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view iso) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"%s\" is not a calendar day in the form YYYY-MM-DD", iso));
  };
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return bad();
  // The digits read in place: the registry parses three dates a row it reads.
  int value[3] = {0, 0, 0};
  constexpr int kField[] = {0, 0, 0, 0, -1, 1, 1, -1, 2, 2};
  for (size_t i = 0; i < iso.size(); ++i) {
    if (kField[i] < 0) continue;
    const unsigned char c = static_cast<unsigned char>(iso[i]);
    if (!absl::ascii_isdigit(c)) return bad();
    value[kField[i]] = value[kField[i]] * 10 + (c - '0');
  }
  const int year = value[0], month = value[1], day = value[2];
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return bad();
  }
  return absl::CivilDay(year, month, day);
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const int64_t months_since_year_0 =
      day.year() * 12 + (day.month() - 1) + months;
  const int64_t year = months_since_year_0 / 12;
  const int month = static_cast<int>(months_since_year_0 % 12) + 1;
  return absl::CivilDay(year, month,
                        std::min(day.day(), DaysInMonth(year, month)));
}

double CalendarMonthsBetween(absl::CivilDay from, absl::CivilDay to_exclusive) {
  if (to_exclusive <= from) return 0.0;
  // Estimate whole months, then correct by at most one step either way.
  int whole =
      static_cast<int>((to_exclusive.year() * 12 + to_exclusive.month()) -
                       (from.year() * 12 + from.month()));
  while (whole > 0 && AddMonths(from, whole) > to_exclusive) --whole;
  while (AddMonths(from, whole + 1) <= to_exclusive) ++whole;
  const absl::CivilDay month_start = AddMonths(from, whole);
  const absl::CivilDay next_month_start = AddMonths(from, whole + 1);
  return whole + static_cast<double>(to_exclusive - month_start) /
                     static_cast<double>(next_month_start - month_start);
}

const absl::TimeZone& VirginiaTimeZone() {
  static const absl::TimeZone* const zone = [] {
    auto* loaded = new absl::TimeZone();
    if (!absl::LoadTimeZone("America/New_York", loaded)) {
      *loaded = absl::UTCTimeZone();
    }
    return loaded;
  }();
  return *zone;
}

absl::CivilDay DayInVirginia(absl::Time time) {
  return absl::ToCivilDay(time, VirginiaTimeZone());
}

absl::StatusOr<std::optional<absl::CivilDay>> PinnedToday() {
  static const auto* const pinned =
      new absl::StatusOr<std::optional<absl::CivilDay>>(
          []() -> absl::StatusOr<std::optional<absl::CivilDay>> {
            const char* value = std::getenv(kPinnedTodayVariable);
            if (value == nullptr || *value == '\0') return std::nullopt;
            absl::StatusOr<absl::CivilDay> day = ParseDay(value);
            if (!day.ok()) {
              return absl::InvalidArgumentError(
                  absl::StrFormat("%s=%s is not a calendar day (YYYY-MM-DD)",
                                  kPinnedTodayVariable, value));
            }
            return *day;
          }());
  return *pinned;
}

absl::CivilDay TodayInVirginia() {
  const absl::StatusOr<std::optional<absl::CivilDay>>& pinned = PinnedToday();
  if (pinned.ok() && pinned->has_value()) return **pinned;
  return DayInVirginia(absl::Now());
}

}  // namespace imh

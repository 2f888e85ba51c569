#include "common/log_time.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace imh {
namespace {

constexpr int64_t kMillisPerDay = 86400000;

// Appends `value` as exactly `width` digits, zero-padded; requires
// 0 <= value < 10^width.
void AppendDigits(std::string& out, int64_t value, int width) {
  char digits[8];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits, width);
}

}  // namespace

void AppendLogTime(std::string& out, absl::Time time) {
  const int64_t millis = absl::ToUnixMillis(time);  // floor, as %E3S truncates
  int64_t days = millis / kMillisPerDay;
  int64_t of_day = millis % kMillisPerDay;
  if (of_day < 0) {
    of_day += kMillisPerDay;
    --days;
  }
  const absl::CivilDay day = absl::CivilDay(1970, 1, 1) + days;
  if (day.year() < 1000 || day.year() > 9999) {  // FormatTime pads no year
    out.append(
        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()));
    return;
  }
  AppendDigits(out, day.year(), 4);
  out.push_back('-');
  AppendDigits(out, day.month(), 2);
  out.push_back('-');
  AppendDigits(out, day.day(), 2);
  out.push_back('T');
  AppendDigits(out, of_day / 3600000, 2);
  out.push_back(':');
  AppendDigits(out, of_day / 60000 % 60, 2);
  out.push_back(':');
  AppendDigits(out, of_day / 1000 % 60, 2);
  out.push_back('.');
  AppendDigits(out, of_day % 1000, 3);
  out.push_back('Z');
}

std::string LogMilliseconds(absl::Duration duration) {
  if (duration < absl::ZeroDuration() || duration == absl::InfiniteDuration()) {
    return absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(duration));
  }
  const int64_t micros = (absl::ToInt64Nanoseconds(duration) + 500) / 1000;
  std::string text = absl::StrCat(micros / 1000, ".");
  AppendDigits(text, micros % 1000, 3);
  return text;
}

}  // namespace imh

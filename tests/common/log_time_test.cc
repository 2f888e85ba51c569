// The log lines' own time and duration formatting writes what the general
// formatters it replaced wrote.

#include "common/log_time.h"

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace imh {
namespace {

std::string General(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

std::string Ours(absl::Time time) {
  std::string out = "x";  // appends, never replaces
  AppendLogTime(out, time);
  return out.substr(1);
}

TEST(LogTime, WritesWhatFormatTimeWritesAcrossDaysMonthsAndYears) {
  // Every hour of four years around a leap day and a century, at the last
  // millisecond of the second and just past it.
  const absl::Time start = absl::FromCivil(
      absl::CivilSecond(1999, 12, 30, 0, 0, 0), absl::UTCTimeZone());
  for (int hour = 0; hour < 4 * 366 * 24; ++hour) {
    for (const absl::Duration offset :
         {absl::ZeroDuration(), absl::Milliseconds(999),
          absl::Microseconds(999999), absl::Nanoseconds(1000000001)}) {
      const absl::Time time = start + absl::Hours(hour) + offset;
      ASSERT_EQ(Ours(time), General(time));
    }
  }
}

TEST(LogTime, WritesWhatFormatTimeWritesForRandomTimesBeforeAndAfter1970) {
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> nanos(
      -int64_t{60} * 365 * 86400 * 1000000000,
      int64_t{200} * 365 * 86400 * 1000000000);
  for (int i = 0; i < 200000; ++i) {
    const absl::Time time = absl::FromUnixNanos(nanos(random));
    ASSERT_EQ(Ours(time), General(time)) << absl::ToUnixNanos(time);
  }
  EXPECT_EQ(Ours(absl::FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
  // Years FormatTime writes with fewer or more than four digits.
  for (const int year : {1, 999, 1000, 9999, 10000, 12345}) {
    const absl::Time time = absl::FromCivil(
        absl::CivilSecond(year, 6, 1, 12, 0, 0), absl::UTCTimeZone());
    EXPECT_EQ(Ours(time), General(time)) << year;
  }
  EXPECT_EQ(Ours(absl::UnixEpoch()), "1970-01-01T00:00:00.000Z");
}

TEST(LogTime, MillisecondsAreWhatPrintfWritesRoundedToTheMicrosecond) {
  std::mt19937_64 random(11);
  std::uniform_int_distribution<int64_t> nanos(0, int64_t{100} * 1000000000);
  for (int i = 0; i < 200000; ++i) {
    int64_t n = nanos(random);
    if (n % 1000 == 500) ++n;  // a tie: printf rounds its double either way
    const absl::Duration d = absl::Nanoseconds(n);
    ASSERT_EQ(LogMilliseconds(d),
              absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(d)))
        << n;
  }
  EXPECT_EQ(LogMilliseconds(absl::ZeroDuration()), "0.000");
  EXPECT_EQ(LogMilliseconds(absl::Microseconds(1234567)), "1234.567");
  EXPECT_EQ(LogMilliseconds(absl::Nanoseconds(999600)), "1.000");
  EXPECT_EQ(LogMilliseconds(absl::Nanoseconds(1499)), "0.001");
}

}  // namespace
}  // namespace imh

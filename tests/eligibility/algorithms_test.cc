// The building blocks: calendar months, merged periods, the RS/C window search.

#include "common/dates.h"
#include "gtest/gtest.h"
#include "services/eligibility/rsc_window.h"
#include "services/eligibility/work_time.h"

namespace imh::eligibility {
namespace {

using absl::CivilDay;

TEST(Dates, CalendarMonthsCountWholeMonthsThenAFraction) {
  EXPECT_DOUBLE_EQ(
      CalendarMonthsBetween(CivilDay(2022, 1, 1), CivilDay(2024, 1, 1)), 24);
  EXPECT_DOUBLE_EQ(
      CalendarMonthsBetween(CivilDay(2022, 1, 15), CivilDay(2022, 2, 15)), 1);
  EXPECT_DOUBLE_EQ(
      CalendarMonthsBetween(CivilDay(2023, 2, 1), CivilDay(2023, 2, 15)), 0.5);
  EXPECT_DOUBLE_EQ(
      CalendarMonthsBetween(CivilDay(2024, 1, 1), CivilDay(2023, 1, 1)), 0);
}

TEST(Dates, AddMonthsClampsToTheEndOfTheMonth) {
  EXPECT_EQ(AddMonths(CivilDay(2024, 1, 31), 1), CivilDay(2024, 2, 29));
  EXPECT_EQ(AddMonths(CivilDay(2023, 1, 31), 1), CivilDay(2023, 2, 28));
  EXPECT_EQ(AddMonths(CivilDay(2024, 3, 10), -12), CivilDay(2023, 3, 10));
}

TEST(Dates, ParseDayAcceptsOnlyRealIsoDays) {
  EXPECT_TRUE(ParseDay("2024-02-29").ok());
  EXPECT_FALSE(ParseDay("2023-02-29").ok());
  EXPECT_FALSE(ParseDay("2024-2-01").ok());
  EXPECT_FALSE(ParseDay("2024-02-01x").ok());
  EXPECT_FALSE(ParseDay("").ok());
}

TEST(Dates, ParseDayReadsEveryDayItsFormatWrites) {
  for (CivilDay day(1899, 12, 25); day <= CivilDay(2101, 1, 5); ++day) {
    const absl::StatusOr<CivilDay> parsed = ParseDay(FormatDay(day));
    ASSERT_TRUE(parsed.ok()) << FormatDay(day);
    ASSERT_EQ(*parsed, day);
  }
  EXPECT_EQ(ParseDay("0001-01-01").value(), CivilDay(1, 1, 1));
  EXPECT_EQ(ParseDay("9999-12-31").value(), CivilDay(9999, 12, 31));
}

TEST(Dates, ParseDayRefusesFieldsOutOfRangeAndAnyNonDigit) {
  for (const char* bad :
       {"0000-01-01", "2024-00-10", "2024-13-01", "2024-04-31", "2024-04-00",
        "2023-02-29", "1900-02-29", "2024-0a-01", "+024-01-01", "2024-01- 1",
        "2024/01/01", "2024-01-0\x01", "-024-01-01", "2024-1-001"}) {
    EXPECT_FALSE(ParseDay(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseDay("2000-02-29").ok());
}

TEST(WorkTime, OverlapsAreMergedAndAdjacentPeriodsJoin) {
  EXPECT_DOUBLE_EQ(
      MergedMonths({{CivilDay(2022, 1, 1), CivilDay(2023, 1, 1), 1},
                    {CivilDay(2022, 7, 1), CivilDay(2023, 7, 1), 1}}),
      18);
  EXPECT_DOUBLE_EQ(
      MergedMonths({{CivilDay(2022, 1, 15), CivilDay(2022, 2, 1), 1},
                    {CivilDay(2022, 2, 1), CivilDay(2022, 2, 15), 1}}),
      1);
}

TEST(WorkTime, SharesAddUpAndAreCappedAtFullTime) {
  EXPECT_DOUBLE_EQ(
      MergedMonths({{CivilDay(2022, 1, 1), CivilDay(2023, 1, 1), 0.5},
                    {CivilDay(2022, 1, 1), CivilDay(2023, 1, 1), 0.5}}),
      12);
  EXPECT_DOUBLE_EQ(
      MergedMonths({{CivilDay(2022, 1, 1), CivilDay(2023, 1, 1), 1},
                    {CivilDay(2022, 1, 1), CivilDay(2023, 1, 1), 0.5}}),
      12);
  EXPECT_DOUBLE_EQ(
      MergedMonths({{CivilDay(2022, 1, 1), CivilDay(2024, 1, 1), 0.5}}), 12);
  EXPECT_DOUBLE_EQ(MergedMonths({}), 0);
}

std::vector<RscSample> Monthly(CivilDay first, int count, double hours) {
  std::vector<RscSample> samples;
  for (int i = 0; i < count; ++i)
    samples.push_back({AddMonths(first, i), hours, 0});
  return samples;
}

TEST(RscWindow, LongHistoryFindsTheDensestTwoYears) {
  std::vector<RscSample> samples = Monthly(CivilDay(2018, 1, 1), 24, 1);
  const auto dense = Monthly(CivilDay(2021, 1, 1), 24, 3);
  samples.insert(samples.end(), dense.begin(), dense.end());
  const RscWindow w = BestRscWindow(samples, 24, 12, 50, 0);
  EXPECT_TRUE(w.span_ok);
  EXPECT_DOUBLE_EQ(w.hours, 72);
  EXPECT_EQ(samples[w.first].day, CivilDay(2021, 1, 1));
}

TEST(RscWindow, TooShortSpanIsReportedWithTheMostHours) {
  const RscWindow w =
      BestRscWindow(Monthly(CivilDay(2024, 1, 1), 6, 10), 24, 12, 24, 0);
  EXPECT_TRUE(w.found);
  EXPECT_FALSE(w.span_ok);
  EXPECT_DOUBLE_EQ(w.hours, 60);
}

TEST(RscWindow, PrefersAWindowMeetingTheSubsetToOneWithMoreHours) {
  // Early window: 60 hours, none "about"; late window: 50 hours, 25 "about".
  std::vector<RscSample> samples = Monthly(CivilDay(2018, 1, 1), 13, 60.0 / 13);
  for (RscSample s : Monthly(CivilDay(2022, 1, 1), 13, 50.0 / 13)) {
    s.subset_hours = s.hours / 2;
    samples.push_back(s);
  }
  const RscWindow w = BestRscWindow(samples, 24, 12, 50, 25);
  EXPECT_NEAR(w.hours, 50, 1e-9);
  EXPECT_NEAR(w.subset_hours, 25, 1e-9);
}

// Months step as AddMonths does: Aug 31 + 6 months is Feb 28 (Feb 29 in a
// leap year), so a session on that day closes a six-month span; the day before
// does not. 24 months from Feb 29 is Feb 28.
TEST(RscWindow, MonthsFromAMonthsLastDaysEndOnTheTargetMonthsLastDay) {
  const auto span_ok = [](CivilDay first, CivilDay last) {
    return BestRscWindow({{first, 1, 0}, {last, 1, 0}}, 24, 6, 0, 0).span_ok;
  };
  EXPECT_TRUE(span_ok(CivilDay(2022, 8, 31), CivilDay(2023, 2, 28)));
  EXPECT_FALSE(span_ok(CivilDay(2022, 8, 31), CivilDay(2023, 2, 27)));
  EXPECT_TRUE(span_ok(CivilDay(2023, 8, 31), CivilDay(2024, 2, 29)));
  EXPECT_FALSE(span_ok(CivilDay(2023, 8, 31), CivilDay(2024, 2, 28)));
  EXPECT_TRUE(span_ok(CivilDay(2023, 8, 30), CivilDay(2024, 2, 29)));
  const auto one_window = [](CivilDay first, CivilDay last) {
    const RscWindow w =
        BestRscWindow({{first, 1, 0}, {last, 1, 0}}, 24, 6, 0, 0);
    return w.first == 0 && w.last == 1;
  };
  EXPECT_TRUE(one_window(CivilDay(2024, 2, 29), CivilDay(2026, 2, 28)));
  EXPECT_FALSE(one_window(CivilDay(2024, 2, 29), CivilDay(2026, 3, 1)));
}

TEST(RscWindow, NoSessionsFindsNothing) {
  EXPECT_FALSE(BestRscWindow({}, 24, 12, 24, 0).found);
}

}  // namespace
}  // namespace imh::eligibility

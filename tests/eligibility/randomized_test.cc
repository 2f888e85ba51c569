// Seeded randomized checks: the window search and merged durations against
// brute force, and the whole engine on random portfolios (never a crash;
// outcomes always follow from findings; an invalid portfolio is refused, never
// decided).

#include <random>

#include "common/dates.h"
#include "services/eligibility/evaluator.h"
#include "services/eligibility/rsc_window.h"
#include "services/eligibility/validation.h"
#include "services/eligibility/work_time.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using absl::CivilDay;

TEST(Randomized, WindowSearchFindsTheBruteForceOptimum) {
  std::mt19937 rng(20261123);
  for (int round = 0; round < 400; ++round) {
    std::vector<RscSample> samples;
    CivilDay day(2020, 1, 1);
    const int n = std::uniform_int_distribution<int>(1, 25)(rng);
    for (int i = 0; i < n; ++i) {
      day += std::uniform_int_distribution<int>(0, 120)(rng);
      const double hours = std::uniform_int_distribution<int>(1, 8)(rng) / 2.0;
      samples.push_back(
          {day, hours, std::uniform_int_distribution<int>(0, 1)(rng) * hours});
    }
    const double min_hours = 10, min_subset = 4;
    // Brute force: every [i, j] whose span is within the limits.
    bool any_valid = false, any_meeting = false;
    double best_hours = 0, best_meeting_hours = 0;
    for (int i = 0; i < n; ++i) {
      double hours = 0, subset = 0;
      for (int j = i; j < n; ++j) {
        hours += samples[j].hours;
        subset += samples[j].subset_hours;
        if (samples[j].day > AddMonths(samples[i].day, 24)) break;
        if (samples[j].day < AddMonths(samples[i].day, 12)) continue;
        any_valid = true;
        best_hours = std::max(best_hours, hours);
        if (hours >= min_hours && subset >= min_subset) {
          any_meeting = true;
          best_meeting_hours = std::max(best_meeting_hours, hours);
        }
      }
    }
    const RscWindow w = BestRscWindow(samples, 24, 12, min_hours, min_subset);
    ASSERT_TRUE(w.found);
    ASSERT_EQ(w.span_ok, any_valid) << "round " << round;
    if (any_meeting) {
      EXPECT_GE(w.hours, min_hours) << "round " << round;
      EXPECT_GE(w.subset_hours, min_subset) << "round " << round;
      EXPECT_DOUBLE_EQ(w.hours, best_meeting_hours) << "round " << round;
    } else if (any_valid) {
      EXPECT_DOUBLE_EQ(w.hours, best_hours) << "round " << round;
    }
    if (w.span_ok) {
      EXPECT_GE(samples[w.last].day, AddMonths(samples[w.first].day, 12));
      EXPECT_LE(samples[w.last].day, AddMonths(samples[w.first].day, 24));
    }
  }
}

TEST(Randomized, MergedFullTimeMonthsEqualTheClassicIntervalUnion) {
  std::mt19937 rng(7);
  for (int round = 0; round < 400; ++round) {
    std::vector<TimePeriod> periods;
    const int n = std::uniform_int_distribution<int>(1, 6)(rng);
    for (int i = 0; i < n; ++i) {
      const CivilDay start = CivilDay(2015, 1, 1) +
                             std::uniform_int_distribution<int>(0, 3000)(rng);
      periods.push_back(
          {start, start + std::uniform_int_distribution<int>(1, 900)(rng),
           1.0});
    }
    std::vector<TimePeriod> sorted = periods;
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.start < b.start; });
    double expected = 0;
    CivilDay run_start = sorted[0].start, run_end = sorted[0].end_exclusive;
    for (size_t i = 1; i < sorted.size(); ++i) {
      if (sorted[i].start <= run_end) {
        run_end = std::max(run_end, sorted[i].end_exclusive);
      } else {
        expected += CalendarMonthsBetween(run_start, run_end);
        run_start = sorted[i].start;
        run_end = sorted[i].end_exclusive;
      }
    }
    expected += CalendarMonthsBetween(run_start, run_end);
    EXPECT_NEAR(MergedMonths(periods), expected, 1e-9) << "round " << round;
  }
}

// A random portfolio: every field is drawn at random, and about one field in
// two hundred is made invalid, so that both valid and invalid portfolios occur.
v1::Portfolio RandomPortfolio(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  auto bad = [&]() { return pick(0, 199) == 0; };
  auto date = [&](CivilDay from) {
    if (bad()) return Day(2023, 2, 30);
    return ToProtoDate(std::min(from + pick(0, 5000), kAsOf));
  };
  auto hours = [&](int hi) { return bad() ? -1.0 : pick(1, 2 * hi) / 2.0; };
  auto enum_value = [&](int hi) { return bad() ? hi + 7 : pick(1, hi); };
  const std::string people[] = {kIfrsProvider,   kMentorProvider,
                                kLapsedProvider, kLateProvider,
                                kIfsRater,       kUnendorsedPerson};
  const CivilDay early(2005, 1, 1);
  v1::Portfolio p = EligibleIfs();
  p.clear_education();
  p.clear_trainings();
  p.clear_rsc_sessions();
  p.clear_work();
  p.clear_references();
  p.mutable_applicant()->set_population_focus(
      static_cast<v1::PopulationFocus>(enum_value(2)));
  for (int i = 0, n = pick(0, 3); i < n; ++i) {
    AddDegree(p, static_cast<v1::DegreeLevel>(enum_value(6)), "MSW",
              date(early), pick(0, 1));
  }
  for (int i = 0, n = pick(0, 12); i < n; ++i) {
    AddTraining(p, hours(20), static_cast<v1::TrainingTopic>(enum_value(4)),
                pick(0, 1));
  }
  for (int i = 0, n = pick(0, 40); i < n; ++i) {
    v1::RscSession* s = p.add_rsc_sessions();
    *s->mutable_held_on() = date(CivilDay(2015, 1, 1));
    s->set_hours(hours(3));
    s->set_format(static_cast<v1::RscFormat>(enum_value(3)));
    s->mutable_provider()->set_person_id(people[pick(0, 5)]);
    s->mutable_provider()->set_display_name("Provider");
    s->set_about_rsc_applicant_provides(pick(0, 1));
    s->set_while_applicant_provided_rsc(pick(0, 1));
  }
  for (int i = 0, n = pick(0, 5); i < n; ++i) {
    const google::type::Date start = date(early);
    const google::type::Date end =
        IsCompleteDate(start)
            ? ToProtoDate(
                  std::min(ToCivilDayUnchecked(start) + pick(0, 2000), kAsOf))
            : start;
    v1::WorkEntry* w = AddWork(p, static_cast<v1::ServiceKind>(enum_value(8)),
                               start, pick(0, 1) ? &end : nullptr);
    w->set_paid(pick(0, 3) > 0);
    w->set_hours_per_week(pick(0, 1) ? 0 : hours(25));
    w->set_families_served(bad() ? -1 : pick(0, 30));
  }
  for (int i = 0, n = pick(0, 3); i < n; ++i) {
    const google::type::Date start = date(early);
    AddLeadership(p, static_cast<v1::LeadershipLevel>(enum_value(4)), start,
                  nullptr);
  }
  for (int i = 0, n = pick(2, 4); i < n; ++i) {
    AddReference(p, static_cast<v1::ReferenceRole>(enum_value(15)), "Rater",
                 pick(0, 1) ? people[pick(0, 5)] : "");
  }
  return p;
}

TEST(Randomized, TheEngineNeverCrashesAndOutcomesFollowFromFindings) {
  std::mt19937 rng(42);
  int decided = 0, refused = 0;
  for (int round = 0; round < 300; ++round) {
    const v1::Portfolio p = RandomPortfolio(rng);
    const bool valid = ValidatePortfolio(p, kAsOf).empty();
    const absl::StatusOr<v1::Decision> decision =
        EvaluateWithVerifier(p, VirginiaRulebook(), kAsOf, {}, TestRegistry());
    ASSERT_EQ(decision.ok(), valid) << decision.status();
    if (!valid) {
      EXPECT_THAT(decision.status(),
                  StatusIs(absl::StatusCode::kInvalidArgument));
      ++refused;
      continue;
    }
    ++decided;
    ASSERT_EQ(decision->categories_size(), 7);
    for (const v1::CategoryDecision& category : decision->categories()) {
      bool not_met = false, unverified = false;
      for (const v1::Finding& f : category.findings()) {
        EXPECT_FALSE(f.rule_id().empty());
        EXPECT_FALSE(f.message().empty());
        EXPECT_NE(f.status(), v1::FINDING_STATUS_UNSPECIFIED);
        not_met |= f.status() == kNotMet;
        unverified |= f.status() == kUnverified;
        if (f.has_shortfall()) {
          EXPECT_GT(f.shortfall().missing(), 0);
        }
      }
      EXPECT_EQ(category.outcome(), not_met      ? kNotEligible
                                    : unverified ? kNeedsReview
                                                 : kEligible);
    }
  }
  // Both paths were exercised.
  EXPECT_GT(decided, 20);
  EXPECT_GT(refused, 20);
}

}  // namespace
}  // namespace imh::eligibility::testing

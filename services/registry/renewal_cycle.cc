#include "services/registry/renewal_cycle.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/rulebook/params.h"

namespace imh::registry {
namespace {

struct Cycle {
  int anchor_year;
  int period_years;
};

std::optional<Cycle> CycleOn(const imh::Rulebook& rulebook,
                             absl::CivilDay day) {
  const auto& rules = rulebook.proto().renewal();
  const std::string iso = FormatDay(day);
  const std::optional<double> anchor =
      imh::NumberAt(rules.cycle_anchor_year(), iso);
  const std::optional<double> period =
      imh::NumberAt(rules.cycle_period_years(), iso);
  if (!anchor || !period || *period < 1) return std::nullopt;
  return Cycle{static_cast<int>(*anchor), static_cast<int>(*period)};
}

absl::Status NoCycle(absl::CivilDay day) {
  return absl::FailedPreconditionError(absl::StrCat(
      "the rulebook has no renewal cycle in force on ", FormatDay(day)));
}

// The smallest cycle year greater than `year`.
int CycleYearAfter(const Cycle& cycle, int year) {
  if (year < cycle.anchor_year) return cycle.anchor_year;
  const int periods = (year - cycle.anchor_year) / cycle.period_years + 1;
  return cycle.anchor_year + periods * cycle.period_years;
}

}  // namespace

absl::StatusOr<int> FirstCycleYear(const imh::Rulebook& rulebook,
                                   absl::CivilDay granted_on) {
  const std::optional<Cycle> cycle = CycleOn(rulebook, granted_on);
  if (!cycle) return NoCycle(granted_on);
  return CycleYearAfter(*cycle, static_cast<int>(granted_on.year()));
}

absl::StatusOr<int> CycleAfter(const imh::Rulebook& rulebook, int cycle_year) {
  const absl::CivilDay day(cycle_year, 1, 1);
  const std::optional<Cycle> cycle = CycleOn(rulebook, day);
  if (!cycle) return NoCycle(day);
  return CycleYearAfter(*cycle, cycle_year);
}

bool IsCycleYear(const imh::Rulebook& rulebook, int year) {
  const std::optional<Cycle> cycle =
      CycleOn(rulebook, absl::CivilDay(year, 1, 1));
  return cycle && year >= cycle->anchor_year &&
         (year - cycle->anchor_year) % cycle->period_years == 0;
}

}  // namespace imh::registry

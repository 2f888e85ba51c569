#include "services/registry/decision_checks.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/dates.h"
#include "common/rulebook/params.h"

namespace imh::registry {
namespace {

absl::CivilDay IssuedDayInVirginia(const decision::v1::DecisionRecord& record) {
  return DayInVirginia(absl::FromUnixSeconds(record.issued_at().seconds()));
}

}  // namespace

absl::StatusOr<absl::CivilDay> DecisionValidThrough(
    const decision::v1::DecisionRecord& record, const imh::Rulebook& rulebook,
    absl::CivilDay today) {
  const std::optional<double> days = imh::NumberAt(
      rulebook.proto().review().decision_valid_days(), FormatDay(today));
  if (!days) {
    return absl::FailedPreconditionError(
        absl::StrCat("the rulebook has no decision_valid_days in force on ",
                     FormatDay(today)));
  }
  absl::CivilDay start = IssuedDayInVirginia(record);
  if (IsCompleteDate(record.as_of())) {
    start = std::min(start, ToCivilDayUnchecked(record.as_of()));
  }
  return start + static_cast<int>(*days);
}

absl::Status CheckDecisionFresh(const decision::v1::DecisionRecord& record,
                                const imh::Rulebook& rulebook,
                                absl::CivilDay today) {
  absl::StatusOr<absl::CivilDay> through =
      DecisionValidThrough(record, rulebook, today);
  if (!through.ok()) return through.status();
  if (today > *through) {
    return absl::FailedPreconditionError(
        absl::StrCat("decision ", record.decision_id(), " was valid through ",
                     FormatDay(*through),
                     " (the rulebook's decision_valid_days): evaluate the "
                     "portfolio again"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> RequiredReviewers(const imh::Rulebook& rulebook,
                                      absl::CivilDay today) {
  const std::optional<double> reviewers = imh::NumberAt(
      rulebook.proto().review().required_reviewers(), FormatDay(today));
  if (!reviewers || *reviewers < 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the rulebook has no required_reviewers in force on ",
                     FormatDay(today)));
  }
  return static_cast<int>(*reviewers);
}

}  // namespace imh::registry

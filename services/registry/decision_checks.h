#ifndef IMH_SERVICES_REGISTRY_DECISION_CHECKS_H_
#define IMH_SERVICES_REGISTRY_DECISION_CHECKS_H_

// What the registry asks of a signed decision before it grants or renews on
// it, besides its signature (common/decision_signing.h): that it is fresh.

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rulebook/rulebook.h"
#include "imh/decision/v1/decision_record.pb.h"

namespace imh::registry {

// The last day the decision may be used: the rulebook's decision_valid_days
// (the value in force on `today`) after the earlier of the day it was issued
// (in Virginia) and the day it decided on. FailedPrecondition when the
// rulebook has no validity in force on `today`.
absl::StatusOr<absl::CivilDay> DecisionValidThrough(
    const decision::v1::DecisionRecord& record, const imh::Rulebook& rulebook,
    absl::CivilDay today);

// OK while `today` is on or before the valid-through day; FailedPrecondition
// saying since when it is too old otherwise.
absl::Status CheckDecisionFresh(const decision::v1::DecisionRecord& record,
                                const imh::Rulebook& rulebook,
                                absl::CivilDay today);

// The rulebook's required_reviewers in force on `today`; FailedPrecondition
// when it has none.
absl::StatusOr<int> RequiredReviewers(const imh::Rulebook& rulebook,
                                      absl::CivilDay today);

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_DECISION_CHECKS_H_

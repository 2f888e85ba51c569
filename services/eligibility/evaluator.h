#ifndef IMH_SERVICES_ELIGIBILITY_EVALUATOR_H_
#define IMH_SERVICES_ELIGIBILITY_EVALUATOR_H_

// The eligibility engine: (portfolio, rulebook, as-of date, verified facts) ->
// an explained decision per category. No I/O and no gRPC: verification facts
// are an input, gathered by the caller through a CredentialVerifier.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/rulebook/rulebook.h"
#include "imh/eligibility/v1/decision.pb.h"
#include "imh/eligibility/v1/portfolio.pb.h"
#include "services/eligibility/verification.h"

namespace imh::eligibility {

using CategoryList = std::vector<const rulebook::v1::Category*>;

// The categories named by `codes` (canonical or alias, any case), in the order
// given, without repeats; every category of the rulebook, in its order, when
// `codes` is empty. InvalidArgument naming the first unknown code.
absl::StatusOr<CategoryList> ResolveCategories(
    const Rulebook& rulebook, const std::vector<std::string>& codes);

// Every registry question that evaluating `categories` will look up: each rater
// with a registry identity against the category's endorsed-rater set on
// `as_of`, and each provider of non-peer sessions against the provider set on
// every session date, in one span question from their first session's day to
// their last (a one-day question when those are the same day). Deduplicated;
// ask them in one batch. Requires a valid portfolio.
std::vector<CredentialQuestion> CredentialQuestionsFor(
    const eligibility::v1::Portfolio& portfolio, absl::CivilDay as_of,
    const CategoryList& categories);

// Decides each category. A question missing from `facts` counts as unknown, so
// its finding is UNVERIFIED and the category never ELIGIBLE.
// Errors: InvalidArgument when the portfolio fails ValidatePortfolio (the
// message lists the violations); FailedPrecondition when `as_of` is before the
// rulebook's figures are in force.
absl::StatusOr<eligibility::v1::Decision> Evaluate(
    const eligibility::v1::Portfolio& portfolio, const Rulebook& rulebook,
    absl::CivilDay as_of, const CategoryList& categories,
    const VerificationFacts& facts);

// Evaluate, writing into `*decision` (cleared first), which may live on a
// protobuf arena, as a server's response does. Same errors; on error
// *decision is left empty.
absl::Status EvaluateInto(const eligibility::v1::Portfolio& portfolio,
                          const Rulebook& rulebook, absl::CivilDay as_of,
                          const CategoryList& categories,
                          const VerificationFacts& facts,
                          eligibility::v1::Decision* decision);

// EvaluateInto without its checks, for a caller that made them itself (the
// service validates first, to name every field path). Requires
// ValidatePortfolio(portfolio, as_of) to be empty and as_of to be on or after
// rulebook.in_force_from(). In the BASIC view no finding has a message and
// nothing else differs from FULL (UNSPECIFIED is FULL).
void EvaluateValidatedInto(
    const eligibility::v1::Portfolio& portfolio, const Rulebook& rulebook,
    absl::CivilDay as_of, const CategoryList& categories,
    const VerificationFacts& facts, eligibility::v1::Decision* decision,
    eligibility::v1::DecisionView view = eligibility::v1::DECISION_VIEW_FULL);

// ResolveCategories + CredentialQuestionsFor + one Verify batch + Evaluate,
// with the same errors. The portfolio is validated once, and a request that is
// refused never reaches the verifier.
absl::StatusOr<eligibility::v1::Decision> EvaluateWithVerifier(
    const eligibility::v1::Portfolio& portfolio, const Rulebook& rulebook,
    absl::CivilDay as_of, const std::vector<std::string>& category_codes,
    CredentialVerifier& verifier);

// From a decision over several categories (in rulebook order): which are
// eligible, and the next step with what it is missing: among the categories
// after the last eligible one (the rulebook orders them by progression; all of
// them when none is eligible), the one with the fewest NOT_MET and UNVERIFIED
// findings, ties going to rulebook order.
eligibility::v1::Recommendation Recommend(eligibility::v1::Decision decision);

// Recommend, written into `out` (which must be empty) without a copy of the
// decision: `decision`'s categories are moved into `out` (a pointer swap when
// both are on one arena; copied otherwise), leaving `decision` without them.
void RecommendInto(eligibility::v1::Decision* decision,
                   eligibility::v1::Recommendation* out);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_EVALUATOR_H_

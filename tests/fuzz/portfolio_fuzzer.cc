// An EvaluatePortfolioRequest as the eligibility service receives it: any
// bytes, parsed as the binary message. What the service would refuse must be
// refused by validation; what validation accepts must evaluate without a crash
// (on every category, with registry answers of every kind), recommend, and
// never be ELIGIBLE on an unverified finding.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/dates.h"
#include "imh/eligibility/v1/eligibility_service.pb.h"
#include "services/eligibility/evaluator.h"
#include "services/eligibility/validation.h"
#include "tests/fuzz/fuzz_support.h"

namespace imh::fuzz {
namespace {

namespace v1 = eligibility::v1;

// Registry answers of every kind, chosen by the input so that the fuzzer can
// steer them: mostly held (to reach the deep rules), some not held, some
// unknown (the registry did not answer).
eligibility::VerificationFacts FactsFor(
    const std::vector<eligibility::CredentialQuestion>& questions,
    size_t seed) {
  eligibility::VerificationFacts facts;
  for (size_t i = 0; i < questions.size(); ++i) {
    eligibility::CredentialAnswer answer;
    switch ((seed + i) % 5) {
      case 3:
        answer.status = eligibility::CredentialStatus::kNotHeld;
        break;
      case 4:
        answer.status = eligibility::CredentialStatus::kUnknown;
        break;
      default:
        answer.status = eligibility::CredentialStatus::kHeld;
        answer.endorsement_number = "VA-IFS-000001";
        answer.category = questions[i].categories.empty()
                              ? std::string("IFS")
                              : questions[i].categories.front();
    }
    facts.Add(questions[i], std::move(answer));
  }
  return facts;
}

void CheckNeverEligibleUnverified(const v1::Decision& decision) {
  for (const v1::CategoryDecision& category : decision.categories()) {
    if (category.outcome() != v1::OUTCOME_ELIGIBLE) continue;
    for (const v1::Finding& finding : category.findings()) {
      if (finding.status() == v1::FINDING_STATUS_UNVERIFIED ||
          finding.status() == v1::FINDING_STATUS_NOT_MET) {
        InvariantBroken("ELIGIBLE with an unverified or unmet finding");
      }
    }
  }
}

void EvaluateRequest(const v1::EvaluatePortfolioRequest& request, size_t seed) {
  const imh::Rulebook& rulebook = ShippedRulebook();
  // As the service does: the request's day when it is a real one, else a
  // fixed "today" (the service refuses days after today).
  const absl::CivilDay today(2026, 11, 23);
  absl::CivilDay as_of = today;
  if (request.has_as_of()) {
    absl::StatusOr<absl::CivilDay> day = ToCivilDay(request.as_of());
    if (!day.ok() || *day > today) return;
    as_of = *day;
  }
  const std::vector<std::string> codes(request.categories().begin(),
                                       request.categories().end());
  if (codes.size() > eligibility::InputLimits::kMaxCategories) return;
  if (!eligibility::ValidatePortfolio(request.portfolio(), as_of).empty() ||
      !eligibility::ValidateCategoryCodes(rulebook, codes).empty() ||
      as_of < rulebook.in_force_from()) {
    return;
  }
  absl::StatusOr<eligibility::CategoryList> categories =
      eligibility::ResolveCategories(rulebook, codes);
  if (!categories.ok()) InvariantBroken("validated codes do not resolve");
  const eligibility::VerificationFacts facts =
      FactsFor(eligibility::CredentialQuestionsFor(request.portfolio(), as_of,
                                                   *categories),
               seed);
  v1::Decision decision;
  eligibility::EvaluateValidatedInto(request.portfolio(), rulebook, as_of,
                                     *categories, facts, &decision);
  if (decision.categories_size() != static_cast<int>(categories->size())) {
    InvariantBroken("not one decision per category asked");
  }
  CheckNeverEligibleUnverified(decision);
  eligibility::Recommend(std::move(decision));
}

}  // namespace
}  // namespace imh::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  imh::eligibility::v1::EvaluatePortfolioRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  imh::fuzz::EvaluateRequest(request, size);
  return 0;
}

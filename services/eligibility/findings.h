#ifndef IMH_SERVICES_ELIGIBILITY_FINDINGS_H_
#define IMH_SERVICES_ELIGIBILITY_FINDINGS_H_

// Building findings and deciding outcomes from them.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "imh/eligibility/v1/decision.pb.h"
#include "services/eligibility/evaluation_context.h"

namespace imh::eligibility {

// Appends a finding without its sentence to `decision` and returns it for
// sentence, evidence and shortfall.
eligibility::v1::Finding* AddFinding(
    eligibility::v1::CategoryDecision* decision, absl::string_view rule_id,
    eligibility::v1::FindingStatus status);

// Appends a finding to `decision` and returns it for evidence and shortfall.
// `sentence` (a callable returning the std::string a person reads) is called
// only when the evaluation writes sentences (ctx.sentences, the FULL view):
// a BASIC evaluation formats none.
template <typename Sentence>
eligibility::v1::Finding* AddFinding(
    const EvaluationContext& ctx, eligibility::v1::CategoryDecision* decision,
    absl::string_view rule_id, eligibility::v1::FindingStatus status,
    Sentence&& sentence) {
  eligibility::v1::Finding* finding = AddFinding(decision, rule_id, status);
  if (ctx.sentences) finding->set_message(std::forward<Sentence>(sentence)());
  return finding;
}

// Records how far `finding` is from `required` (only when counted < required).
void SetShortfall(eligibility::v1::Finding* finding, absl::string_view unit,
                  double required, double counted);

// Cites entry `index` of portfolio.<collection>, joining the finding's last
// citation when it names the same collection.
void AddEvidence(eligibility::v1::Finding* finding,
                 absl::string_view collection, int index);

// Cites entries `indices` of portfolio.<collection> in one citation.
void AddEvidence(eligibility::v1::Finding* finding,
                 absl::string_view collection, const std::vector<int>& indices);

// Cites a whole field, e.g. "portfolio.membership" or "portfolio.trainings"
// (every entry).
void AddEvidencePath(eligibility::v1::Finding* finding, absl::string_view path);

// A figure for a person: at most two decimals, no trailing zeros ("7.5", "24").
std::string Amount(double value);

// NOT_ELIGIBLE if any finding is NOT_MET; else NEEDS_REVIEW if any is
// UNVERIFIED; else ELIGIBLE.
eligibility::v1::Outcome OutcomeOf(
    const google::protobuf::RepeatedPtrField<eligibility::v1::Finding>&
        findings);

// Tolerance for comparing sums of hours and months against minimums.
inline bool AtLeast(double counted, double required) {
  return counted + 1e-9 >= required;
}

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_FINDINGS_H_

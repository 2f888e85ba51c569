#ifndef IMH_SERVICES_ELIGIBILITY_SIGNED_DECISIONS_H_
#define IMH_SERVICES_ELIGIBILITY_SIGNED_DECISIONS_H_

// The records the eligibility service signs (imh.decision.v1.DecisionRecord):
// what the registry needs of a decision to grant or renew, and nothing more.

#include <string>

#include "absl/time/time.h"
#include "imh/decision/v1/decision_record.pb.h"
#include "imh/eligibility/v1/decision.pb.h"
#include "imh/eligibility/v1/portfolio.pb.h"
#include "imh/eligibility/v1/renewal.pb.h"

namespace imh::eligibility {

// A portfolio decision: the applicant as the portfolio names them, each
// category's outcome with its ADVISORY rule ids. `request_sha256` is the
// digest of the request decided.
decision::v1::DecisionRecord PortfolioDecisionRecord(
    const std::string& decision_id, const std::string& request_sha256,
    const v1::Portfolio& portfolio, const v1::Decision& decision,
    absl::Time issued_at);

// A renewal decision: the endorsee as attested, with `holder_person_id` (the
// registry's holder of the endorsement; empty when unknown); the outcome,
// cycle and the hours attested for the owed years.
decision::v1::DecisionRecord RenewalDecisionRecord(
    const std::string& decision_id, const std::string& request_sha256,
    const v1::RenewalAttestation& attestation,
    const std::string& holder_person_id, const v1::RenewalDecision& decision,
    absl::Time issued_at);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_SIGNED_DECISIONS_H_

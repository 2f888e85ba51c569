#ifndef IMH_TOOLS_DECISION_TEXT_H_
#define IMH_TOOLS_DECISION_TEXT_H_

// Decisions as text a reviewer or applicant can read in a terminal.

#include <string>

#include "common/rulebook/rulebook.h"
#include "imh/eligibility/v1/decision.pb.h"
#include "imh/eligibility/v1/renewal.pb.h"

namespace imh::tools {

// One block per category: outcome, then each finding with its status, rule ID,
// message and shortfall. Category names come from `rulebook`.
std::string DecisionText(const eligibility::v1::Decision& decision,
                         const imh::Rulebook& rulebook);

// The eligible categories, the nearest unmet one with what it misses, then a
// one-line outcome per category.
std::string RecommendationText(
    const eligibility::v1::Recommendation& recommendation,
    const imh::Rulebook& rulebook);

std::string RenewalText(const eligibility::v1::RenewalDecision& decision);

}  // namespace imh::tools

#endif  // IMH_TOOLS_DECISION_TEXT_H_

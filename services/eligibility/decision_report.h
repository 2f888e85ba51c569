#ifndef IMH_SERVICES_ELIGIBILITY_DECISION_REPORT_H_
#define IMH_SERVICES_ELIGIBILITY_DECISION_REPORT_H_

// A decision to look at: one self-contained HTML page (inline CSS and SVG,
// no script, no external asset; printable) with every category's outcome and
// findings, and per category a timeline: degrees; work periods with the
// entries that counted, their part after the qualifying degree and their
// merged cover; RS/C sessions as marks, the counted window shaded and the
// sessions that did not count set apart with the rule that excluded them;
// the providers' endorsement periods as the registry reported them; and
// training hours by topic. Everything drawn comes from the decision's
// findings (their evidence names the entries each rule used) and from the
// portfolio's own dates: nothing is decided again here.

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/rulebook/rulebook.h"
#include "imh/eligibility/v1/eligibility_service.pb.h"
#include "imh/registry/v1/registry_service.pb.h"

namespace imh::eligibility {

// One registry question per RS/C provider that sessions name (by person id,
// else by endorsement number), in the order of each one's first session: did
// the provider hold any category a rulebook category accepts as an RS/C
// provider on every day from their first session to their last? A span
// question (`through` set), or a one-day question when those days coincide.
// Requires a portfolio that ValidatePortfolio accepted.
std::vector<registry::v1::CredentialQuestion> ProviderQuestions(
    const v1::Portfolio& portfolio, const Rulebook& rulebook,
    absl::CivilDay as_of);

// The registry's answer to `question` on `day`: the answer itself on the
// question's first day, later the last of its changes from on or before
// `day`. Null when the answer does not cover the day (before the first day,
// past its `through` or without one, or with changes out of order, outside
// the span or not on calendar days): the registry did not say.
const registry::v1::CredentialAnswer* ProviderAnswerOn(
    const registry::v1::CredentialQuestion& question,
    const registry::v1::CredentialAnswer& answer, absl::CivilDay day);

struct DecisionReportInput {
  const v1::Portfolio* portfolio = nullptr;
  const v1::EvaluatePortfolioResponse* response = nullptr;
  const Rulebook* rulebook = nullptr;
  // ProviderQuestions and the registry's answers to them, in order (no
  // answers when the registry was not asked or did not answer).
  std::vector<registry::v1::CredentialQuestion> provider_questions;
  std::vector<registry::v1::CredentialAnswer> provider_answers;
  // Why there are no provider answers, when there are none (shown as is).
  std::string provider_note;
};

// The page. Requires a portfolio that ValidatePortfolio accepted and the
// response the service gave for it.
std::string RenderDecisionReport(const DecisionReportInput& input);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_DECISION_REPORT_H_

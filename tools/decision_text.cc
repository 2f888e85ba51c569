#include "tools/decision_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "services/eligibility/findings.h"

namespace imh::tools {

namespace v1 = eligibility::v1;

namespace {

const char* OutcomeWord(v1::Outcome outcome) {
  switch (outcome) {
    case v1::OUTCOME_ELIGIBLE:
      return "ELIGIBLE";
    case v1::OUTCOME_NOT_ELIGIBLE:
      return "NOT ELIGIBLE";
    case v1::OUTCOME_NEEDS_REVIEW:
      return "NEEDS REVIEW (unverified facts)";
    default:
      return "UNDECIDED";
  }
}

const char* StatusWord(v1::FindingStatus status) {
  switch (status) {
    case v1::FINDING_STATUS_MET:
      return "met";
    case v1::FINDING_STATUS_NOT_MET:
      return "NOT MET";
    case v1::FINDING_STATUS_ADVISORY:
      return "advisory";
    case v1::FINDING_STATUS_UNVERIFIED:
      return "UNVERIFIED";
    default:
      return "?";
  }
}

void AppendFinding(const v1::Finding& finding, std::string* out) {
  absl::StrAppendFormat(out, "    %-11s %-22s %s", StatusWord(finding.status()),
                        finding.rule_id(), finding.message());
  if (finding.has_shortfall()) {
    absl::StrAppend(out, "  [short ",
                    eligibility::Amount(finding.shortfall().missing()), " ",
                    finding.shortfall().unit(), "]");
  }
  out->push_back('\n');
}

std::string CategoryName(const std::string& code,
                         const imh::Rulebook& rulebook) {
  const auto* category = rulebook.FindCategory(code);
  return category == nullptr ? code : absl::StrCat(code, " ", category->name());
}

std::string Header(const std::string& version,
                   const google::type::Date& as_of) {
  return absl::StrCat("  as of ", FormatDay(ToCivilDayUnchecked(as_of)),
                      ", rulebook ", version, "\n");
}

}  // namespace

std::string DecisionText(const v1::Decision& decision,
                         const imh::Rulebook& rulebook) {
  std::string out = Header(decision.rulebook_version(), decision.as_of());
  for (const v1::CategoryDecision& category : decision.categories()) {
    absl::StrAppend(&out, "\n  ", CategoryName(category.category(), rulebook),
                    ": ", OutcomeWord(category.outcome()), "\n");
    for (const v1::Finding& finding : category.findings()) {
      AppendFinding(finding, &out);
    }
  }
  return out;
}

std::string RecommendationText(const v1::Recommendation& recommendation,
                               const imh::Rulebook& rulebook) {
  std::string out =
      Header(recommendation.rulebook_version(), recommendation.as_of());
  absl::StrAppend(
      &out, "  eligible for: ",
      recommendation.eligible_categories().empty()
          ? "no category yet"
          : absl::StrJoin(recommendation.eligible_categories(), ", "),
      "\n");
  for (const v1::CategoryDecision& category : recommendation.decisions()) {
    absl::StrAppendFormat(&out, "    %-8s %s\n", category.category(),
                          OutcomeWord(category.outcome()));
  }
  if (!recommendation.nearest_category().empty()) {
    absl::StrAppend(&out, "  nearest not yet met: ",
                    CategoryName(recommendation.nearest_category(), rulebook),
                    "; missing:\n");
    for (const v1::Finding& finding : recommendation.missing()) {
      AppendFinding(finding, &out);
    }
  }
  return out;
}

std::string RenewalText(const v1::RenewalDecision& decision) {
  std::string out = Header(decision.rulebook_version(), decision.as_of());
  const char* outcome = decision.outcome() == v1::OUTCOME_ELIGIBLE ? "COMPLETE"
                        : decision.outcome() == v1::OUTCOME_NEEDS_REVIEW
                            ? "NEEDS REVIEW"
                            : "NOT COMPLETE";
  absl::StrAppend(&out, "\n  renewal of ",
                  decision.category().empty() ? decision.endorsement_number()
                                              : decision.category(),
                  " for the ", decision.cycle_year(), " cycle: ", outcome,
                  "\n");
  if (!decision.category().empty()) {
    absl::StrAppend(&out, "  registry: ", decision.endorsement_number(),
                    " granted ",
                    FormatDay(ToCivilDayUnchecked(decision.granted_on())), ", ",
                    decision.due_cycle_year(), " cycle due");
    if (decision.membership_paid_through_year() > 0) {
      absl::StrAppend(&out, ", membership paid through ",
                      decision.membership_paid_through_year());
    }
    absl::StrAppend(&out, "\n");
  }
  for (const v1::Finding& finding : decision.findings()) {
    AppendFinding(finding, &out);
  }
  return out;
}

}  // namespace imh::tools

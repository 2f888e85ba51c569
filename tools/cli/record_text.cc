#include "tools/cli/record_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/dates.h"
#include "common/endorsement_status.h"

namespace imh::tools {
namespace {

namespace reg = registry::v1;

std::string OutcomeWord(decision::v1::DecisionOutcome outcome) {
  switch (outcome) {
    case decision::v1::DECISION_OUTCOME_ELIGIBLE:
      return "ELIGIBLE";
    case decision::v1::DECISION_OUTCOME_NOT_ELIGIBLE:
      return "NOT ELIGIBLE";
    case decision::v1::DECISION_OUTCOME_NEEDS_REVIEW:
      return "NEEDS REVIEW";
    default:
      return "UNDECIDED";
  }
}

std::string ListOrNone(
    const google::protobuf::RepeatedPtrField<std::string>& items) {
  return items.empty() ? "none" : absl::StrJoin(items, ", ");
}

std::string GrantText(const reg::GrantBasis& grant, const std::string& indent) {
  if (grant.has_reviewed()) {
    const reg::GrantBasis::Reviewed& reviewed = grant.reviewed();
    std::string text = absl::StrCat(
        indent, "granted from application ", reviewed.application_id(),
        ", decision ", reviewed.decision_id(), " (rulebook ",
        reviewed.decision_rulebook_version(), ", as of ",
        DayText(reviewed.decided_as_of()), ", key ", reviewed.decision_key_id(),
        ")\n");
    for (const reg::GrantApproval& approval : reviewed.approvals()) {
      absl::StrAppend(&text, indent, "  approved by ", approval.reviewer(),
                      " at ", TimeText(approval.approved_at()),
                      "; advisories acknowledged: ",
                      ListOrNone(approval.acknowledged_advisories()), "\n");
    }
    return text;
  }
  if (grant.has_imported()) {
    return absl::StrCat(indent, "imported at ",
                        TimeText(grant.imported().imported_at()), " by ",
                        grant.imported().imported_by(), "\n");
  }
  return "";
}

}  // namespace

std::string ApplicationStateWord(reg::ApplicationState state) {
  switch (state) {
    case reg::APPLICATION_STATE_PENDING:
      return "pending";
    case reg::APPLICATION_STATE_GRANTED:
      return "granted";
    case reg::APPLICATION_STATE_DECLINED:
      return "declined";
    default:
      return "unknown";
  }
}

std::string DayText(const google::type::Date& date) {
  return IsCompleteDate(date) ? FormatDay(ToCivilDayUnchecked(date)) : "-";
}

std::string TimeText(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                          absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

std::string EndorsementText(const reg::Endorsement& endorsement,
                            const std::string& indent) {
  std::string text = absl::StrCat(
      indent, endorsement.endorsement_number(), "  ", endorsement.category(),
      "  ", StatusWord(endorsement.status()), " since ",
      DayText(endorsement.status_since()), "\n", indent, "  holder ",
      endorsement.display_name(), " (", endorsement.person_id(), ")",
      endorsement.county().empty() ? "" : ", ", endorsement.county(), "\n",
      indent, "  granted on ", DayText(endorsement.granted_on()),
      "; next renewal due in the ", endorsement.next_renewal_cycle_year(),
      " cycle");
  if (endorsement.status() == reg::ENDORSEMENT_STATUS_ACTIVE) {
    absl::StrAppend(&text, "; lapses on ", DayText(endorsement.lapses_on()),
                    " unless renewed or membership paid on");
  }
  absl::StrAppend(&text, "\n", indent, "  etag ", endorsement.etag(), "\n");
  absl::StrAppend(&text, GrantText(endorsement.grant(), indent + "  "));
  absl::StrAppend(&text, indent, "  history:\n");
  for (const reg::StatusChange& change : endorsement.history()) {
    absl::StrAppend(&text, indent, "    ", DayText(change.effective_on()), "  ",
                    StatusWord(change.status()));
    if (!change.reason().empty()) {
      absl::StrAppend(&text, "  \"", change.reason(), "\"");
    }
    if (!change.actor().empty())
      absl::StrAppend(&text, "  by ", change.actor());
    if (!change.decision_id().empty()) {
      absl::StrAppend(&text, "  decision ", change.decision_id());
    }
    if (!change.reviewers().empty()) {
      absl::StrAppend(&text, "  reviewers ",
                      absl::StrJoin(change.reviewers(), ", "));
    }
    absl::StrAppend(&text, "\n");
  }
  return text;
}

std::string ApplicationText(const reg::Application& application,
                            const std::string& indent) {
  const decision::v1::DecisionRecord& decision = application.decision();
  std::string outcome = "not decided";
  for (const auto& category : decision.categories()) {
    if (category.category() == application.category()) {
      outcome = OutcomeWord(category.outcome());
    }
  }
  int approvals = 0;
  for (const reg::Review& review : application.reviews()) {
    approvals += review.verdict() == reg::REVIEW_VERDICT_APPROVE;
  }
  std::string text = absl::StrCat(
      indent, application.application_id(), "  ", application.category(), "  ",
      ApplicationStateWord(application.state()), "  for ",
      application.person_id(), "\n", indent, "  decision ",
      decision.decision_id(), ": ", outcome, " (rulebook ",
      decision.rulebook_version(), ", as of ", DayText(decision.as_of()),
      ", key ", decision.key_id(), ")\n", indent, "  usable through ",
      DayText(application.valid_through()), "; submitted ",
      TimeText(application.submitted_at()), " by ",
      application.submitted_by().empty() ? "-" : application.submitted_by(),
      "\n", indent, "  advisories to acknowledge: ",
      ListOrNone(application.advisory_rule_ids()), "\n", indent,
      "  approvals: ", approvals, " of ", application.required_approvals(),
      "\n");
  if (!application.endorsement_number().empty()) {
    absl::StrAppend(&text, indent, "  granted endorsement ",
                    application.endorsement_number(), "\n");
  }
  for (const reg::Review& review : application.reviews()) {
    absl::StrAppend(
        &text, indent, "  ",
        review.verdict() == reg::REVIEW_VERDICT_APPROVE ? "approved"
                                                        : "declined",
        " by ", review.reviewer(), " at ", TimeText(review.reviewed_at()));
    if (!review.acknowledged_advisories().empty()) {
      absl::StrAppend(&text, "; acknowledged ",
                      absl::StrJoin(review.acknowledged_advisories(), ", "));
    }
    if (!review.comment().empty()) {
      absl::StrAppend(&text, "  \"", review.comment(), "\"");
    }
    absl::StrAppend(&text, "\n");
  }
  return text;
}

std::string PersonText(const reg::GetPersonResponse& record) {
  const reg::Person& person = record.person();
  std::string text =
      absl::StrCat(person.person_id(), "  ", person.display_name(),
                   person.county().empty() ? "" : ", ", person.county(), "\n",
                   "membership paid through ",
                   person.membership_paid_through_year() == 0
                       ? std::string("-")
                       : absl::StrCat(person.membership_paid_through_year()),
                   "; years on file: ",
                   record.membership_years().empty()
                       ? std::string("none")
                       : absl::StrJoin(record.membership_years(), ", "),
                   "\n");
  absl::StrAppend(&text, "\nendorsements (", record.endorsements_size(),
                  "):\n");
  for (const reg::Endorsement& endorsement : record.endorsements()) {
    absl::StrAppend(&text, EndorsementText(endorsement, "  "));
  }
  absl::StrAppend(&text, "\nrenewals (", record.renewals_size(), "):\n");
  for (const reg::Renewal& renewal : record.renewals()) {
    absl::StrAppend(
        &text, "  ", renewal.endorsement_number(), "  cycle ",
        renewal.cycle_year(), "  attested ", DayText(renewal.attested_on()),
        "  training ", renewal.training_hours(), " h, RS/C ",
        renewal.reflective_supervision_hours(), " h  decision ",
        renewal.decision_id(), "  recorded ", TimeText(renewal.recorded_at()),
        renewal.recorded_by().empty() ? "" : " by ", renewal.recorded_by(),
        "\n");
  }
  absl::StrAppend(&text, "\napplications (", record.applications_size(),
                  "):\n");
  for (const reg::Application& application : record.applications()) {
    absl::StrAppend(&text, ApplicationText(application, "  "));
  }
  return text;
}

}  // namespace imh::tools

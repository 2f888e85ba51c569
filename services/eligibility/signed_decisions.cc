#include "services/eligibility/signed_decisions.h"

#include <algorithm>

#include "google/protobuf/util/time_util.h"

namespace imh::eligibility {
namespace {

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(time));
}

void SetSubject(const v1::PersonRef& person, decision::v1::Subject& subject) {
  subject.set_display_name(person.display_name());
  subject.set_person_id(person.person_id());
  subject.set_endorsement_number(person.endorsement_number());
}

// The enums share their values (decision_record.proto).
decision::v1::DecisionOutcome OutcomeOf(v1::Outcome outcome) {
  return static_cast<decision::v1::DecisionOutcome>(outcome);
}

}  // namespace

decision::v1::DecisionRecord PortfolioDecisionRecord(
    const std::string& decision_id, const std::string& request_sha256,
    const v1::Portfolio& portfolio, const v1::Decision& decision,
    absl::Time issued_at) {
  decision::v1::DecisionRecord record;
  record.set_decision_id(decision_id);
  record.set_kind(decision::v1::DECISION_KIND_PORTFOLIO);
  record.set_request_sha256(request_sha256);
  SetSubject(portfolio.applicant().person(), *record.mutable_subject());
  for (const v1::CategoryDecision& category : decision.categories()) {
    decision::v1::CategoryOutcome& outcome = *record.add_categories();
    outcome.set_category(category.category());
    outcome.set_outcome(OutcomeOf(category.outcome()));
    for (const v1::Finding& finding : category.findings()) {
      if (finding.status() == v1::FINDING_STATUS_ADVISORY) {
        outcome.add_advisory_rule_ids(finding.rule_id());
      }
    }
  }
  *record.mutable_as_of() = decision.as_of();
  record.set_rulebook_version(decision.rulebook_version());
  *record.mutable_issued_at() = ToTimestamp(issued_at);
  return record;
}

decision::v1::DecisionRecord RenewalDecisionRecord(
    const std::string& decision_id, const std::string& request_sha256,
    const v1::RenewalAttestation& attestation,
    const std::string& holder_person_id, const v1::RenewalDecision& decision,
    absl::Time issued_at) {
  decision::v1::DecisionRecord record;
  record.set_decision_id(decision_id);
  record.set_kind(decision::v1::DECISION_KIND_RENEWAL);
  record.set_request_sha256(request_sha256);
  SetSubject(attestation.endorsee(), *record.mutable_subject());
  record.mutable_subject()->set_person_id(holder_person_id);
  record.mutable_subject()->set_endorsement_number(
      attestation.endorsement_number());
  decision::v1::RenewalOutcome& renewal = *record.mutable_renewal();
  renewal.set_endorsement_number(attestation.endorsement_number());
  renewal.set_category(decision.category());
  renewal.set_cycle_year(attestation.cycle_year());
  renewal.set_outcome(OutcomeOf(decision.outcome()));
  *renewal.mutable_attested_on() = attestation.attested_on();
  double training = 0;
  double rsc = 0;
  for (const v1::AttestedYear& year : attestation.years()) {
    const auto& owed = decision.owed_years();
    if (std::find(owed.begin(), owed.end(), year.year()) == owed.end()) {
      continue;
    }
    training += year.training_hours();
    rsc += year.rsc_hours();
  }
  renewal.set_training_hours(training);
  renewal.set_rsc_hours(rsc);
  *record.mutable_as_of() = decision.as_of();
  record.set_rulebook_version(decision.rulebook_version());
  *record.mutable_issued_at() = ToTimestamp(issued_at);
  return record;
}

}  // namespace imh::eligibility

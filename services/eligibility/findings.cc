#include "services/eligibility/findings.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace imh::eligibility {

namespace v1 = eligibility::v1;

v1::Finding* AddFinding(v1::CategoryDecision* decision,
                        absl::string_view rule_id, v1::FindingStatus status,
                        std::string message) {
  v1::Finding* finding = decision->add_findings();
  finding->set_rule_id(std::string(rule_id));
  finding->set_status(status);
  finding->set_message(std::move(message));
  return finding;
}

namespace {
double Round2(double value) { return std::round(value * 100.0) / 100.0; }
}  // namespace

void SetShortfall(v1::Finding* finding, absl::string_view unit, double required,
                  double counted) {
  if (AtLeast(counted, required)) return;
  v1::Shortfall* shortfall = finding->mutable_shortfall();
  shortfall->set_unit(std::string(unit));
  shortfall->set_required(Round2(required));
  shortfall->set_counted(Round2(counted));
  shortfall->set_missing(Round2(required - counted));
}

void AddEvidence(v1::Finding* finding, absl::string_view collection,
                 int index) {
  finding->add_evidence(
      absl::StrCat("portfolio.", collection, "[", index, "]"));
}

std::string Amount(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2f", Round2(value));
  std::string text(buffer);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

v1::Outcome OutcomeOf(
    const google::protobuf::RepeatedPtrField<v1::Finding>& findings) {
  bool unverified = false;
  for (const v1::Finding& finding : findings) {
    if (finding.status() == v1::FINDING_STATUS_NOT_MET) {
      return v1::OUTCOME_NOT_ELIGIBLE;
    }
    unverified |= finding.status() == v1::FINDING_STATUS_UNVERIFIED;
  }
  return unverified ? v1::OUTCOME_NEEDS_REVIEW : v1::OUTCOME_ELIGIBLE;
}

}  // namespace imh::eligibility

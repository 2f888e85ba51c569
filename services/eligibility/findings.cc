#include "services/eligibility/findings.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace imh::eligibility {

v1::Finding* AddFinding(v1::CategoryDecision* decision,
                        absl::string_view rule_id, v1::FindingStatus status) {
  v1::Finding* finding = decision->add_findings();
  finding->set_rule_id(std::string(rule_id));
  finding->set_status(status);
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
  constexpr absl::string_view kRoot = "portfolio.";
  const int n = finding->evidence_size();
  if (n > 0) {
    v1::Evidence* last = finding->mutable_evidence(n - 1);
    const std::string& path = last->path();
    if (path.size() == kRoot.size() + collection.size() &&
        absl::string_view(path).substr(kRoot.size()) == collection) {
      last->add_indices(index);
      return;
    }
  }
  v1::Evidence* evidence = finding->add_evidence();
  evidence->set_path(absl::StrCat(kRoot, collection));
  evidence->add_indices(index);
}

void AddEvidence(v1::Finding* finding, absl::string_view collection,
                 const std::vector<int>& indices) {
  if (indices.empty()) return;
  v1::Evidence* evidence = finding->add_evidence();
  evidence->set_path(absl::StrCat("portfolio.", collection));
  evidence->mutable_indices()->Reserve(static_cast<int>(indices.size()));
  for (int index : indices) evidence->add_indices(index);
}

void AddEvidencePath(v1::Finding* finding, absl::string_view path) {
  finding->add_evidence()->set_path(std::string(path));
}

std::string Amount(double value) {
  // Integer arithmetic on cents: snprintf("%.2f") dominated message building.
  const long long cents = std::llround(value * 100.0);
  const long long magnitude = cents < 0 ? -cents : cents;
  std::string text = absl::StrCat(cents < 0 ? "-" : "", magnitude / 100);
  const int fraction = static_cast<int>(magnitude % 100);
  if (fraction == 0) return text;
  if (fraction % 10 == 0) return absl::StrCat(text, ".", fraction / 10);
  return absl::StrCat(text, fraction < 10 ? ".0" : ".", fraction);
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

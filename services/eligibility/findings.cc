#include "services/eligibility/findings.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace imh::eligibility {

v1::Finding* AddFinding(v1::CategoryDecision* decision,
                        absl::string_view rule_id, v1::FindingStatus status) {
  v1::Finding* finding = decision->add_findings();
  // From the view's bytes: a temporary std::string would cost a heap block
  // of its own for ids past the short-string size.
  finding->set_rule_id(rule_id.data(), rule_id.size());
  finding->set_status(status);
  return finding;
}

namespace {
double Round2(double value) { return std::round(value * 100.0) / 100.0; }

constexpr absl::string_view kRoot = "portfolio.";

// "portfolio.<collection>", written once into the message's own string.
void SetEvidencePath(v1::Evidence* evidence, absl::string_view collection) {
  std::string* path = evidence->mutable_path();
  path->reserve(kRoot.size() + collection.size());
  path->append(kRoot.data(), kRoot.size());
  path->append(collection.data(), collection.size());
}
}  // namespace

void SetShortfall(v1::Finding* finding, absl::string_view unit, double required,
                  double counted) {
  if (AtLeast(counted, required)) return;
  v1::Shortfall* shortfall = finding->mutable_shortfall();
  shortfall->set_unit(unit.data(), unit.size());
  shortfall->set_required(Round2(required));
  shortfall->set_counted(Round2(counted));
  shortfall->set_missing(Round2(required - counted));
}

void AddEvidence(v1::Finding* finding, absl::string_view collection,
                 int index) {
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
  SetEvidencePath(evidence, collection);
  evidence->add_indices(index);
}

void AddEvidence(v1::Finding* finding, absl::string_view collection,
                 const std::vector<int>& indices) {
  if (indices.empty()) return;
  v1::Evidence* evidence = finding->add_evidence();
  SetEvidencePath(evidence, collection);
  evidence->mutable_indices()->Reserve(static_cast<int>(indices.size()));
  for (int index : indices) evidence->add_indices(index);
}

void AddEvidencePath(v1::Finding* finding, absl::string_view path) {
  finding->add_evidence()->set_path(path.data(), path.size());
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

#include "services/eligibility/snapshot_verifier.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/endorsement_status.h"
#include "common/proto_files.h"

namespace imh::eligibility {

namespace reg = registry::v1;

SnapshotVerifier::SnapshotVerifier(reg::RegistrySnapshot snapshot)
    : snapshot_(std::move(snapshot)) {
  for (int i = 0; i < snapshot_.endorsements_size(); ++i) {
    const reg::Endorsement& endorsement = snapshot_.endorsements(i);
    if (!endorsement.person_id().empty()) {
      by_subject_[absl::StrCat("person:", endorsement.person_id())].push_back(
          i);
    }
    by_subject_[absl::StrCat("endorsement:", endorsement.endorsement_number())]
        .push_back(i);
  }
}

absl::StatusOr<SnapshotVerifier> SnapshotVerifier::FromJsonFile(
    const std::string& path) {
  reg::RegistrySnapshot snapshot;
  if (absl::Status status = ReadJsonFile(path, &snapshot); !status.ok()) {
    return status;
  }
  return SnapshotVerifier(std::move(snapshot));
}

std::vector<CredentialAnswer> SnapshotVerifier::Verify(
    const std::vector<CredentialQuestion>& questions) {
  std::vector<CredentialAnswer> answers;
  answers.reserve(questions.size());
  for (const CredentialQuestion& question : questions) {
    answers.push_back(Answer(question));
  }
  return answers;
}

CredentialAnswer SnapshotVerifier::Answer(
    const CredentialQuestion& question) const {
  if (question.person_id.empty() && question.endorsement_number.empty()) {
    return {CredentialStatus::kUnknown, "", "", "no person id or number", ""};
  }
  const auto it = by_subject_.find(SubjectKey(question));
  CredentialAnswer answer{CredentialStatus::kNotHeld, "", "",
                          "not in the registry", ""};
  if (it == by_subject_.end()) return answer;
  answer.person_id = snapshot_.endorsements(it->second.front()).person_id();
  bool any_in_categories = false;
  for (int index : it->second) {
    const reg::Endorsement& endorsement = snapshot_.endorsements(index);
    const auto& categories = question.categories;
    if (std::find(categories.begin(), categories.end(),
                  endorsement.category()) == categories.end()) {
      continue;
    }
    any_in_categories = true;
    const StatusOnDay on_day = EndorsementStatusOn(endorsement, question.on);
    if (on_day.status == reg::ENDORSEMENT_STATUS_ACTIVE) {
      return {CredentialStatus::kHeld, endorsement.endorsement_number(),
              endorsement.category(), "", endorsement.person_id()};
    }
    answer.endorsement_number = endorsement.endorsement_number();
    answer.category = endorsement.category();
    answer.detail =
        on_day.status == reg::ENDORSEMENT_STATUS_UNSPECIFIED
            ? absl::StrCat(
                  endorsement.category(), " not granted until ",
                  FormatDay(ToCivilDayUnchecked(endorsement.granted_on())))
            : absl::StrCat(endorsement.category(), " ",
                           StatusWord(on_day.status), " since ",
                           FormatDay(on_day.since));
  }
  if (!any_in_categories) answer.detail = "holds none of these categories";
  return answer;
}

}  // namespace imh::eligibility

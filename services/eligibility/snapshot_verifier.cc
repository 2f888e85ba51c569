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

namespace {

bool SameAnswer(const CredentialAnswer& a, const CredentialAnswer& b) {
  return a.status == b.status && a.endorsement_number == b.endorsement_number &&
         a.category == b.category && a.detail == b.detail;
}

// The days in (first, last] on which an answer about `endorsement` may
// change: its grant, history and lapse days.
void AddChangeDays(const reg::Endorsement& endorsement, absl::CivilDay first,
                   absl::CivilDay last, std::vector<absl::CivilDay>* days) {
  auto add = [&](const google::type::Date& date) {
    if (!IsCompleteDate(date)) return;
    const absl::CivilDay day = ToCivilDayUnchecked(date);
    if (day > first && day <= last) days->push_back(day);
  };
  add(endorsement.granted_on());
  for (const reg::StatusChange& change : endorsement.history()) {
    add(change.effective_on());
  }
  add(endorsement.lapses_on());
}

}  // namespace

CredentialAnswer SnapshotVerifier::Answer(
    const CredentialQuestion& question) const {
  CredentialAnswer answer = AnswerOn(question, question.on);
  if (!question.through || answer.status == CredentialStatus::kUnknown) {
    return answer;
  }
  std::vector<absl::CivilDay> days;
  if (const auto it = by_subject_.find(SubjectKey(question));
      it != by_subject_.end()) {
    for (int index : it->second) {
      AddChangeDays(snapshot_.endorsements(index), question.on,
                    *question.through, &days);
    }
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  for (const absl::CivilDay day : days) {
    CredentialAnswer on_day = AnswerOn(question, day);
    if (SameAnswer(on_day,
                   answer.changes.empty() ? answer : answer.changes.back())) {
      continue;
    }
    on_day.from = day;
    on_day.person_id.clear();
    answer.changes.push_back(std::move(on_day));
  }
  answer.through = question.through;
  return answer;
}

CredentialAnswer SnapshotVerifier::AnswerOn(const CredentialQuestion& question,
                                            absl::CivilDay day) const {
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
    const StatusOnDay on_day = EndorsementStatusOn(endorsement, day);
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

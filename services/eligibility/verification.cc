#include "services/eligibility/verification.h"

#include "absl/strings/str_cat.h"

namespace imh::eligibility {

CategorySet::CategorySet(std::vector<std::string> codes) {
  if (codes.empty()) return;
  std::string key = CategorySetKey(codes);
  shared_ =
      std::make_shared<const Shared>(Shared{std::move(codes), std::move(key)});
}

const std::vector<std::string>& CategorySet::codes() const {
  static const std::vector<std::string>* const kNone =
      new std::vector<std::string>();
  return shared_ ? shared_->codes : *kNone;
}

const std::string& CategorySet::key() const {
  static const std::string* const kNone = new std::string();
  return shared_ ? shared_->key : *kNone;
}

std::string SubjectKey(const eligibility::v1::PersonRef& person) {
  if (!person.person_id().empty()) {
    return absl::StrCat("person:", person.person_id());
  }
  if (!person.endorsement_number().empty()) {
    return absl::StrCat("endorsement:", person.endorsement_number());
  }
  return "";
}

std::string SubjectKey(const CredentialQuestion& question) {
  if (!question.person_id.empty()) {
    return absl::StrCat("person:", question.person_id);
  }
  return absl::StrCat("endorsement:", question.endorsement_number);
}

void VerificationFacts::Add(const CredentialQuestion& question,
                            CredentialAnswer answer) {
  std::string subject = SubjectKey(question);
  if (question.person_id.empty() && !answer.person_id.empty()) {
    // Most answers name a subject already filed, with the same person.
    const auto [filed, added] =
        person_of_subject_.try_emplace(subject, answer.person_id);
    if (!added && filed->second != answer.person_id) {
      filed->second = answer.person_id;
    }
  }
  answers_.insert_or_assign(
      Key{std::move(subject), question.categories, question.on},
      std::move(answer));
}

void VerificationFacts::Merge(VerificationFacts other) {
  for (auto& [key, answer] : other.answers_) {
    answers_.insert_or_assign(key, std::move(answer));
  }
  for (auto& [subject, person] : other.person_of_subject_) {
    person_of_subject_.insert_or_assign(subject, std::move(person));
  }
}

const std::string& VerificationFacts::PersonOf(
    absl::string_view subject_key) const {
  static const std::string* const kNone = new std::string();
  const auto it = person_of_subject_.find(subject_key);
  return it == person_of_subject_.end() ? *kNone : it->second;
}

const CredentialAnswer& VerificationFacts::Find(
    absl::string_view subject_key, absl::string_view category_set_key,
    absl::CivilDay on) const {
  static const CredentialAnswer* const kNotAsked = new CredentialAnswer{
      CredentialStatus::kUnknown, "", "", "not asked of the registry", ""};
  const auto it = answers_.find(KeyView{subject_key, category_set_key, on});
  return it == answers_.end() ? *kNotAsked : it->second;
}

VerificationFacts Gather(const std::vector<CredentialQuestion>& questions,
                         CredentialVerifier& verifier) {
  VerificationFacts facts;
  if (questions.empty()) return facts;
  std::vector<CredentialAnswer> answers = verifier.Verify(questions);
  for (size_t i = 0; i < questions.size(); ++i) {
    if (i < answers.size()) {
      facts.Add(questions[i], std::move(answers[i]));
    } else {
      facts.Add(questions[i], {CredentialStatus::kUnknown, "", "",
                               "verifier gave no answer", ""});
    }
  }
  return facts;
}

}  // namespace imh::eligibility

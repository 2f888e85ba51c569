#include "services/eligibility/verification.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace imh::eligibility {
namespace {
// SubjectKey's prefixes.
constexpr absl::string_view kPersonPrefix = "person:";
constexpr absl::string_view kEndorsementPrefix = "endorsement:";
}  // namespace

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
    return absl::StrCat(kPersonPrefix, person.person_id());
  }
  if (!person.endorsement_number().empty()) {
    return absl::StrCat(kEndorsementPrefix, person.endorsement_number());
  }
  return "";
}

std::string SubjectKey(const CredentialQuestion& question) {
  if (!question.person_id.empty()) {
    return absl::StrCat(kPersonPrefix, question.person_id);
  }
  return absl::StrCat(kEndorsementPrefix, question.endorsement_number);
}

VerificationFacts::SubjectView VerificationFacts::SubjectOf(
    const CredentialQuestion& question) {
  return question.person_id.empty()
             ? SubjectView{false, question.endorsement_number}
             : SubjectView{true, question.person_id};
}

int VerificationFacts::NumberSubject(SubjectView subject) {
  if (const auto it = subject_numbers_.find(subject);
      it != subject_numbers_.end()) {
    return it->second;
  }
  const int number = static_cast<int>(subjects_.size());
  subjects_.push_back({subject.by_person, std::string(subject.id)});
  person_of_subject_.emplace_back();
  subject_numbers_.emplace(subjects_.back(), number);
  return number;
}

int VerificationFacts::NumberSet(const CategorySet& categories) {
  if (last_set_number_ >= 0 && &last_set_.key() == &categories.key()) {
    return last_set_number_;
  }
  const auto [numbered, added] = set_numbers_.try_emplace(
      categories.key(), static_cast<int>(sets_.size()));
  if (added) sets_.push_back(categories);
  last_set_ = categories;
  last_set_number_ = numbered->second;
  return last_set_number_;
}

VerificationFacts::Key VerificationFacts::KeyOf(
    const CredentialQuestion& question, const CredentialAnswer& answer) {
  const int subject = NumberSubject(SubjectOf(question));
  if (question.person_id.empty() && !answer.person_id.empty()) {
    // Most answers name a subject already filed, with the same person.
    std::string& person = person_of_subject_[subject];
    if (person != answer.person_id) person = answer.person_id;
  }
  return {subject, NumberSet(question.categories),
          question.on - absl::CivilDay()};
}

namespace {

// Whether a span answer's changes are in order, each after `first` and
// within the answer's span.
bool ChangesInOrder(absl::CivilDay first, const CredentialAnswer& answer) {
  if (!answer.through || *answer.through < first) return false;
  absl::CivilDay previous = first;
  for (const CredentialAnswer& change : answer.changes) {
    if (change.from <= previous || change.from > *answer.through ||
        change.through || !change.changes.empty()) {
      return false;
    }
    previous = change.from;
  }
  return true;
}

// Keeps a span answer only when its changes are in order (ChangesInOrder);
// otherwise drops its span and changes. Changes name the same person as the
// answer.
void KeepOrderedSpan(absl::CivilDay first, CredentialAnswer& answer) {
  if (!ChangesInOrder(first, answer)) {
    answer.through.reset();
    answer.changes.clear();
    return;
  }
  for (CredentialAnswer& change : answer.changes) {
    change.person_id = answer.person_id;
  }
}

}  // namespace

bool AnswersEveryDay(const CredentialQuestion& question,
                     const CredentialAnswer& answer) {
  if (!question.through || *question.through <= question.on) return true;
  return ChangesInOrder(question.on, answer) &&
         *answer.through >= *question.through;
}

void VerificationFacts::NoteSpan(const CredentialQuestion& question,
                                 const Key& key, int position) {
  KeepOrderedSpan(question.on, answers_[position]);
  spans_[{key.subject, key.set}].push_back(
      {question.on, *question.through, position});
}

void VerificationFacts::Add(const CredentialQuestion& question,
                            CredentialAnswer answer) {
  const Key key = KeyOf(question, answer);
  const int position = static_cast<int>(answers_.size());
  position_.insert_or_assign(key, position);
  answers_.push_back(std::move(answer));
  if (question.through) NoteSpan(question, key, position);
}

void VerificationFacts::AddAll(const std::vector<CredentialQuestion>& questions,
                               std::vector<CredentialAnswer> answers) {
  if (answers_.empty()) {
    // The common case: the answers kept as they came, in one piece.
    answers_ = std::move(answers);
    position_.reserve(questions.size());
    for (size_t i = 0; i < questions.size(); ++i) {
      const Key key = KeyOf(questions[i], answers_[i]);
      position_.insert_or_assign(key, static_cast<int>(i));
      if (questions[i].through) {
        NoteSpan(questions[i], key, static_cast<int>(i));
      }
    }
    return;
  }
  for (size_t i = 0; i < questions.size(); ++i) {
    Add(questions[i], std::move(answers[i]));
  }
}

void VerificationFacts::Merge(VerificationFacts other) {
  std::vector<int> subjects, sets;
  subjects.reserve(other.subjects_.size());
  for (size_t i = 0; i < other.subjects_.size(); ++i) {
    subjects.push_back(
        NumberSubject({other.subjects_[i].by_person, other.subjects_[i].id}));
    std::string& person = other.person_of_subject_[i];
    if (!person.empty())
      person_of_subject_[subjects.back()] = std::move(person);
  }
  sets.reserve(other.sets_.size());
  for (const CategorySet& set : other.sets_) sets.push_back(NumberSet(set));
  // Every answer moves (a span's first-day answer may have been replaced in
  // position_ by a one-day question's, and still answer its span).
  const int base = static_cast<int>(answers_.size());
  for (CredentialAnswer& answer : other.answers_) {
    answers_.push_back(std::move(answer));
  }
  for (const auto& [key, position] : other.position_) {
    position_.insert_or_assign(
        Key{subjects[key.subject], sets[key.set], key.day}, base + position);
  }
  for (const auto& [subject_and_set, spans] : other.spans_) {
    std::vector<Span>& into =
        spans_[{subjects[subject_and_set.first], sets[subject_and_set.second]}];
    for (const Span& span : spans) {
      into.push_back({span.first, span.last, base + span.position});
    }
  }
}

int VerificationFacts::NumberOf(SubjectView subject) const {
  const auto it = subject_numbers_.find(subject);
  return it == subject_numbers_.end() ? -1 : it->second;
}

int VerificationFacts::SubjectNumber(absl::string_view subject_key) const {
  if (absl::StartsWith(subject_key, kPersonPrefix)) {
    return NumberOf({true, subject_key.substr(kPersonPrefix.size())});
  }
  if (absl::StartsWith(subject_key, kEndorsementPrefix)) {
    return NumberOf({false, subject_key.substr(kEndorsementPrefix.size())});
  }
  return -1;
}

int VerificationFacts::SubjectNumber(
    const eligibility::v1::PersonRef& person) const {
  if (!person.person_id().empty()) return NumberOf({true, person.person_id()});
  if (!person.endorsement_number().empty()) {
    return NumberOf({false, person.endorsement_number()});
  }
  return -1;
}

int VerificationFacts::SetNumber(absl::string_view category_set_key) const {
  const auto it = set_numbers_.find(category_set_key);
  return it == set_numbers_.end() ? -1 : it->second;
}

const std::string& VerificationFacts::PersonOfNumber(int subject) const {
  static const std::string* const kNone = new std::string();
  return subject < 0 ? *kNone : person_of_subject_[subject];
}

const std::string& VerificationFacts::PersonOf(
    absl::string_view subject_key) const {
  return PersonOfNumber(SubjectNumber(subject_key));
}

const std::string& VerificationFacts::PersonOf(
    const eligibility::v1::PersonRef& person) const {
  return PersonOfNumber(SubjectNumber(person));
}

const CredentialAnswer& VerificationFacts::SpanAnswerOn(
    const Span& span, absl::CivilDay on) const {
  static const CredentialAnswer* const kNotCovered =
      new CredentialAnswer{CredentialStatus::kUnknown, "", "",
                           "the registry's answer did not cover this day", ""};
  const CredentialAnswer& first = answers_[span.position];
  if (!first.through || on > *first.through) {
    // An answer that could not be given says why.
    return first.status == CredentialStatus::kUnknown ? first : *kNotCovered;
  }
  const auto later =
      std::upper_bound(first.changes.begin(), first.changes.end(), on,
                       [](absl::CivilDay day, const CredentialAnswer& change) {
                         return day < change.from;
                       });
  return later == first.changes.begin() ? first : *(later - 1);
}

VerificationFacts::Lookup::Lookup(const VerificationFacts& facts, int subject,
                                  int set)
    : facts_(&facts), subject_(subject), set_(set) {
  if (subject < 0 || set < 0 || facts.spans_.empty()) return;
  if (const auto spans = facts.spans_.find({subject, set});
      spans != facts.spans_.end()) {
    spans_ = &spans->second;
  }
}

const CredentialAnswer& VerificationFacts::Lookup::On(absl::CivilDay on) const {
  static const CredentialAnswer* const kNotAsked = new CredentialAnswer{
      CredentialStatus::kUnknown, "", "", "not asked of the registry", ""};
  if (subject_ < 0 || set_ < 0) return *kNotAsked;
  // Spans first: a provider's sessions are looked up on their days, which
  // (but the first) only a span question asked about.
  if (spans_ != nullptr) {
    for (const Span& span : *spans_) {
      if (on > span.first && on <= span.last) {
        return facts_->SpanAnswerOn(span, on);
      }
    }
  }
  const auto it =
      facts_->position_.find(Key{subject_, set_, on - absl::CivilDay()});
  return it == facts_->position_.end() ? *kNotAsked
                                       : facts_->answers_[it->second];
}

const CredentialAnswer& VerificationFacts::Find(int subject, int set,
                                                absl::CivilDay on) const {
  return LookupFor(subject, set).On(on);
}

const CredentialAnswer& VerificationFacts::Find(
    absl::string_view subject_key, absl::string_view category_set_key,
    absl::CivilDay on) const {
  return Find(SubjectNumber(subject_key), SetNumber(category_set_key), on);
}

VerificationFacts Gather(const std::vector<CredentialQuestion>& questions,
                         CredentialVerifier& verifier) {
  VerificationFacts facts;
  if (questions.empty()) return facts;
  std::vector<CredentialAnswer> answers = verifier.Verify(questions);
  answers.resize(questions.size(), {CredentialStatus::kUnknown, "", "",
                                    "verifier gave no answer", ""});
  facts.AddAll(questions, std::move(answers));
  return facts;
}

}  // namespace imh::eligibility

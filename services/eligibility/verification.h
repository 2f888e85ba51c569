#ifndef IMH_SERVICES_ELIGIBILITY_VERIFICATION_H_
#define IMH_SERVICES_ELIGIBILITY_VERIFICATION_H_

// Facts about other people's endorsements, which the evaluator never takes on
// the applicant's word: did this rater or provider hold one of these categories
// on this day? The evaluator lists its questions; a CredentialVerifier (the
// registry client in the service, a snapshot offline) answers them; the answers
// are an input to evaluation.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "imh/eligibility/v1/portfolio.pb.h"

namespace imh::eligibility {

// Canonical category codes, any of which counts: immutable once made, and
// shared by copies, so that the questions about one rulebook list (a rater set,
// a provider set) hold one list between them rather than one each.
class CategorySet {
 public:
  CategorySet() = default;
  // Implicit, so that a question can be written with a plain list.
  CategorySet(std::vector<std::string> codes);  // NOLINT(runtime/explicit)
  CategorySet(std::initializer_list<std::string> codes)
      : CategorySet(std::vector<std::string>(codes)) {}

  const std::vector<std::string>& codes() const;
  // CategorySetKey(codes()), made once with the list.
  const std::string& key() const;

  std::vector<std::string>::const_iterator begin() const {
    return codes().begin();
  }
  std::vector<std::string>::const_iterator end() const { return codes().end(); }
  size_t size() const { return codes().size(); }
  bool empty() const { return codes().empty(); }
  const std::string& front() const { return codes().front(); }

 private:
  struct Shared {
    std::vector<std::string> codes;
    std::string key;
  };
  // Null for the empty set.
  std::shared_ptr<const Shared> shared_;
};

struct CredentialQuestion {
  CredentialQuestion() = default;
  CredentialQuestion(std::string person_id, std::string endorsement_number,
                     CategorySet categories, absl::CivilDay on,
                     std::optional<absl::CivilDay> through = std::nullopt)
      : person_id(std::move(person_id)),
        endorsement_number(std::move(endorsement_number)),
        categories(std::move(categories)),
        on(on),
        through(through) {}

  // At least one is set; person_id wins when both are.
  std::string person_id;
  std::string endorsement_number;
  CategorySet categories;
  absl::CivilDay on;
  // A span question: every day from `on` through this one (not before `on`)
  // at once, for a provider's sessions: one question instead of one a day.
  std::optional<absl::CivilDay> through;
};

enum class CredentialStatus {
  // An ACTIVE endorsement in one of the categories on that day.
  kHeld,
  kNotHeld,
  // The registry could not answer (unreachable, timed out, ...).
  kUnknown,
};

struct CredentialAnswer {
  CredentialAnswer() = default;
  // A one-day answer (no span).
  CredentialAnswer(CredentialStatus status, std::string endorsement_number,
                   std::string category, std::string detail,
                   std::string person_id)
      : status(status),
        endorsement_number(std::move(endorsement_number)),
        category(std::move(category)),
        detail(std::move(detail)),
        person_id(std::move(person_id)) {}

  CredentialStatus status = CredentialStatus::kUnknown;
  // The matching endorsement, when held.
  std::string endorsement_number;
  std::string category;
  // Why it is not held or unknown, for the reviewer ("lapsed since 2025-01-01",
  // "registry unavailable: deadline exceeded").
  std::string detail;
  // The registry's person id for the subject, whatever it was named by; empty
  // when the registry knows no such person (or could not answer).
  std::string person_id;
  // A span question's answer: the last day it covers (nullopt: the answer is
  // for the question's day alone, as a registry that does not know span
  // questions answers), and each later day on which it changes, in order,
  // with `from` its first day (changes carry no changes or through of their
  // own). The answer on a day is that of the last change from on or before
  // it, and these fields' own before the first.
  std::optional<absl::CivilDay> through;
  std::vector<CredentialAnswer> changes;
  absl::CivilDay from;
};

// Answers credential questions. Implementations never fail as a whole: what
// they cannot establish they answer kUnknown, with the reason in detail.
class CredentialVerifier {
 public:
  virtual ~CredentialVerifier() = default;
  // Returns exactly one answer per question, in order.
  virtual std::vector<CredentialAnswer> Verify(
      const std::vector<CredentialQuestion>& questions) = 0;
};

// The subject key of a person for verification: "person:<id>" or
// "endorsement:<number>"; empty when the reference names neither.
std::string SubjectKey(const eligibility::v1::PersonRef& person);
std::string SubjectKey(const CredentialQuestion& question);

// "IFRS,IMHM-C": the key of a category set, in the rulebook's order.
template <typename Codes>
std::string CategorySetKey(const Codes& codes);

// Answers keyed by question. A question never asked finds kUnknown.
class VerificationFacts {
  // A span question's answer (below).
  struct Span;

 public:
  void Add(const CredentialQuestion& question, CredentialAnswer answer);
  // Add for each question and the answer in its position. Requires
  // answers.size() == questions.size().
  void AddAll(const std::vector<CredentialQuestion>& questions,
              std::vector<CredentialAnswer> answers);

  // The answer for (subject, category set, day): that of a question asked
  // about the day, or of a span question whose span holds it; a static
  // kUnknown answer when neither was asked, and when a span question's answer
  // does not cover the day (the registry answered for its first day alone, or
  // gave changes out of order or out of the span).
  const CredentialAnswer& Find(absl::string_view subject_key,
                               absl::string_view category_set_key,
                               absl::CivilDay on) const;

  // For many lookups about the same subjects and sets: the number of a
  // subject key or a category set key, -1 when no question named it, and the
  // answer by numbers (the static kUnknown answer when either is -1 or the
  // question was not asked). Numbers are valid until the next Add or Merge.
  int SubjectNumber(absl::string_view subject_key) const;
  // The number of the subject a portfolio's reference names (by person id
  // when it has one, else by endorsement number), without building its key.
  int SubjectNumber(const eligibility::v1::PersonRef& person) const;
  int SetNumber(absl::string_view category_set_key) const;
  const CredentialAnswer& Find(int subject, int set, absl::CivilDay on) const;

  // Find for many days of one (subject, set), its span questions looked up
  // once rather than on every day. Valid until the next Add or Merge of the
  // facts it came from.
  class Lookup {
   public:
    // What Find(subject, set, on) returns.
    const CredentialAnswer& On(absl::CivilDay on) const;

   private:
    friend class VerificationFacts;
    Lookup(const VerificationFacts& facts, int subject, int set);
    const VerificationFacts* facts_;
    int subject_, set_;
    // The (subject, set)'s span questions; null when none was asked.
    const std::vector<Span>* spans_ = nullptr;
  };
  Lookup LookupFor(int subject, int set) const { return {*this, subject, set}; }

  size_t size() const { return position_.size(); }

  // Adds every answer of `other` (for batches asked in several calls).
  void Merge(VerificationFacts other);

  // The registry's person id for a subject named by endorsement number
  // ("endorsement:..."), from any answer about it (the registry resolves the
  // number to its holder); empty when no answer named one, and for subjects
  // named by person id (their id is the key itself).
  const std::string& PersonOf(absl::string_view subject_key) const;
  const std::string& PersonOf(const eligibility::v1::PersonRef& person) const;

 private:
  // Subjects and sets are numbered as first seen, so that an answer is keyed
  // by three integers: finding one hashes no string.
  struct Key {
    int subject, set;
    int64_t day;
    bool operator==(const Key& other) const {
      return subject == other.subject && set == other.set && day == other.day;
    }
    template <typename H>
    friend H AbslHashValue(H state, const Key& key) {
      return H::combine(std::move(state), key.subject, key.set, key.day);
    }
  };
  // A subject as a question names it: by person id, or by endorsement
  // number (SubjectKey without its prefix), so that numbering one builds no
  // key string.
  struct SubjectView {
    bool by_person;
    absl::string_view id;
  };
  struct Subject {
    bool by_person;
    std::string id;
  };
  struct SubjectHash {
    using is_transparent = void;
    size_t operator()(const SubjectView& subject) const {
      return absl::HashOf(subject.by_person, subject.id);
    }
    size_t operator()(const Subject& subject) const {
      return (*this)(SubjectView{subject.by_person, subject.id});
    }
  };
  struct SubjectEq {
    using is_transparent = void;
    static SubjectView View(const Subject& s) { return {s.by_person, s.id}; }
    static SubjectView View(const SubjectView& s) { return s; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      const SubjectView x = View(a), y = View(b);
      return x.by_person == y.by_person && x.id == y.id;
    }
  };
  static SubjectView SubjectOf(const CredentialQuestion& question);
  int NumberOf(SubjectView subject) const;
  const std::string& PersonOfNumber(int subject) const;

  int NumberSubject(SubjectView subject);
  int NumberSet(const CategorySet& categories);
  // Numbers the question's subject and set, and notes the person an answer
  // about an endorsement number named.
  Key KeyOf(const CredentialQuestion& question, const CredentialAnswer& answer);

  absl::flat_hash_map<Subject, int, SubjectHash, SubjectEq> subject_numbers_;
  // By subject number: the subject, and the person the registry named for it.
  std::vector<Subject> subjects_;
  std::vector<std::string> person_of_subject_;
  absl::flat_hash_map<std::string, int> set_numbers_;
  // By set number.
  std::vector<CategorySet> sets_;
  // The set of the last question filed, held so that its key's address
  // identifies it: questions about one rulebook list share it.
  CategorySet last_set_;
  int last_set_number_ = -1;
  // A span question's answer, by the position of its answer: the first and
  // last days it asked about.
  struct Span {
    absl::CivilDay first, last;
    int position;
  };
  // Notes the answer at `position` to a span question under its subject and
  // set; changes out of order or out of the span are dropped with the span
  // (the days past its first then are not covered).
  void NoteSpan(const CredentialQuestion& question, const Key& key,
                int position);
  const CredentialAnswer& SpanAnswerOn(const Span& span,
                                       absl::CivilDay on) const;

  // Answers as filed (one replaced by a later answer to the same question
  // stays, unreferenced), and the position of each question's answer.
  std::vector<CredentialAnswer> answers_;
  absl::flat_hash_map<Key, int> position_;
  // The span questions about each (subject, set).
  absl::flat_hash_map<std::pair<int, int>, std::vector<Span>> spans_;
};

// Whether `answer` answers every day `question` asks about: a one-day
// question always; a span question when the answer covers its days through
// the last, with its changes in order, each after the first day and within
// the span. The days of a span answer that does not are unknown in the facts.
bool AnswersEveryDay(const CredentialQuestion& question,
                     const CredentialAnswer& answer);

// Asks `verifier` every question and files the answers.
VerificationFacts Gather(const std::vector<CredentialQuestion>& questions,
                         CredentialVerifier& verifier);

template <typename Codes>
std::string CategorySetKey(const Codes& codes) {
  size_t size = 0;
  for (const auto& code : codes) size += code.size() + 1;
  std::string key;
  key.reserve(size);  // one allocation, when past the short-string size
  for (const auto& code : codes) {
    if (!key.empty()) key.push_back(',');
    key.append(code);
  }
  return key;
}

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_VERIFICATION_H_

#ifndef IMH_SERVICES_ELIGIBILITY_VERIFICATION_H_
#define IMH_SERVICES_ELIGIBILITY_VERIFICATION_H_

// Facts about other people's endorsements, which the evaluator never takes on
// the applicant's word: did this rater or provider hold one of these categories
// on this day? The evaluator lists its questions; a CredentialVerifier (the
// registry client in the service, a snapshot offline) answers them; the answers
// are an input to evaluation.

#include <initializer_list>
#include <memory>
#include <string>
#include <tuple>
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
  // At least one is set; person_id wins when both are.
  std::string person_id;
  std::string endorsement_number;
  CategorySet categories;
  absl::CivilDay on;
};

enum class CredentialStatus {
  // An ACTIVE endorsement in one of the categories on that day.
  kHeld,
  kNotHeld,
  // The registry could not answer (unreachable, timed out, ...).
  kUnknown,
};

struct CredentialAnswer {
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
 public:
  void Add(const CredentialQuestion& question, CredentialAnswer answer);

  // The answer for (subject, category set, day); a static kUnknown answer when
  // the question was not asked.
  const CredentialAnswer& Find(absl::string_view subject_key,
                               absl::string_view category_set_key,
                               absl::CivilDay on) const;

  size_t size() const { return answers_.size(); }

  // Room for `answers` answers without rehashing.
  void Reserve(size_t answers) { answers_.reserve(answers); }

  // Adds every answer of `other` (for batches asked in several calls).
  void Merge(VerificationFacts other);

  // The registry's person id for a subject named by endorsement number
  // ("endorsement:..."), from any answer about it (the registry resolves the
  // number to its holder); empty when no answer named one, and for subjects
  // named by person id (their id is the key itself).
  const std::string& PersonOf(absl::string_view subject_key) const;

 private:
  struct Key {
    std::string subject;
    // Shared with the question: its key() is made once per rulebook list.
    CategorySet categories;
    absl::CivilDay on;
  };
  // Lookups use views, so finding an answer allocates nothing.
  struct KeyView {
    absl::string_view subject;
    absl::string_view categories;
    absl::CivilDay on;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(const KeyView& key) const {
      // The day as a count: hashing a CivilDay hashes its fields one by one.
      return absl::HashOf(key.subject, key.categories,
                          key.on - absl::CivilDay());
    }
    size_t operator()(const Key& key) const {
      return (*this)(KeyView{key.subject, key.categories.key(), key.on});
    }
  };
  struct KeyEq {
    using is_transparent = void;
    static KeyView View(const Key& key) {
      return {key.subject, key.categories.key(), key.on};
    }
    static KeyView View(const KeyView& key) { return key; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      const KeyView x = View(a), y = View(b);
      return x.on == y.on && x.subject == y.subject &&
             x.categories == y.categories;
    }
  };
  absl::flat_hash_map<Key, CredentialAnswer, KeyHash, KeyEq> answers_;
  absl::flat_hash_map<std::string, std::string> person_of_subject_;
};

// Asks `verifier` every question and files the answers.
VerificationFacts Gather(const std::vector<CredentialQuestion>& questions,
                         CredentialVerifier& verifier);

template <typename Codes>
std::string CategorySetKey(const Codes& codes) {
  std::string key;
  for (const auto& code : codes) {
    if (!key.empty()) key.push_back(',');
    key.append(code);
  }
  return key;
}

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_VERIFICATION_H_

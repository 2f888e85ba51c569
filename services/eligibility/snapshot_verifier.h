#ifndef IMH_SERVICES_ELIGIBILITY_SNAPSHOT_VERIFIER_H_
#define IMH_SERVICES_ELIGIBILITY_SNAPSHOT_VERIFIER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "imh/registry/v1/endorsement.pb.h"
#include "services/eligibility/verification.h"

namespace imh::eligibility {

// Answers credential questions from a registry snapshot held in memory, with
// the registry's semantics: held when an endorsement of the subject in one of
// the categories was ACTIVE on the day. For offline evaluation (the CLI, golden
// tests); it never answers kUnknown except for a question naming nobody. A
// span question is answered as the registry answers it: the answer on its
// first day, and each later day the answer changes.
class SnapshotVerifier final : public CredentialVerifier {
 public:
  explicit SnapshotVerifier(registry::v1::RegistrySnapshot snapshot);

  // Reads a snapshot in protobuf JSON.
  static absl::StatusOr<SnapshotVerifier> FromJsonFile(const std::string& path);

  std::vector<CredentialAnswer> Verify(
      const std::vector<CredentialQuestion>& questions) override;

  const registry::v1::RegistrySnapshot& snapshot() const { return snapshot_; }

 private:
  // The answer on the question's day, and for a span question its changes.
  CredentialAnswer Answer(const CredentialQuestion& question) const;
  CredentialAnswer AnswerOn(const CredentialQuestion& question,
                            absl::CivilDay day) const;

  registry::v1::RegistrySnapshot snapshot_;
  // Subject key -> indices of that subject's endorsements.
  absl::flat_hash_map<std::string, std::vector<int>> by_subject_;
};

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_SNAPSHOT_VERIFIER_H_

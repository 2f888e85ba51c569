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
// tests); it never answers kUnknown except for a question naming nobody.
class SnapshotVerifier final : public CredentialVerifier {
 public:
  explicit SnapshotVerifier(registry::v1::RegistrySnapshot snapshot);

  // Reads a snapshot in protobuf JSON.
  static absl::StatusOr<SnapshotVerifier> FromJsonFile(const std::string& path);

  std::vector<CredentialAnswer> Verify(
      const std::vector<CredentialQuestion>& questions) override;

  const registry::v1::RegistrySnapshot& snapshot() const { return snapshot_; }

 private:
  CredentialAnswer Answer(const CredentialQuestion& question) const;

  registry::v1::RegistrySnapshot snapshot_;
  // Subject key -> indices of that subject's endorsements.
  absl::flat_hash_map<std::string, std::vector<int>> by_subject_;
};

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_SNAPSHOT_VERIFIER_H_

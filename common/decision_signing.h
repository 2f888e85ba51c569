#ifndef IMH_COMMON_DECISION_SIGNING_H_
#define IMH_COMMON_DECISION_SIGNING_H_

// Ed25519 signatures of eligibility decisions (imh.decision.v1), through
// OpenSSL. The eligibility service signs every decision with one private key;
// the registry verifies them against a keyring of public keys, so keys can be
// rotated: decisions signed with an old key verify while its public key stays
// on the keyring.
//
// A key's id is "ed25519:" and the first 16 hex digits of the SHA-256 of its
// 32-byte raw public key: derived, so it can never name the wrong key.

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "imh/decision/v1/decision_record.pb.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace imh {

class DecisionSigner {
 public:
  // Reads a PEM Ed25519 private key (`openssl genpkey -algorithm ed25519`).
  // InvalidArgument naming the file when it cannot be read or is not one.
  static absl::StatusOr<DecisionSigner> FromPemFile(const std::string& path);
  static absl::StatusOr<DecisionSigner> FromPem(absl::string_view pem);
  // A new random key (tests, and a service started without a key file).
  static absl::StatusOr<DecisionSigner> Generate();

  const std::string& key_id() const { return key_id_; }
  // PEM texts of the key pair: the public one is what a registry trusts.
  std::string PublicKeyPem() const;
  std::string PrivateKeyPem() const;

  // Sets the record's key_id, serializes it deterministically and signs the
  // bytes. Thread-safe. Internal only if OpenSSL fails to sign.
  absl::StatusOr<decision::v1::SignedDecision> Sign(
      decision::v1::DecisionRecord record) const;

 private:
  explicit DecisionSigner(std::shared_ptr<EVP_PKEY> key);
  std::shared_ptr<EVP_PKEY> key_;
  std::string key_id_;
};

// The public keys a verifier trusts, by key id.
class DecisionKeyring {
 public:
  DecisionKeyring() = default;
  // Reads PEM Ed25519 public keys, one per file. InvalidArgument naming a
  // file that cannot be read or holds no Ed25519 public key.
  static absl::StatusOr<DecisionKeyring> FromPemFiles(
      const std::vector<std::string>& paths);
  // Adds one PEM public key; returns its id.
  absl::StatusOr<std::string> AddPem(absl::string_view pem);

  bool empty() const { return keys_.empty(); }
  std::vector<std::string> key_ids() const;

  // The record, when `signed_decision` is signed by a key on the ring and
  // its record names that key. FailedPrecondition with the reason otherwise:
  // no keys trusted, an unknown key, a bad signature (a forged or altered
  // decision), a record that does not parse.
  absl::StatusOr<decision::v1::DecisionRecord> Verify(
      const decision::v1::SignedDecision& signed_decision) const;

 private:
  absl::flat_hash_map<std::string, std::shared_ptr<EVP_PKEY>> keys_;
};

// The key id of a 32-byte raw Ed25519 public key.
std::string Ed25519KeyId(absl::string_view raw_public_key);

}  // namespace imh

#endif  // IMH_COMMON_DECISION_SIGNING_H_

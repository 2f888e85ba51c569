#include "common/decision_signing.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/digest.h"
#include "common/proto_files.h"

namespace imh {
namespace {

using decision::v1::DecisionRecord;
using decision::v1::SignedDecision;

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

std::unique_ptr<BIO, decltype(&BIO_free)> MemoryBio(absl::string_view text) {
  return {BIO_new_mem_buf(text.data(), static_cast<int>(text.size())),
          BIO_free};
}

absl::StatusOr<std::string> RawPublicKey(EVP_PKEY* key) {
  size_t length = 0;
  if (EVP_PKEY_get_raw_public_key(key, nullptr, &length) != 1 || length != 32) {
    return absl::InvalidArgumentError("not an Ed25519 key");
  }
  std::string raw(length, '\0');
  EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()),
                              &length);
  return raw;
}

bool IsEd25519(EVP_PKEY* key) {
  return key != nullptr && EVP_PKEY_id(key) == EVP_PKEY_ED25519;
}

std::string Pem(EVP_PKEY* key, bool private_key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (private_key) {
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                             nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio.get(), key);
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(std::max(0L, length)));
}

}  // namespace

std::string Ed25519KeyId(absl::string_view raw_public_key) {
  return absl::StrCat("ed25519:", Sha256Hex(raw_public_key).substr(0, 16));
}

DecisionSigner::DecisionSigner(std::shared_ptr<EVP_PKEY> key)
    : key_(std::move(key)) {
  key_id_ = Ed25519KeyId(RawPublicKey(key_.get()).value_or(""));
}

absl::StatusOr<DecisionSigner> DecisionSigner::FromPem(absl::string_view pem) {
  auto bio = MemoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!IsEd25519(key)) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError("not a PEM Ed25519 private key");
  }
  return DecisionSigner(Own(key));
}

absl::StatusOr<DecisionSigner> DecisionSigner::FromPemFile(
    const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("signing key ", path, ": ", text.status().message()));
  }
  absl::StatusOr<DecisionSigner> signer = FromPem(*text);
  if (!signer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("signing key ", path, ": ", signer.status().message()));
  }
  return signer;
}

absl::StatusOr<DecisionSigner> DecisionSigner::Generate() {
  EVP_PKEY* key = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> context(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free);
  if (!context || EVP_PKEY_keygen_init(context.get()) != 1 ||
      EVP_PKEY_keygen(context.get(), &key) != 1) {
    return absl::InternalError("OpenSSL could not make an Ed25519 key");
  }
  return DecisionSigner(Own(key));
}

std::string DecisionSigner::PublicKeyPem() const {
  return Pem(key_.get(), false);
}

std::string DecisionSigner::PrivateKeyPem() const {
  return Pem(key_.get(), true);
}

absl::StatusOr<SignedDecision> DecisionSigner::Sign(
    DecisionRecord record) const {
  record.set_key_id(key_id_);
  SignedDecision signed_decision;
  signed_decision.set_record(DeterministicBytes(record));
  signed_decision.set_key_id(key_id_);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(64, '\0');
  size_t length = signature.size();
  const std::string& bytes = signed_decision.record();
  if (!context ||
      EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr,
                         key_.get()) != 1 ||
      EVP_DigestSign(
          context.get(), reinterpret_cast<unsigned char*>(signature.data()),
          &length, reinterpret_cast<const unsigned char*>(bytes.data()),
          bytes.size()) != 1) {
    return absl::InternalError("OpenSSL could not sign the decision");
  }
  signature.resize(length);
  signed_decision.set_signature(std::move(signature));
  return signed_decision;
}

absl::StatusOr<std::string> DecisionKeyring::AddPem(absl::string_view pem) {
  auto bio = MemoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!IsEd25519(key)) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError("not a PEM Ed25519 public key");
  }
  absl::StatusOr<std::string> raw = RawPublicKey(key);
  if (!raw.ok()) {
    EVP_PKEY_free(key);
    return raw.status();
  }
  const std::string id = Ed25519KeyId(*raw);
  keys_[id] = Own(key);
  return id;
}

absl::StatusOr<DecisionKeyring> DecisionKeyring::FromPemFiles(
    const std::vector<std::string>& paths) {
  DecisionKeyring keyring;
  for (const std::string& path : paths) {
    absl::StatusOr<std::string> text = ReadFileToString(path);
    absl::Status status = text.status();
    if (text.ok()) status = keyring.AddPem(*text).status();
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("decision key ", path, ": ", status.message()));
    }
  }
  return keyring;
}

std::vector<std::string> DecisionKeyring::key_ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, key] : keys_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::StatusOr<DecisionRecord> DecisionKeyring::Verify(
    const SignedDecision& signed_decision) const {
  if (keys_.empty()) {
    return absl::FailedPreconditionError(
        "the registry trusts no decision signing keys (--decision_keys): it "
        "accepts no decision");
  }
  const auto key = keys_.find(signed_decision.key_id());
  if (key == keys_.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the decision is signed with key \"", signed_decision.key_id(),
        "\", which the registry does not trust"));
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const std::string& bytes = signed_decision.record();
  const std::string& signature = signed_decision.signature();
  if (!context ||
      EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr,
                           key->second.get()) != 1 ||
      EVP_DigestVerify(context.get(),
                       reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(),
                       reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size()) != 1) {
    return absl::FailedPreconditionError(
        "the decision's signature does not verify: it was altered or not "
        "signed by the eligibility service");
  }
  DecisionRecord record;
  if (!record.ParseFromString(bytes) || record.key_id() != key->first) {
    return absl::FailedPreconditionError(
        "the signed decision record is malformed");
  }
  return record;
}

}  // namespace imh

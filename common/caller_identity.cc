#include "common/caller_identity.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace imh {
namespace {

constexpr char kSecretKey[] = "imh-forwarded-secret";
constexpr char kPrincipalKey[] = "imh-forwarded-principal";

// 32 random bytes, hex, made once per process. The gateway and the methods
// live in the same process, so nothing else ever learns it.
const std::string& ProcessSecret() {
  static const std::string* secret = [] {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();
    return new std::string(absl::BytesToHexString(absl::string_view(
        reinterpret_cast<const char*>(bytes), sizeof(bytes))));
  }();
  return *secret;
}

bool CarriesProcessSecret(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(kSecretKey);
  if (it == metadata.end()) return false;
  const std::string& secret = ProcessSecret();
  return it->second.size() == secret.size() &&
         CRYPTO_memcmp(it->second.data(), secret.data(), secret.size()) == 0;
}

}  // namespace

bool CameThroughHttpGateway(const grpc::ServerContextBase& context) {
  return CarriesProcessSecret(context);
}

CallerIdentity IdentityOf(const grpc::ServerContextBase& context) {
  CallerIdentity identity;
  if (CarriesProcessSecret(context)) {
    const auto range = context.client_metadata().equal_range(kPrincipalKey);
    for (auto it = range.first; it != range.second; ++it) {
      identity.principals.emplace_back(it->second.data(), it->second.size());
    }
    return identity;
  }
  const auto auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return identity;
  for (const auto& principal : auth->GetPeerIdentity()) {
    identity.principals.emplace_back(principal.data(), principal.size());
  }
  return identity;
}

void ForwardIdentity(const CallerIdentity& identity,
                     grpc::ClientContext& context) {
  context.AddMetadata(kSecretKey, ProcessSecret());
  for (const std::string& principal : identity.principals) {
    context.AddMetadata(kPrincipalKey, principal);
  }
}

bool IsForwardingKey(const std::string& lowercase_key) {
  return absl::StartsWith(lowercase_key, "imh-forwarded-");
}

}  // namespace imh

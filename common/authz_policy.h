#ifndef IMH_COMMON_AUTHZ_POLICY_H_
#define IMH_COMMON_AUTHZ_POLICY_H_

// Enforces a gRPC authorization policy file (imh/authz/v1/authz_policy.proto,
// the gRFC A43 format). Debian's gRPC 1.51 ships the server's authorization
// filter but not the library that reads policy files
// (grpcpp_authorization_provider), so the servers evaluate the same format
// here, at the top of every method of the service it protects.

#include <grpcpp/server_context.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "imh/authz/v1/authz_policy.pb.h"

namespace imh {

class AuthorizationPolicy {
 public:
  // Parses the JSON text of a policy. InvalidArgument, naming the problem,
  // for malformed JSON, unknown fields (header matchers, for instance, which
  // this implementation does not support), a rule without a name, an empty
  // principal or path, or a policy without allow rules.
  static absl::StatusOr<AuthorizationPolicy> Parse(absl::string_view json);
  // Parse, from a file. InvalidArgument when it cannot be read.
  static absl::StatusOr<AuthorizationPolicy> Load(const std::string& path);

  // Whether a caller with these certificate identities (none when the peer is
  // not authenticated) may call `method` ("/pkg.Service/Method"). Deny rules
  // first, then allow rules; nothing matching means no.
  bool Allows(absl::string_view method,
              const std::vector<std::string>& principals,
              bool authenticated) const;

  // Allows, for the caller of `context`: OK, or PERMISSION_DENIED naming the
  // principal and the method.
  grpc::Status Check(const grpc::ServerContextBase& context,
                     absl::string_view method) const;

  const std::string& name() const { return policy_.name(); }

 private:
  explicit AuthorizationPolicy(authz::v1::AuthorizationPolicy policy)
      : policy_(std::move(policy)) {}
  authz::v1::AuthorizationPolicy policy_;
};

// IdentityOf(context).principals (caller_identity.h): the certificate
// identities of an authenticated peer, on either transport; empty when the
// peer is not authenticated.
std::vector<std::string> PeerPrincipals(const grpc::ServerContextBase& context);

}  // namespace imh

#endif  // IMH_COMMON_AUTHZ_POLICY_H_

#ifndef IMH_COMMON_CALLER_IDENTITY_H_
#define IMH_COMMON_CALLER_IDENTITY_H_

// Who is calling a method: the identities of the peer's TLS client
// certificate, whichever transport the call came in on. A gRPC call carries
// them in its auth context. A call that came in on the HTTP port was
// authenticated there (http_gateway.h) and reaches the method through the
// process's in-process channel, carrying the identities it was given as
// metadata together with a secret that only this process knows: metadata
// that anyone else sends under those names is ignored.

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include <string>
#include <vector>

namespace imh {

struct CallerIdentity {
  // The certificate's URI and DNS subject alternative names (else its common
  // name); empty when the peer presented no certificate.
  std::vector<std::string> principals;
  bool authenticated() const { return !principals.empty(); }
};

// The identity of the caller of `context`.
CallerIdentity IdentityOf(const grpc::ServerContextBase& context);

// Whether `context` is a call the HTTP gateway of this process forwarded.
bool CameThroughHttpGateway(const grpc::ServerContextBase& context);

// Attaches `identity` to a call that the HTTP gateway makes on the
// in-process channel (with the process's secret), so that IdentityOf the
// method's context returns it.
void ForwardIdentity(const CallerIdentity& identity,
                     grpc::ClientContext& context);

// Whether a metadata key is one that only ForwardIdentity may set: the
// gateway drops such headers from what an HTTP client sends.
bool IsForwardingKey(const std::string& lowercase_key);

}  // namespace imh

#endif  // IMH_COMMON_CALLER_IDENTITY_H_

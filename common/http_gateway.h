#ifndef IMH_COMMON_HTTP_GATEWAY_H_
#define IMH_COMMON_HTTP_GATEWAY_H_

// A server's HTTP port: the unary methods of its gRPC services in the
// Connect protocol's unary form (POST /pkg.Service/Method with a JSON or
// binary protobuf body), for clients to whom gRPC is a chore, plus whatever
// pages the server adds. There is no second implementation of any method:
// each call goes on to the method through the server's in-process channel, so
// that the method's own validation and authorization, and the server's
// interceptors (metrics, access log), treat it as they treat a gRPC call. The
// port takes the same TLS as the gRPC port, client certificates included;
// the identities of a client's certificate reach the method as
// caller_identity.h describes.

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/caller_identity.h"
#include "common/tls.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace imh {

struct HttpGatewayOptions {
  // "127.0.0.1:0" picks a free port.
  std::string listen_address;
  // The gRPC port's files: the same certificate and client CAs.
  ServerTlsFiles tls;
  // With client CAs: whether a client must present a certificate (as on the
  // gRPC port), or may come without one, unauthenticated, to what needs no
  // identity (a public page, say; the authorization policy still refuses
  // its methods to an unauthenticated caller). A certificate presented must
  // verify either way.
  bool require_client_certificate = true;
  // Larger request bodies are refused (413).
  size_t max_body_bytes = 16 * 1024 * 1024;
  // Connections served at once (each holds a thread while it is open). A
  // connection that sends no request for two seconds is closed, and one that
  // stalls within a request or a response for five, so that idle or slow
  // clients hold a thread for seconds, not for as long as they like.
  int threads = 32;
};

class HttpGateway {
 public:
  // Makes the HTTP server. InvalidArgument when the TLS files are
  // inconsistent or cannot be loaded.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Create(
      HttpGatewayOptions options);
  ~HttpGateway();

  // Serves every unary method of `service` (its full name, which must be in
  // the generated descriptor pool) by calling it on `channel`. Streaming
  // methods answer 501 unimplemented: they are served over gRPC only.
  // InvalidArgument when the service is not in the pool.
  absl::Status AddConnectService(const std::string& service,
                                 std::shared_ptr<grpc::Channel> channel);

  // The HTTP server, to add pages to before Start.
  httplib::Server& server() { return *server_; }

  // Binds and serves on a thread of its own. Unavailable when the address
  // cannot be bound.
  absl::Status Start();
  int port() const { return port_; }

  // Stops accepting, finishes the requests in progress, and returns.
  // Idempotent.
  void Stop();

 private:
  HttpGateway() = default;

  HttpGatewayOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// For pages that call a method themselves: the request's custom headers as
// metadata, its Connect timeout as the deadline, and the client
// certificate's identity (caller_identity.h), onto `context`. An
// INVALID_ARGUMENT status when a header is malformed.
grpc::Status PrepareCallContext(const httplib::Request& request,
                                grpc::ClientContext& context);

// The verified client certificate's identities (caller_identity.h); none
// without TLS or a certificate.
CallerIdentity HttpPeerIdentity(const httplib::Request& request);

// Answers with `status` as a Connect error (JSON, its HTTP status).
void WriteConnectError(httplib::Response& response, const grpc::Status& status);

}  // namespace imh

#endif  // IMH_COMMON_HTTP_GATEWAY_H_

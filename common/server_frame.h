#ifndef IMH_COMMON_SERVER_FRAME_H_
#define IMH_COMMON_SERVER_FRAME_H_

// What both servers put around their own service: the listening port with its
// transport security, the message size limit, per-call metrics and access
// log, grpc.health.v1, imh.admin.v1.AdminService and server reflection; and,
// when asked, the HTTP port (http_gateway.h).

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/admin_service.h"
#include "common/call_metrics.h"
#include "common/health_service.h"
#include "common/http_gateway.h"
#include "common/tls.h"

namespace imh {

struct ServerFrameOptions {
  // "127.0.0.1:0" picks a free port.
  std::string listen_address;
  ServerTlsFiles tls;
  int max_receive_message_bytes = 16 * 1024 * 1024;
  // One JSON line per call on stderr.
  bool access_log = true;
  // gRPC's resource quota: the threads serving synchronous (streaming and
  // writing) calls, and the memory of its buffers. Past them new calls are
  // refused with RESOURCE_EXHAUSTED instead of taking the process down.
  int max_threads = 128;
  int64_t max_buffer_bytes = 256LL * 1024 * 1024;
  // The HTTP port (Connect JSON and pages), with the same TLS; empty: none.
  std::string http_listen_address;
  // See HttpGatewayOptions::require_client_certificate.
  bool http_require_client_certificate = true;

  // The frame's part of a server's options (any struct with these fields
  // under these names: both servers' options are).
  template <typename ServerOptions>
  static ServerFrameOptions Of(const ServerOptions& server) {
    ServerFrameOptions options;
    options.listen_address = server.listen_address;
    options.tls = server.tls;
    options.max_receive_message_bytes = server.max_receive_message_bytes;
    options.access_log = server.access_log;
    options.http_listen_address = server.http_listen_address;
    options.http_require_client_certificate =
        server.http_require_client_certificate;
    return options;
  }
};

class ServerFrame {
 public:
  // `component` names the server in logs and metrics ("registry").
  explicit ServerFrame(std::string component);

  // Adds the port, limits, interceptors and the frame's services to
  // `builder`. After BuildAndStart, port() is the bound port (0 on failure).
  // InvalidArgument when the TLS files are inconsistent or unreadable.
  absl::Status Configure(const ServerFrameOptions& options,
                         grpc::ServerBuilder& builder);

  int port() const { return port_; }

  // After `server` is built and started: when options.http_listen_address
  // is set, serves the unary methods of `services` (full names) in the
  // Connect protocol through the server's in-process channel, GET /metrics
  // (Prometheus text format), and the pages `add_pages` adds (given the
  // in-process channel, to call the server's own methods). Fails when the
  // HTTP port cannot be set up or bound.
  absl::Status StartHttp(
      grpc::Server& server, const std::vector<std::string>& services,
      const std::function<void(httplib::Server&,
                               std::shared_ptr<grpc::Channel>)>& add_pages =
          nullptr);
  // The bound HTTP port; 0 without one.
  int http_port() const { return http_ ? http_->port() : 0; }
  // Stops the HTTP port (before the gRPC server, whose in-process channel it
  // calls). Idempotent.
  void StopHttp();

  HealthService& health() { return health_; }
  CallMetrics& metrics() { return metrics_; }

 private:
  const std::string component_;
  CallMetrics metrics_;
  AdminService admin_;
  HealthService health_;
  ServerFrameOptions options_;
  std::unique_ptr<HttpGateway> http_;
  int port_ = 0;
};

}  // namespace imh

#endif  // IMH_COMMON_SERVER_FRAME_H_

#ifndef IMH_COMMON_SERVER_FRAME_H_
#define IMH_COMMON_SERVER_FRAME_H_

// What both servers put around their own service: the listening port with its
// transport security, the message size limit, per-call metrics and access
// log, grpc.health.v1, imh.admin.v1.AdminService and server reflection.

#include <grpcpp/server_builder.h>

#include <string>

#include "absl/status/status.h"
#include "common/admin_service.h"
#include "common/call_metrics.h"
#include "common/health_service.h"
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
  HealthService& health() { return health_; }
  CallMetrics& metrics() { return metrics_; }

 private:
  const std::string component_;
  CallMetrics metrics_;
  AdminService admin_;
  HealthService health_;
  int port_ = 0;
};

}  // namespace imh

#endif  // IMH_COMMON_SERVER_FRAME_H_

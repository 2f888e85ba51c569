#ifndef IMH_COMMON_HEALTH_SERVICE_H_
#define IMH_COMMON_HEALTH_SERVICE_H_

// grpc.health.v1.Health served as an ordinary service from the vendored
// health.proto. (gRPC's built-in health service roughly halved an echo
// server's throughput on these machines; see ENGINEERING.md.)

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace imh {

class HealthService final : public grpc::health::v1::Health::Service {
 public:
  // "" is the server as a whole.
  void SetServing(const std::string& service, bool serving);
  // Every service NOT_SERVING from now on (draining); ends open Watch calls.
  void Shutdown();

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>*
                         writer) override;

 private:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;
  // SERVICE_UNKNOWN for a service never set.
  ServingStatus StatusOf(const std::string& service);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, bool> serving_;
  bool shut_down_ = false;
  unsigned long version_ = 0;
};

}  // namespace imh

#endif  // IMH_COMMON_HEALTH_SERVICE_H_

#ifndef IMH_COMMON_ADMIN_SERVICE_H_
#define IMH_COMMON_ADMIN_SERVICE_H_

// imh.admin.v1.AdminService over a server's CallMetrics.

#include "common/call_metrics.h"
#include "imh/admin/v1/admin_service.grpc.pb.h"

namespace imh {

class AdminService final : public admin::v1::AdminService::CallbackService {
 public:
  // `metrics` must outlive the service.
  explicit AdminService(const CallMetrics* metrics) : metrics_(*metrics) {}

  grpc::ServerUnaryReactor* GetMetrics(
      grpc::CallbackServerContext* context,
      const admin::v1::GetMetricsRequest* request,
      admin::v1::GetMetricsResponse* response) override;

 private:
  const CallMetrics& metrics_;
};

}  // namespace imh

#endif  // IMH_COMMON_ADMIN_SERVICE_H_

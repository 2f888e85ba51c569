#include "common/admin_service.h"

#include "common/grpc_status.h"

namespace imh {

grpc::ServerUnaryReactor* AdminService::GetMetrics(
    grpc::CallbackServerContext* context, const admin::v1::GetMetricsRequest*,
    admin::v1::GetMetricsResponse* response) {
  *response = metrics_.Snapshot();
  return FinishNow(context, grpc::Status::OK);
}

}  // namespace imh

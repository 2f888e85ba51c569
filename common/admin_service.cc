#include "common/admin_service.h"

namespace imh {

grpc::ServerUnaryReactor* AdminService::GetMetrics(
    grpc::CallbackServerContext* context, const admin::v1::GetMetricsRequest*,
    admin::v1::GetMetricsResponse* response) {
  *response = metrics_.Snapshot();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace imh

#include "common/health_service.h"

#include <chrono>

namespace imh {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

void HealthService::SetServing(const std::string& service, bool serving) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shut_down_) return;
  serving_[service] = serving;
  ++version_;
  changed_.notify_all();
}

void HealthService::Shutdown() {
  std::lock_guard<std::mutex> lock(mutex_);
  shut_down_ = true;
  for (auto& [name, serving] : serving_) serving = false;
  ++version_;
  changed_.notify_all();
}

HealthService::ServingStatus HealthService::StatusOf(
    const std::string& service) {
  const auto it = serving_.find(service);
  if (it == serving_.end()) return HealthCheckResponse::SERVICE_UNKNOWN;
  return it->second ? HealthCheckResponse::SERVING
                    : HealthCheckResponse::NOT_SERVING;
}

grpc::Status HealthService::Check(grpc::ServerContext*,
                                  const HealthCheckRequest* request,
                                  HealthCheckResponse* response) {
  std::lock_guard<std::mutex> lock(mutex_);
  const ServingStatus status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
  }
  response->set_status(status);
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(
    grpc::ServerContext* context, const HealthCheckRequest* request,
    grpc::ServerWriter<HealthCheckResponse>* writer) {
  std::unique_lock<std::mutex> lock(mutex_);
  unsigned long seen = version_ - 1;
  ServingStatus last = HealthCheckResponse::UNKNOWN;
  while (!context->IsCancelled()) {
    if (seen != version_) {
      seen = version_;
      const ServingStatus status = StatusOf(request->service());
      if (status != last) {
        last = status;
        HealthCheckResponse response;
        response.set_status(status);
        lock.unlock();
        const bool written = writer->Write(response);
        lock.lock();
        if (!written) break;
      }
      if (shut_down_) break;
    }
    // Polls for cancellation: a sync handler has no other way to see it.
    changed_.wait_for(lock, std::chrono::milliseconds(200));
  }
  return grpc::Status::OK;
}

}  // namespace imh

#include "common/server_frame.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/resource_quota.h>

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"

namespace imh {

ServerFrame::ServerFrame(std::string component)
    : component_(component),
      metrics_(std::move(component)),
      admin_(&metrics_) {}

absl::Status ServerFrame::Configure(const ServerFrameOptions& options,
                                    grpc::ServerBuilder& builder) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(options.tls);
  if (!credentials.ok()) return credentials.status();
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  builder.AddListeningPort(options.listen_address, *credentials, &port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  grpc::ResourceQuota quota(absl::StrCat("imh-", component_));
  quota.SetMaxThreads(options.max_threads);
  quota.Resize(static_cast<size_t>(options.max_buffer_bytes));
  builder.SetResourceQuota(quota);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(MakeObservingInterceptorFactory(&metrics_, component_,
                                                         options.access_log));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(&health_);
  builder.RegisterService(&admin_);
  return absl::OkStatus();
}

}  // namespace imh

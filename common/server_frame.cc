#include "common/server_frame.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/resource_quota.h>
#include <httplib.h>

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
  options_ = options;
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

absl::Status ServerFrame::StartHttp(
    grpc::Server& server, const std::vector<std::string>& services,
    const std::function<void(httplib::Server&, std::shared_ptr<grpc::Channel>)>&
        add_pages) {
  if (options_.http_listen_address.empty()) return absl::OkStatus();
  HttpGatewayOptions http;
  http.listen_address = options_.http_listen_address;
  http.tls = options_.tls;
  http.require_client_certificate = options_.http_require_client_certificate;
  http.max_body_bytes = static_cast<size_t>(options_.max_receive_message_bytes);
  absl::StatusOr<std::unique_ptr<HttpGateway>> gateway =
      HttpGateway::Create(std::move(http));
  if (!gateway.ok()) return gateway.status();
  grpc::ChannelArguments arguments;
  // The methods' own limits apply; the channel adds none of its own.
  arguments.SetMaxReceiveMessageSize(-1);
  arguments.SetMaxSendMessageSize(-1);
  const std::shared_ptr<grpc::Channel> channel =
      server.InProcessChannel(arguments);
  for (const std::string& service : services) {
    if (absl::Status status = (*gateway)->AddConnectService(service, channel);
        !status.ok()) {
      return status;
    }
  }
  // Prometheus scrapes the same port; where the port takes client
  // certificates, only with one (even when they are optional for the pages).
  const bool needs_certificate = !options_.tls.client_ca.empty();
  (*gateway)->server().Get(
      "/metrics", [this, needs_certificate](const httplib::Request& request,
                                            httplib::Response& response) {
        if (needs_certificate && !HttpPeerIdentity(request).authenticated()) {
          response.status = 403;
          response.set_content("metrics need a client certificate\n",
                               "text/plain; charset=utf-8");
          return;
        }
        response.set_content(metrics_.PrometheusText(),
                             "text/plain; version=0.0.4; charset=utf-8");
      });
  if (add_pages) add_pages((*gateway)->server(), channel);
  if (absl::Status status = (*gateway)->Start(); !status.ok()) return status;
  http_ = std::move(*gateway);
  return absl::OkStatus();
}

void ServerFrame::StopHttp() {
  if (http_) http_->Stop();
}

}  // namespace imh

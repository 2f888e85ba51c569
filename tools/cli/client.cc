#include "tools/cli/client.h"

#include <grpcpp/create_channel.h>

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/call_metrics.h"
#include "common/ids.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

ABSL_FLAG(std::string, eligibility, "127.0.0.1:50051",
          "the eligibility service's gRPC target");
ABSL_FLAG(std::string, registry, "127.0.0.1:50052",
          "the registry's gRPC target");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA bundle for the servers' certificates: use TLS");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate (mutual TLS)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_server_name, "",
          "name to check the servers' certificates against, when not the "
          "target's host");
ABSL_FLAG(int, timeout_ms, 10000, "deadline of each call");
ABSL_FLAG(std::string, request_id, "",
          "x-request-id sent with every call (default: a new one per call), "
          "and the idempotency key of a registry write");
ABSL_FLAG(std::string, actor, "",
          "x-actor sent with every call: who you are, for the audit trail, "
          "when no client certificate says it");
ABSL_FLAG(bool, json, false, "print protobuf JSON instead of text");

namespace imh::tools {

ClientOptions ClientOptionsFromFlags() {
  ClientOptions options;
  options.eligibility_target = absl::GetFlag(FLAGS_eligibility);
  options.registry_target = absl::GetFlag(FLAGS_registry);
  options.tls = {absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_cert),
                 absl::GetFlag(FLAGS_tls_key),
                 absl::GetFlag(FLAGS_tls_server_name)};
  options.timeout = absl::Milliseconds(absl::GetFlag(FLAGS_timeout_ms));
  options.request_id = absl::GetFlag(FLAGS_request_id);
  options.actor = absl::GetFlag(FLAGS_actor);
  options.json = absl::GetFlag(FLAGS_json);
  return options;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const ClientOptions& options, const std::string& target) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(options.tls);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments args;
  ApplyServerName(options.tls, args);
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  return grpc::CreateCustomChannel(target, *credentials, args);
}

std::unique_ptr<registry::v1::RegistryService::Stub> RegistryStub(
    const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(options, options.registry_target);
  if (!channel.ok()) {
    ReportError("registry", channel.status());
    return nullptr;
  }
  return registry::v1::RegistryService::NewStub(*channel);
}

std::unique_ptr<grpc::ClientContext> NewCallContext(
    const ClientOptions& options) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  context->AddMetadata("x-request-id", options.request_id.empty()
                                           ? NewId("cli-")
                                           : options.request_id);
  if (!options.actor.empty()) context->AddMetadata("x-actor", options.actor);
  return context;
}

int ExitCodeFor(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return kExitDone;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return kExitUnreachable;
    default:
      return kExitRefused;
  }
}

int ReportRpcError(absl::string_view what, const grpc::Status& status) {
  std::cerr << "imh: " << what << ": " << StatusCodeName(status.error_code())
            << ": " << status.error_message() << "\n";
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad_request;
      if (!any.UnpackTo(&bad_request)) continue;
      for (const auto& violation : bad_request.field_violations()) {
        std::cerr << "  " << violation.field() << ": "
                  << violation.description() << "\n";
      }
    }
  }
  return ExitCodeFor(status);
}

int ReportError(absl::string_view what, const absl::Status& status) {
  std::cerr << "imh: " << what << ": " << status.message() << "\n";
  return kExitRefused;
}

}  // namespace imh::tools

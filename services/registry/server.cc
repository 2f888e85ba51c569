#include "services/registry/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace imh::registry {

absl::StatusOr<std::unique_ptr<RegistryServer>> RegistryServer::Start(
    const RegistryServerOptions& options,
    const eligibility::Rulebook* rulebook) {
  std::unique_ptr<RegistryServer> server(new RegistryServer());
  absl::StatusOr<std::unique_ptr<RegistryStore>> store =
      RegistryStore::Open(options.store, rulebook);
  if (!store.ok()) return store.status();
  server->store_ = std::move(*store);
  server->service_ = std::make_unique<RegistryServiceImpl>(
      server->store_.get(), rulebook, options.limits);

  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address,
                           grpc::InsecureServerCredentials(), &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.RegisterService(server->service_.get());
  builder.RegisterService(&server->health_);
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address));
  }
  server->health_.SetServing("", true);
  server->health_.SetServing("imh.registry.v1.RegistryService", true);
  return server;
}

RegistryServer::~RegistryServer() { Shutdown(absl::ZeroDuration()); }

void RegistryServer::Shutdown(absl::Duration grace) {
  if (stopped_) return;
  stopped_ = true;
  if (!server_) return;
  health_.Shutdown();
  service_->BeginShutdown();
  store_->Close();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace imh::registry

#include "services/registry/server.h"

#include <grpcpp/server_builder.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/registry/registry_metrics.h"

namespace imh::registry {

absl::StatusOr<std::unique_ptr<RegistryServer>> RegistryServer::Start(
    const RegistryServerOptions& options, const imh::Rulebook* rulebook) {
  std::unique_ptr<RegistryServer> server(new RegistryServer());
  absl::StatusOr<DecisionKeyring> keyring =
      DecisionKeyring::FromPemFiles(options.decision_key_paths);
  if (!keyring.ok()) return keyring.status();
  server->keyring_ = std::move(*keyring);
  absl::StatusOr<std::unique_ptr<RegistryStore>> store =
      RegistryStore::Open(options.store, rulebook, &server->keyring_);
  if (!store.ok()) return store.status();
  server->store_ = std::move(*store);
  if (!options.authz_policy_path.empty()) {
    absl::StatusOr<AuthorizationPolicy> policy =
        AuthorizationPolicy::Load(options.authz_policy_path);
    if (!policy.ok()) return policy.status();
    server->policy_ = std::move(*policy);
  }
  server->service_ = std::make_unique<RegistryServiceImpl>(
      server->store_.get(), rulebook, options.limits,
      server->policy_ ? &*server->policy_ : nullptr);
  if (!options.backup_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(options.backup_dir, error);
    if (error) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--backup_dir ", options.backup_dir, ": ", error.message()));
    }
  }
  server->service_->set_backup_dir(options.backup_dir);

  grpc::ServerBuilder builder;
  if (absl::Status status =
          server->frame_.Configure(ServerFrameOptions::Of(options), builder);
      !status.ok()) {
    return status;
  }
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  server->port_ = server->frame_.port();
  if (!server->server_ || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address));
  }
  if (options.run_lapses) {
    server->lapse_runner_ = std::make_unique<LapseRunner>(server->store_.get());
  }
  RegisterRegistryMetrics(server->frame_.metrics(), server->store_.get(),
                          server->service_.get(), server->lapse_runner_.get());
  RegistryStore* const served_store = server->store_.get();
  const bool public_pages = options.public_pages;
  const PublicPageOptions page_options = options.public_page;
  if (absl::Status status = server->frame_.StartHttp(
          *server->server_, {"imh.registry.v1.RegistryService"},
          [&](httplib::Server& http, std::shared_ptr<grpc::Channel>) {
            if (public_pages) {
              AddPublicPages(http, served_store, rulebook, page_options);
            }
          });
      !status.ok()) {
    return status;
  }
  server->frame_.health().SetServing("", true);
  server->frame_.health().SetServing("imh.registry.v1.RegistryService", true);
  return server;
}

RegistryServer::~RegistryServer() { Shutdown(absl::ZeroDuration()); }

void RegistryServer::Shutdown(absl::Duration grace) {
  if (stopped_) return;
  stopped_ = true;
  if (!server_) return;
  frame_.health().Shutdown();
  frame_.StopHttp();
  if (lapse_runner_) lapse_runner_->Stop();
  service_->BeginShutdown();
  store_->Close();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace imh::registry

#include "services/eligibility/server.h"

#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "common/server_support.h"
#include "services/eligibility/report_page.h"

namespace imh::eligibility {

absl::StatusOr<std::unique_ptr<EligibilityServer>> EligibilityServer::Start(
    const EligibilityServerOptions& options, const Rulebook* rulebook) {
  std::unique_ptr<EligibilityServer> server(new EligibilityServer());
  absl::StatusOr<std::unique_ptr<RegistryClient>> registry =
      RegistryClient::Create(options.registry);
  if (!registry.ok()) return registry.status();
  server->registry_ = std::move(*registry);
  if (!options.decision_log_path.empty()) {
    absl::StatusOr<std::unique_ptr<DecisionLog>> log =
        DecisionLog::Open(options.decision_log_path);
    if (!log.ok()) return log.status();
    server->decision_log_ = std::move(*log);
  }
  absl::StatusOr<DecisionSigner> signer =
      options.signing_key_path.empty()
          ? DecisionSigner::Generate()
          : DecisionSigner::FromPemFile(options.signing_key_path);
  if (!signer.ok()) return signer.status();
  server->signer_ = std::make_unique<DecisionSigner>(std::move(*signer));
  server->service_ = std::make_unique<EligibilityServiceImpl>(
      rulebook, server->registry_.get(), server->decision_log_.get(),
      server->signer_.get(), &TodayInVirginia);

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
  RegistryClient* const registry_client = server->registry_.get();
  if (absl::Status status = server->frame_.StartHttp(
          *server->server_, {"imh.eligibility.v1.EligibilityService"},
          [registry_client, rulebook](httplib::Server& http,
                                      std::shared_ptr<grpc::Channel> self) {
            AddReportPage(http, std::move(self), registry_client->channel(),
                          rulebook);
          });
      !status.ok()) {
    return status;
  }
  server->frame_.health().SetServing("", true);
  server->frame_.health().SetServing("imh.eligibility.v1.EligibilityService",
                                     true);
  return server;
}

EligibilityServer::~EligibilityServer() { Shutdown(absl::ZeroDuration()); }

void EligibilityServer::Shutdown(absl::Duration grace) {
  if (stopped_) return;
  stopped_ = true;
  if (!server_) return;
  frame_.health().Shutdown();
  frame_.StopHttp();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace imh::eligibility

#ifndef IMH_SERVICES_REGISTRY_REGISTRY_SERVICE_H_
#define IMH_SERVICES_REGISTRY_REGISTRY_SERVICE_H_

// imh.registry.v1.RegistryService over a RegistryStore. Every request is
// validated first (INVALID_ARGUMENT + google.rpc.BadRequest, nothing written).
// Reads (Get*, List, VerifyCredentials) and the two streams use the callback
// API and run on gRPC's own threads (the streams hold none while they wait:
// registry_streams.h); writes, which wait for the disk, run on the
// synchronous thread pool so that they never hold up a read.

#include "common/arena_message_allocator.h"
#include "common/arena_pool.h"
#include "common/authz_policy.h"
#include "common/rulebook/rulebook.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "services/registry/store.h"
#include "services/registry/stream_hub.h"
#include "services/registry/stream_limits.h"
#include "services/registry/validation.h"

namespace imh::registry {

namespace grpc_v1 = ::imh::registry::v1;
using S = grpc_v1::RegistryService;
using RegistryServiceBase = S::WithCallbackMethod_GetPerson<
    S::WithCallbackMethod_GetEndorsement<S::WithCallbackMethod_ListEndorsements<
        S::WithCallbackMethod_VerifyCredentials<
            S::WithCallbackMethod_GetApplication<
                S::WithCallbackMethod_ListApplications<
                    S::WithCallbackMethod_ListRenewalsDue<
                        S::WithCallbackMethod_ListMembershipsDue<
                            S::WithCallbackMethod_WatchChanges<
                                S::WithCallbackMethod_ExportEndorsements<
                                    S::Service>>>>>>>>>>;

class RegistryServiceImpl final : public RegistryServiceBase {
 public:
  // `store`, `rulebook` and `policy` must outlive the service. With a
  // policy, every method first checks that the caller may call it
  // (PERMISSION_DENIED otherwise); without one, anyone may.
  RegistryServiceImpl(RegistryStore* store, const imh::Rulebook* rulebook,
                      RegistryLimits limits = {},
                      const AuthorizationPolicy* policy = nullptr);

  // Change feeds end (UNAVAILABLE, with where to resume) instead of waiting
  // for more changes. Called when the server starts draining.
  void BeginShutdown();

  // The folder BackupRegistry writes into; empty (the default): backups
  // are refused.
  void set_backup_dir(std::string dir) { backup_dir_ = std::move(dir); }

  // Change feeds and exports open now (for /metrics).
  int open_watch_streams() const { return watch_streams_.open(); }
  int open_exports() const { return exports_.open(); }

  grpc::Status CreatePerson(grpc::ServerContext* context,
                            const v1::CreatePersonRequest* request,
                            v1::CreatePersonResponse* response) override;
  grpc::ServerUnaryReactor* GetPerson(grpc::CallbackServerContext* context,
                                      const v1::GetPersonRequest* request,
                                      v1::GetPersonResponse* response) override;
  grpc::Status SubmitApplication(
      grpc::ServerContext* context, const v1::SubmitApplicationRequest* request,
      v1::SubmitApplicationResponse* response) override;
  grpc::Status ReviewApplication(
      grpc::ServerContext* context, const v1::ReviewApplicationRequest* request,
      v1::ReviewApplicationResponse* response) override;
  grpc::ServerUnaryReactor* GetApplication(
      grpc::CallbackServerContext* context,
      const v1::GetApplicationRequest* request,
      v1::GetApplicationResponse* response) override;
  grpc::ServerUnaryReactor* ListApplications(
      grpc::CallbackServerContext* context,
      const v1::ListApplicationsRequest* request,
      v1::ListApplicationsResponse* response) override;
  grpc::ServerUnaryReactor* ListRenewalsDue(
      grpc::CallbackServerContext* context,
      const v1::ListRenewalsDueRequest* request,
      v1::ListRenewalsDueResponse* response) override;
  grpc::ServerUnaryReactor* ListMembershipsDue(
      grpc::CallbackServerContext* context,
      const v1::ListMembershipsDueRequest* request,
      v1::ListMembershipsDueResponse* response) override;
  grpc::ServerUnaryReactor* GetEndorsement(
      grpc::CallbackServerContext* context,
      const v1::GetEndorsementRequest* request,
      v1::GetEndorsementResponse* response) override;
  grpc::ServerUnaryReactor* ListEndorsements(
      grpc::CallbackServerContext* context,
      const v1::ListEndorsementsRequest* request,
      v1::ListEndorsementsResponse* response) override;
  grpc::Status UpdateEndorsementStatus(
      grpc::ServerContext* context,
      const v1::UpdateEndorsementStatusRequest* request,
      v1::UpdateEndorsementStatusResponse* response) override;
  grpc::Status RecordMembership(
      grpc::ServerContext* context, const v1::RecordMembershipRequest* request,
      v1::RecordMembershipResponse* response) override;
  grpc::Status RecordRenewal(grpc::ServerContext* context,
                             const v1::RecordRenewalRequest* request,
                             v1::RecordRenewalResponse* response) override;
  grpc::Status ProcessLapses(grpc::ServerContext* context,
                             const v1::ProcessLapsesRequest* request,
                             v1::ProcessLapsesResponse* response) override;
  grpc::ServerUnaryReactor* VerifyCredentials(
      grpc::CallbackServerContext* context,
      const v1::VerifyCredentialsRequest* request,
      v1::VerifyCredentialsResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchChangesResponse>* WatchChanges(
      grpc::CallbackServerContext* context,
      const v1::WatchChangesRequest* request) override;
  grpc::Status ImportEndorsements(
      grpc::ServerContext* context,
      const v1::ImportEndorsementsRequest* request,
      v1::ImportEndorsementsResponse* response) override;
  grpc::ServerWriteReactor<v1::ExportEndorsementsResponse>* ExportEndorsements(
      grpc::CallbackServerContext* context,
      const v1::ExportEndorsementsRequest* request) override;
  grpc::Status BackupRegistry(grpc::ServerContext* context,
                              const v1::BackupRegistryRequest* request,
                              v1::BackupRegistryResponse* response) override;

 private:
  // OK, or PERMISSION_DENIED when the policy refuses the caller `method`
  // (the method's short name, "CreatePerson").
  grpc::Status Authorize(const grpc::ServerContextBase& context,
                         absl::string_view method) const;

  // A List* request's page size: 0 is the default, larger ones are capped.
  int PageSize(int requested) const;

  RegistryStore& store_;
  const imh::Rulebook& rulebook_;
  const RegistryLimits limits_;
  const AuthorizationPolicy* const policy_;
  std::string backup_dir_;
  StreamLimiter watch_streams_;
  StreamLimiter exports_;
  StreamHub stream_hub_;
  // VerifyCredentials, the hot read, parses its request and builds its
  // answers on one pooled arena per call.
  ArenaPool verify_arenas_{8 << 10, 64};
  ArenaMessageAllocator<v1::VerifyCredentialsRequest,
                        v1::VerifyCredentialsResponse>
      verify_allocator_{&verify_arenas_};
};

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_REGISTRY_SERVICE_H_

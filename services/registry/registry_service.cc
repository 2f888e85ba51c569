#include "services/registry/registry_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/authz_policy.h"
#include "common/dates.h"
#include "common/grpc_status.h"
#include "common/server_support.h"
#include "google/protobuf/util/time_util.h"
#include "services/registry/page_token.h"
#include "services/registry/registry_streams.h"

namespace imh::registry {
namespace {

constexpr int kExportRecordsPerMessage = 500;

WriteContext ContextOf(const grpc::ServerContextBase& context,
                       const std::string& request_id) {
  return {CallerActor(context), request_id, CorrelationId(context)};
}

// Runs a write: validate, then store; copies the stored response out.
template <typename Response>
grpc::Status Write(const FieldViolations& violations,
                   const std::function<absl::StatusOr<Response>()>& write,
                   Response* response) {
  if (!violations.empty()) return InvalidArgument(violations);
  absl::StatusOr<Response> result = write();
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

RegistryServiceImpl::RegistryServiceImpl(RegistryStore* store,
                                         const imh::Rulebook* rulebook,
                                         RegistryLimits limits,
                                         const AuthorizationPolicy* policy)
    : store_(*store),
      rulebook_(*rulebook),
      limits_(limits),
      policy_(policy),
      watch_streams_(limits.max_watch_streams,
                     limits.max_watch_streams_per_caller),
      exports_(limits.max_exports, limits.max_exports_per_caller),
      stream_hub_(store, absl::Seconds(limits.stream_stall_seconds)) {
  SetMessageAllocatorFor_VerifyCredentials(&verify_allocator_);
}

namespace {

grpc::Status TooManyStreams(absl::string_view what, int per_server,
                            int per_caller) {
  return grpc::Status(
      grpc::StatusCode::RESOURCE_EXHAUSTED,
      absl::StrCat("too many open ", what, " (at most ", per_server,
                   " on this registry and ", per_caller,
                   " per caller); close one or try again later"));
}

}  // namespace

grpc::Status RegistryServiceImpl::Authorize(
    const grpc::ServerContextBase& context, absl::string_view method) const {
  if (policy_ == nullptr) return grpc::Status::OK;
  return policy_->Check(
      context, absl::StrCat("/imh.registry.v1.RegistryService/", method));
}

void RegistryServiceImpl::BeginShutdown() { stream_hub_.BeginShutdown(); }

int RegistryServiceImpl::PageSize(int requested) const {
  return requested == 0 ? limits_.default_page_size
                        : std::min(requested, limits_.max_page_size);
}

grpc::Status RegistryServiceImpl::CreatePerson(
    grpc::ServerContext* context, const v1::CreatePersonRequest* request,
    v1::CreatePersonResponse* response) {
  if (grpc::Status denied = Authorize(*context, "CreatePerson"); !denied.ok()) {
    return denied;
  }
  return Write<v1::CreatePersonResponse>(
      ValidateCreatePerson(*request),
      [&] {
        return store_.CreatePerson(*request,
                                   ContextOf(*context, request->request_id()));
      },
      response);
}

grpc::ServerUnaryReactor* RegistryServiceImpl::GetPerson(
    grpc::CallbackServerContext* context, const v1::GetPersonRequest* request,
    v1::GetPersonResponse* response) {
  if (grpc::Status denied = Authorize(*context, "GetPerson"); !denied.ok()) {
    return FinishNow(context, denied);
  }
  if (FieldViolations v = ValidateGetPerson(*request); !v.empty()) {
    return FinishNow(context, InvalidArgument(v));
  }
  absl::StatusOr<v1::GetPersonResponse> result =
      store_.GetPerson(request->person_id());
  if (!result.ok()) return FinishNow(context, ToGrpcStatus(result.status()));
  *response = std::move(*result);
  return FinishNow(context, grpc::Status::OK);
}

grpc::Status RegistryServiceImpl::SubmitApplication(
    grpc::ServerContext* context, const v1::SubmitApplicationRequest* request,
    v1::SubmitApplicationResponse* response) {
  if (grpc::Status denied = Authorize(*context, "SubmitApplication");
      !denied.ok()) {
    return denied;
  }
  return Write<v1::SubmitApplicationResponse>(
      ValidateSubmitApplication(*request, rulebook_),
      [&] {
        return store_.SubmitApplication(
            *request, ContextOf(*context, request->request_id()),
            TodayInVirginia());
      },
      response);
}

grpc::Status RegistryServiceImpl::ReviewApplication(
    grpc::ServerContext* context, const v1::ReviewApplicationRequest* request,
    v1::ReviewApplicationResponse* response) {
  if (grpc::Status denied = Authorize(*context, "ReviewApplication");
      !denied.ok()) {
    return denied;
  }
  // A reviewer is who their certificate says, never a declared x-actor: two
  // approvals must be two people.
  const std::vector<std::string> principals = PeerPrincipals(*context);
  if (principals.empty()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "a review needs the reviewer's client certificate "
                        "(mutual TLS)");
  }
  return Write<v1::ReviewApplicationResponse>(
      ValidateReviewApplication(*request),
      [&] {
        WriteContext write = ContextOf(*context, request->request_id());
        write.actor = principals.front();
        return store_.ReviewApplication(*request, write, TodayInVirginia());
      },
      response);
}

grpc::ServerUnaryReactor* RegistryServiceImpl::GetApplication(
    grpc::CallbackServerContext* context,
    const v1::GetApplicationRequest* request,
    v1::GetApplicationResponse* response) {
  if (grpc::Status denied = Authorize(*context, "GetApplication");
      !denied.ok()) {
    return FinishNow(context, denied);
  }
  if (FieldViolations v = ValidateGetApplication(*request); !v.empty()) {
    return FinishNow(context, InvalidArgument(v));
  }
  absl::StatusOr<v1::Application> result =
      store_.GetApplication(request->application_id());
  if (!result.ok()) return FinishNow(context, ToGrpcStatus(result.status()));
  *response->mutable_application() = std::move(*result);
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* RegistryServiceImpl::ListApplications(
    grpc::CallbackServerContext* context,
    const v1::ListApplicationsRequest* request,
    v1::ListApplicationsResponse* response) {
  if (grpc::Status denied = Authorize(*context, "ListApplications");
      !denied.ok()) {
    return FinishNow(context, denied);
  }
  int64_t after_id = 0;
  if (FieldViolations v = ValidateListApplications(*request, &after_id);
      !v.empty()) {
    return FinishNow(context, InvalidArgument(v));
  }
  absl::StatusOr<ApplicationPage> page =
      store_.ListApplications(request->state(), request->person_id(), after_id,
                              PageSize(request->page_size()));
  if (!page.ok()) return FinishNow(context, ToGrpcStatus(page.status()));
  for (v1::Application& application : page->applications) {
    *response->add_applications() = std::move(application);
  }
  if (page->next_after_id) {
    response->set_next_page_token(EncodePageToken(
        {*page->next_after_id, ListApplicationsDigest(*request)}));
  }
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* RegistryServiceImpl::ListRenewalsDue(
    grpc::CallbackServerContext* context,
    const v1::ListRenewalsDueRequest* request,
    v1::ListRenewalsDueResponse* response) {
  if (grpc::Status denied = Authorize(*context, "ListRenewalsDue");
      !denied.ok()) {
    return FinishNow(context, denied);
  }
  int64_t after_id = 0;
  if (FieldViolations v = ValidateListRenewalsDue(*request, &after_id);
      !v.empty()) {
    return FinishNow(context, InvalidArgument(v));
  }
  absl::StatusOr<ListPage> page =
      store_.ListRenewalsDue(request->cycle_year(), after_id,
                             PageSize(request->page_size()), TodayInVirginia());
  if (!page.ok()) return FinishNow(context, ToGrpcStatus(page.status()));
  for (v1::Endorsement& endorsement : page->endorsements) {
    *response->add_endorsements() = std::move(endorsement);
  }
  if (page->next_after_id) {
    response->set_next_page_token(EncodePageToken(
        {*page->next_after_id, ListRenewalsDueDigest(*request)}));
  }
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* RegistryServiceImpl::ListMembershipsDue(
    grpc::CallbackServerContext* context,
    const v1::ListMembershipsDueRequest* request,
    v1::ListMembershipsDueResponse* response) {
  if (grpc::Status denied = Authorize(*context, "ListMembershipsDue");
      !denied.ok()) {
    return FinishNow(context, denied);
  }
  int64_t after_id = 0;
  if (FieldViolations v = ValidateListMembershipsDue(*request, &after_id);
      !v.empty()) {
    return FinishNow(context, InvalidArgument(v));
  }
  absl::StatusOr<PeoplePage> page = store_.ListMembershipsDue(
      request->year(), after_id, PageSize(request->page_size()),
      TodayInVirginia());
  if (!page.ok()) return FinishNow(context, ToGrpcStatus(page.status()));
  for (v1::Person& person : page->people) {
    *response->add_people() = std::move(person);
  }
  if (page->next_after_id) {
    response->set_next_page_token(EncodePageToken(
        {*page->next_after_id, ListMembershipsDueDigest(*request)}));
  }
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* RegistryServiceImpl::GetEndorsement(
    grpc::CallbackServerContext* context,
    const v1::GetEndorsementRequest* request,
    v1::GetEndorsementResponse* response) {
  if (grpc::Status denied = Authorize(*context, "GetEndorsement");
      !denied.ok()) {
    return FinishNow(context, denied);
  }
  if (FieldViolations v = ValidateGetEndorsement(*request); !v.empty()) {
    return FinishNow(context, InvalidArgument(v));
  }
  absl::StatusOr<v1::Endorsement> result =
      store_.GetEndorsement(request->endorsement_number());
  if (!result.ok()) return FinishNow(context, ToGrpcStatus(result.status()));
  *response->mutable_endorsement() = std::move(*result);
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* RegistryServiceImpl::ListEndorsements(
    grpc::CallbackServerContext* context,
    const v1::ListEndorsementsRequest* request,
    v1::ListEndorsementsResponse* response) {
  if (grpc::Status denied = Authorize(*context, "ListEndorsements");
      !denied.ok()) {
    return FinishNow(context, denied);
  }
  int64_t after_id = 0;
  if (FieldViolations v =
          ValidateListEndorsements(*request, rulebook_, &after_id);
      !v.empty()) {
    return FinishNow(context, InvalidArgument(v));
  }
  absl::StatusOr<ListPage> page =
      store_.ListEndorsements(ListFilterOf(*request, rulebook_), after_id,
                              PageSize(request->page_size()));
  if (!page.ok()) return FinishNow(context, ToGrpcStatus(page.status()));
  for (v1::Endorsement& endorsement : page->endorsements) {
    *response->add_endorsements() = std::move(endorsement);
  }
  if (page->next_after_id) {
    response->set_next_page_token(EncodePageToken(
        {*page->next_after_id, ListFilterDigest(*request, rulebook_)}));
  }
  return FinishNow(context, grpc::Status::OK);
}

grpc::Status RegistryServiceImpl::UpdateEndorsementStatus(
    grpc::ServerContext* context,
    const v1::UpdateEndorsementStatusRequest* request,
    v1::UpdateEndorsementStatusResponse* response) {
  if (grpc::Status denied = Authorize(*context, "UpdateEndorsementStatus");
      !denied.ok()) {
    return denied;
  }
  return Write<v1::UpdateEndorsementStatusResponse>(
      ValidateUpdateEndorsementStatus(*request, TodayInVirginia()),
      [&] {
        return store_.UpdateEndorsementStatus(
            *request, ContextOf(*context, request->request_id()),
            TodayInVirginia());
      },
      response);
}

grpc::Status RegistryServiceImpl::RecordMembership(
    grpc::ServerContext* context, const v1::RecordMembershipRequest* request,
    v1::RecordMembershipResponse* response) {
  if (grpc::Status denied = Authorize(*context, "RecordMembership");
      !denied.ok()) {
    return denied;
  }
  return Write<v1::RecordMembershipResponse>(
      ValidateRecordMembership(*request, TodayInVirginia()),
      [&] {
        return store_.RecordMembership(
            *request, ContextOf(*context, request->request_id()),
            TodayInVirginia());
      },
      response);
}

grpc::Status RegistryServiceImpl::RecordRenewal(
    grpc::ServerContext* context, const v1::RecordRenewalRequest* request,
    v1::RecordRenewalResponse* response) {
  if (grpc::Status denied = Authorize(*context, "RecordRenewal");
      !denied.ok()) {
    return denied;
  }
  return Write<v1::RecordRenewalResponse>(
      ValidateRecordRenewal(*request),
      [&] {
        return store_.RecordRenewal(*request,
                                    ContextOf(*context, request->request_id()),
                                    TodayInVirginia());
      },
      response);
}

grpc::Status RegistryServiceImpl::ProcessLapses(
    grpc::ServerContext* context, const v1::ProcessLapsesRequest* request,
    v1::ProcessLapsesResponse* response) {
  if (grpc::Status denied = Authorize(*context, "ProcessLapses");
      !denied.ok()) {
    return denied;
  }
  return Write<v1::ProcessLapsesResponse>(
      ValidateProcessLapses(*request, TodayInVirginia()),
      [&] {
        return store_.ProcessLapses(*request,
                                    ContextOf(*context, request->request_id()));
      },
      response);
}

grpc::ServerUnaryReactor* RegistryServiceImpl::VerifyCredentials(
    grpc::CallbackServerContext* context,
    const v1::VerifyCredentialsRequest* request,
    v1::VerifyCredentialsResponse* response) {
  if (grpc::Status denied = Authorize(*context, "VerifyCredentials");
      !denied.ok()) {
    return FinishNow(context, denied);
  }
  if (FieldViolations v =
          ValidateVerifyCredentials(*request, rulebook_, limits_);
      !v.empty()) {
    return FinishNow(context, InvalidArgument(v));
  }
  const absl::CivilDay today = TodayInVirginia();
  std::vector<VerifyQuestion> questions(request->questions_size());
  for (int i = 0; i < request->questions_size(); ++i) {
    const v1::CredentialQuestion& in = request->questions(i);
    VerifyQuestion& question = questions[i];
    question.by_person = in.subject_case() == v1::CredentialQuestion::kPersonId;
    question.subject =
        question.by_person ? in.person_id() : in.endorsement_number();
    question.categories.reserve(in.categories_size());
    for (const std::string& code : in.categories()) {
      question.categories.push_back(rulebook_.FindCategory(code)->code());
    }
    question.on = in.has_as_of() ? ToCivilDayUnchecked(in.as_of()) : today;
    if (in.has_through()) question.through = ToCivilDayUnchecked(in.through());
  }
  store_.Verify(questions, response->mutable_answers());
  response->set_rulebook_version(rulebook_.version());
  return FinishNow(context, grpc::Status::OK);
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>*
RegistryServiceImpl::WatchChanges(grpc::CallbackServerContext* context,
                                  const v1::WatchChangesRequest* request) {
  using Event = v1::WatchChangesResponse;
  if (grpc::Status denied = Authorize(*context, "WatchChanges"); !denied.ok()) {
    return RefuseStream<Event>(denied);
  }
  if (FieldViolations v = ValidateWatchChanges(*request); !v.empty()) {
    return RefuseStream<Event>(InvalidArgument(v));
  }
  std::unique_ptr<StreamLimiter::Slot> slot =
      watch_streams_.TryAcquire(CallerActor(*context));
  if (slot == nullptr) {
    return RefuseStream<Event>(
        TooManyStreams("change feeds", limits_.max_watch_streams,
                       limits_.max_watch_streams_per_caller));
  }
  return StartChangeFeed(context, store_, stream_hub_,
                         request->after_sequence(), std::move(slot));
}

grpc::Status RegistryServiceImpl::ImportEndorsements(
    grpc::ServerContext* context, const v1::ImportEndorsementsRequest* request,
    v1::ImportEndorsementsResponse* response) {
  if (grpc::Status denied = Authorize(*context, "ImportEndorsements");
      !denied.ok()) {
    return denied;
  }
  if (FieldViolations v = ValidateImportRequest(*request, limits_);
      !v.empty()) {
    return InvalidArgument(v);
  }
  std::vector<v1::ImportRejection> rejected =
      ValidateImportRecords(*request, rulebook_, TodayInVirginia());
  absl::StatusOr<v1::ImportEndorsementsResponse> result =
      store_.ImportEndorsements(*request, std::move(rejected),
                                ContextOf(*context, request->request_id()));
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<v1::ExportEndorsementsResponse>*
RegistryServiceImpl::ExportEndorsements(grpc::CallbackServerContext* context,
                                        const v1::ExportEndorsementsRequest*) {
  using Batch = v1::ExportEndorsementsResponse;
  if (grpc::Status denied = Authorize(*context, "ExportEndorsements");
      !denied.ok()) {
    return RefuseStream<Batch>(denied);
  }
  std::unique_ptr<StreamLimiter::Slot> slot =
      exports_.TryAcquire(CallerActor(*context));
  if (slot == nullptr) {
    return RefuseStream<Batch>(TooManyStreams("exports", limits_.max_exports,
                                              limits_.max_exports_per_caller));
  }
  return StartExport(context, store_, stream_hub_, kExportRecordsPerMessage,
                     std::move(slot));
}

grpc::Status RegistryServiceImpl::BackupRegistry(
    grpc::ServerContext* context, const v1::BackupRegistryRequest* request,
    v1::BackupRegistryResponse* response) {
  if (grpc::Status denied = Authorize(*context, "BackupRegistry");
      !denied.ok()) {
    return denied;
  }
  if (FieldViolations v = ValidateBackupRegistry(*request); !v.empty()) {
    return InvalidArgument(v);
  }
  if (backup_dir_.empty()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "this registry takes no backups: start it with "
                        "--backup_dir");
  }
  absl::StatusOr<v1::BackupRegistryResponse> result =
      store_.Backup(absl::StrCat(backup_dir_, "/", request->file_name()));
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace imh::registry

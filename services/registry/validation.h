#ifndef IMH_SERVICES_REGISTRY_VALIDATION_H_
#define IMH_SERVICES_REGISTRY_VALIDATION_H_

// Request checks for the registry: everything that can be said without the
// data. Each returns every violation found, with its field path from the
// request's root ("questions[2].categories[0]"); empty means valid. Free text
// may hold any printable characters, quotes and SQL meta-characters included
// (stored verbatim); control characters are refused.

#include <cstdint>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/field_violation.h"
#include "common/rulebook/rulebook.h"
#include "imh/registry/v1/registry_service.pb.h"
#include "services/registry/store.h"

namespace imh::registry {

struct RegistryLimits {
  int max_verify_questions = 2048;
  int max_categories_per_question = 16;
  int max_import_records = 10000;
  int max_page_size = 1000;
  int default_page_size = 50;
  // Open WatchChanges streams, per server and per caller (the certificate
  // principal; in insecure mode the declared actor).
  int max_watch_streams = 64;
  int max_watch_streams_per_caller = 8;
  // Open exports: each reads a page at a time, but pins row versions and
  // costs a page's read per message.
  int max_exports = 2;
  int max_exports_per_caller = 1;
  // A stream whose client takes no message for this long is ended.
  int stream_stall_seconds = 60;
};

// `today` bounds the dates of writes: nothing is recorded for the future.
FieldViolations ValidateCreatePerson(const v1::CreatePersonRequest& request);
FieldViolations ValidateGetPerson(const v1::GetPersonRequest& request);
FieldViolations ValidateSubmitApplication(
    const v1::SubmitApplicationRequest& request, const imh::Rulebook& rulebook);
// A decline needs a comment; acknowledgements are rule ids.
FieldViolations ValidateReviewApplication(
    const v1::ReviewApplicationRequest& request);
FieldViolations ValidateGetApplication(
    const v1::GetApplicationRequest& request);
// The List* checks also decode the page token into `after_id` (0 without).
FieldViolations ValidateListApplications(
    const v1::ListApplicationsRequest& request, int64_t* after_id);
FieldViolations ValidateListRenewalsDue(
    const v1::ListRenewalsDueRequest& request, int64_t* after_id);
FieldViolations ValidateListMembershipsDue(
    const v1::ListMembershipsDueRequest& request, int64_t* after_id);
FieldViolations ValidateGetEndorsement(
    const v1::GetEndorsementRequest& request);
// Also decodes the page token; `after_id` gets its cursor (0 without one).
FieldViolations ValidateListEndorsements(
    const v1::ListEndorsementsRequest& request, const imh::Rulebook& rulebook,
    int64_t* after_id);
FieldViolations ValidateUpdateEndorsementStatus(
    const v1::UpdateEndorsementStatusRequest& request, absl::CivilDay today);
FieldViolations ValidateRecordMembership(
    const v1::RecordMembershipRequest& request, absl::CivilDay today);
FieldViolations ValidateRecordRenewal(const v1::RecordRenewalRequest& request);
FieldViolations ValidateProcessLapses(const v1::ProcessLapsesRequest& request,
                                      absl::CivilDay today);
FieldViolations ValidateVerifyCredentials(
    const v1::VerifyCredentialsRequest& request, const imh::Rulebook& rulebook,
    const RegistryLimits& limits);
// file_name: 1-100 characters of [A-Za-z0-9._-], not starting with a dot
// (a name in the backup folder, never a path).
FieldViolations ValidateBackupRegistry(
    const v1::BackupRegistryRequest& request);

FieldViolations ValidateWatchChanges(const v1::WatchChangesRequest& request);

// Import is checked at two levels: the request as a whole (a violation here
// refuses it), and each record (a violation there rejects that record only).
FieldViolations ValidateImportRequest(
    const v1::ImportEndorsementsRequest& request, const RegistryLimits& limits);
// Rejections for the records that fail their checks, in record order.
std::vector<v1::ImportRejection> ValidateImportRecords(
    const v1::ImportEndorsementsRequest& request, const imh::Rulebook& rulebook,
    absl::CivilDay today);

// The store's filter for a validated ListEndorsementsRequest (category made
// canonical).
ListFilter ListFilterOf(const v1::ListEndorsementsRequest& request,
                        const imh::Rulebook& rulebook);

// The digest a page token is bound to: the list filters, normalised.
uint64_t ListFilterDigest(const v1::ListEndorsementsRequest& request,
                          const imh::Rulebook& rulebook);
uint64_t ListApplicationsDigest(const v1::ListApplicationsRequest& request);
uint64_t ListRenewalsDueDigest(const v1::ListRenewalsDueRequest& request);
uint64_t ListMembershipsDueDigest(const v1::ListMembershipsDueRequest& request);

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_VALIDATION_H_

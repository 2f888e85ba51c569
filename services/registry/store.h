#ifndef IMH_SERVICES_REGISTRY_STORE_H_
#define IMH_SERVICES_REGISTRY_STORE_H_

// The registry's storage boundary: one SQLite file (WAL, foreign keys, busy
// timeout, versioned migrations applied on Open). No SQLite exception leaves
// this class: every failure is an absl::Status.
//
// Writes are serialised on one connection, each in one IMMEDIATE transaction
// that also appends its audit record and change-feed entries: a write is all
// there or not at all. Reads use a small pool of connections that keep a read
// snapshot open between calls and renew it after each write, so a read never
// sees half a write and the lookup path does not pay SQLite's per-statement
// locking system calls.
//
// Requests reaching the store are syntactically valid (see validation.h); the
// store checks what needs the data: NotFound, AlreadyExists, FailedPrecondition
// (illegal transition, wrong cycle), Aborted (stale etag). Storage faults are
// Unavailable (busy, may retry) or Internal.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/rulebook/rulebook.h"
#include "google/protobuf/message.h"
#include "imh/registry/v1/registry_service.pb.h"

namespace SQLite {
class Database;
}

namespace imh::registry {

struct StoreOptions {
  // The SQLite file; created with its folder's existing permissions.
  std::string path;
  int busy_timeout_ms = 5000;
  // Per read connection. Verification is point lookups: a page cache large
  // enough for the B-tree interior pages keeps each one to a leaf read.
  int reader_cache_kib = 4 * 1024;
  // Bytes of the file each read connection memory-maps (0: none). Mapped
  // pages count towards RSS, so this is bounded rather than "all".
  int64_t reader_mmap_bytes = 0;
  int max_readers = 8;
  // The writer's page cache: bulk imports touch every index.
  int writer_cache_kib = 16 * 1024;
};

// Who is writing, for the audit record and the history.
struct WriteContext {
  std::string actor;
  // The idempotency key from the request; empty for none.
  std::string request_id;
  // The caller's correlation id (x-request-id metadata); may be empty.
  std::string correlation_id;
};

// One verification question, categories already canonical.
struct VerifyQuestion {
  bool by_person = true;
  std::string subject;
  std::vector<std::string> categories;
  absl::CivilDay on;
};

struct ListFilter {
  std::string category;  // canonical, or empty
  v1::EndorsementStatus status = v1::ENDORSEMENT_STATUS_UNSPECIFIED;
  std::string name;    // case-insensitive substring, or empty
  std::string county;  // case-insensitive, or empty
};

struct ListPage {
  std::vector<v1::Endorsement> endorsements;
  // The id of the last row served, when more rows may follow.
  std::optional<int64_t> next_after_id;
};

struct Change {
  int64_t sequence = 0;
  v1::ChangeKind kind = v1::CHANGE_KIND_UNSPECIFIED;
  absl::Time at;
  std::string person_id;
  // Set for endorsement changes: as it is now.
  std::optional<v1::Endorsement> endorsement;
};

struct RowCounts {
  int64_t people = 0;
  int64_t endorsements = 0;
  int64_t status_changes = 0;
  int64_t memberships = 0;
  int64_t renewals = 0;
  int64_t changes = 0;
  int64_t audit_records = 0;
  bool operator==(const RowCounts& o) const {
    return people == o.people && endorsements == o.endorsements &&
           status_changes == o.status_changes && memberships == o.memberships &&
           renewals == o.renewals && changes == o.changes &&
           audit_records == o.audit_records;
  }
};

class ReaderPool;
class WriteTx;

class RegistryStore {
 public:
  // Opens (creating if needed) and migrates the file. `rulebook` gives the
  // category codes and renewal cycle; it must outlive the store. Fails with
  // FailedPrecondition for a file written by a newer schema, Unavailable or
  // Internal when SQLite cannot open it.
  static absl::StatusOr<std::unique_ptr<RegistryStore>> Open(
      const StoreOptions& options, const imh::Rulebook* rulebook);
  ~RegistryStore();
  RegistryStore(const RegistryStore&) = delete;
  RegistryStore& operator=(const RegistryStore&) = delete;

  // The schema version after migration.
  int schema_version() const { return schema_version_; }

  // --- Writes. Each is one transaction; a request_id makes it idempotent.
  // `today` bounds the dates a write may carry.
  absl::StatusOr<v1::CreatePersonResponse> CreatePerson(
      const v1::CreatePersonRequest& request, const WriteContext& context);
  absl::StatusOr<v1::CreateEndorsementResponse> CreateEndorsement(
      const v1::CreateEndorsementRequest& request, const WriteContext& context);
  absl::StatusOr<v1::UpdateEndorsementStatusResponse> UpdateEndorsementStatus(
      const v1::UpdateEndorsementStatusRequest& request,
      const WriteContext& context);
  absl::StatusOr<v1::RecordMembershipResponse> RecordMembership(
      const v1::RecordMembershipRequest& request, const WriteContext& context);
  absl::StatusOr<v1::RecordRenewalResponse> RecordRenewal(
      const v1::RecordRenewalRequest& request, const WriteContext& context);
  absl::StatusOr<v1::ProcessLapsesResponse> ProcessLapses(
      const v1::ProcessLapsesRequest& request, const WriteContext& context);
  // Commits every record not listed in `rejected` (from request validation)
  // and not refused by the data (a taken endorsement number, a person on the
  // registry under another name); returns the count and every rejection.
  absl::StatusOr<v1::ImportEndorsementsResponse> ImportEndorsements(
      const v1::ImportEndorsementsRequest& request,
      std::vector<v1::ImportRejection> rejected, const WriteContext& context);

  // --- Reads, each from one consistent snapshot.
  absl::StatusOr<v1::GetPersonResponse> GetPerson(const std::string& person_id);
  absl::StatusOr<v1::Endorsement> GetEndorsement(const std::string& number);
  absl::StatusOr<ListPage> ListEndorsements(const ListFilter& filter,
                                            int64_t after_id, int page_size);
  // One answer per question, in order; a question that meets a storage fault
  // is answered UNKNOWN rather than failing the batch.
  std::vector<v1::CredentialAnswer> Verify(
      const std::vector<VerifyQuestion>& questions);
  // Up to `limit` changes with sequence > after_sequence, in order.
  absl::StatusOr<std::vector<Change>> ChangesAfter(int64_t after_sequence,
                                                   int limit);
  // Blocks until a change after `after_sequence` is committed, `timeout`
  // passes or Close() is called; true when there is such a change.
  bool WaitForChange(int64_t after_sequence, absl::Duration timeout);
  // Streams every record (creation order) to `sink` until it returns false.
  absl::Status Export(
      absl::FunctionRef<bool(const v1::RegistryRecord& record)> sink);
  absl::StatusOr<RowCounts> CountRows();

  // Wakes every WaitForChange; later waits return at once.
  void Close();

 private:
  RegistryStore(StoreOptions options, const imh::Rulebook* rulebook);

  using WriteBody = std::function<absl::Status(
      WriteTx& tx, google::protobuf::Message& response)>;
  // Runs `body` in one IMMEDIATE transaction with the idempotency check, the
  // audit record and the change notification around it.
  absl::Status RunWrite(absl::string_view method,
                        const google::protobuf::Message& request,
                        const WriteContext& context,
                        google::protobuf::Message& response,
                        const WriteBody& body);
  // RunWrite for a body that fills a `Response`; defined in store_internal.h.
  template <typename Response>
  absl::StatusOr<Response> Write(
      absl::string_view method, const google::protobuf::Message& request,
      const WriteContext& context,
      const std::function<absl::Status(WriteTx& tx, Response& response)>& body);

  const StoreOptions options_;
  const imh::Rulebook* rulebook_;
  int schema_version_ = 0;

  std::mutex write_mutex_;
  std::unique_ptr<SQLite::Database> writer_;
  std::unique_ptr<ReaderPool> readers_;

  std::mutex change_mutex_;
  std::condition_variable change_cv_;
  std::atomic<int64_t> last_sequence_{0};
  std::atomic<bool> closed_{false};
};

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_STORE_H_

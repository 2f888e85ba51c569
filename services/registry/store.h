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
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/decision_signing.h"
#include "common/rulebook/rulebook.h"
#include "google/protobuf/message.h"
#include "imh/registry/v1/registry_service.pb.h"

namespace imh::registry::sql {
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
  // Canonical codes; views of strings that outlive the Verify call (the
  // rulebook's own codes, typically).
  std::vector<absl::string_view> categories;
  absl::CivilDay on;
  // A span question: every day from `on` through this one (not before `on`),
  // answered as the answer on `on` and its changes (CredentialAnswer.changes).
  std::optional<absl::CivilDay> through;
};

struct ListFilter {
  std::string category;  // canonical, or empty
  v1::EndorsementStatus status = v1::ENDORSEMENT_STATUS_UNSPECIFIED;
  std::string name;    // substring, folded (text_fold.h), or empty
  std::string county;  // the whole name, folded, or empty
};

struct ListPage {
  std::vector<v1::Endorsement> endorsements;
  // The id of the last row served, when more rows may follow.
  std::optional<int64_t> next_after_id;
};

struct ApplicationPage {
  std::vector<v1::Application> applications;
  std::optional<int64_t> next_after_id;
};

struct PeoplePage {
  std::vector<v1::Person> people;
  std::optional<int64_t> next_after_id;
};

struct Change {
  int64_t sequence = 0;
  v1::ChangeKind kind = v1::CHANGE_KIND_UNSPECIFIED;
  absl::Time at;
  std::string person_id;
  // Set for endorsement changes: as this change left it.
  std::optional<v1::Endorsement> endorsement;
  // Set for application changes.
  std::string application_id;
};

// A point in the registry's history: after `writes` write transactions,
// when the newest endorsement row was `last_endorsement_id` and the change
// feed's newest event `sequence`.
struct ExportPoint {
  // Its row in export_pins.
  int64_t pin = 0;
  int64_t writes = 0;
  int64_t last_endorsement_id = 0;
  int64_t sequence = 0;
};

struct ExportPage {
  std::vector<v1::RegistryRecord> records;
  // The row id to read after, when more records may follow.
  std::optional<int64_t> next_after_id;
};

struct RowCounts {
  int64_t people = 0;
  int64_t endorsements = 0;
  int64_t status_changes = 0;
  int64_t memberships = 0;
  int64_t renewals = 0;
  int64_t changes = 0;
  int64_t audit_records = 0;
  int64_t applications = 0;
  int64_t reviews = 0;
  bool operator==(const RowCounts& o) const {
    return people == o.people && endorsements == o.endorsements &&
           status_changes == o.status_changes && memberships == o.memberships &&
           renewals == o.renewals && changes == o.changes &&
           audit_records == o.audit_records && applications == o.applications &&
           reviews == o.reviews;
  }
};

// True for a PostgreSQL database URL (postgresql://... or postgres://...);
// anything else names a SQLite file.
bool IsPostgresUrl(const std::string& path);

class ReaderPool;
class WriteTx;

class RegistryStore {
 public:
  // Opens (creating if needed) and migrates the file. `rulebook` gives the
  // category codes and renewal cycle; it must outlive the store. Fails with
  // FailedPrecondition for a file written by a newer schema, Unavailable or
  // Internal when SQLite cannot open it.
  // `keyring` holds the public keys of the eligibility services whose signed
  // decisions the registry accepts; null or empty: it accepts none. Both
  // must outlive the store.
  static absl::StatusOr<std::unique_ptr<RegistryStore>> Open(
      const StoreOptions& options, const imh::Rulebook* rulebook,
      const DecisionKeyring* keyring = nullptr);
  ~RegistryStore();
  RegistryStore(const RegistryStore&) = delete;
  RegistryStore& operator=(const RegistryStore&) = delete;

  // The schema version after migration.
  int schema_version() const { return schema_version_; }

  // --- Writes. Each is one transaction; a request_id makes it idempotent.
  // `today` bounds the dates a write may carry.
  absl::StatusOr<v1::CreatePersonResponse> CreatePerson(
      const v1::CreatePersonRequest& request, const WriteContext& context);
  //
  // `today` is the day in Virginia. Every write that changes an endorsement
  // or its holder first records the lapses already due by today of what it
  // touches (WriteTx::LapseDue), so that no write moves a lapse back.

  // Opens an application from a signed decision (see SubmitApplication in
  // registry_service.proto for every refusal, each FailedPrecondition).
  absl::StatusOr<v1::SubmitApplicationResponse> SubmitApplication(
      const v1::SubmitApplicationRequest& request, const WriteContext& context,
      absl::CivilDay today);
  // One review by context.actor, who must be an authenticated reviewer (the
  // service checks that); grants on the last approval needed.
  absl::StatusOr<v1::ReviewApplicationResponse> ReviewApplication(
      const v1::ReviewApplicationRequest& request, const WriteContext& context,
      absl::CivilDay today);
  absl::StatusOr<v1::UpdateEndorsementStatusResponse> UpdateEndorsementStatus(
      const v1::UpdateEndorsementStatusRequest& request,
      const WriteContext& context, absl::CivilDay today);
  absl::StatusOr<v1::RecordMembershipResponse> RecordMembership(
      const v1::RecordMembershipRequest& request, const WriteContext& context,
      absl::CivilDay today);
  absl::StatusOr<v1::RecordRenewalResponse> RecordRenewal(
      const v1::RecordRenewalRequest& request, const WriteContext& context,
      absl::CivilDay today);
  absl::StatusOr<v1::ProcessLapsesResponse> ProcessLapses(
      const v1::ProcessLapsesRequest& request, const WriteContext& context);
  // The registry's own lapse run for `today`: nothing when a scheduled run
  // for today is already recorded (by this or another process on the same
  // file); otherwise ProcessLapses as of today, recorded as today's run.
  // Returns the lapses recorded, nullopt when today's run had been done.
  absl::StatusOr<std::optional<v1::ProcessLapsesResponse>> RunScheduledLapses(
      absl::CivilDay today, const WriteContext& context);
  // Commits every record not listed in `rejected` (from request validation)
  // and not refused by the data (a taken endorsement number, a person on the
  // registry under another name); returns the count and every rejection.
  absl::StatusOr<v1::ImportEndorsementsResponse> ImportEndorsements(
      const v1::ImportEndorsementsRequest& request,
      std::vector<v1::ImportRejection> rejected, const WriteContext& context);

  // --- Reads, each from one consistent snapshot.
  absl::StatusOr<v1::GetPersonResponse> GetPerson(const std::string& person_id);
  absl::StatusOr<v1::Application> GetApplication(
      const std::string& application_id);
  // Applications with row id > after_id in submission order; state
  // UNSPECIFIED and an empty person mean any.
  absl::StatusOr<ApplicationPage> ListApplications(v1::ApplicationState state,
                                                   const std::string& person_id,
                                                   int64_t after_id,
                                                   int page_size);
  // Endorsements ACTIVE on `today` under the rules (not past their lapse
  // day) and next due in `cycle_year`, by row id.
  absl::StatusOr<ListPage> ListRenewalsDue(int cycle_year, int64_t after_id,
                                           int page_size, absl::CivilDay today);
  // People holding such an endorsement, granted before `year`, whose
  // membership is paid through less than `year`, by row id.
  absl::StatusOr<PeoplePage> ListMembershipsDue(int year, int64_t after_id,
                                                int page_size,
                                                absl::CivilDay today);
  // VACUUM INTO `path` from one read snapshot (writers go on meanwhile):
  // written to `path`.partial, checked (quick_check), synced, renamed.
  // FailedPrecondition when `path` exists or the registry is on PostgreSQL
  // (whose own tools back it up); Aborted while another backup runs;
  // Internal on a storage fault (nothing left at `path` then).
  absl::StatusOr<v1::BackupRegistryResponse> Backup(const std::string& path);
  absl::StatusOr<v1::Endorsement> GetEndorsement(const std::string& number);
  absl::StatusOr<ListPage> ListEndorsements(const ListFilter& filter,
                                            int64_t after_id, int page_size);
  // One answer per question, in order. A storage fault does not fail the
  // batch: the answers finished before it stand, and the question it
  // interrupted and every later one are answered UNKNOWN (on PostgreSQL,
  // where one read serves the whole batch, every question is).
  std::vector<v1::CredentialAnswer> Verify(
      const std::vector<VerifyQuestion>& questions);
  // The same answers, appended to `answers` (typically a response's field on
  // the call's arena, so that no answer is built twice).
  void Verify(
      const std::vector<VerifyQuestion>& questions,
      google::protobuf::RepeatedPtrField<v1::CredentialAnswer>* answers);
  // Up to `limit` changes with sequence > after_sequence, in order.
  absl::StatusOr<std::vector<Change>> ChangesAfter(int64_t after_sequence,
                                                   int limit);
  // Blocks until a change after `after_sequence` is committed, `timeout`
  // passes or Close() is called; true when there is such a change.
  bool WaitForChange(int64_t after_sequence, absl::Duration timeout);

  // --- Exports, read page by page, each page in its own short read, yet all
  // as of the one point at which the export began: rows changed since are
  // read as they were then (the row versions of schema 4). Nothing is held
  // between pages but the point, so a client that stops reading holds
  // neither a read connection nor the WAL.
  //
  // The present, pinned (a row in export_pins, seen by every process on the
  // database): the versions an export from it needs are kept until
  // EndExport, or until the pin expires unrenewed ten minutes after this
  // process stops renewing it. Unavailable/Internal on a storage fault
  // (nothing pinned then).
  absl::StatusOr<ExportPoint> BeginExport();
  void EndExport(const ExportPoint& point);
  // Up to `limit` records with endorsement row id > `after_id`, in creation
  // order, as they were at `point` (which must be pinned).
  absl::StatusOr<ExportPage> ReadExportPage(const ExportPoint& point,
                                            int64_t after_id, int limit);
  // Renews this process's pins, drops expired ones, and deletes the row
  // versions no pinned export can need; returns how many. Skips (returns 0)
  // while a write of this process is running, rather than wait for it.
  absl::StatusOr<int64_t> PruneVersions();
  absl::StatusOr<RowCounts> CountRows();

  // The storage the registry takes. SQLite: the database file and its WAL
  // (0 when there is none). PostgreSQL: the database (pg_database_size);
  // its WAL is the server's, not the database's: wal_bytes is -1.
  struct StorageSize {
    int64_t database_bytes = 0;
    int64_t wal_bytes = 0;
  };
  absl::StatusOr<StorageSize> StorageBytes();

  // The change feed's newest committed sequence.
  int64_t last_sequence() const { return last_sequence_.load(); }

  // Wakes every WaitForChange; later waits return at once.
  void Close();
  bool closed() const { return closed_.load(); }

 private:
  RegistryStore(StoreOptions options, const imh::Rulebook* rulebook,
                const DecisionKeyring* keyring);

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
  const DecisionKeyring* keyring_;
  int schema_version_ = 0;

  std::mutex write_mutex_;
  std::unique_ptr<sql::Database> writer_;
  std::unique_ptr<ReaderPool> readers_;

  std::mutex change_mutex_;
  std::condition_variable change_cv_;
  std::atomic<int64_t> last_sequence_{0};
  std::mutex backup_mutex_;
  std::mutex exports_mutex_;
  // This process's rows in export_pins, renewed while their exports run.
  std::set<int64_t> pinned_exports_;
  std::atomic<bool> closed_{false};
  // On PostgreSQL, where other processes write too: learns of their commits
  // (announced, and looked for every quarter second besides) and wakes the
  // change feed's waiters.
  std::thread commit_listener_;
  void ListenForCommits();
  // Raises the committed sequence to `sequence` (never lowers it) and wakes
  // the waiters.
  void SawSequence(int64_t sequence);
};

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_STORE_H_

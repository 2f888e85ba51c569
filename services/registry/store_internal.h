#ifndef IMH_SERVICES_REGISTRY_STORE_INTERNAL_H_
#define IMH_SERVICES_REGISTRY_STORE_INTERNAL_H_

// Shared by the store's .cc files only. Everything here may throw
// sql::Exception; RegistryStore's public methods catch it.

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "imh/registry/v1/registry_service.pb.h"
#include "services/registry/sql/multi_row.h"
#include "services/registry/sql/sql.h"
#include "services/registry/store.h"

namespace imh::registry {

// endorsements.grant_kind: how an endorsement came onto the registry.
inline constexpr int kGrantReviewed = 1;
inline constexpr int kGrantImported = 2;

// The schema version this build writes.
inline constexpr int kSchemaVersion = 6;

// Applies the migrations `db` lacks up to `up_to` (tests stop early to make
// an older file), each in its own transaction; returns the resulting
// version. FailedPrecondition for a file from a newer schema.
absl::StatusOr<int> MigrateSchema(sql::Database& db,
                                  const imh::Rulebook& rulebook,
                                  int up_to = kSchemaVersion);

// The largest people.id so far; 0 when there is no one.
int64_t LastPersonId(sql::Database& db);

// Adds the folded names of the people after `after_id` to the name search
// index, in one statement, on SQLite (people_names, FTS5); PostgreSQL's
// trigram index keeps itself. Call in the transaction that inserted them,
// after its last insert into people: FTS5 flushes at every later statement
// that opens a savepoint.
void IndexNamesAfter(sql::Database& db, int64_t after_id);

// Recomputes the stored lapse day (lapse_rule.h) of the endorsements matching
// `where` (an SQL condition on "e", the endorsement, bound by `bind`): the
// day for ACTIVE ones, none for the others. A changed day is a new version.
void RefreshLapseDays(sql::Database& db, const imh::Rulebook& rulebook,
                      const std::string& where,
                      const std::function<void(sql::Statement&)>& bind);

// The Status for an exception caught at the boundary: BUSY/LOCKED are
// Unavailable (retry may succeed), the rest Internal.
absl::Status FromSqlite(const std::exception& error, absl::string_view doing);

// Per-connection settings shared by the writer and the readers.
void ApplyConnectionPragmas(sql::Database& db, int busy_timeout_ms);

// Reads of one endorsement and its person; ReadEndorsementRow reads its
// columns in this order.
inline constexpr char kEndorsementSelect[] =
    "SELECT e.id, e.number, e.person_id, p.display_name, p.county, e.category,"
    " e.granted_on, e.status, e.status_since, e.next_cycle_year, e.version,"
    " e.lapses_on, e.grant_kind, e.application_id, e.imported_at_us,"
    " e.imported_by"
    " FROM endorsements e JOIN people p ON p.person_id = e.person_id ";

// Fills everything but the history from a row of kEndorsementSelect; returns
// the row id.
int64_t ReadEndorsementRow(sql::Statement& row, v1::Endorsement& out);

// Appends the endorsement's history, oldest first.
void ReadHistory(sql::Statement& history_by_id, int64_t id,
                 v1::Endorsement& out);

inline constexpr char kHistorySelect[] =
    "SELECT status, effective_on, reason, actor, decision_id, reviewers"
    " FROM status_history WHERE endorsement_id = ? ORDER BY seq";

// Fills the reviewed grant's decision and approvals from its application
// (ReadEndorsementRow names only the application).
void ReadGrantDetails(sql::Database& db, v1::Endorsement& endorsement);

// The application (with its reviews) by id, and its row id when `row_id` is
// given; nullopt when absent. With a rulebook, required_approvals is its
// figure in force today.
std::optional<v1::Application> LoadApplication(
    sql::Database& db, const imh::Rulebook* rulebook,
    const std::string& application_id, int64_t* row_id = nullptr);
// Every application the query `where` (after the FROM, on "a") selects; their
// row ids in `row_ids` when given.
std::vector<v1::Application> LoadApplications(
    sql::Database& db, const imh::Rulebook* rulebook, const std::string& where,
    const std::function<void(sql::Statement&)>& bind,
    std::vector<int64_t>* row_ids = nullptr);

// The endorsement (with history) by number or by row id; nullopt when absent.
std::optional<v1::Endorsement> LoadEndorsement(sql::Database& db,
                                               const std::string& number);
std::optional<v1::Endorsement> LoadEndorsementById(sql::Database& db,
                                                   int64_t id);
std::optional<v1::Person> LoadPerson(sql::Database& db,
                                     const std::string& person_id);

std::string EtagOf(int64_t version);

// The decision's record when `keyring` (null: none) verifies its signature;
// FailedPrecondition saying why not otherwise.
absl::StatusOr<decision::v1::DecisionRecord> VerifySignedDecision(
    const DecisionKeyring* keyring,
    const decision::v1::SignedDecision& signed_decision);

// "ELIGIBLE", "NOT_ELIGIBLE", ... for messages.
std::string OutcomeName(decision::v1::DecisionOutcome outcome);

// One read connection with its prepared statements and its open snapshot.
struct Reader {
  explicit Reader(const StoreOptions& options);
  sql::Database db;
  sql::Statement by_person;
  sql::Statement by_number;
  sql::Statement history;
  // On PostgreSQL: every endorsement of any of the people (a text array) or
  // with any of the numbers (another), in id order; one round trip for a
  // whole verification. Null on SQLite, where a statement is no round trip.
  std::unique_ptr<sql::Statement> by_people_or_numbers;
  bool snapshot_open = false;
  uint64_t generation = 0;
};

// Read connections, each used by one thread at a time. A lease opens a read
// snapshot if its connection has none, or a stale one (older than the last
// write), and keeps it open when returned, until the next write ends it.
class ReaderPool {
 public:
  explicit ReaderPool(const StoreOptions& options) : options_(options) {}

  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Reader> reader)
        : pool_(pool),
          reader_(std::move(reader)),
          exceptions_at_start_(std::uncaught_exceptions()) {}
    // Returned while an exception unwinds, the snapshot may be unusable: it
    // is ended rather than kept.
    ~Lease() {
      pool_.Return(std::move(reader_), failed_ || std::uncaught_exceptions() >
                                                      exceptions_at_start_);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Reader& operator*() { return *reader_; }
    Reader* operator->() { return reader_.get(); }
    // The snapshot may be unusable: drop it on return.
    void MarkFailed() { failed_ = true; }

   private:
    ReaderPool& pool_;
    std::unique_ptr<Reader> reader_;
    const int exceptions_at_start_;
    bool failed_ = false;
  };

  // Throws when a new connection cannot be opened. `snapshot` false: on
  // PostgreSQL, no transaction is begun (each statement reads as of its own
  // start; a caller that reads once needs no more); SQLite ignores it.
  std::unique_ptr<Lease> Acquire(bool snapshot = true);
  // After a commit: newer data exists; end the idle snapshots now so that
  // they hold back neither readers nor WAL checkpoints.
  void OnCommit();

 private:
  void Return(std::unique_ptr<Reader> reader, bool failed);
  static void EndSnapshot(Reader& reader);

  const StoreOptions& options_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Reader>> idle_;
  int open_ = 0;
  std::atomic<uint64_t> generation_{1};
};

// The state of one write transaction.
class WriteTx {
 public:
  WriteTx(sql::Database& db, const imh::Rulebook& rulebook,
          const WriteContext& context, absl::Time now)
      : db(db), rulebook(rulebook), context(context), now(now) {}

  // Appends a change-feed entry with the endorsement as this change left it
  // (`state` when the caller has it at hand, else read here: call it once
  // the change is written); remembers the newest sequence.
  void AddChange(v1::ChangeKind kind, const std::string& person_id,
                 std::optional<int64_t> endorsement_id,
                 const std::string& application_id = "",
                 const v1::Endorsement* state = nullptr);
  // Whose and which endorsement a change of AddChanges is.
  struct EndorsementChange {
    const std::string* person_id;
    int64_t endorsement_id;
  };
  // AddChange for `count` endorsements (an import's), in order, in multi-row
  // statements: `change(i, state)` fills the i-th one's state (given empty)
  // and names it. Remembers the newest sequence.
  void AddChanges(
      v1::ChangeKind kind, size_t count,
      const std::function<EndorsementChange(size_t i, v1::Endorsement& state)>&
          change);
  // Appends a history entry and makes it the current status (and refreshes
  // its lapse day). `decision_id` and `reviewers` name what a grant rests on.
  void AppendStatus(int64_t endorsement_id, v1::EndorsementStatus status,
                    absl::CivilDay effective_on, const std::string& reason,
                    const std::string& decision_id = "",
                    const std::vector<std::string>& reviewers = {});
  // Records, effective on its lapse day, the lapse of each ACTIVE
  // endorsement matching `where` (on "e") whose lapse day is on or before
  // `as_of`; returns them. Writes that change an endorsement or its holder
  // call it first, so that no write can move a lapse already due.
  std::vector<v1::LapsedEndorsement> LapseDue(
      absl::CivilDay as_of, const std::string& where,
      const std::function<void(sql::Statement&)>& bind);

  sql::Database& db;
  const imh::Rulebook& rulebook;
  const WriteContext& context;
  const absl::Time now;
  std::string audit_target;
  std::string audit_detail;
  int64_t last_sequence = 0;

 private:
  std::unique_ptr<sql::Statement> insert_change_;
  std::unique_ptr<sql::MultiRow> insert_changes_;
};

template <typename Response>
absl::StatusOr<Response> RegistryStore::Write(
    absl::string_view method, const google::protobuf::Message& request,
    const WriteContext& context,
    const std::function<absl::Status(WriteTx& tx, Response& response)>& body) {
  Response response;
  absl::Status status =
      RunWrite(method, request, context, response,
               [&](WriteTx& tx, google::protobuf::Message& out) {
                 return body(tx, static_cast<Response&>(out));
               });
  if (!status.ok()) return status;
  return response;
}

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_STORE_INTERNAL_H_

#include "services/registry/store.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "common/digest.h"
#include "google/protobuf/util/time_util.h"
#include "services/registry/lapse_rule.h"
#include "services/registry/sql/postgres_engine.h"
#include "services/registry/sql/sqlite_engine.h"
#include "services/registry/store_internal.h"

namespace imh::registry {

absl::Status FromSqlite(const std::exception& error, absl::string_view doing) {
  const std::string message = absl::StrCat(doing, ": ", error.what());
  if (const auto* failure = dynamic_cast<const sql::Exception*>(&error);
      failure != nullptr && failure->kind() == sql::ErrorKind::kBusy) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

void ApplyConnectionPragmas(sql::Database& db, int busy_timeout_ms) {
  db.exec(absl::StrCat("PRAGMA busy_timeout = ", busy_timeout_ms));
  db.exec("PRAGMA foreign_keys = ON");
  // Every acknowledged write is on disk: WAL synced at each commit.
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA temp_store = MEMORY");
}

absl::StatusOr<decision::v1::DecisionRecord> VerifySignedDecision(
    const DecisionKeyring* keyring,
    const decision::v1::SignedDecision& signed_decision) {
  static const DecisionKeyring* const kNone = new DecisionKeyring();
  return (keyring != nullptr ? *keyring : *kNone).Verify(signed_decision);
}

std::string OutcomeName(decision::v1::DecisionOutcome outcome) {
  return std::string(absl::StripPrefix(
      decision::v1::DecisionOutcome_Name(outcome), "DECISION_OUTCOME_"));
}

std::string EtagOf(int64_t version) {
  return absl::StrCat("\"", version, "\"");
}

int64_t ReadEndorsementRow(sql::Statement& row, v1::Endorsement& out) {
  out.set_endorsement_number(row.getColumn(1).getString());
  out.set_person_id(row.getColumn(2).getString());
  out.set_display_name(row.getColumn(3).getString());
  out.set_county(row.getColumn(4).getString());
  out.set_category(row.getColumn(5).getString());
  // Dates were validated on the way in; a corrupt one reads as 1970-01-01.
  *out.mutable_granted_on() = ToProtoDate(
      ParseDay(row.getColumn(6).getString()).value_or(absl::CivilDay()));
  out.set_status(static_cast<v1::EndorsementStatus>(row.getColumn(7).getInt()));
  *out.mutable_status_since() = ToProtoDate(
      ParseDay(row.getColumn(8).getString()).value_or(absl::CivilDay()));
  out.set_next_renewal_cycle_year(row.getColumn(9).getInt());
  out.set_etag(EtagOf(row.getColumn(10).getInt64()));
  if (!row.getColumn(11).isNull()) {
    if (absl::StatusOr<absl::CivilDay> lapses =
            ParseDay(row.getColumn(11).getString());
        lapses.ok()) {
      *out.mutable_lapses_on() = ToProtoDate(*lapses);
    }
  }
  switch (row.getColumn(12).getInt()) {
    case kGrantReviewed:
      out.mutable_grant()->mutable_reviewed()->set_application_id(
          row.getColumn(13).getString());
      break;
    case kGrantImported: {
      v1::GrantBasis::Imported& imported =
          *out.mutable_grant()->mutable_imported();
      *imported.mutable_imported_at() =
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
              row.getColumn(14).getInt64());
      imported.set_imported_by(row.getColumn(15).getString());
      break;
    }
    default:
      break;
  }
  return row.getColumn(0).getInt64();
}

void ReadHistory(sql::Statement& history, int64_t id, v1::Endorsement& out) {
  history.reset();
  history.bind(1, id);
  while (history.executeStep()) {
    v1::StatusChange* change = out.add_history();
    change->set_status(
        static_cast<v1::EndorsementStatus>(history.getColumn(0).getInt()));
    *change->mutable_effective_on() = ToProtoDate(
        ParseDay(history.getColumn(1).getString()).value_or(absl::CivilDay()));
    change->set_reason(history.getColumn(2).getString());
    change->set_actor(history.getColumn(3).getString());
    change->set_decision_id(history.getColumn(4).getString());
    for (absl::string_view reviewer : absl::StrSplit(
             history.getColumn(5).getString(), ',', absl::SkipEmpty())) {
      change->add_reviewers(std::string(reviewer));
    }
  }
}

void RefreshLapseDays(sql::Database& db, const imh::Rulebook& rulebook,
                      const std::string& where,
                      const std::function<void(sql::Statement&)>& bind) {
  sql::Statement rows(
      db,
      absl::StrCat("SELECT e.id, e.granted_on, e.status, e.status_since,"
                   " e.next_cycle_year, p.membership_paid_through, e.lapses_on,"
                   " e.lapse_cause FROM endorsements e JOIN people p ON"
                   " p.person_id = e.person_id WHERE ",
                   where));
  bind(rows);
  struct Update {
    int64_t id;
    std::optional<LapseDay> lapse;
  };
  std::vector<Update> updates;
  while (rows.executeStep()) {
    std::optional<LapseDay> lapse;
    if (rows.getColumn(2).getInt() == v1::ENDORSEMENT_STATUS_ACTIVE) {
      lapse = LapseDayOf(
          {ParseDay(rows.getColumn(1).getString()).value_or(absl::CivilDay()),
           ParseDay(rows.getColumn(3).getString()).value_or(absl::CivilDay()),
           rows.getColumn(4).getInt(), rows.getColumn(5).getInt(),
           rulebook.proto().renewal().membership_required()});
    }
    const std::string stored =
        rows.getColumn(6).isNull() ? "" : rows.getColumn(6).getString();
    const std::string computed = lapse ? FormatDay(lapse->day) : "";
    const int cause = lapse ? static_cast<int>(lapse->cause) : 0;
    if (stored != computed || rows.getColumn(7).getInt() != cause) {
      updates.push_back({rows.getColumn(0).getInt64(), lapse});
    }
  }
  if (updates.empty()) return;
  sql::Statement update(db,
                        "UPDATE endorsements SET lapses_on = ?,"
                        " lapse_cause = ?, version = version + 1"
                        " WHERE id = ?");
  for (const Update& u : updates) {
    update.reset();
    if (u.lapse) {
      update.bind(1, FormatDay(u.lapse->day));
      update.bind(2, static_cast<int>(u.lapse->cause));
    } else {
      update.bind(1);
      update.bind(2, 0);
    }
    update.bind(3, u.id);
    update.exec();
  }
}

namespace {

std::optional<v1::Endorsement> LoadWhere(
    sql::Database& db, const char* where,
    const std::function<void(sql::Statement&)>& bind) {
  sql::Statement row(db, absl::StrCat(kEndorsementSelect, where));
  bind(row);
  if (!row.executeStep()) return std::nullopt;
  v1::Endorsement endorsement;
  const int64_t id = ReadEndorsementRow(row, endorsement);
  sql::Statement history(db, kHistorySelect);
  ReadHistory(history, id, endorsement);
  ReadGrantDetails(db, endorsement);
  return endorsement;
}

}  // namespace

std::optional<v1::Endorsement> LoadEndorsement(sql::Database& db,
                                               const std::string& number) {
  return LoadWhere(db, "WHERE e.number = ?",
                   [&](sql::Statement& s) { s.bind(1, number); });
}

std::optional<v1::Endorsement> LoadEndorsementById(sql::Database& db,
                                                   int64_t id) {
  return LoadWhere(db, "WHERE e.id = ?",
                   [&](sql::Statement& s) { s.bind(1, id); });
}

std::optional<v1::Person> LoadPerson(sql::Database& db,
                                     const std::string& person_id) {
  sql::Statement row(db,
                     "SELECT display_name, county, membership_paid_through"
                     " FROM people WHERE person_id = ?");
  row.bind(1, person_id);
  if (!row.executeStep()) return std::nullopt;
  v1::Person person;
  person.set_person_id(person_id);
  person.set_display_name(row.getColumn(0).getString());
  person.set_county(row.getColumn(1).getString());
  person.set_membership_paid_through_year(row.getColumn(2).getInt());
  return person;
}

// ---------------------------------------------------------------- readers

bool IsPostgresUrl(const std::string& path) {
  return absl::StartsWith(path, "postgresql://") ||
         absl::StartsWith(path, "postgres://");
}

std::unique_ptr<sql::DatabaseImpl> Connect(const StoreOptions& options,
                                           bool writer) {
  if (IsPostgresUrl(options.path)) return sql::OpenPostgres(options.path);
  return sql::OpenSqlite(
      options.path,
      writer ? sql::OPEN_READWRITE | sql::OPEN_CREATE : sql::OPEN_READWRITE);
}

Reader::Reader(const StoreOptions& options)
    : db(Connect(options, /*writer=*/false)),
      by_person(db,
                absl::StrCat("SELECT id, number, category, granted_on, status,"
                             " status_since, person_id, lapses_on, lapse_cause"
                             " FROM endorsements WHERE person_id = ?"
                             " ORDER BY id")),
      by_number(db,
                "SELECT id, number, category, granted_on, status, status_since,"
                " person_id, lapses_on, lapse_cause FROM endorsements"
                " WHERE number = ?"),
      history(db, kHistorySelect) {
  if (db.engine() == sql::Engine::kPostgres) {
    db.exec("SET default_transaction_read_only = on");
    by_people_or_numbers = std::make_unique<sql::Statement>(
        db,
        "SELECT id, number, category, granted_on, status, status_since,"
        " person_id, lapses_on, lapse_cause FROM endorsements"
        " WHERE person_id = ANY(CAST(? AS TEXT[]))"
        " OR number = ANY(CAST(? AS TEXT[])) ORDER BY id");
    return;
  }
  ApplyConnectionPragmas(db, options.busy_timeout_ms);
  db.exec("PRAGMA query_only = ON");
  db.exec(absl::StrCat("PRAGMA cache_size = -", options.reader_cache_kib));
  db.exec(absl::StrCat("PRAGMA mmap_size = ", options.reader_mmap_bytes));
}

std::unique_ptr<ReaderPool::Lease> ReaderPool::Acquire(bool snapshot) {
  std::unique_ptr<Reader> reader;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    returned_.wait(
        lock, [&] { return !idle_.empty() || open_ < options_.max_readers; });
    if (!idle_.empty()) {
      reader = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;
    }
  }
  if (!reader) {
    try {
      reader = std::make_unique<Reader>(options_);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      --open_;
      returned_.notify_one();
      throw;
    }
  }
  auto lease = std::make_unique<Lease>(*this, std::move(reader));
  Reader& r = **lease;
  const uint64_t generation = generation_.load();
  if (r.snapshot_open && r.generation != generation) EndSnapshot(r);
  if (!snapshot && r.db.engine() == sql::Engine::kPostgres) return lease;
  if (!r.snapshot_open) {
    // The snapshot starts at the first read, after `generation` was taken: it
    // is at least that fresh.
    r.db.impl().Begin(sql::TransactionBehavior::DEFERRED);
    r.snapshot_open = true;
    r.generation = generation;
  }
  return lease;
}

void ReaderPool::EndSnapshot(Reader& reader) {
  reader.snapshot_open = false;
  try {
    reader.db.impl().Commit();
  } catch (const std::exception&) {
    // No transaction was open after all: nothing to end.
  }
}

void ReaderPool::Return(std::unique_ptr<Reader> reader, bool failed) {
  // A PostgreSQL database has other writers (replicas) this process is not
  // told about: its snapshots never outlive a lease.
  if (reader->snapshot_open &&
      (failed || reader->generation != generation_.load() ||
       reader->db.engine() == sql::Engine::kPostgres)) {
    EndSnapshot(*reader);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(std::move(reader));
  returned_.notify_one();
}

void ReaderPool::OnCommit() {
  generation_.fetch_add(1);
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& reader : idle_) {
    if (reader->snapshot_open) EndSnapshot(*reader);
  }
}

// ---------------------------------------------------------------- writes

void WriteTx::AddChange(v1::ChangeKind kind, const std::string& person_id,
                        std::optional<int64_t> endorsement_id,
                        const std::string& application_id,
                        const v1::Endorsement* state) {
  if (!insert_change_) {
    insert_change_ = std::make_unique<sql::Statement>(
        db,
        "INSERT INTO changes (kind, person_id, endorsement_id, at_us,"
        " application_id, endorsement_state) VALUES (?, ?, ?, ?, ?, ?)"
        " RETURNING sequence");
  }
  sql::Statement& insert = *insert_change_;
  insert.reset();
  insert.bind(1, static_cast<int>(kind));
  insert.bind(2, person_id);
  std::string state_bytes;
  if (endorsement_id) {
    insert.bind(3, *endorsement_id);
    if (state != nullptr) {
      state_bytes = state->SerializeAsString();
    } else if (std::optional<v1::Endorsement> now_state =
                   LoadEndorsementById(db, *endorsement_id)) {
      state_bytes = now_state->SerializeAsString();
    }
  } else {
    insert.bind(3);
  }
  insert.bind(4, absl::ToUnixMicros(now));
  if (application_id.empty()) {
    insert.bind(5);
  } else {
    insert.bind(5, application_id);
  }
  if (endorsement_id) {
    // SQLiteCpp binds a std::string as TEXT; the state is a BLOB.
    insert.bind(6, state_bytes.data(), static_cast<int>(state_bytes.size()));
  } else {
    insert.bind(6);
  }
  insert.executeStep();
  last_sequence = insert.getColumn(0).getInt64();
  insert.reset();  // Done: no statement may be pending at COMMIT.
}

void WriteTx::AddChanges(
    v1::ChangeKind kind, size_t count,
    const std::function<EndorsementChange(size_t i, v1::Endorsement& state)>&
        change) {
  if (!insert_changes_) {
    insert_changes_ = std::make_unique<sql::MultiRow>(
        db,
        "INSERT INTO changes (kind, person_id, endorsement_id, at_us,"
        " application_id, endorsement_state) VALUES ",
        "(?, ?, ?, ?, NULL, ?)", " RETURNING sequence");
  }
  const int64_t at_us = absl::ToUnixMicros(now);
  // One state and its bytes at a time: a bound value is copied.
  v1::Endorsement state;
  std::string bytes;
  insert_changes_->Run(
      count,
      [&](sql::Statement& row, size_t i, int first) {
        state.Clear();
        const EndorsementChange named = change(i, state);
        state.SerializeToString(&bytes);
        row.bind(first, static_cast<int>(kind));
        row.bind(first + 1, *named.person_id);
        row.bind(first + 2, named.endorsement_id);
        row.bind(first + 3, at_us);
        row.bind(first + 4, bytes.data(), static_cast<int>(bytes.size()));
      },
      [&](sql::Statement& returned) {
        last_sequence =
            std::max(last_sequence, returned.getColumn(0).getInt64());
      });
}

void WriteTx::AppendStatus(int64_t endorsement_id, v1::EndorsementStatus status,
                           absl::CivilDay effective_on,
                           const std::string& reason,
                           const std::string& decision_id,
                           const std::vector<std::string>& reviewers) {
  const std::string day = FormatDay(effective_on);
  sql::Statement append(
      db,
      "INSERT INTO status_history (endorsement_id, seq, status, effective_on,"
      " reason, actor, recorded_at_us, decision_id, reviewers, write_no)"
      " VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM status_history"
      " WHERE endorsement_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
      " (SELECT writes FROM write_clock))");
  append.bind(1, endorsement_id);
  append.bind(2, static_cast<int>(status));
  append.bind(3, day);
  append.bind(4, reason);
  append.bind(5, context.actor);
  append.bind(6, absl::ToUnixMicros(now));
  append.bind(7, decision_id);
  append.bind(8, absl::StrJoin(reviewers, ","));
  append.exec();
  sql::Statement current(db,
                         "UPDATE endorsements SET status = ?, status_since"
                         " = ?, version = version + 1 WHERE id = ?");
  current.bind(1, static_cast<int>(status));
  current.bind(2, day);
  current.bind(3, endorsement_id);
  current.exec();
  RefreshLapseDays(db, rulebook, "e.id = ?",
                   [&](sql::Statement& s) { s.bind(1, endorsement_id); });
}

std::vector<v1::LapsedEndorsement> WriteTx::LapseDue(
    absl::CivilDay as_of, const std::string& where,
    const std::function<void(sql::Statement&)>& bind) {
  sql::Statement due(
      db, absl::StrCat(
              "SELECT e.id, e.number, e.person_id, e.lapses_on, e.lapse_cause,"
              " e.granted_on, e.status_since, e.next_cycle_year,"
              " p.membership_paid_through FROM endorsements e JOIN people p"
              " ON p.person_id = e.person_id WHERE (",
              where,
              ") AND e.status = :active AND e.lapses_on <= :as_of"
              " ORDER BY e.id"));
  // `where`'s own parameters come first, so they keep their numbers.
  bind(due);
  due.bind(":active", static_cast<int>(v1::ENDORSEMENT_STATUS_ACTIVE));
  due.bind(":as_of", FormatDay(as_of));
  struct Due {
    int64_t id;
    std::string person_id;
    v1::LapsedEndorsement entry;
    std::string reason;
  };
  std::vector<Due> lapses;
  while (due.executeStep()) {
    Due lapse{
        due.getColumn(0).getInt64(), due.getColumn(2).getString(), {}, ""};
    const absl::CivilDay day =
        ParseDay(due.getColumn(3).getString()).value_or(as_of);
    const auto cause = static_cast<v1::LapseCause>(due.getColumn(4).getInt());
    const LapseFacts facts{
        ParseDay(due.getColumn(5).getString()).value_or(absl::CivilDay()),
        ParseDay(due.getColumn(6).getString()).value_or(absl::CivilDay()),
        due.getColumn(7).getInt(), due.getColumn(8).getInt(),
        rulebook.proto().renewal().membership_required()};
    lapse.entry.set_endorsement_number(due.getColumn(1).getString());
    lapse.entry.set_cause(cause);
    *lapse.entry.mutable_effective_on() = ToProtoDate(day);
    lapse.reason = LapseReason(facts, cause);
    lapses.push_back(std::move(lapse));
  }
  std::vector<v1::LapsedEndorsement> lapsed;
  for (Due& lapse : lapses) {
    AppendStatus(lapse.id, v1::ENDORSEMENT_STATUS_LAPSED,
                 ToCivilDayUnchecked(lapse.entry.effective_on()), lapse.reason);
    AddChange(v1::CHANGE_KIND_STATUS_CHANGED, lapse.person_id, lapse.id);
    lapsed.push_back(std::move(lapse.entry));
  }
  return lapsed;
}

RegistryStore::RegistryStore(StoreOptions options,
                             const imh::Rulebook* rulebook,
                             const DecisionKeyring* keyring)
    : options_(std::move(options)), rulebook_(rulebook), keyring_(keyring) {}

RegistryStore::~RegistryStore() {
  Close();
  if (commit_listener_.joinable()) commit_listener_.join();
}

absl::StatusOr<std::unique_ptr<RegistryStore>> RegistryStore::Open(
    const StoreOptions& options, const imh::Rulebook* rulebook,
    const DecisionKeyring* keyring) {
  std::unique_ptr<RegistryStore> store(
      new RegistryStore(options, rulebook, keyring));
  try {
    store->writer_ =
        std::make_unique<sql::Database>(Connect(options, /*writer=*/true));
    sql::Database& db = *store->writer_;
    if (db.engine() == sql::Engine::kSqlite) {
      ApplyConnectionPragmas(db, options.busy_timeout_ms);
      db.exec(absl::StrCat("PRAGMA cache_size = -", options.writer_cache_kib));
      const std::string mode = db.execAndGet("PRAGMA journal_mode = WAL");
      if (mode != "wal") {
        return absl::FailedPreconditionError(absl::StrCat(
            options.path, ": cannot use write-ahead logging (journal mode ",
            mode, ")"));
      }
    }
    absl::StatusOr<int> version = MigrateSchema(db, *rulebook);
    if (!version.ok()) return version.status();
    store->schema_version_ = *version;
    store->last_sequence_ =
        db.execAndGet("SELECT COALESCE(MAX(sequence), 0) FROM changes")
            .getInt64();
    store->readers_ = std::make_unique<ReaderPool>(store->options_);
    if (db.engine() == sql::Engine::kPostgres) {
      RegistryStore* listening = store.get();
      store->commit_listener_ =
          std::thread([listening] { listening->ListenForCommits(); });
    }
  } catch (const std::exception& error) {
    return FromSqlite(error, absl::StrCat("opening ", options.path));
  }
  return store;
}

absl::Status RegistryStore::RunWrite(absl::string_view method,
                                     const google::protobuf::Message& request,
                                     const WriteContext& context,
                                     google::protobuf::Message& response,
                                     const WriteBody& body) {
  std::lock_guard<std::mutex> lock(write_mutex_);
  sql::Database& db = *writer_;
  int64_t committed_sequence = 0;
  try {
    sql::Transaction transaction(db, sql::TransactionBehavior::IMMEDIATE);
    // This write's number: row versions and history entries carry it, so an
    // export can read the registry as it was before (store_export.cc).
    db.exec("UPDATE write_clock SET writes = writes + 1");
    std::string digest;
    if (!context.request_id.empty()) {
      std::string bytes;
      request.SerializeToString(&bytes);
      digest = Fnv1a64Hex(absl::StrCat(method, "\n", bytes));
      sql::Statement seen(db,
                          "SELECT request_digest, response FROM idempotency"
                          " WHERE request_id = ?");
      seen.bind(1, context.request_id);
      if (seen.executeStep()) {
        if (seen.getColumn(0).getString() != digest) {
          return absl::AlreadyExistsError(
              absl::StrCat("request_id ", context.request_id,
                           " was already used for a different request"));
        }
        const sql::Column stored = seen.getColumn(1);
        if (!response.ParseFromArray(stored.getBlob(), stored.getBytes())) {
          return absl::InternalError("stored response is unreadable");
        }
        return absl::OkStatus();  // The first response; nothing written.
      }
    }
    WriteTx tx(db, *rulebook_, context, absl::Now());
    if (absl::Status status = body(tx, response); !status.ok()) {
      return status;  // The transaction rolls back.
    }
    if (!context.request_id.empty()) {
      sql::Statement remember(db,
                              "INSERT INTO idempotency VALUES (?, ?, ?, ?, ?)");
      const std::string bytes = response.SerializeAsString();
      remember.bind(1, context.request_id);
      remember.bind(2, std::string(method));
      remember.bind(3, digest);
      remember.bind(4, bytes.data(), static_cast<int>(bytes.size()));
      remember.bind(5, absl::ToUnixMicros(tx.now));
      remember.exec();
    }
    sql::Statement audit(db,
                         "INSERT INTO audit (at_us, actor, method,"
                         " request_id, correlation_id, target, detail)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)");
    audit.bind(1, absl::ToUnixMicros(tx.now));
    audit.bind(2, context.actor);
    audit.bind(3, std::string(method));
    audit.bind(4, context.request_id);
    audit.bind(5, context.correlation_id);
    audit.bind(6, tx.audit_target);
    audit.bind(7, tx.audit_detail);
    audit.exec();
    if (tx.last_sequence > 0) db.announceCommit();
    transaction.commit();
    committed_sequence = tx.last_sequence;
  } catch (const std::exception& error) {
    return FromSqlite(error, absl::StrCat(method, " failed"));
  }
  readers_->OnCommit();
  if (committed_sequence > 0) SawSequence(committed_sequence);
  return absl::OkStatus();
}

void RegistryStore::SawSequence(int64_t sequence) {
  std::lock_guard<std::mutex> change_lock(change_mutex_);
  // Another process's later commit may have been seen first.
  if (sequence <= last_sequence_.load()) return;
  last_sequence_ = sequence;
  change_cv_.notify_all();
}

void RegistryStore::ListenForCommits() {
  // Announcements make the feed prompt; the poll makes it certain (a
  // notification is lost while the listener reconnects).
  constexpr int kPollMs = 250;
  std::unique_ptr<sql::CommitSignal> signal;
  while (!closed_.load()) {
    try {
      if (!signal) signal = sql::ListenForCommits(options_.path);
      signal->Wait(kPollMs);
    } catch (const std::exception&) {
      signal.reset();  // Connect again after a pause.
      std::unique_lock<std::mutex> lock(change_mutex_);
      change_cv_.wait_for(lock, std::chrono::milliseconds(kPollMs),
                          [this] { return closed_.load(); });
      continue;
    }
    try {
      auto lease = readers_->Acquire();
      SawSequence(
          (*lease)
              ->db.execAndGet("SELECT COALESCE(MAX(sequence), 0) FROM changes")
              .getInt64());
    } catch (const std::exception&) {
      // The database is away; the next round asks again.
    }
  }
}

bool RegistryStore::WaitForChange(int64_t after_sequence,
                                  absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(change_mutex_);
  change_cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] {
    return closed_.load() || last_sequence_.load() > after_sequence;
  });
  return last_sequence_.load() > after_sequence;
}

void RegistryStore::Close() {
  std::lock_guard<std::mutex> lock(change_mutex_);
  closed_ = true;
  change_cv_.notify_all();
}

absl::StatusOr<RowCounts> RegistryStore::CountRows() {
  try {
    auto lease = readers_->Acquire();
    sql::Database& db = (*lease)->db;
    const auto count = [&](const char* table) {
      return db.execAndGet(absl::StrCat("SELECT COUNT(*) FROM ", table))
          .getInt64();
    };
    RowCounts counts;
    counts.people = count("people");
    counts.endorsements = count("endorsements");
    counts.status_changes = count("status_history");
    counts.memberships = count("memberships");
    counts.renewals = count("renewals");
    counts.changes = count("changes");
    counts.audit_records = count("audit");
    counts.applications = count("applications");
    counts.reviews = count("reviews");
    return counts;
  } catch (const std::exception& error) {
    return FromSqlite(error, "counting rows");
  }
}

absl::StatusOr<RegistryStore::StorageSize> RegistryStore::StorageBytes() {
  StorageSize size;
  if (IsPostgresUrl(options_.path)) {
    try {
      auto lease = readers_->Acquire();
      size.database_bytes =
          (*lease)
              ->db.execAndGet("SELECT pg_database_size(current_database())")
              .getInt64();
      size.wal_bytes = -1;
      return size;
    } catch (const std::exception& error) {
      return FromSqlite(error, "measuring the database");
    }
  }
  std::error_code error;
  const uintmax_t database = std::filesystem::file_size(options_.path, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot measure ", options_.path, ": ", error.message()));
  }
  size.database_bytes = static_cast<int64_t>(database);
  const uintmax_t wal =
      std::filesystem::file_size(options_.path + "-wal", error);
  size.wal_bytes = error ? 0 : static_cast<int64_t>(wal);
  return size;
}

}  // namespace imh::registry

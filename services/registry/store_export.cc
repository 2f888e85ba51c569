// Exports as of one point in time without holding a snapshot: each page is
// its own short read, and a row changed since the export began is read from
// the version its first later write kept (endorsement_versions,
// people_versions: the row as it was before write `replaced_by`). History
// entries carry the write that added them. The versions are pruned once no
// pinned export can need them. The pins are rows (export_pins, schema 5), so
// every process on the database keeps what the exports of the others need;
// a process renews its own pins, and those of a process that died expire.

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/registry/store_internal.h"

namespace imh::registry {
namespace {

// An endorsement column as of the point: the earliest later version's, when
// a write changed the row since (v), else the row's own.
std::string AsOf(const char* column) {
  return absl::StrCat("CASE WHEN v.endorsement_id IS NULL THEN e.", column,
                      " ELSE v.", column, " END");
}

// kEndorsementSelect's columns (ReadEndorsementRow's order) as of ?1 writes,
// then the holder's paid-through year.
std::string ExportPageQuery() {
  return absl::StrCat(
      "SELECT e.id, e.number, e.person_id,"
      " COALESCE(pv.display_name, p.display_name),"
      " COALESCE(pv.county, p.county), e.category, e.granted_on, ",
      AsOf("status"), ", ", AsOf("status_since"), ", ", AsOf("next_cycle_year"),
      ", ", AsOf("version"), ", ", AsOf("lapses_on"), ", ", AsOf("grant_kind"),
      ", ", AsOf("application_id"), ", ", AsOf("imported_at_us"), ", ",
      AsOf("imported_by"),
      ", COALESCE(pv.membership_paid_through, p.membership_paid_through)"
      " FROM endorsements e JOIN people p ON p.person_id = e.person_id"
      " LEFT JOIN endorsement_versions v ON v.endorsement_id = e.id AND"
      " v.replaced_by = (SELECT MIN(replaced_by) FROM endorsement_versions"
      " WHERE endorsement_id = e.id AND replaced_by > ?1)"
      " LEFT JOIN people_versions pv ON pv.person_id = p.person_id AND"
      " pv.replaced_by = (SELECT MIN(replaced_by) FROM people_versions"
      " WHERE person_id = p.person_id AND replaced_by > ?1)"
      " WHERE e.id > ?2 AND e.id <= ?3 ORDER BY e.id LIMIT ?4");
}

// How long a pin outlives its process's last renewal (PruneVersions renews
// every pin of a running export).
constexpr absl::Duration kPinLease = absl::Minutes(10);

constexpr char kHistoryAsOf[] =
    "SELECT status, effective_on, reason, actor, decision_id, reviewers"
    " FROM status_history WHERE endorsement_id = ?1 AND write_no <= ?2"
    " ORDER BY seq";

}  // namespace

absl::StatusOr<ExportPoint> RegistryStore::BeginExport() {
  ExportPoint point;
  // Read and pinned in one write transaction: a prune, by this process or
  // another, runs before it (and keeps what the present needs) or after it
  // (and sees the pin).
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  try {
    sql::Database& db = *writer_;
    sql::Transaction transaction(db, sql::TransactionBehavior::IMMEDIATE);
    sql::Statement now(db,
                       "SELECT (SELECT writes FROM write_clock),"
                       " (SELECT COALESCE(MAX(id), 0) FROM endorsements),"
                       " (SELECT COALESCE(MAX(sequence), 0) FROM changes)");
    now.executeStep();
    point.writes = now.getColumn(0).getInt64();
    point.last_endorsement_id = now.getColumn(1).getInt64();
    point.sequence = now.getColumn(2).getInt64();
    sql::Statement pin(db,
                       "INSERT INTO export_pins (writes, expires_us)"
                       " VALUES (?, ?) RETURNING id");
    pin.bind(1, point.writes);
    pin.bind(2, absl::ToUnixMicros(absl::Now() + kPinLease));
    pin.executeStep();
    point.pin = pin.getColumn(0).getInt64();
    pin.reset();
    transaction.commit();
  } catch (const std::exception& error) {
    return FromSqlite(error, "starting an export");
  }
  std::lock_guard<std::mutex> lock(exports_mutex_);
  pinned_exports_.insert(point.pin);
  return point;
}

void RegistryStore::EndExport(const ExportPoint& point) {
  {
    std::lock_guard<std::mutex> lock(exports_mutex_);
    pinned_exports_.erase(point.pin);
  }
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  try {
    sql::Statement unpin(*writer_, "DELETE FROM export_pins WHERE id = ?");
    unpin.bind(1, point.pin);
    unpin.exec();
  } catch (const std::exception&) {
    // Left behind, the pin expires unrenewed.
  }
}

absl::StatusOr<ExportPage> RegistryStore::ReadExportPage(
    const ExportPoint& point, int64_t after_id, int limit) {
  try {
    auto lease = readers_->Acquire();
    sql::Database& db = (*lease)->db;
    sql::Statement rows(db, ExportPageQuery());
    rows.bind(1, point.writes);
    rows.bind(2, after_id);
    rows.bind(3, point.last_endorsement_id);
    rows.bind(4, limit);
    sql::Statement history(db, kHistoryAsOf);
    history.bind(2, point.writes);
    ExportPage page;
    int64_t last_id = after_id;
    while (rows.executeStep()) {
      v1::RegistryRecord& record = page.records.emplace_back();
      v1::Endorsement& endorsement = *record.mutable_endorsement();
      last_id = ReadEndorsementRow(rows, endorsement);
      ReadHistory(history, last_id, endorsement);
      v1::Person& person = *record.mutable_person();
      person.set_person_id(endorsement.person_id());
      person.set_display_name(endorsement.display_name());
      person.set_county(endorsement.county());
      person.set_membership_paid_through_year(rows.getColumn(16).getInt());
    }
    if (static_cast<int>(page.records.size()) == limit &&
        last_id < point.last_endorsement_id) {
      page.next_after_id = last_id;
    }
    return page;
  } catch (const std::exception& error) {
    return FromSqlite(error, "exporting the registry");
  }
}

absl::StatusOr<int64_t> RegistryStore::PruneVersions() {
  std::unique_lock<std::mutex> write_lock(write_mutex_, std::try_to_lock);
  if (!write_lock.owns_lock()) return 0;
  std::vector<int64_t> mine;
  {
    std::lock_guard<std::mutex> lock(exports_mutex_);
    mine.assign(pinned_exports_.begin(), pinned_exports_.end());
  }
  try {
    sql::Database& db = *writer_;
    // Under the write lock of every process on the database: no export can
    // begin between choosing what to keep and deleting the rest.
    sql::Transaction transaction(db, sql::TransactionBehavior::IMMEDIATE);
    const int64_t now_us = absl::ToUnixMicros(absl::Now());
    sql::Statement renew(db,
                         "UPDATE export_pins SET expires_us = ? WHERE id = ?");
    renew.bind(1, now_us + absl::ToInt64Microseconds(kPinLease));
    for (int64_t pin : mine) {
      renew.bind(2, pin);
      renew.exec();
      renew.reset();
    }
    sql::Statement expire(db, "DELETE FROM export_pins WHERE expires_us < ?");
    expire.bind(1, now_us);
    expire.exec();
    // A version replaced by write w serves the exports from before w.
    const int64_t keep_after =
        db.execAndGet(
              "SELECT CASE WHEN MIN(p.writes) IS NULL THEN MAX(c.writes)"
              " WHEN MIN(p.writes) < MAX(c.writes) THEN MIN(p.writes)"
              " ELSE MAX(c.writes) END"
              " FROM write_clock c LEFT JOIN export_pins p ON 1 = 1")
            .getInt64();
    sql::Statement endorsements(
        db, "DELETE FROM endorsement_versions WHERE replaced_by <= ?");
    endorsements.bind(1, keep_after);
    int64_t pruned = endorsements.exec();
    sql::Statement people(db,
                          "DELETE FROM people_versions WHERE replaced_by <= ?");
    people.bind(1, keep_after);
    pruned += people.exec();
    transaction.commit();
    if (pruned > 0) readers_->OnCommit();
    return pruned;
  } catch (const std::exception& error) {
    return FromSqlite(error, "pruning row versions");
  }
}

}  // namespace imh::registry

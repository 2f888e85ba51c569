// Exports as of one point in time without holding a snapshot: each page is
// its own short read, and a row changed since the export began is read from
// the version its first later write kept (endorsement_versions,
// people_versions: the row as it was before write `replaced_by`). History
// entries carry the write that added them. The versions are pruned once no
// pinned export can need them.
//
// The pins live in this process: a second process exporting from the same
// file is not supported (its exports would not keep versions alive here).

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

constexpr char kHistoryAsOf[] =
    "SELECT status, effective_on, reason, actor, decision_id, reviewers"
    " FROM status_history WHERE endorsement_id = ?1 AND write_no <= ?2"
    " ORDER BY seq";

}  // namespace

absl::StatusOr<ExportPoint> RegistryStore::BeginExport() {
  ExportPoint point;
  // Read and pinned under the lock PruneVersions takes to choose what to
  // delete: it sees either this pin or a write count no later than it.
  std::lock_guard<std::mutex> lock(exports_mutex_);
  try {
    auto lease = readers_->Acquire();
    // One statement: one snapshot.
    sql::Statement now((*lease)->db,
                       "SELECT (SELECT writes FROM write_clock),"
                       " (SELECT COALESCE(MAX(id), 0) FROM endorsements),"
                       " (SELECT COALESCE(MAX(sequence), 0) FROM changes)");
    now.executeStep();
    point.writes = now.getColumn(0).getInt64();
    point.last_endorsement_id = now.getColumn(1).getInt64();
    point.sequence = now.getColumn(2).getInt64();
  } catch (const std::exception& error) {
    return FromSqlite(error, "starting an export");
  }
  pinned_exports_.insert(point.writes);
  return point;
}

void RegistryStore::EndExport(const ExportPoint& point) {
  std::lock_guard<std::mutex> lock(exports_mutex_);
  if (auto it = pinned_exports_.find(point.writes);
      it != pinned_exports_.end()) {
    pinned_exports_.erase(it);
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
  try {
    sql::Database& db = *writer_;
    int64_t keep_after =
        db.execAndGet("SELECT writes FROM write_clock").getInt64();
    {
      std::lock_guard<std::mutex> lock(exports_mutex_);
      if (!pinned_exports_.empty()) {
        keep_after = std::min(keep_after, *pinned_exports_.begin());
      }
    }
    // A version replaced by write w serves the exports from before w.
    sql::Statement any(
        db,
        "SELECT EXISTS (SELECT 1 FROM endorsement_versions WHERE replaced_by"
        " <= ?1) OR EXISTS (SELECT 1 FROM people_versions WHERE replaced_by"
        " <= ?1)");
    any.bind(1, keep_after);
    any.executeStep();
    const bool stale = any.getColumn(0).getInt() != 0;
    any.reset();
    if (!stale) return 0;
    sql::Transaction transaction(db, sql::TransactionBehavior::IMMEDIATE);
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

// The registry's schema, as numbered migrations. Nothing is ever deleted:
// triggers refuse DELETE on every table, and UPDATE on the append-only ones.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/registry/store_internal.h"

namespace imh::registry {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, "people, endorsements, history, memberships, renewals, feed, audit",
     R"sql(
CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  person_id TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  county TEXT NOT NULL,
  membership_paid_through INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE endorsements (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  person_id TEXT NOT NULL REFERENCES people(person_id),
  category TEXT NOT NULL,
  granted_on TEXT NOT NULL,
  status INTEGER NOT NULL,
  status_since TEXT NOT NULL,
  next_cycle_year INTEGER NOT NULL,
  version INTEGER NOT NULL
);
-- Covers verification by person: one index descent answers a question about
-- any day from the current status' start, without reading the table.
CREATE INDEX endorsements_by_person ON endorsements(person_id, id, number,
  category, granted_on, status, status_since);
CREATE TABLE status_history (
  endorsement_id INTEGER NOT NULL REFERENCES endorsements(id),
  seq INTEGER NOT NULL,
  status INTEGER NOT NULL,
  effective_on TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  recorded_at_us INTEGER NOT NULL,
  PRIMARY KEY (endorsement_id, seq)
) WITHOUT ROWID;
CREATE TABLE memberships (
  person_id TEXT NOT NULL REFERENCES people(person_id),
  year INTEGER NOT NULL,
  recorded_at_us INTEGER NOT NULL,
  PRIMARY KEY (person_id, year)
) WITHOUT ROWID;
CREATE TABLE renewals (
  endorsement_id INTEGER NOT NULL REFERENCES endorsements(id),
  cycle_year INTEGER NOT NULL,
  attested_on TEXT NOT NULL,
  training_hours REAL NOT NULL,
  rsc_hours REAL NOT NULL,
  decision_id TEXT NOT NULL,
  recorded_at_us INTEGER NOT NULL,
  PRIMARY KEY (endorsement_id, cycle_year)
) WITHOUT ROWID;
CREATE TABLE changes (
  sequence INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  person_id TEXT NOT NULL,
  endorsement_id INTEGER REFERENCES endorsements(id),
  at_us INTEGER NOT NULL
);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  actor TEXT NOT NULL,
  method TEXT NOT NULL,
  request_id TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE TABLE idempotency (
  request_id TEXT PRIMARY KEY,
  method TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  response BLOB NOT NULL,
  at_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER people_keep BEFORE DELETE ON people
  BEGIN SELECT RAISE(ABORT, 'registry rows are never deleted'); END;
CREATE TRIGGER endorsements_keep BEFORE DELETE ON endorsements
  BEGIN SELECT RAISE(ABORT, 'registry rows are never deleted'); END;
CREATE TRIGGER memberships_keep BEFORE DELETE ON memberships
  BEGIN SELECT RAISE(ABORT, 'registry rows are never deleted'); END;
CREATE TRIGGER renewals_keep BEFORE DELETE ON renewals
  BEGIN SELECT RAISE(ABORT, 'registry rows are never deleted'); END;
CREATE TRIGGER idempotency_keep BEFORE DELETE ON idempotency
  BEGIN SELECT RAISE(ABORT, 'registry rows are never deleted'); END;
CREATE TRIGGER status_history_keep BEFORE DELETE ON status_history
  BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;
CREATE TRIGGER status_history_fixed BEFORE UPDATE ON status_history
  BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;
CREATE TRIGGER changes_keep BEFORE DELETE ON changes
  BEGIN SELECT RAISE(ABORT, 'the change feed is append-only'); END;
CREATE TRIGGER changes_fixed BEFORE UPDATE ON changes
  BEGIN SELECT RAISE(ABORT, 'the change feed is append-only'); END;
CREATE TRIGGER audit_keep BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_fixed BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql"},
};

static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion,
              "one migration per schema version");

}  // namespace

absl::StatusOr<int> MigrateSchema(SQLite::Database& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, description TEXT NOT NULL,"
      " applied_at TEXT NOT NULL)");
  int current =
      db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
          .getInt();
  if (current > kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("the registry file has schema version ", current,
                     "; this build knows up to ", kSchemaVersion,
                     ": use a newer registry server"));
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= current) continue;
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Another process may have migrated between our read and our lock.
    SQLite::Statement applied(
        db, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?");
    applied.bind(1, migration.version);
    applied.executeStep();
    if (applied.getColumn(0).getInt() > 0) continue;
    db.exec(migration.sql);
    SQLite::Statement record(db,
                             "INSERT INTO schema_migrations VALUES (?, ?, ?)");
    record.bind(1, migration.version);
    record.bind(2, migration.description);
    record.bind(3, absl::FormatTime(absl::RFC3339_sec, absl::Now(),
                                    absl::UTCTimeZone()));
    record.exec();
    transaction.commit();
    current = migration.version;
  }
  return current;
}

}  // namespace imh::registry

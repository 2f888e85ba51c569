// The registry's schema, as numbered migrations. Nothing is ever deleted:
// triggers refuse DELETE on every table, and UPDATE on the append-only ones.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/registry/store_internal.h"
#include "services/registry/store_schema_postgres.h"
#include "services/registry/text_fold.h"

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
    {2,
     "applications and reviews, grant basis, decision-bound renewals, lapse"
     " days",
     R"sql(
ALTER TABLE endorsements ADD COLUMN lapses_on TEXT;
ALTER TABLE endorsements ADD COLUMN lapse_cause INTEGER NOT NULL DEFAULT 0;
-- 0: granted before grants were recorded, 1: reviewed application, 2: import.
ALTER TABLE endorsements ADD COLUMN grant_kind INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endorsements ADD COLUMN application_id TEXT;
ALTER TABLE endorsements ADD COLUMN imported_at_us INTEGER;
ALTER TABLE endorsements ADD COLUMN imported_by TEXT;
UPDATE endorsements SET grant_kind = 2,
  imported_at_us = (SELECT MIN(c.at_us) FROM changes c
                    WHERE c.endorsement_id = endorsements.id AND c.kind = 6),
  imported_by = ''
  WHERE EXISTS (SELECT 1 FROM changes c
                WHERE c.endorsement_id = endorsements.id AND c.kind = 6);
DROP INDEX endorsements_by_person;
CREATE INDEX endorsements_by_person ON endorsements(person_id, id, number,
  category, granted_on, status, status_since, lapses_on, lapse_cause);
CREATE INDEX endorsements_lapse_due ON endorsements(status, lapses_on);
CREATE INDEX endorsements_by_cycle ON endorsements(next_cycle_year, status);
ALTER TABLE status_history ADD COLUMN decision_id TEXT NOT NULL DEFAULT '';
-- The approving reviewers, comma-separated.
ALTER TABLE status_history ADD COLUMN reviewers TEXT NOT NULL DEFAULT '';
ALTER TABLE renewals ADD COLUMN recorded_by TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX renewals_by_decision ON renewals(decision_id)
  WHERE decision_id <> '';
ALTER TABLE changes ADD COLUMN application_id TEXT;
CREATE TABLE applications (
  id INTEGER PRIMARY KEY,
  application_id TEXT NOT NULL UNIQUE,
  person_id TEXT NOT NULL REFERENCES people(person_id),
  category TEXT NOT NULL,
  state INTEGER NOT NULL,
  decision_id TEXT NOT NULL UNIQUE,
  signed_decision BLOB NOT NULL,
  valid_through TEXT NOT NULL,
  endorsement_id INTEGER REFERENCES endorsements(id),
  submitted_at_us INTEGER NOT NULL,
  submitted_by TEXT NOT NULL
);
CREATE INDEX applications_by_person ON applications(person_id, id);
CREATE INDEX applications_by_state ON applications(state, id);
CREATE TABLE reviews (
  application_id INTEGER NOT NULL REFERENCES applications(id),
  reviewer TEXT NOT NULL,
  verdict INTEGER NOT NULL,
  -- Acknowledged advisory rule ids, comma-separated.
  acknowledged TEXT NOT NULL,
  comment TEXT NOT NULL,
  reviewed_at_us INTEGER NOT NULL,
  PRIMARY KEY (application_id, reviewer)
) WITHOUT ROWID;
CREATE TABLE lapse_runs (
  id INTEGER PRIMARY KEY,
  as_of TEXT NOT NULL,
  runner TEXT NOT NULL,
  scheduled INTEGER NOT NULL,
  lapsed INTEGER NOT NULL,
  at_us INTEGER NOT NULL
);
CREATE INDEX lapse_runs_by_day ON lapse_runs(as_of, scheduled);
CREATE TRIGGER applications_keep BEFORE DELETE ON applications
  BEGIN SELECT RAISE(ABORT, 'registry rows are never deleted'); END;
CREATE TRIGGER reviews_keep BEFORE DELETE ON reviews
  BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER reviews_fixed BEFORE UPDATE ON reviews
  BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER lapse_runs_keep BEFORE DELETE ON lapse_runs
  BEGIN SELECT RAISE(ABORT, 'registry rows are never deleted'); END;
CREATE TRIGGER lapse_runs_fixed BEFORE UPDATE ON lapse_runs
  BEGIN SELECT RAISE(ABORT, 'registry rows are never changed'); END;
)sql"},
    {3, "each change's endorsement state; folded names for search",
     R"sql(
ALTER TABLE changes ADD COLUMN endorsement_state BLOB;
ALTER TABLE people ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN county_folded TEXT NOT NULL DEFAULT '';
)sql"},
    {4, "row versions for exports at one point in time",
     R"sql(
-- Write transactions committed so far. Each write transaction adds one first,
-- so inside it `writes` is its own number; an export reads "as of" a count.
CREATE TABLE write_clock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  writes INTEGER NOT NULL
);
INSERT INTO write_clock VALUES (1, 0);
-- The write that added each history entry (0: before write numbers).
ALTER TABLE status_history ADD COLUMN write_no INTEGER NOT NULL DEFAULT 0;
-- A row as it was before write `replaced_by` changed it, kept while an
-- export that began before that write may still read it. The first change
-- within one write keeps its image; later ones in the same write are ignored.
CREATE TABLE endorsement_versions (
  endorsement_id INTEGER NOT NULL,
  replaced_by INTEGER NOT NULL,
  status INTEGER NOT NULL,
  status_since TEXT NOT NULL,
  next_cycle_year INTEGER NOT NULL,
  version INTEGER NOT NULL,
  lapses_on TEXT,
  grant_kind INTEGER NOT NULL,
  application_id TEXT,
  imported_at_us INTEGER,
  imported_by TEXT,
  PRIMARY KEY (endorsement_id, replaced_by)
) WITHOUT ROWID;
CREATE TABLE people_versions (
  person_id TEXT NOT NULL,
  replaced_by INTEGER NOT NULL,
  display_name TEXT NOT NULL,
  county TEXT NOT NULL,
  membership_paid_through INTEGER NOT NULL,
  PRIMARY KEY (person_id, replaced_by)
) WITHOUT ROWID;
CREATE TRIGGER endorsements_versioned BEFORE UPDATE ON endorsements BEGIN
  INSERT OR IGNORE INTO endorsement_versions VALUES (OLD.id,
    (SELECT writes FROM write_clock), OLD.status, OLD.status_since,
    OLD.next_cycle_year, OLD.version, OLD.lapses_on, OLD.grant_kind,
    OLD.application_id, OLD.imported_at_us, OLD.imported_by);
END;
-- Versions keep what a write may change; the rest never changes.
CREATE TRIGGER endorsements_identity_fixed BEFORE UPDATE OF number, person_id,
  category, granted_on ON endorsements
  BEGIN SELECT RAISE(ABORT, 'an endorsement''s identity never changes'); END;
CREATE TRIGGER people_versioned BEFORE UPDATE OF display_name, county,
  membership_paid_through ON people BEGIN
  INSERT OR IGNORE INTO people_versions VALUES (OLD.person_id,
    (SELECT writes FROM write_clock), OLD.display_name, OLD.county,
    OLD.membership_paid_through);
END;
)sql"},
    {5, "export pins shared by every process on the database",
     R"sql(
-- The write count each open export reads as of; versions replaced after the
-- oldest are kept. Its process renews a pin while the export runs, so the
-- pin of a process that died expires.
CREATE TABLE export_pins (
  id INTEGER PRIMARY KEY,
  writes INTEGER NOT NULL,
  expires_us INTEGER NOT NULL
);
)sql"},
    {6,
     "new names reach the search index from the store, not a trigger: one "
     "index flush per import, not one per person",
     R"sql(
-- FTS5 writes its pending terms to disk at every statement that opens a
-- savepoint, so a trigger per person made an import flush once a person.
DROP TRIGGER people_names_insert;
)sql"},
};

static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion,
              "one migration per schema version");

// After schema 3's columns are filled: the county index, and a trigram index
// of folded names (substring search without a scan), kept by triggers.
constexpr char kSearchIndexes[] = R"sql(
CREATE INDEX people_by_county ON people(county_folded);
CREATE VIRTUAL TABLE people_names USING fts5(name_folded, content='people',
  content_rowid='id', tokenize='trigram');
INSERT INTO people_names(people_names) VALUES ('rebuild');
CREATE TRIGGER people_names_insert AFTER INSERT ON people BEGIN
  INSERT INTO people_names(rowid, name_folded) VALUES (new.id, new.name_folded);
END;
CREATE TRIGGER people_names_update AFTER UPDATE OF name_folded ON people BEGIN
  INSERT INTO people_names(people_names, rowid, name_folded)
    VALUES ('delete', old.id, old.name_folded);
  INSERT INTO people_names(rowid, name_folded) VALUES (new.id, new.name_folded);
END;
)sql";

// Folds every person's name and county (FoldForSearch: ICU, not SQL), then
// builds the search indexes over them.
void FoldPeople(sql::Database& db) {
  sql::Statement people(db, "SELECT id, display_name, county FROM people");
  sql::Statement fold(
      db, "UPDATE people SET name_folded = ?, county_folded = ? WHERE id = ?");
  while (people.executeStep()) {
    fold.reset();
    fold.bind(1, FoldForSearch(people.getColumn(1).getString()));
    fold.bind(2, FoldForSearch(people.getColumn(2).getString()));
    fold.bind(3, people.getColumn(0).getInt64());
    fold.exec();
  }
  people.reset();
  db.exec(db.engine() == sql::Engine::kPostgres ? PostgresSearchIndexes()
                                                : kSearchIndexes);
}

}  // namespace

int64_t LastPersonId(sql::Database& db) {
  return db.execAndGet("SELECT COALESCE(MAX(id), 0) FROM people").getInt64();
}

void IndexNamesAfter(sql::Database& db, int64_t after_id) {
  if (db.engine() == sql::Engine::kPostgres) return;
  sql::Statement index(db,
                       "INSERT INTO people_names(rowid, name_folded)"
                       " SELECT id, name_folded FROM people WHERE id > ?");
  index.bind(1, after_id);
  index.exec();
}

absl::StatusOr<int> MigrateSchema(sql::Database& db,
                                  const imh::Rulebook& rulebook, int up_to) {
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
    if (migration.version <= current || migration.version > up_to) continue;
    sql::Transaction transaction(db, sql::TransactionBehavior::IMMEDIATE);
    // Another process may have migrated between our read and our lock.
    sql::Statement applied(
        db, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?");
    applied.bind(1, migration.version);
    applied.executeStep();
    const bool already = applied.getColumn(0).getInt() > 0;
    // An open statement would lock the schema against DROP INDEX.
    applied.reset();
    if (already) continue;
    const bool postgres = db.engine() == sql::Engine::kPostgres;
    db.exec(postgres ? PostgresMigrationSql(migration.version) : migration.sql);
    // Lapse days are the rules' (lapse_rule.h), computed here, not in SQL.
    if (migration.version == 2) {
      RefreshLapseDays(db, rulebook, "1 = 1", [](sql::Statement&) {});
    }
    if (migration.version == 3) FoldPeople(db);
    sql::Statement record(db, "INSERT INTO schema_migrations VALUES (?, ?, ?)");
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

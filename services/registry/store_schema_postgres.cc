// The registry's schema on PostgreSQL: the same numbered migrations as
// SQLite's (store_schema.cc), in PostgreSQL's dialect. Same tables, columns,
// indexes and refusals; ids are BIGSERIAL, blobs BYTEA, triggers call
// plpgsql functions, and name search uses a pg_trgm index where SQLite uses
// FTS5.

#include "services/registry/store_schema_postgres.h"

namespace imh::registry {
namespace {

constexpr const char* kPostgresMigrations[] = {
    // 1
    R"sql(
CREATE FUNCTION imh_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'P0001';
END $$;
CREATE TABLE people (
  id BIGSERIAL PRIMARY KEY,
  person_id TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  county TEXT NOT NULL,
  membership_paid_through INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE endorsements (
  id BIGSERIAL PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  person_id TEXT NOT NULL REFERENCES people(person_id),
  category TEXT NOT NULL,
  granted_on TEXT NOT NULL,
  status INTEGER NOT NULL,
  status_since TEXT NOT NULL,
  next_cycle_year INTEGER NOT NULL,
  version BIGINT NOT NULL
);
CREATE INDEX endorsements_by_person ON endorsements(person_id, id, number,
  category, granted_on, status, status_since);
CREATE TABLE status_history (
  endorsement_id BIGINT NOT NULL REFERENCES endorsements(id),
  seq INTEGER NOT NULL,
  status INTEGER NOT NULL,
  effective_on TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  recorded_at_us BIGINT NOT NULL,
  PRIMARY KEY (endorsement_id, seq)
);
CREATE TABLE memberships (
  person_id TEXT NOT NULL REFERENCES people(person_id),
  year INTEGER NOT NULL,
  recorded_at_us BIGINT NOT NULL,
  PRIMARY KEY (person_id, year)
);
CREATE TABLE renewals (
  endorsement_id BIGINT NOT NULL REFERENCES endorsements(id),
  cycle_year INTEGER NOT NULL,
  attested_on TEXT NOT NULL,
  training_hours DOUBLE PRECISION NOT NULL,
  rsc_hours DOUBLE PRECISION NOT NULL,
  decision_id TEXT NOT NULL,
  recorded_at_us BIGINT NOT NULL,
  PRIMARY KEY (endorsement_id, cycle_year)
);
CREATE TABLE changes (
  sequence BIGSERIAL PRIMARY KEY,
  kind INTEGER NOT NULL,
  person_id TEXT NOT NULL,
  endorsement_id BIGINT REFERENCES endorsements(id),
  at_us BIGINT NOT NULL
);
CREATE TABLE audit (
  id BIGSERIAL PRIMARY KEY,
  at_us BIGINT NOT NULL,
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
  response BYTEA NOT NULL,
  at_us BIGINT NOT NULL
);
CREATE TRIGGER people_keep BEFORE DELETE ON people FOR EACH ROW
  EXECUTE FUNCTION imh_refuse('registry rows are never deleted');
CREATE TRIGGER endorsements_keep BEFORE DELETE ON endorsements FOR EACH ROW
  EXECUTE FUNCTION imh_refuse('registry rows are never deleted');
CREATE TRIGGER memberships_keep BEFORE DELETE ON memberships FOR EACH ROW
  EXECUTE FUNCTION imh_refuse('registry rows are never deleted');
CREATE TRIGGER renewals_keep BEFORE DELETE ON renewals FOR EACH ROW
  EXECUTE FUNCTION imh_refuse('registry rows are never deleted');
CREATE TRIGGER idempotency_keep BEFORE DELETE ON idempotency FOR EACH ROW
  EXECUTE FUNCTION imh_refuse('registry rows are never deleted');
CREATE TRIGGER status_history_keep BEFORE DELETE OR UPDATE ON status_history
  FOR EACH ROW EXECUTE FUNCTION imh_refuse('status history is append-only');
CREATE TRIGGER changes_keep BEFORE DELETE OR UPDATE ON changes FOR EACH ROW
  EXECUTE FUNCTION imh_refuse('the change feed is append-only');
CREATE TRIGGER audit_keep BEFORE DELETE OR UPDATE ON audit FOR EACH ROW
  EXECUTE FUNCTION imh_refuse('the audit log is append-only');
)sql",
    // 2
    R"sql(
ALTER TABLE endorsements ADD COLUMN lapses_on TEXT;
ALTER TABLE endorsements ADD COLUMN lapse_cause INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endorsements ADD COLUMN grant_kind INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endorsements ADD COLUMN application_id TEXT;
ALTER TABLE endorsements ADD COLUMN imported_at_us BIGINT;
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
ALTER TABLE status_history DISABLE TRIGGER status_history_keep;
ALTER TABLE status_history ADD COLUMN decision_id TEXT NOT NULL DEFAULT '';
ALTER TABLE status_history ADD COLUMN reviewers TEXT NOT NULL DEFAULT '';
ALTER TABLE status_history ENABLE TRIGGER status_history_keep;
ALTER TABLE renewals ADD COLUMN recorded_by TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX renewals_by_decision ON renewals(decision_id)
  WHERE decision_id <> '';
ALTER TABLE changes ADD COLUMN application_id TEXT;
CREATE TABLE applications (
  id BIGSERIAL PRIMARY KEY,
  application_id TEXT NOT NULL UNIQUE,
  person_id TEXT NOT NULL REFERENCES people(person_id),
  category TEXT NOT NULL,
  state INTEGER NOT NULL,
  decision_id TEXT NOT NULL UNIQUE,
  signed_decision BYTEA NOT NULL,
  valid_through TEXT NOT NULL,
  endorsement_id BIGINT REFERENCES endorsements(id),
  submitted_at_us BIGINT NOT NULL,
  submitted_by TEXT NOT NULL
);
CREATE INDEX applications_by_person ON applications(person_id, id);
CREATE INDEX applications_by_state ON applications(state, id);
CREATE TABLE reviews (
  application_id BIGINT NOT NULL REFERENCES applications(id),
  reviewer TEXT NOT NULL,
  verdict INTEGER NOT NULL,
  acknowledged TEXT NOT NULL,
  comment TEXT NOT NULL,
  reviewed_at_us BIGINT NOT NULL,
  PRIMARY KEY (application_id, reviewer)
);
CREATE TABLE lapse_runs (
  id BIGSERIAL PRIMARY KEY,
  as_of TEXT NOT NULL,
  runner TEXT NOT NULL,
  scheduled INTEGER NOT NULL,
  lapsed INTEGER NOT NULL,
  at_us BIGINT NOT NULL
);
CREATE INDEX lapse_runs_by_day ON lapse_runs(as_of, scheduled);
CREATE TRIGGER applications_keep BEFORE DELETE ON applications FOR EACH ROW
  EXECUTE FUNCTION imh_refuse('registry rows are never deleted');
CREATE TRIGGER reviews_keep BEFORE DELETE OR UPDATE ON reviews FOR EACH ROW
  EXECUTE FUNCTION imh_refuse('reviews are append-only');
CREATE TRIGGER lapse_runs_keep BEFORE DELETE OR UPDATE ON lapse_runs
  FOR EACH ROW EXECUTE FUNCTION imh_refuse('registry rows are never changed');
)sql",
    // 3
    R"sql(
ALTER TABLE changes ADD COLUMN endorsement_state BYTEA;
ALTER TABLE people ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN county_folded TEXT NOT NULL DEFAULT '';
)sql",
    // 4
    R"sql(
CREATE TABLE write_clock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  writes BIGINT NOT NULL
);
INSERT INTO write_clock VALUES (1, 0);
ALTER TABLE status_history DISABLE TRIGGER status_history_keep;
ALTER TABLE status_history ADD COLUMN write_no BIGINT NOT NULL DEFAULT 0;
ALTER TABLE status_history ENABLE TRIGGER status_history_keep;
CREATE TABLE endorsement_versions (
  endorsement_id BIGINT NOT NULL,
  replaced_by BIGINT NOT NULL,
  status INTEGER NOT NULL,
  status_since TEXT NOT NULL,
  next_cycle_year INTEGER NOT NULL,
  version BIGINT NOT NULL,
  lapses_on TEXT,
  grant_kind INTEGER NOT NULL,
  application_id TEXT,
  imported_at_us BIGINT,
  imported_by TEXT,
  PRIMARY KEY (endorsement_id, replaced_by)
);
CREATE TABLE people_versions (
  person_id TEXT NOT NULL,
  replaced_by BIGINT NOT NULL,
  display_name TEXT NOT NULL,
  county TEXT NOT NULL,
  membership_paid_through INTEGER NOT NULL,
  PRIMARY KEY (person_id, replaced_by)
);
CREATE FUNCTION imh_endorsement_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO endorsement_versions VALUES (OLD.id,
    (SELECT writes FROM write_clock), OLD.status, OLD.status_since,
    OLD.next_cycle_year, OLD.version, OLD.lapses_on, OLD.grant_kind,
    OLD.application_id, OLD.imported_at_us, OLD.imported_by)
    ON CONFLICT DO NOTHING;
  RETURN NEW;
END $$;
CREATE TRIGGER endorsements_versioned BEFORE UPDATE ON endorsements
  FOR EACH ROW EXECUTE FUNCTION imh_endorsement_version();
CREATE TRIGGER endorsements_identity_fixed BEFORE UPDATE OF number, person_id,
  category, granted_on ON endorsements FOR EACH ROW
  EXECUTE FUNCTION imh_refuse('an endorsement''s identity never changes');
CREATE FUNCTION imh_person_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO people_versions VALUES (OLD.person_id,
    (SELECT writes FROM write_clock), OLD.display_name, OLD.county,
    OLD.membership_paid_through)
    ON CONFLICT DO NOTHING;
  RETURN NEW;
END $$;
CREATE TRIGGER people_versioned BEFORE UPDATE OF display_name, county,
  membership_paid_through ON people FOR EACH ROW
  EXECUTE FUNCTION imh_person_version();
)sql",
    // 5: export pins.
    R"sql(
CREATE TABLE export_pins (
  id BIGSERIAL PRIMARY KEY,
  writes BIGINT NOT NULL,
  expires_us BIGINT NOT NULL
);
)sql",
    // 6: SQLite's name index loses its insert trigger; PostgreSQL's trigram
    // index is an ordinary index, kept by the engine.
    R"sql(
SELECT 1;
)sql",
};

}  // namespace

const char* PostgresMigrationSql(int version) {
  constexpr int kCount =
      sizeof(kPostgresMigrations) / sizeof(kPostgresMigrations[0]);
  return version >= 1 && version <= kCount ? kPostgresMigrations[version - 1]
                                           : nullptr;
}

const char* PostgresSearchIndexes() {
  return R"sql(
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX people_by_county ON people(county_folded);
CREATE INDEX people_names ON people USING gin (name_folded gin_trgm_ops);
)sql";
}

}  // namespace imh::registry

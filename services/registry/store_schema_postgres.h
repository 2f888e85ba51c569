#ifndef IMH_SERVICES_REGISTRY_STORE_SCHEMA_POSTGRES_H_
#define IMH_SERVICES_REGISTRY_STORE_SCHEMA_POSTGRES_H_

// The registry's migrations in PostgreSQL's dialect, numbered as SQLite's.

namespace imh::registry {

// Migration `version`'s statements; null past the last.
const char* PostgresMigrationSql(int version);
// The name and county search indexes, built once schema 3's folded columns
// are filled (pg_trgm in place of SQLite's FTS5 trigram table).
const char* PostgresSearchIndexes();

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_STORE_SCHEMA_POSTGRES_H_

#ifndef IMH_SERVICES_REGISTRY_SQL_POSTGRES_ENGINE_H_
#define IMH_SERVICES_REGISTRY_SQL_POSTGRES_ENGINE_H_

// The PostgreSQL engine of the sql layer, through libpqxx. Statements are
// prepared once per connection with their parameters renumbered ($N);
// parameters travel as text (blobs as bytea's hex form) and results come
// back as text, bytea decoded. A write transaction (IMMEDIATE) takes the
// registry's write lock, a transaction-scoped advisory lock, so that writes
// from every process on the database run one at a time, as on SQLite; a read
// transaction is one REPEATABLE READ snapshot.

#include <memory>
#include <string>

#include "services/registry/sql/sql.h"

namespace imh::registry::sql {

// The advisory lock every write transaction holds.
inline constexpr int64_t kWriteLockKey = 0x494d4852;  // "IMHR"

// Connects to `url` (postgresql://...; empty: the PG* environment); throws
// sql::Exception (kBusy when the server cannot be reached).
std::unique_ptr<DatabaseImpl> OpenPostgres(const std::string& url);

// Listens, on a connection of its own, for the commits write transactions
// announce on the database at `url` (LISTEN/NOTIFY); throws sql::Exception
// when it cannot connect.
std::unique_ptr<CommitSignal> ListenForCommits(const std::string& url);

}  // namespace imh::registry::sql

#endif  // IMH_SERVICES_REGISTRY_SQL_POSTGRES_ENGINE_H_

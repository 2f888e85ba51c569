#ifndef IMH_SERVICES_REGISTRY_SQL_SQLITE_ENGINE_H_
#define IMH_SERVICES_REGISTRY_SQL_SQLITE_ENGINE_H_

// The SQLite engine of the sql layer, through SQLiteCpp.

#include <memory>
#include <string>

#include "services/registry/sql/sql.h"

namespace imh::registry::sql {

// Opens `path` with sql::OPEN_* `flags`; throws sql::Exception.
std::unique_ptr<DatabaseImpl> OpenSqlite(const std::string& path, int flags);

}  // namespace imh::registry::sql

#endif  // IMH_SERVICES_REGISTRY_SQL_SQLITE_ENGINE_H_

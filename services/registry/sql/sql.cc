#include "services/registry/sql/sql.h"

#include "services/registry/sql/sqlite_engine.h"

namespace imh::registry::sql {

Database::Database(const std::string& path, int flags)
    : impl_(OpenSqlite(path, flags)) {}

Column Database::execAndGet(const std::string& sql) {
  std::shared_ptr<StatementImpl> statement = impl_->Prepare(sql);
  if (!statement->Step()) {
    throw Exception(ErrorKind::kOther, "no row: " + sql);
  }
  StatementImpl* raw = statement.get();
  return Column(raw, 0, std::move(statement));
}

Transaction::Transaction(Database& db, TransactionBehavior behavior) : db_(db) {
  db_.impl().Begin(behavior);
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_.impl().Rollback();
  } catch (const Exception&) {
    // Nothing to roll back (the engine ended it already).
  }
}

void Transaction::commit() {
  db_.impl().Commit();
  done_ = true;
}

}  // namespace imh::registry::sql

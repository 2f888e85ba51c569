#include "services/registry/sql/sqlite_engine.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <mutex>
#include <string>
#include <utility>

namespace imh::registry::sql {
namespace {

[[noreturn]] void Rethrow(const SQLite::Exception& error) {
  switch (error.getErrorCode()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Exception(ErrorKind::kBusy, error.what());
    case SQLITE_CONSTRAINT:
      throw Exception(ErrorKind::kConstraint, error.what());
    default:
      throw Exception(ErrorKind::kOther, error.what());
  }
}

// Runs `body`, turning SQLiteCpp's exceptions into sql::Exception.
template <typename Body>
auto Translated(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& error) {
    Rethrow(error);
  }
}

class SqliteStatement final : public StatementImpl {
 public:
  SqliteStatement(SQLite::Database& db, const std::string& sql)
      : statement_(Translated([&] { return SQLite::Statement(db, sql); })) {}

  void BindNull(int index) override {
    Translated([&] { statement_.bind(index); });
  }
  void BindInt64(int index, int64_t value) override {
    Translated([&] { statement_.bind(index, value); });
  }
  void BindDouble(int index, double value) override {
    Translated([&] { statement_.bind(index, value); });
  }
  void BindText(int index, const std::string& value) override {
    Translated([&] { statement_.bind(index, value); });
  }
  void BindText(int index, const char* value) override {
    Translated([&] { statement_.bind(index, value); });
  }
  void BindBlob(int index, std::string_view bytes) override {
    Translated([&] {
      statement_.bind(index, bytes.data(), static_cast<int>(bytes.size()));
    });
  }
  int ParameterIndex(const char* name) override {
    const int index = statement_.getIndex(name);
    if (index == 0) {
      throw Exception(ErrorKind::kOther,
                      std::string("no parameter ") + name + " in statement");
    }
    return index;
  }
  bool Step() override {
    return Translated([&] { return statement_.executeStep(); });
  }
  int Exec() override {
    return Translated([&] { return statement_.exec(); });
  }
  void Reset() override {
    Translated([&] { statement_.reset(); });
  }
  bool IsNull(int column) override {
    return Translated([&] { return statement_.isColumnNull(column); });
  }
  int64_t Int64(int column) override {
    return Translated([&] { return statement_.getColumn(column).getInt64(); });
  }
  double Double(int column) override {
    return Translated([&] { return statement_.getColumn(column).getDouble(); });
  }
  std::string_view Bytes(int column) override {
    return Translated([&] {
      SQLite::Column value = statement_.getColumn(column);
      // Read the bytes before their size: SQLite may convert in between.
      const char* bytes = static_cast<const char*>(value.getBlob());
      return std::string_view(bytes == nullptr ? "" : bytes,
                              static_cast<size_t>(value.getBytes()));
    });
  }

  ValueType Type(int column) override {
    return Translated([&] {
      switch (statement_.getColumn(column).getType()) {
        case SQLITE_INTEGER:
          return ValueType::kInteger;
        case SQLITE_FLOAT:
          return ValueType::kReal;
        case SQLITE_TEXT:
          return ValueType::kText;
        case SQLITE_BLOB:
          return ValueType::kBlob;
        default:
          return ValueType::kNull;
      }
    });
  }

 private:
  SQLite::Statement statement_;
};

class SqliteDatabase final : public DatabaseImpl {
 public:
  SqliteDatabase(const std::string& path, int flags)
      : db_(Translated(
            [&] { return SQLite::Database(path, ToSqlite(flags)); })) {}

  std::unique_ptr<StatementImpl> Prepare(const std::string& sql) override {
    return std::make_unique<SqliteStatement>(db_, sql);
  }
  int Exec(const std::string& sql) override {
    return Translated([&] { return db_.exec(sql); });
  }
  void Begin(TransactionBehavior behavior) override {
    Exec(behavior == TransactionBehavior::IMMEDIATE ? "BEGIN IMMEDIATE"
                                                    : "BEGIN");
  }
  void Commit() override { Exec("COMMIT"); }
  void Rollback() override { Exec("ROLLBACK"); }
  Engine engine() const override { return Engine::kSqlite; }

 private:
  static int ToSqlite(int flags) {
    int sqlite = 0;
    if (flags & OPEN_READONLY) sqlite |= SQLite::OPEN_READONLY;
    if (flags & OPEN_READWRITE) sqlite |= SQLite::OPEN_READWRITE;
    if (flags & OPEN_CREATE) sqlite |= SQLite::OPEN_CREATE;
    return sqlite;
  }

  SQLite::Database db_;
};

// Every connection is used by one thread at a time (the writer under its
// mutex, readers through the pool), so SQLite's own mutexes are pure cost; so
// is its global allocation counter, a mutex taken on every malloc. Must run
// before SQLite initialises; if something else initialised it first, SQLite
// refuses and keeps its safe defaults.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

}  // namespace

std::unique_ptr<DatabaseImpl> OpenSqlite(const std::string& path, int flags) {
  ConfigureSqliteOnce();
  return std::make_unique<SqliteDatabase>(path, flags);
}

}  // namespace imh::registry::sql

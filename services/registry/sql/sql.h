#ifndef IMH_SERVICES_REGISTRY_SQL_SQL_H_
#define IMH_SERVICES_REGISTRY_SQL_SQL_H_

// The registry store's one way to its database, whichever engine holds it:
// connections, prepared statements, columns and transactions with the names
// the store has always used (SQLiteCpp's), over an engine-specific
// implementation. Statements are written in the SQL both engines read;
// parameters are `?`, `?N` or `:name`. Every failure is an sql::Exception
// saying what kind it is; no engine's own exception leaves this layer.
//
// Like a SQLite connection, a Database and its statements are used by one
// thread at a time.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace imh::registry::sql {

enum class Engine { kSqlite, kPostgres };

enum class ErrorKind {
  // The database is busy or locked: trying again later may succeed.
  kBusy,
  // A constraint (unique, foreign key, check, a refusing trigger) refused.
  kConstraint,
  // Anything else: corruption, a full disk, a broken statement.
  kOther,
};

class Exception : public std::runtime_error {
 public:
  Exception(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// What a column of the current row holds.
enum class ValueType { kNull, kInteger, kReal, kText, kBlob };

enum class TransactionBehavior {
  DEFERRED,
  // Takes the right to write at once (SQLite's one writer; on other engines
  // the registry's write lock), so the transaction sees every write committed
  // before it and none while it runs.
  IMMEDIATE,
};

// What an engine provides. Column and parameter indexes are those of the
// public classes below (parameters from 1, columns from 0).
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void BindNull(int index) = 0;
  virtual void BindInt64(int index, int64_t value) = 0;
  virtual void BindDouble(int index, double value) = 0;
  virtual void BindText(int index, const std::string& value) = 0;
  virtual void BindText(int index, const char* value) = 0;
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  // The index of the parameter `:name` (name with its colon).
  virtual int ParameterIndex(const char* name) = 0;
  virtual bool Step() = 0;
  // Runs a statement that returns no rows; the rows it changed.
  virtual int Exec() = 0;
  virtual void Reset() = 0;
  virtual bool IsNull(int column) = 0;
  virtual int64_t Int64(int column) = 0;
  virtual double Double(int column) = 0;
  // Text, or a blob's bytes; valid until the next Step or Reset.
  virtual std::string_view Bytes(int column) = 0;
  virtual ValueType Type(int column) = 0;
};

class DatabaseImpl {
 public:
  virtual ~DatabaseImpl() = default;
  virtual std::unique_ptr<StatementImpl> Prepare(const std::string& sql) = 0;
  // Runs one or more statements separated by semicolons.
  virtual int Exec(const std::string& sql) = 0;
  virtual void Begin(TransactionBehavior behavior) = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;
  virtual Engine engine() const = 0;
  // In a write transaction: tells the processes listening for commits on
  // this database (CommitSignal) when it commits. A no-op where only one
  // process writes (SQLite).
  virtual void AnnounceCommit() {}
  // After rows were inserted with their ids given: the ids the engine hands
  // out next follow the largest in each table. A no-op where ids always do
  // (SQLite).
  virtual void RestartIdSequences() {}
};

// Tells one process of the commits other processes announce on the same
// database (DatabaseImpl::AnnounceCommit).
class CommitSignal {
 public:
  virtual ~CommitSignal() = default;
  // Blocks until an announced commit arrives or `timeout_ms` passes; true
  // when one arrived. Throws sql::Exception when its connection fails.
  virtual bool Wait(int timeout_ms) = 0;
};

// One column of the current row.
class Column {
 public:
  Column(StatementImpl* statement, int index,
         std::shared_ptr<StatementImpl> owner = nullptr)
      : statement_(statement), index_(index), owner_(std::move(owner)) {}
  bool isNull() const { return statement_->IsNull(index_); }
  int getInt() const { return static_cast<int>(statement_->Int64(index_)); }
  int64_t getInt64() const { return statement_->Int64(index_); }
  double getDouble() const { return statement_->Double(index_); }
  std::string getString() const {
    return std::string(statement_->Bytes(index_));
  }
  // The value's bytes without a copy, valid until the statement steps,
  // resets or is destroyed.
  std::string_view getView() const { return statement_->Bytes(index_); }
  const void* getBlob() const { return statement_->Bytes(index_).data(); }
  int getBytes() const {
    return static_cast<int>(statement_->Bytes(index_).size());
  }
  ValueType type() const { return statement_->Type(index_); }
  operator std::string() const { return getString(); }  // NOLINT

 private:
  StatementImpl* statement_;
  int index_;
  // Keeps an execAndGet statement alive as long as its column.
  std::shared_ptr<StatementImpl> owner_;
};

// SQLite's open flags; other engines ignore them.
inline constexpr int OPEN_READONLY = 0x1;
inline constexpr int OPEN_READWRITE = 0x2;
inline constexpr int OPEN_CREATE = 0x4;

class Database {
 public:
  // Opens a SQLite file; throws sql::Exception when it cannot.
  Database(const std::string& path, int flags);
  explicit Database(std::unique_ptr<DatabaseImpl> impl)
      : impl_(std::move(impl)) {}
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int exec(const std::string& sql) { return impl_->Exec(sql); }
  // The first column of the first row of `sql`.
  Column execAndGet(const std::string& sql);
  Engine engine() const { return impl_->engine(); }
  void announceCommit() { impl_->AnnounceCommit(); }
  void restartIdSequences() { impl_->RestartIdSequences(); }
  DatabaseImpl& impl() { return *impl_; }

 private:
  std::unique_ptr<DatabaseImpl> impl_;
};

class Statement {
 public:
  Statement(Database& db, const std::string& sql)
      : impl_(db.impl().Prepare(sql)) {}

  void bind(int index) { impl_->BindNull(index); }
  void bind(int index, int value) { impl_->BindInt64(index, value); }
  void bind(int index, int64_t value) { impl_->BindInt64(index, value); }
  void bind(int index, double value) { impl_->BindDouble(index, value); }
  void bind(int index, const std::string& value) {
    impl_->BindText(index, value);
  }
  void bind(int index, const char* value) { impl_->BindText(index, value); }
  // A blob.
  void bind(int index, const void* bytes, int size) {
    impl_->BindBlob(index,
                    std::string_view(static_cast<const char*>(bytes), size));
  }
  template <typename... Value>
  void bind(const char* name, Value&&... value) {
    bind(impl_->ParameterIndex(name), std::forward<Value>(value)...);
  }

  // Steps to the next row; false when there is none.
  bool executeStep() { return impl_->Step(); }
  // Runs a statement that returns no rows; the rows it changed.
  int exec() { return impl_->Exec(); }
  // Back to before the first step; bindings are kept.
  void reset() { impl_->Reset(); }
  Column getColumn(int index) { return Column(impl_.get(), index); }

 private:
  std::unique_ptr<StatementImpl> impl_;
};

// Begins on construction, rolls back on destruction unless committed.
class Transaction {
 public:
  Transaction(Database& db,
              TransactionBehavior behavior = TransactionBehavior::DEFERRED);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace imh::registry::sql

#endif  // IMH_SERVICES_REGISTRY_SQL_SQL_H_

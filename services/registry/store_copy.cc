#include "services/registry/store_copy.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/digest.h"
#include "services/registry/sql/postgres_engine.h"
#include "services/registry/store.h"
#include "services/registry/store_internal.h"

namespace imh::registry {
namespace {

// Rows per INSERT: one round trip for many rows, within both engines'
// limits on parameters.
constexpr int kBatchRows = 200;

// Filled by the migrations themselves: its one row is updated, not added.
constexpr char kWriteClock[] = "write_clock";

std::unique_ptr<sql::Database> OpenDatabase(const std::string& path,
                                            bool writable) {
  if (IsPostgresUrl(path)) {
    return std::make_unique<sql::Database>(sql::OpenPostgres(path));
  }
  return std::make_unique<sql::Database>(
      path, writable ? sql::OPEN_READWRITE : sql::OPEN_READONLY);
}

// The table's columns in the SQLite registry, in their order.
std::vector<std::string> ColumnsOf(sql::Database& sqlite,
                                   const std::string& table) {
  sql::Statement columns(sqlite,
                         "SELECT name FROM pragma_table_info(?) ORDER BY cid");
  columns.bind(1, table);
  std::vector<std::string> names;
  while (columns.executeStep()) names.push_back(columns.getColumn(0));
  if (names.empty()) {
    throw sql::Exception(sql::ErrorKind::kOther,
                         absl::StrCat("the source has no table ", table));
  }
  return names;
}

std::string SelectAll(const std::string& table,
                      const std::vector<std::string>& columns) {
  return absl::StrCat("SELECT ", absl::StrJoin(columns, ", "), " FROM ", table);
}

// INSERT of `rows` rows of `columns`.
std::string InsertRows(const std::string& table,
                       const std::vector<std::string>& columns, int rows) {
  std::vector<std::string> one(columns.size(), "?");
  const std::string tuple = absl::StrCat("(", absl::StrJoin(one, ", "), ")");
  std::vector<std::string> tuples(rows, tuple);
  return absl::StrCat("INSERT INTO ", table, " (", absl::StrJoin(columns, ", "),
                      ") VALUES ", absl::StrJoin(tuples, ", "));
}

// One column's value, as the type it holds.
struct Value {
  sql::ValueType type = sql::ValueType::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string bytes;  // text or blob
};

Value ReadValue(sql::Statement& row, int column) {
  const sql::Column column_value = row.getColumn(column);
  Value value;
  value.type = column_value.type();
  switch (value.type) {
    case sql::ValueType::kNull:
      break;
    case sql::ValueType::kInteger:
      value.integer = column_value.getInt64();
      break;
    case sql::ValueType::kReal:
      value.real = column_value.getDouble();
      break;
    case sql::ValueType::kText:
    case sql::ValueType::kBlob:
      value.bytes = column_value.getString();
      break;
  }
  return value;
}

void Bind(sql::Statement& statement, int index, const Value& value) {
  switch (value.type) {
    case sql::ValueType::kNull:
      statement.bind(index);
      break;
    case sql::ValueType::kInteger:
      statement.bind(index, value.integer);
      break;
    case sql::ValueType::kReal:
      statement.bind(index, value.real);
      break;
    case sql::ValueType::kText:
      statement.bind(index, value.bytes);
      break;
    case sql::ValueType::kBlob:
      statement.bind(index, value.bytes.data(),
                     static_cast<int>(value.bytes.size()));
      break;
  }
}

// Inserts the buffered rows (each `width` values), in one statement.
void InsertBuffered(sql::Database& destination, const std::string& table,
                    const std::vector<std::string>& columns,
                    std::vector<Value>& buffered,
                    std::unique_ptr<sql::Statement>& full_batch) {
  const int width = static_cast<int>(columns.size());
  const int rows = static_cast<int>(buffered.size()) / width;
  if (rows == 0) return;
  std::unique_ptr<sql::Statement> partial;
  sql::Statement* insert = nullptr;
  if (rows == kBatchRows) {
    if (!full_batch) {
      full_batch = std::make_unique<sql::Statement>(
          destination, InsertRows(table, columns, kBatchRows));
    }
    insert = full_batch.get();
  } else {
    partial = std::make_unique<sql::Statement>(
        destination, InsertRows(table, columns, rows));
    insert = partial.get();
  }
  for (size_t i = 0; i < buffered.size(); ++i) {
    Bind(*insert, static_cast<int>(i) + 1, buffered[i]);
  }
  insert->exec();
  insert->reset();
  buffered.clear();
}

int64_t CopyTable(sql::Database& source, sql::Database& destination,
                  const std::string& table) {
  const std::vector<std::string> columns = ColumnsOf(source, table);
  const int width = static_cast<int>(columns.size());
  sql::Statement rows(source, SelectAll(table, columns));
  int64_t copied = 0;
  if (table == kWriteClock) {
    sql::Statement set(destination, "UPDATE write_clock SET writes = ?");
    while (rows.executeStep()) {
      Bind(set, 1, ReadValue(rows, 1));
      copied += set.exec();
      set.reset();
    }
    return copied;
  }
  std::unique_ptr<sql::Statement> full_batch;
  std::vector<Value> buffered;
  buffered.reserve(static_cast<size_t>(kBatchRows) * width);
  while (rows.executeStep()) {
    for (int c = 0; c < width; ++c) buffered.push_back(ReadValue(rows, c));
    ++copied;
    if (static_cast<int>(buffered.size()) == kBatchRows * width) {
      InsertBuffered(destination, table, columns, buffered, full_batch);
    }
  }
  InsertBuffered(destination, table, columns, buffered, full_batch);
  return copied;
}

struct TableDigest {
  int64_t rows = 0;
  uint64_t sum = 0;
  uint64_t exclusive_or = 0;
};

// Every row's values (type class and content, length-prefixed), hashed, and
// the hashes combined in an order-independent way: the engines may return
// rows in different orders and sort text differently.
TableDigest DigestTable(sql::Database& db, const std::string& table,
                        const std::vector<std::string>& columns) {
  sql::Statement rows(db, SelectAll(table, columns));
  TableDigest digest;
  std::string canonical;
  while (rows.executeStep()) {
    canonical.clear();
    for (int c = 0; c < static_cast<int>(columns.size()); ++c) {
      const Value value = ReadValue(rows, c);
      switch (value.type) {
        case sql::ValueType::kNull:
          canonical += "N;";
          break;
        case sql::ValueType::kInteger:
          absl::StrAppend(&canonical, "I", value.integer, ";");
          break;
        case sql::ValueType::kReal:
          absl::StrAppend(&canonical, "R", absl::StrFormat("%.17g", value.real),
                          ";");
          break;
        case sql::ValueType::kText:
        case sql::ValueType::kBlob:
          absl::StrAppend(&canonical,
                          value.type == sql::ValueType::kText ? "T" : "B",
                          value.bytes.size(), ":", value.bytes, ";");
          break;
      }
    }
    const uint64_t hash = Fnv1a64(canonical);
    ++digest.rows;
    digest.sum += hash;
    digest.exclusive_or ^= hash * 0x9E3779B97F4A7C15ULL;
  }
  return digest;
}

std::vector<TableComparison> Compare(sql::Database& source,
                                     sql::Database& destination) {
  std::vector<TableComparison> comparisons;
  for (const std::string& table : RegistryTables()) {
    const std::vector<std::string> columns = ColumnsOf(source, table);
    const TableDigest from = DigestTable(source, table, columns);
    const TableDigest to = DigestTable(destination, table, columns);
    TableComparison& comparison = comparisons.emplace_back();
    comparison.table = table;
    comparison.source_rows = from.rows;
    comparison.destination_rows = to.rows;
    comparison.same = from.rows == to.rows && from.sum == to.sum &&
                      from.exclusive_or == to.exclusive_or;
  }
  return comparisons;
}

absl::Status CheckSame(const std::vector<TableComparison>& comparisons) {
  std::vector<std::string> differing;
  for (const TableComparison& table : comparisons) {
    if (!table.same) {
      differing.push_back(absl::StrCat(table.table, " (", table.source_rows,
                                       " rows, ", table.destination_rows,
                                       " in the destination)"));
    }
  }
  if (differing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the registries differ in ", absl::StrJoin(differing, ", ")));
}

// Both at this build's schema: opening a store migrates it.
absl::Status Migrate(const std::string& path, const imh::Rulebook& rulebook) {
  StoreOptions options;
  options.path = path;
  absl::StatusOr<std::unique_ptr<RegistryStore>> store =
      RegistryStore::Open(options, &rulebook);
  return store.status();
}

}  // namespace

const std::vector<std::string>& RegistryTables() {
  static const auto* const kTables =
      new std::vector<std::string>{"people",         "endorsements",
                                   "status_history", "memberships",
                                   "renewals",       "changes",
                                   "audit",          "idempotency",
                                   "applications",   "reviews",
                                   "lapse_runs",     kWriteClock,
                                   "export_pins",    "endorsement_versions",
                                   "people_versions"};
  return *kTables;
}

absl::StatusOr<std::vector<TableComparison>> CopyRegistry(
    const std::string& source, const std::string& destination,
    const imh::Rulebook& rulebook) {
  if (IsPostgresUrl(source)) {
    return absl::InvalidArgumentError(
        "the source is a SQLite registry file, not a PostgreSQL URL");
  }
  if (absl::Status migrated = Migrate(source, rulebook); !migrated.ok()) {
    return migrated;
  }
  if (absl::Status migrated = Migrate(destination, rulebook); !migrated.ok()) {
    return migrated;
  }
  try {
    std::unique_ptr<sql::Database> from = OpenDatabase(source, false);
    std::unique_ptr<sql::Database> to = OpenDatabase(destination, true);
    {
      // One snapshot of the source; the destination's write lock.
      sql::Transaction reading(*from);
      sql::Transaction writing(*to, sql::TransactionBehavior::IMMEDIATE);
      for (const std::string& table : RegistryTables()) {
        if (table == kWriteClock) continue;
        const int64_t rows =
            to->execAndGet(absl::StrCat("SELECT COUNT(*) FROM ", table))
                .getInt64();
        if (rows > 0) {
          return absl::FailedPreconditionError(absl::StrCat(
              destination, " is not empty (", rows, " rows in ", table,
              "): a registry is copied only into an empty one"));
        }
      }
      for (const std::string& table : RegistryTables()) {
        CopyTable(*from, *to, table);
      }
      to->restartIdSequences();
      IndexNamesAfter(*to, 0);
      std::vector<TableComparison> comparisons = Compare(*from, *to);
      if (absl::Status same = CheckSame(comparisons); !same.ok()) {
        return same;  // Rolled back.
      }
      writing.commit();
      return comparisons;
    }
  } catch (const std::exception& error) {
    return FromSqlite(error, absl::StrCat("copying ", source));
  }
}

absl::StatusOr<std::vector<TableComparison>> CompareRegistries(
    const std::string& source, const std::string& destination) {
  try {
    std::unique_ptr<sql::Database> from = OpenDatabase(source, false);
    std::unique_ptr<sql::Database> to = OpenDatabase(destination, false);
    sql::Transaction reading_from(*from);
    sql::Transaction reading_to(*to);
    return Compare(*from, *to);
  } catch (const std::exception& error) {
    return FromSqlite(
        error, absl::StrCat("comparing ", source, " with ", destination));
  }
}

}  // namespace imh::registry

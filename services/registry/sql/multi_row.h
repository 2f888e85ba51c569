#ifndef IMH_SERVICES_REGISTRY_SQL_MULTI_ROW_H_
#define IMH_SERVICES_REGISTRY_SQL_MULTI_ROW_H_

// One statement shape run over many rows, a bounded number of rows per
// statement: an INSERT of many rows in a few multi-row statements, or a
// lookup of many keys in a few `IN (...)` lists. A statement per row costs
// its own setup, its own end (with the savepoint of an INSERT) and, on a
// server engine, its own round trip; a statement per hundred rows does not.

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>

#include "services/registry/sql/sql.h"

namespace imh::registry::sql {

class MultiRow {
 public:
  // Rows (or keys) per statement: well under either engine's limit of bound
  // parameters for every statement the store runs this way.
  static constexpr size_t kRowsPerStatement = 100;

  // The statement is `head`, then `rows` copies of `row` separated by ", ",
  // then `tail`: ("INSERT INTO t (a, b) VALUES ", "(?, ?)", " RETURNING id")
  // or ("SELECT a FROM t WHERE a IN (", "?", ")"). `row` holds the
  // parameters of one row, as `?`. `db` must outlive this.
  MultiRow(Database& db, std::string head, std::string row, std::string tail);
  MultiRow(const MultiRow&) = delete;
  MultiRow& operator=(const MultiRow&) = delete;

  // Runs the statement over rows [0, count) in order, at most
  // kRowsPerStatement at a time. `bind(statement, row, first)` binds row
  // `row`'s parameters from index `first` on; `read(statement)` is called for
  // each result row. Leaves no statement pending. Throws sql::Exception.
  template <typename Bind, typename Read>
  void Run(size_t count, Bind bind, Read read) {
    for (size_t first_row = 0; first_row < count;
         first_row += kRowsPerStatement) {
      const size_t rows = std::min(kRowsPerStatement, count - first_row);
      Statement& statement = For(rows);
      statement.reset();
      for (size_t r = 0; r < rows; ++r) {
        bind(statement, first_row + r, static_cast<int>(r) * per_row_ + 1);
      }
      while (statement.executeStep()) read(statement);
      statement.reset();
    }
  }

  // Run for a statement that returns no rows.
  template <typename Bind>
  void Run(size_t count, Bind bind) {
    Run(count, bind, [](Statement&) {});
  }

  // Parameters per row.
  int per_row() const { return per_row_; }

 private:
  // The statement for `rows` rows: the full-size one is kept, as is the last
  // smaller one.
  Statement& For(size_t rows);

  Database& db_;
  const std::string head_, row_, tail_;
  const int per_row_;
  std::unique_ptr<Statement> full_;
  std::unique_ptr<Statement> partial_;
  size_t partial_rows_ = 0;
};

}  // namespace imh::registry::sql

#endif  // IMH_SERVICES_REGISTRY_SQL_MULTI_ROW_H_

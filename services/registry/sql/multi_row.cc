#include "services/registry/sql/multi_row.h"

#include <utility>

namespace imh::registry::sql {

MultiRow::MultiRow(Database& db, std::string head, std::string row,
                   std::string tail)
    : db_(db),
      head_(std::move(head)),
      row_(std::move(row)),
      tail_(std::move(tail)),
      per_row_(static_cast<int>(std::count(row_.begin(), row_.end(), '?'))) {}

Statement& MultiRow::For(size_t rows) {
  std::unique_ptr<Statement>& slot =
      rows == kRowsPerStatement ? full_ : partial_;
  if (slot == nullptr || (&slot == &partial_ && partial_rows_ != rows)) {
    std::string sql = head_;
    sql.reserve(head_.size() + rows * (row_.size() + 2) + tail_.size());
    for (size_t r = 0; r < rows; ++r) {
      if (r > 0) sql.append(", ");
      sql.append(row_);
    }
    sql.append(tail_);
    slot = std::make_unique<Statement>(db_, sql);
    if (&slot == &partial_) partial_rows_ = rows;
  }
  return *slot;
}

}  // namespace imh::registry::sql

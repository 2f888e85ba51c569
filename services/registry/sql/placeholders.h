#ifndef IMH_SERVICES_REGISTRY_SQL_PLACEHOLDERS_H_
#define IMH_SERVICES_REGISTRY_SQL_PLACEHOLDERS_H_

// The store writes parameters as SQLite reads them (`?`, `?N`, `:name`);
// PostgreSQL reads `$N`. This rewrites one into the other, leaving quoted
// text, quoted identifiers and comments alone.

#include <string>
#include <string_view>
#include <vector>

namespace imh::registry::sql {

struct NumberedStatement {
  std::string sql;
  // The number of parameters ($1..$count).
  int count = 0;
  // names[i]: the `:name` (with its colon) that became $(i+1), or empty.
  std::vector<std::string> names;
};

// `?` takes the number after the largest so far (SQLite's rule), `?N` is N,
// and each distinct `:name` takes the next number at its first use.
NumberedStatement NumberPlaceholders(std::string_view sql);

}  // namespace imh::registry::sql

#endif  // IMH_SERVICES_REGISTRY_SQL_PLACEHOLDERS_H_

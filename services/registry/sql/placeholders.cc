#include "services/registry/sql/placeholders.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"

namespace imh::registry::sql {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace

NumberedStatement NumberPlaceholders(std::string_view sql) {
  NumberedStatement out;
  out.sql.reserve(sql.size() + 16);
  auto number_of = [&](int n) {
    if (n > out.count) {
      out.count = n;
      out.names.resize(n);
    }
    absl::StrAppend(&out.sql, "$", n);
  };
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // Quoted: copied as it is, '' included.
      const size_t end = sql.find(c, i + 1);
      const size_t stop = end == std::string_view::npos ? sql.size() : end + 1;
      out.sql.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.sql.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '?') {
      size_t j = i + 1;
      int n = 0;
      while (j < sql.size() &&
             std::isdigit(static_cast<unsigned char>(sql[j]))) {
        n = n * 10 + (sql[j] - '0');
        ++j;
      }
      number_of(j == i + 1 ? out.count + 1 : n);
      i = j;
    } else if (c == ':' && i + 1 < sql.size() && IsNameChar(sql[i + 1]) &&
               !(i > 0 && sql[i - 1] == ':')) {  // Not a `::type` cast.
      size_t j = i + 1;
      while (j < sql.size() && IsNameChar(sql[j])) ++j;
      const std::string name(sql.substr(i, j - i));
      const auto known = std::find(out.names.begin(), out.names.end(), name);
      if (known != out.names.end()) {
        absl::StrAppend(&out.sql, "$", known - out.names.begin() + 1);
      } else {
        const int n = out.count + 1;
        number_of(n);
        out.names[n - 1] = name;
      }
      i = j;
    } else {
      out.sql.push_back(c);
      ++i;
    }
  }
  return out;
}

}  // namespace imh::registry::sql

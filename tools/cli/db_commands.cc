// `imh db copy` and `imh db compare`: a registry moved from its SQLite file
// to PostgreSQL, on the databases themselves (both registries stopped).

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/rulebook/rulebook.h"
#include "services/registry/store_copy.h"
#include "tools/cli/commands.h"

namespace imh::tools {
namespace {

// One line per table (a JSON object with --json); kExitDone when every
// table is the same on both sides.
int PrintComparisons(const ClientOptions& options,
                     const std::vector<registry::TableComparison>& tables) {
  bool all_same = true;
  if (options.json) std::cout << "{\"tables\":[";
  for (size_t i = 0; i < tables.size(); ++i) {
    const registry::TableComparison& table = tables[i];
    all_same = all_same && table.same;
    if (options.json) {
      std::cout << (i > 0 ? "," : "")
                << absl::StrFormat(
                       "{\"table\":\"%s\",\"sourceRows\":%d,"
                       "\"destinationRows\":%d,\"same\":%s}",
                       table.table, table.source_rows, table.destination_rows,
                       table.same ? "true" : "false");
    } else {
      std::cout << absl::StrFormat(
          "%-22s %10d rows  %s\n", table.table, table.source_rows,
          table.same ? "same"
                     : absl::StrCat("DIFFERENT (", table.destination_rows,
                                    " rows in the copy)"));
    }
  }
  if (options.json) {
    std::cout << "],\"same\":" << (all_same ? "true" : "false") << "}\n";
  }
  return all_same ? kExitDone : kExitRefused;
}

}  // namespace

int CopyRegistryDatabase(const ClientOptions& options, const std::string& from,
                         const std::string& to,
                         const std::string& rulebook_path) {
  absl::StatusOr<Rulebook> rulebook = LoadRulebookOrDefault(rulebook_path);
  if (!rulebook.ok()) return ReportError("rulebook", rulebook.status());
  absl::StatusOr<std::vector<registry::TableComparison>> copied =
      registry::CopyRegistry(from, to, *rulebook);
  if (!copied.ok()) return ReportError("db copy", copied.status());
  const int code = PrintComparisons(options, *copied);
  if (!options.json) {
    std::cout << "copied " << from << " into the registry at the destination;"
              << " every table compared equal\n";
  }
  return code;
}

int CompareRegistryDatabases(const ClientOptions& options,
                             const std::string& from, const std::string& to) {
  absl::StatusOr<std::vector<registry::TableComparison>> compared =
      registry::CompareRegistries(from, to);
  if (!compared.ok()) return ReportError("db compare", compared.status());
  return PrintComparisons(options, *compared);
}

}  // namespace imh::tools

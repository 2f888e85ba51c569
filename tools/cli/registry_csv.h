#ifndef IMH_TOOLS_CLI_REGISTRY_CSV_H_
#define IMH_TOOLS_CLI_REGISTRY_CSV_H_

// The registry as CSV (RFC 4180: comma-separated, fields with commas, quotes
// or line breaks in double quotes, quotes doubled), one endorsement per row:
//
//   person_id,display_name,county,membership_paid_through_year,
//   endorsement_number,category,granted_on,status,status_since,
//   next_renewal_cycle_year,history
//
// Dates are YYYY-MM-DD. status, status_since and next_renewal_cycle_year are
// written on export and ignored on import (the registry derives them).
// history is the protobuf JSON of the dated status changes
// ([{"status":"ENDORSEMENT_STATUS_ACTIVE","effectiveOn":{...},...}]); empty
// on import means ACTIVE since granted_on. Export then import gives back the
// same registry.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "imh/registry/v1/endorsement.pb.h"

namespace imh::tools {

// The header line, with its line break.
std::string RegistryCsvHeader();

// One row, with its line break.
std::string RegistryCsvRow(const registry::v1::RegistryRecord& record);

struct CsvRecord {
  // The line of the file the row starts on (the header is line 1).
  int line = 0;
  registry::v1::RegistryRecord record;
};

// Every row of `text`, which must start with the header (columns in any
// order; unknown columns are an error). InvalidArgument naming the line and
// column of the first malformed row, bad number, bad date or bad history.
absl::StatusOr<std::vector<CsvRecord>> ParseRegistryCsv(absl::string_view text);

// The fields of each row of `text` (RFC 4180), with the line each row starts
// on. InvalidArgument for an unterminated quote or a stray one.
struct CsvRow {
  int line = 0;
  std::vector<std::string> fields;
};
absl::StatusOr<std::vector<CsvRow>> SplitCsv(absl::string_view text);

}  // namespace imh::tools

#endif  // IMH_TOOLS_CLI_REGISTRY_CSV_H_

#ifndef IMH_SERVICES_REGISTRY_STORE_COPY_H_
#define IMH_SERVICES_REGISTRY_STORE_COPY_H_

// Moving a registry from its SQLite file to another database (PostgreSQL,
// when one file is no longer enough), with everything it holds: people,
// endorsements and their whole status history, memberships, renewals,
// applications and reviews, the change feed (same sequence numbers, so
// consumers resume where they were), the audit trail, idempotency records,
// lapse runs, row versions and the write clock. Ids are kept, and the
// destination hands out ids after them. The search index is the engine's
// own and is rebuilt by it.
//
// Both registries must be stopped (no registry process on either) while
// this runs.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/rulebook/rulebook.h"

namespace imh::registry {

// One table on both sides: rows, and an order-independent digest of every
// row's every column (value and type class: integer, real, text, blob,
// null).
struct TableComparison {
  std::string table;
  int64_t source_rows = 0;
  int64_t destination_rows = 0;
  bool same = false;
};

// The registry's tables, in the order a copy fills them (references first).
const std::vector<std::string>& RegistryTables();

// Copies the SQLite registry at `source` (a file; migrated to this build's
// schema first, in place) into the registry at `destination` (a SQLite path
// or a postgresql:// URL), which is created if missing and must hold no
// registry rows; then compares every table (CompareRegistries). All of it in
// one destination transaction: a failure leaves the destination empty.
// FailedPrecondition when the destination is not empty or the two differ
// after copying; Unavailable/Internal on a storage fault.
absl::StatusOr<std::vector<TableComparison>> CopyRegistry(
    const std::string& source, const std::string& destination,
    const imh::Rulebook& rulebook);

// Compares every table of the SQLite registry at `source` with the registry
// at `destination` (both at this build's schema).
absl::StatusOr<std::vector<TableComparison>> CompareRegistries(
    const std::string& source, const std::string& destination);

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_STORE_COPY_H_

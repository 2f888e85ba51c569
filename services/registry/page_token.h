#ifndef IMH_SERVICES_REGISTRY_PAGE_TOKEN_H_
#define IMH_SERVICES_REGISTRY_PAGE_TOKEN_H_

// Opaque page tokens for ListEndorsements. A token names the last row served
// and is bound to the filters it was made for, so that it cannot silently be
// replayed against different ones. Keyset paging: no cap on how deep one goes,
// and rows added meanwhile are neither skipped nor repeated.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imh::registry {

struct PageCursor {
  // Rows with a greater id come next.
  int64_t after_id = 0;
  // Digest of the filters the token was issued for.
  uint64_t filter_digest = 0;
};

std::string EncodePageToken(const PageCursor& cursor);

// InvalidArgument for anything EncodePageToken did not produce (any bytes at
// all may arrive here: never crashes, never reads out of bounds).
absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token);

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_PAGE_TOKEN_H_

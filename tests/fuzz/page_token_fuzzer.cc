// Page tokens arrive from callers as any bytes at all. DecodePageToken must
// refuse what EncodePageToken did not make, and what it accepts must encode
// back to a token naming the same cursor.

#include <cstddef>
#include <cstdint>
#include <string>

#include "services/registry/page_token.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string token(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<imh::registry::PageCursor> cursor =
      imh::registry::DecodePageToken(token);
  if (!cursor.ok()) {
    if (cursor.status().code() != absl::StatusCode::kInvalidArgument) {
      imh::fuzz::InvariantBroken("a bad token is not InvalidArgument");
    }
    return 0;
  }
  const absl::StatusOr<imh::registry::PageCursor> again =
      imh::registry::DecodePageToken(imh::registry::EncodePageToken(*cursor));
  if (!again.ok() || again->after_id != cursor->after_id ||
      again->filter_digest != cursor->filter_digest) {
    imh::fuzz::InvariantBroken("an accepted token does not round-trip");
  }
  return 0;
}

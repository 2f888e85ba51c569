#include "services/registry/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace imh::registry {
namespace {

constexpr absl::string_view kVersion = "p1";
constexpr size_t kMaxTokenLength = 128;

absl::Status Malformed() {
  return absl::InvalidArgumentError("not a page token from this registry");
}

}  // namespace

std::string EncodePageToken(const PageCursor& cursor) {
  return absl::WebSafeBase64Escape(absl::StrFormat(
      "%s:%d:%016x", kVersion, cursor.after_id, cursor.filter_digest));
}

absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token) {
  if (token.size() > kMaxTokenLength) return Malformed();
  std::string plain;
  if (!absl::WebSafeBase64Unescape(token, &plain)) return Malformed();
  const std::vector<absl::string_view> parts = absl::StrSplit(plain, ':');
  if (parts.size() != 3 || parts[0] != kVersion || parts[2].size() != 16) {
    return Malformed();
  }
  PageCursor cursor;
  if (!absl::SimpleAtoi(parts[1], &cursor.after_id) || cursor.after_id < 0 ||
      !absl::SimpleHexAtoi(parts[2], &cursor.filter_digest)) {
    return Malformed();
  }
  return cursor;
}

}  // namespace imh::registry

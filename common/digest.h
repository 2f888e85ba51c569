#ifndef IMH_COMMON_DIGEST_H_
#define IMH_COMMON_DIGEST_H_

// A stable, non-cryptographic 64-bit digest (FNV-1a): the same bytes give the
// same value in every process and release, unlike absl::Hash. For detecting a
// changed request or filter, never for security.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace imh {

uint64_t Fnv1a64(absl::string_view bytes);

// Fnv1a64 as 16 lower-case hex digits.
std::string Fnv1a64Hex(absl::string_view bytes);

// SHA-256 of `bytes` as 64 lower-case hex digits: for digests that stand in
// for personal data in logs, where a short hash could be guessed back.
std::string Sha256Hex(absl::string_view bytes);

// SHA-256 of the file at `path`, read in pieces (any size, little memory),
// and its size. NotFound when it cannot be opened; Internal on a read error.
struct FileDigest {
  std::string sha256_hex;
  int64_t bytes = 0;
};
absl::StatusOr<FileDigest> Sha256OfFile(const std::string& path);

}  // namespace imh

#endif  // IMH_COMMON_DIGEST_H_

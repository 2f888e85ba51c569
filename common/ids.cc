#include "common/ids.h"

#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"

namespace imh {

std::string NewId(absl::string_view prefix) {
  thread_local absl::BitGen bits;
  const uint64_t high = absl::Uniform<uint64_t>(bits);
  const uint64_t low = absl::Uniform<uint64_t>(bits);
  return absl::StrFormat("%s%016x%016x", prefix, high, low);
}

}  // namespace imh

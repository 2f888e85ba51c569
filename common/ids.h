#ifndef IMH_COMMON_IDS_H_
#define IMH_COMMON_IDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace imh {

// `prefix` followed by 32 random lower-case hex digits (128 bits): decision
// and request ids that never repeat in practice and say nothing about the
// request.
std::string NewId(absl::string_view prefix);

}  // namespace imh

#endif  // IMH_COMMON_IDS_H_

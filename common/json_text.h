#ifndef IMH_COMMON_JSON_TEXT_H_
#define IMH_COMMON_JSON_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace imh {

// Appends `value` to `out` as a JSON string literal, quotes included, with
// quotes, backslashes and control characters escaped.
void AppendJsonString(std::string& out, absl::string_view value);

}  // namespace imh

#endif  // IMH_COMMON_JSON_TEXT_H_

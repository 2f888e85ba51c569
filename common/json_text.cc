#include "common/json_text.h"

#include "absl/strings/str_cat.h"

namespace imh {

namespace {
// Whether `c` must be written escaped.
bool NeedsEscape(char c) {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}
}  // namespace

void AppendJsonString(std::string& out, absl::string_view value) {
  out.push_back('"');
  // Runs of characters that need no escape are appended whole: log lines'
  // values rarely hold any that do.
  size_t run = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (!NeedsEscape(c)) continue;
    out.append(value.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      default:
        absl::StrAppend(&out, "\\u00", absl::Hex(c, absl::kZeroPad2));
    }
  }
  out.append(value.data() + run, value.size() - run);
  out.push_back('"');
}

}  // namespace imh

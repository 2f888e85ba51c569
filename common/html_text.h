#ifndef IMH_COMMON_HTML_TEXT_H_
#define IMH_COMMON_HTML_TEXT_H_

// Text made safe for the pages the services and tools write.

#include <string>

#include "absl/strings/string_view.h"

namespace imh {

// `text` with &, <, >, " and ' as character references: safe inside an
// element and inside a quoted attribute value.
std::string HtmlEscape(absl::string_view text);

// `text` percent-encoded for a URL query value (RFC 3986 unreserved
// characters kept, space as %20).
std::string UrlQueryEscape(absl::string_view text);

}  // namespace imh

#endif  // IMH_COMMON_HTML_TEXT_H_

#ifndef IMH_SERVICES_REGISTRY_TEXT_FOLD_H_
#define IMH_SERVICES_REGISTRY_TEXT_FOLD_H_

// Names and counties as search compares them: case- and accent-insensitive
// for every script, not only ASCII.

#include <string>

#include "absl/strings/string_view.h"

namespace imh::registry {

// `text` (UTF-8) in compatibility decomposition (NFKD) without its
// nonspacing marks, then case-folded (full Unicode folding): "Zoë" and "ZOE"
// both give "zoe", "Straße" gives "strasse", "ﬁ" gives "fi". Invalid UTF-8
// sequences become U+FFFD. Never fails.
std::string FoldForSearch(absl::string_view text);

// How many code points `folded` (valid UTF-8) has: trigram search needs 3.
int CodePointCount(absl::string_view folded);

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_TEXT_FOLD_H_

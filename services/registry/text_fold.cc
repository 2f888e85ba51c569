#include "services/registry/text_fold.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace imh::registry {

std::string FoldForSearch(absl::string_view text) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(error);
  const icu::UnicodeString input = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString decomposed =
      U_SUCCESS(error) ? nfkd->normalize(input, error) : input;
  if (U_FAILURE(error)) decomposed = input;
  icu::UnicodeString bare;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    if (u_charType(c) != U_NON_SPACING_MARK) bare.append(c);
    i += U16_LENGTH(c);
  }
  bare.foldCase(U_FOLD_CASE_DEFAULT);
  std::string out;
  bare.toUTF8String(out);
  return out;
}

int CodePointCount(absl::string_view folded) {
  int count = 0;
  for (unsigned char byte : folded) count += (byte & 0xC0) != 0x80;
  return count;
}

}  // namespace imh::registry

#include "common/field_checks.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"

namespace imh {

std::string CheckId(absl::string_view value) {
  if (value.size() > FieldLimits::kMaxIdLength) {
    return absl::StrCat("at most ", FieldLimits::kMaxIdLength, " characters");
  }
  for (const char c : value) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != ':' && c != '-') {
      return "only letters, digits, '.', '_', ':' and '-'";
    }
  }
  return "";
}

std::string CheckEndorsementNumber(absl::string_view value) {
  if (value.size() > FieldLimits::kMaxEndorsementNumberLength) {
    return absl::StrCat("at most ", FieldLimits::kMaxEndorsementNumberLength,
                        " characters");
  }
  for (const char c : value) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return "only capital letters, digits and '-' (e.g. VA-IFRS-000123)";
    }
  }
  return "";
}

namespace {

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Whether any of the eight bytes of `word` is below 0x20 or is 0x7f, without
// looking at them one by one: (b - 0x20) borrows into the high bit only for
// b < 0x20 when b's own high bit is clear, and b ^ 0x7f is zero only for
// 0x7f (the same test with 0x01).
bool HasControl(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  const uint64_t del = word ^ (0x7f * kOnes);
  return (((word - 0x20 * kOnes) & ~word) | ((del - kOnes) & ~del)) & kHighBits;
}

}  // namespace

std::string CheckText(absl::string_view value, size_t max_bytes) {
  if (value.empty()) return "";
  if (value.size() > max_bytes)
    return absl::StrCat("at most ", max_bytes, " bytes");
  constexpr absl::string_view kControl = "control characters are not allowed";
  size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, value.data() + i, 8);
    if (HasControl(word)) return std::string(kControl);
  }
  for (; i < value.size(); ++i) {
    if (IsControl(static_cast<unsigned char>(value[i]))) {
      return std::string(kControl);
    }
  }
  if (absl::StripAsciiWhitespace(value).empty()) return "blank";
  return "";
}

bool IsUnsetDate(const google::type::Date& date) {
  return date.year() == 0 && date.month() == 0 && date.day() == 0;
}

std::string CheckDate(const google::type::Date& date,
                      std::optional<absl::CivilDay> latest,
                      absl::string_view latest_words) {
  if (!IsCompleteDate(date)) {
    return absl::StrCat("not a complete calendar date: ",
                        ToCivilDay(date).status().message());
  }
  if (date.year() < FieldLimits::kEarliestYear) {
    return absl::StrCat("before ", FieldLimits::kEarliestYear);
  }
  // Compared field by field: a complete date's fields order as its day does,
  // without building (and normalizing) a civil day for every date checked.
  if (latest &&
      std::make_tuple(date.year(), date.month(), date.day()) >
          std::make_tuple(latest->year(), latest->month(), latest->day())) {
    return absl::StrCat("after ", latest_words, " (", FormatDay(*latest), ")");
  }
  return "";
}

std::string CheckHours(double value, double max, bool zero_ok) {
  if (!std::isfinite(value)) return "must be a finite number";
  if (value < 0 || (!zero_ok && value == 0)) {
    return zero_ok ? "must be >= 0" : "must be > 0";
  }
  if (value > max) return absl::StrCat("must be at most ", max);
  return "";
}

}  // namespace imh

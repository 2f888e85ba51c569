#include "common/field_checks.h"

#include <cmath>

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

std::string CheckText(absl::string_view value, size_t max_bytes) {
  if (value.empty()) return "";
  if (value.size() > max_bytes)
    return absl::StrCat("at most ", max_bytes, " bytes");
  for (const char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "control characters are not allowed";
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
  const absl::StatusOr<absl::CivilDay> day = ToCivilDay(date);
  if (!day.ok()) {
    return absl::StrCat("not a complete calendar date: ",
                        day.status().message());
  }
  if (day->year() < FieldLimits::kEarliestYear) {
    return absl::StrCat("before ", FieldLimits::kEarliestYear);
  }
  if (latest && *day > *latest) {
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

#ifndef IMH_COMMON_FIELD_CHECKS_H_
#define IMH_COMMON_FIELD_CHECKS_H_

// One validator per kind of field, shared by both services, so that what one
// service accepts the other accepts too (an identifier the eligibility service
// passes on is one the registry answers for). Each returns the description of
// the violation, or an empty string when the value is acceptable; callers add
// the field path. An empty value is the caller's concern (required or not):
// every check here accepts "" except where it says otherwise.

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/type/date.pb.h"

namespace imh {

struct FieldLimits {
  // Person ids, request ids, decision ids: [A-Za-z0-9._:-]{1,64}.
  static constexpr size_t kMaxIdLength = 64;
  // Endorsement numbers: [A-Z0-9-]{1,32}, e.g. "VA-IFRS-000123".
  static constexpr size_t kMaxEndorsementNumberLength = 32;
  static constexpr int kEarliestYear = 1900;
};

// A registry person id or any other identifier.
std::string CheckId(absl::string_view value);

// A registry endorsement number.
std::string CheckEndorsementNumber(absl::string_view value);

// Free text of at most `max_bytes`: any printable characters (quotes and SQL
// meta-characters included, stored verbatim), no control characters, not
// blank when non-empty.
std::string CheckText(absl::string_view value, size_t max_bytes);

// Whether a date is unset (all zero): the caller decides if that is allowed.
bool IsUnsetDate(const google::type::Date& date);

// A set date: a real calendar day from kEarliestYear, not after `latest` when
// given (`latest_words` names it: "today", "the as-of date").
std::string CheckDate(const google::type::Date& date,
                      std::optional<absl::CivilDay> latest,
                      absl::string_view latest_words = "today");

// A number of hours: finite, >= 0 (> 0 unless zero_ok), at most `max`.
std::string CheckHours(double value, double max, bool zero_ok);

}  // namespace imh

#endif  // IMH_COMMON_FIELD_CHECKS_H_

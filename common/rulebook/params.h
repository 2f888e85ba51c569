#ifndef IMH_COMMON_RULEBOOK_PARAMS_H_
#define IMH_COMMON_RULEBOOK_PARAMS_H_

// Reading a rulebook's dated series on a given day. Days are ISO strings
// ("2025-01-31"), which order as dates; the rulebook checker guarantees the
// series' dates are valid and increasing.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "imh/rulebook/v1/rulebook.pb.h"

namespace imh {

// The value in force on `iso_day`: the last whose effective_from <= iso_day;
// nullopt when none is yet (or the parameter is unset).
std::optional<double> NumberAt(const rulebook::v1::NumberParam& param,
                               absl::string_view iso_day);

// Like NumberAt; 0 when nothing is in force. For figures Evaluate() has checked
// to be in force (Rulebook::in_force_from).
double NumberOrZero(const rulebook::v1::NumberParam& param,
                    absl::string_view iso_day);

// The list in force on `iso_day`; nullptr when none is.
const rulebook::v1::CodeListValue* CodesAt(
    const rulebook::v1::CodeListParam& param, absl::string_view iso_day);

// Whether `list` holds `code` (exact). False for a null list.
bool ListHas(const rulebook::v1::CodeListValue* list, absl::string_view code);

// Whether `list` holds the code of an enum value, given the value's full name
// and the enum's prefix: ("SERVICE_KIND_PREVENTION", "SERVICE_KIND_") matches
// "PREVENTION". False for a null list.
bool ListHasEnum(const rulebook::v1::CodeListValue* list,
                 absl::string_view enum_value_name, absl::string_view prefix);

// Whether an enum value's full name is `code` under `prefix`:
// ("TRAINING_TOPIC_RSC_PROVISION", "TRAINING_TOPIC_", "RSC_PROVISION") is true.
bool ListHasEnumCode(absl::string_view enum_value_name,
                     absl::string_view prefix, absl::string_view code);

// "IFRS or IMHM-C".
std::string DescribeList(const rulebook::v1::CodeListValue* list,
                         absl::string_view conjunction = "or");

}  // namespace imh

#endif  // IMH_COMMON_RULEBOOK_PARAMS_H_

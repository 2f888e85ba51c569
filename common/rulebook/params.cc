#include "common/rulebook/params.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace imh {

namespace rb = rulebook::v1;

namespace {
template <typename Param>
auto LastInForce(const Param& param, absl::string_view iso_day)
    -> decltype(&param.values(0)) {
  decltype(&param.values(0)) found = nullptr;
  for (const auto& value : param.values()) {
    if (value.effective_from() > iso_day) break;
    found = &value;
  }
  return found;
}
}  // namespace

std::optional<double> NumberAt(const rb::NumberParam& param,
                               absl::string_view iso_day) {
  const rb::NumberValue* value = LastInForce(param, iso_day);
  if (value == nullptr) return std::nullopt;
  return value->value();
}

double NumberOrZero(const rb::NumberParam& param, absl::string_view iso_day) {
  return NumberAt(param, iso_day).value_or(0.0);
}

const rb::CodeListValue* CodesAt(const rb::CodeListParam& param,
                                 absl::string_view iso_day) {
  return LastInForce(param, iso_day);
}

bool ListHas(const rb::CodeListValue* list, absl::string_view code) {
  if (list == nullptr) return false;
  for (const std::string& candidate : list->codes()) {
    if (candidate == code) return true;
  }
  return false;
}

// Both look at the prefix last: most names asked about are not in the list,
// and a length or a code tells that sooner.
bool ListHasEnum(const rb::CodeListValue* list,
                 absl::string_view enum_value_name, absl::string_view prefix) {
  if (enum_value_name.size() < prefix.size()) return false;
  return ListHas(list, enum_value_name.substr(prefix.size())) &&
         absl::StartsWith(enum_value_name, prefix);
}

bool ListHasEnumCode(absl::string_view enum_value_name,
                     absl::string_view prefix, absl::string_view code) {
  return enum_value_name.size() == prefix.size() + code.size() &&
         absl::EndsWith(enum_value_name, code) &&
         absl::StartsWith(enum_value_name, prefix);
}

std::string DescribeList(const rb::CodeListValue* list,
                         absl::string_view conjunction) {
  if (list == nullptr || list->codes_size() == 0) return "(none)";
  const int n = list->codes_size();
  if (n == 1) return list->codes(0);
  std::string text =
      absl::StrJoin(list->codes().begin(), list->codes().end() - 1, ", ");
  absl::StrAppend(&text, " ", conjunction, " ", list->codes(n - 1));
  return text;
}

}  // namespace imh

#ifndef IMH_COMMON_ENUM_NAMES_H_
#define IMH_COMMON_ENUM_NAMES_H_

// Enum value names from a table built once per enum type. The generated
// E_Name(value) finds the enum's descriptor and searches it on every call,
// which the rules do for every entry of every category.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace imh {

// Every value's name, indexed by number ("" for a number the enum does not
// define); the first name of a number, as the descriptor's lookup gives it.
// Built once per enum type. Thread-safe.
template <typename E>
const std::vector<std::string>& EnumNames() {
  static const std::vector<std::string>* const names = [] {
    const google::protobuf::EnumDescriptor* descriptor =
        google::protobuf::GetEnumDescriptor<E>();
    int largest = 0;
    for (int i = 0; i < descriptor->value_count(); ++i) {
      largest = std::max(largest, descriptor->value(i)->number());
    }
    auto* table = new std::vector<std::string>(largest + 1);
    for (int i = descriptor->value_count() - 1; i >= 0; --i) {
      const google::protobuf::EnumValueDescriptor* v = descriptor->value(i);
      if (v->number() >= 0) (*table)[v->number()] = v->name();
    }
    return table;
  }();
  return *names;
}

// What E_Name(value) returns: the value's name, or "" for a number the enum
// does not define. Thread-safe.
template <typename E>
const std::string& EnumName(E value) {
  static const std::string kNone;
  const std::vector<std::string>& names = EnumNames<E>();
  const int number = static_cast<int>(value);
  return number >= 0 && number < static_cast<int>(names.size()) ? names[number]
                                                                : kNone;
}

// The value named `prefix` followed by `code` (a rulebook code:
// "TRAINING_TOPIC_" and "ATTACHMENT"), or 0 (UNSPECIFIED) when no value is,
// or `code` is empty. What E_Parse(StrCat(prefix, code)) gives, without
// building the name. Thread-safe.
template <typename E>
E EnumFromCode(absl::string_view prefix, absl::string_view code) {
  if (code.empty()) return static_cast<E>(0);
  const std::vector<std::string>& names = EnumNames<E>();
  for (size_t number = 0; number < names.size(); ++number) {
    const absl::string_view name = names[number];
    if (name.size() == prefix.size() + code.size() &&
        absl::StartsWith(name, prefix) && absl::EndsWith(name, code)) {
      return static_cast<E>(number);
    }
  }
  return static_cast<E>(0);
}

}  // namespace imh

#endif  // IMH_COMMON_ENUM_NAMES_H_

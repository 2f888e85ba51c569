#ifndef IMH_COMMON_ENUM_NAMES_H_
#define IMH_COMMON_ENUM_NAMES_H_

// Enum value names from a table built once per enum type. The generated
// E_Name(value) finds the enum's descriptor and searches it on every call,
// which the rules do for every entry of every category.

#include <algorithm>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace imh {

// What E_Name(value) returns: the value's name, or "" for a number the enum
// does not define. Thread-safe.
template <typename E>
const std::string& EnumName(E value) {
  static const std::vector<std::string>* const names = [] {
    const google::protobuf::EnumDescriptor* descriptor =
        google::protobuf::GetEnumDescriptor<E>();
    int largest = 0;
    for (int i = 0; i < descriptor->value_count(); ++i) {
      largest = std::max(largest, descriptor->value(i)->number());
    }
    auto* table = new std::vector<std::string>(largest + 1);
    // The first name of a number, as the descriptor's lookup gives it.
    for (int i = descriptor->value_count() - 1; i >= 0; --i) {
      const google::protobuf::EnumValueDescriptor* v = descriptor->value(i);
      if (v->number() >= 0) (*table)[v->number()] = v->name();
    }
    return table;
  }();
  static const std::string kNone;
  const int number = static_cast<int>(value);
  return number >= 0 && number < static_cast<int>(names->size())
             ? (*names)[number]
             : kNone;
}

}  // namespace imh

#endif  // IMH_COMMON_ENUM_NAMES_H_

#ifndef IMH_COMMON_FIELD_VIOLATION_H_
#define IMH_COMMON_FIELD_VIOLATION_H_

#include <string>
#include <vector>

namespace imh {

// One invalid field of a request, named by its path from the request's root
// ("portfolio.trainings[3].clock_hours"). Maps one-to-one onto
// google.rpc.BadRequest.FieldViolation at the service boundary.
struct FieldViolation {
  std::string field;
  std::string description;

  bool operator==(const FieldViolation& other) const {
    return field == other.field && description == other.description;
  }
};

using FieldViolations = std::vector<FieldViolation>;

}  // namespace imh

#endif  // IMH_COMMON_FIELD_VIOLATION_H_

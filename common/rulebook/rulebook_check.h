#ifndef IMH_COMMON_RULEBOOK_RULEBOOK_CHECK_H_
#define IMH_COMMON_RULEBOOK_RULEBOOK_CHECK_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "google/protobuf/text_format.h"
#include "imh/rulebook/v1/rulebook.pb.h"

namespace imh {

// Checks what the schema cannot: every dated series is non-empty with real,
// strictly increasing dates and finite non-negative values; every code names
// something known (a category of this rulebook, a DegreeLevel, ServiceKind,
// ...); each requirement block has the figures it needs; category codes and
// aliases are unique. Returns one line per problem ("line:column: path:
// problem", 1-based); empty when the rulebook is sound. `locations` may be null
// (no line numbers).
std::vector<std::string> CheckRulebook(
    const rulebook::v1::Rulebook& rulebook,
    const google::protobuf::TextFormat::ParseInfoTree* locations);

// The latest first effective_from over the general and category rules: the
// first day on which all of them are in force. Requires CheckRulebook to have
// passed.
absl::CivilDay RulesInForceFrom(const rulebook::v1::Rulebook& rulebook);

}  // namespace imh

#endif  // IMH_COMMON_RULEBOOK_RULEBOOK_CHECK_H_

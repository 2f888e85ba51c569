#ifndef IMH_TOOLS_CLI_RECORD_TEXT_H_
#define IMH_TOOLS_CLI_RECORD_TEXT_H_

// The registry's records as text a member of staff can read in a terminal:
// what `imh person show`, `endorsement show` and `application show` print.

#include <string>

#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "imh/registry/v1/registry_service.pb.h"

namespace imh::tools {

// "2026-12-01", or "-" for an unset or incomplete date.
std::string DayText(const google::type::Date& date);

// "2026-12-01 14:03:07 UTC", or "-" when unset.
std::string TimeText(const google::protobuf::Timestamp& time);

// "pending", "granted", "declined".
std::string ApplicationStateWord(registry::v1::ApplicationState state);

// The endorsement: number, category, status and since when, the lapse day,
// the next renewal cycle, the etag, how it was granted (the decision and
// every approving reviewer, or the import), then each history entry with its
// actor, reason, decision and reviewers. Every line starts with `indent`.
std::string EndorsementText(const registry::v1::Endorsement& endorsement,
                            const std::string& indent = "");

// The application: id, person, category, state, decision (id, outcome,
// rulebook, day), valid-through day, the advisories a reviewer acknowledges,
// approvals against those required, and each review.
std::string ApplicationText(const registry::v1::Application& application,
                            const std::string& indent = "");

// A person's whole record: identity, membership years, every endorsement
// with its history, the renewals, the applications and their reviews.
std::string PersonText(const registry::v1::GetPersonResponse& record);

}  // namespace imh::tools

#endif  // IMH_TOOLS_CLI_RECORD_TEXT_H_

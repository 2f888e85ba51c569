#ifndef IMH_SERVICES_ELIGIBILITY_VALIDATION_H_
#define IMH_SERVICES_ELIGIBILITY_VALIDATION_H_

// Input validation: every problem of a request, each with its field path, so a
// caller can fix them all at once. Nothing is evaluated or stored on bad input.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/field_violation.h"
#include "common/rulebook/rulebook.h"
#include "imh/eligibility/v1/portfolio.pb.h"
#include "imh/eligibility/v1/renewal.pb.h"

namespace imh::eligibility {

// API limits: what a well-formed request may hold. These bound the work a
// request can cause; they are not endorsement rules (those are in the
// rulebook).
struct InputLimits {
  static constexpr int kMaxStringLength = 256;
  static constexpr int kMaxEducation = 20;
  static constexpr int kMaxTrainings = 1000;
  static constexpr int kMaxRscSessions = 1000;
  static constexpr int kMaxWork = 100;
  static constexpr int kMaxLeadership = 100;
  static constexpr int kMaxReferences = 10;
  static constexpr int kMaxCategories = 20;
  static constexpr int kMaxAttestedYears = 10;
  static constexpr double kMaxTrainingHours = 1000;  // one training entry
  static constexpr double kMaxSessionHours = 24;     // one RS/C session
  static constexpr double kMaxHoursPerWeek = 100;
  static constexpr double kMaxYearlyHours = 2000;  // one attested year
  static constexpr int kMaxFamilies = 100000;
  static constexpr int kMinYear = 1900;
  // How far past the as-of year a paid-through or cycle year may lie.
  static constexpr int kMaxYearsAhead = 10;
};

// Every violation in `portfolio` as of `as_of` (dates after it are invalid),
// with paths under `root` ("portfolio.trainings[3].clock_hours"). Empty when
// valid.
FieldViolations ValidatePortfolio(const eligibility::v1::Portfolio& portfolio,
                                  absl::CivilDay as_of,
                                  absl::string_view root = "portfolio");

// Every code in `codes` that names no category of `rulebook` (canonical codes
// and aliases such as FS or MHM-R/F are accepted), with paths "<field>[i]".
FieldViolations ValidateCategoryCodes(const Rulebook& rulebook,
                                      const std::vector<std::string>& codes,
                                      absl::string_view field = "categories");

// A violation at `field` when `view` is not a DecisionView value (a newer
// client's view, or a number): the same "unknown value N" as any enum field.
FieldViolations ValidateDecisionView(int view,
                                     absl::string_view field = "view");

// Every violation in a renewal attestation, with paths under `root`: the
// endorsement number is required and checked as the registry checks it.
FieldViolations ValidateRenewal(
    const eligibility::v1::RenewalAttestation& attestation,
    absl::CivilDay as_of, absl::string_view root = "attestation");

// "portfolio.trainings[3].clock_hours: must be > 0; ..." for a status message.
std::string DescribeViolations(const FieldViolations& violations);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_VALIDATION_H_

#include "common/endorsement_status.h"

#include "absl/strings/ascii.h"
#include "common/dates.h"

namespace imh {

namespace reg = registry::v1;

StatusOnDay EndorsementStatusOn(const reg::Endorsement& endorsement,
                                absl::CivilDay day) {
  StatusOnDay result;
  if (!IsCompleteDate(endorsement.granted_on())) return result;
  const absl::CivilDay granted = ToCivilDayUnchecked(endorsement.granted_on());
  if (day < granted) return result;
  result.status = reg::ENDORSEMENT_STATUS_ACTIVE;
  result.since = granted;
  bool later_changes = false;
  for (const reg::StatusChange& change : endorsement.history()) {
    if (!IsCompleteDate(change.effective_on())) continue;
    const absl::CivilDay effective = ToCivilDayUnchecked(change.effective_on());
    if (effective > day) {
      later_changes = true;
      break;
    }
    result.status = change.status();
    result.since = effective;
  }
  // Lapsed under the rules from its lapse day, recorded yet or not, as the
  // registry answers: only the current ACTIVE period has a lapse day.
  if (result.status == reg::ENDORSEMENT_STATUS_ACTIVE && !later_changes &&
      IsCompleteDate(endorsement.lapses_on())) {
    const absl::CivilDay lapses_on =
        ToCivilDayUnchecked(endorsement.lapses_on());
    if (day >= lapses_on && lapses_on >= result.since) {
      result.status = reg::ENDORSEMENT_STATUS_LAPSED;
      result.since = lapses_on;
    }
  }
  return result;
}

std::string StatusWord(reg::EndorsementStatus status) {
  const std::string& name = reg::EndorsementStatus_Name(status);
  constexpr absl::string_view kPrefix = "ENDORSEMENT_STATUS_";
  return absl::AsciiStrToLower(absl::string_view(name).substr(kPrefix.size()));
}

}  // namespace imh

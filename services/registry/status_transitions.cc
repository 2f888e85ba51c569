#include "services/registry/status_transitions.h"

namespace imh::registry {

bool IsAllowedTransition(v1::EndorsementStatus from, v1::EndorsementStatus to) {
  if (from == to || to == v1::ENDORSEMENT_STATUS_UNSPECIFIED) return false;
  switch (from) {
    case v1::ENDORSEMENT_STATUS_ACTIVE:
      return true;
    case v1::ENDORSEMENT_STATUS_LAPSED:
    case v1::ENDORSEMENT_STATUS_SUSPENDED:
    case v1::ENDORSEMENT_STATUS_RETIRED:
      // Reinstatement, or a harder stop.
      return to == v1::ENDORSEMENT_STATUS_ACTIVE ||
             to == v1::ENDORSEMENT_STATUS_REVOKED ||
             to == v1::ENDORSEMENT_STATUS_RETIRED;
    case v1::ENDORSEMENT_STATUS_REVOKED:
      return false;
    default:
      return false;
  }
}

}  // namespace imh::registry

#ifndef IMH_SERVICES_REGISTRY_STATUS_TRANSITIONS_H_
#define IMH_SERVICES_REGISTRY_STATUS_TRANSITIONS_H_

// Which status changes the registry allows. REVOKED is final; a lapsed,
// suspended or retired endorsement may be reinstated (ACTIVE); nothing moves to
// the status it already has.

#include "imh/registry/v1/endorsement.pb.h"

namespace imh::registry {

bool IsAllowedTransition(v1::EndorsementStatus from, v1::EndorsementStatus to);

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_STATUS_TRANSITIONS_H_

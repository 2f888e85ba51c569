#ifndef IMH_COMMON_GRPC_STATUS_H_
#define IMH_COMMON_GRPC_STATUS_H_

// The one place where absl::Status and field violations become grpc::Status.

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "common/field_violation.h"

namespace imh {

// Same code and message; OK for OK.
grpc::Status ToGrpcStatus(const absl::Status& status);

// INVALID_ARGUMENT whose details are a google.rpc.Status holding one
// google.rpc.BadRequest with every violation; the message lists them too, for
// clients that read only messages. A violation with an empty field is one of
// the request as a whole. Requires a non-empty list.
grpc::Status InvalidArgument(const FieldViolations& violations);

// Ends a callback-API unary call at once with `status`: the reactor a method
// returns when it answers without waiting for anything.
grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const grpc::Status& status);

}  // namespace imh

#endif  // IMH_COMMON_GRPC_STATUS_H_

#ifndef IMH_COMMON_CONNECT_PROTOCOL_H_
#define IMH_COMMON_CONNECT_PROTOCOL_H_

// The parts of the Connect protocol's unary form (connectrpc.com/docs/
// protocol) that do not depend on an HTTP library: how a gRPC status becomes
// an HTTP status and a Connect error body, and which HTTP headers travel as
// gRPC metadata.

#include <grpcpp/support/status.h>

#include <string>

#include "absl/strings/string_view.h"

namespace imh {

// The HTTP status a Connect server answers with for `code` (OK: 200;
// INVALID_ARGUMENT: 400; PERMISSION_DENIED: 403; NOT_FOUND: 404; ...).
int ConnectHttpStatus(grpc::StatusCode code);

// The code's name in Connect's snake case ("invalid_argument").
std::string ConnectCodeName(grpc::StatusCode code);

// {"code": ..., "message": ..., "details": [...]} for a non-OK status. Each
// detail of the status's google.rpc.Status (a google.rpc.BadRequest, say)
// is {"type": "google.rpc.BadRequest", "value": base64 of its bytes,
// "debug": its JSON form}, so that a Connect client decodes it and a person
// reading curl's output sees the field violations.
std::string ConnectErrorJson(const grpc::Status& status);

// An error body for a failure of the HTTP request itself (not a method's):
// ConnectErrorJson of a status without details.
std::string ConnectErrorJson(grpc::StatusCode code, absl::string_view message);

// Whether an HTTP request header (lower case) goes on to the method as gRPC
// metadata: a custom header does ("x-request-id", "x-actor"); the headers of
// HTTP and of the Connect protocol itself do not, nor gRPC's reserved ones,
// nor binary ("-bin") ones, nor the keys of forwarded identities
// (caller_identity.h).
bool IsForwardedHeader(const std::string& lowercase_name);

}  // namespace imh

#endif  // IMH_COMMON_CONNECT_PROTOCOL_H_

#ifndef IMH_TOOLS_CLI_CLIENT_H_
#define IMH_TOOLS_CLI_CLIENT_H_

// What every command of the operator CLI shares: the connection flags, the
// channels to the two services, a call context with the caller's deadline
// and request id, and errors printed with their field paths.

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"

namespace imh::tools {

// The CLI's exit codes (documented in `imh --help` and the README).
enum ExitCode : int {
  kExitDone = 0,
  // The request was refused (the server said no: a bad argument, a failed
  // precondition, not found, permission denied) or a file is invalid.
  kExitRefused = 1,
  // The command line is wrong: unknown command, missing or bad flags.
  kExitUsage = 2,
  // A service could not be reached or did not answer in time.
  kExitUnreachable = 3,
};

// kExitUnreachable for UNAVAILABLE and DEADLINE_EXCEEDED, else kExitRefused.
int ExitCodeFor(const grpc::Status& status);

struct ClientOptions {
  std::string eligibility_target;
  std::string registry_target;
  ClientTlsFiles tls;
  absl::Duration timeout = absl::Seconds(10);
  // Sent as x-request-id when set (else each call gets a new one), and the
  // request_id of a registry write, so that running the same write again
  // with the same id changes nothing.
  std::string request_id;
  // Sent as x-actor: who the caller says it is, when no certificate says it.
  std::string actor;
  bool json = false;
};

// The options from the command line flags.
ClientOptions ClientOptionsFromFlags();

// A channel to `target` with the TLS settings of `options`. InvalidArgument
// for unreadable certificate files.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const ClientOptions& options, const std::string& target);

// A registry stub on a channel to options.registry_target; nullptr (the
// error printed) when the TLS files cannot be read.
std::unique_ptr<registry::v1::RegistryService::Stub> RegistryStub(
    const ClientOptions& options);

// A context with the deadline, x-request-id and x-actor of `options`.
std::unique_ptr<grpc::ClientContext> NewCallContext(
    const ClientOptions& options);

// Prints "imh: <what>: <CODE>: <message>" and every field violation of a
// google.rpc.BadRequest in the details on stderr. Returns ExitCodeFor(status).
int ReportRpcError(absl::string_view what, const grpc::Status& status);

// Prints "imh: <what>: <message>" on stderr. Returns kExitRefused.
int ReportError(absl::string_view what, const absl::Status& status);

}  // namespace imh::tools

#endif  // IMH_TOOLS_CLI_CLIENT_H_

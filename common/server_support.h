#ifndef IMH_COMMON_SERVER_SUPPORT_H_
#define IMH_COMMON_SERVER_SUPPORT_H_

// What both servers need around their services: the caller's identity and
// correlation id, the association's "today", termination signals, and
// structured log lines.

#include <grpcpp/server_context.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace imh {

// The authenticated peer identity (TLS client certificate) when there is one;
// otherwise the "x-actor" metadata the caller declared (insecure loopback
// mode), else "anonymous". At most 128 printable characters.
std::string CallerActor(const grpc::ServerContextBase& context);

// The caller's "x-request-id" metadata when it is 1-64 printable characters;
// empty otherwise.
std::string CorrelationId(const grpc::ServerContextBase& context);

// For a server's main before it starts: false, with the reason on stderr, when
// IMH_TODAY is set but not a calendar day; logs a "today_pinned" warning when
// it pins one (demos and tests only: see PinnedToday).
bool CheckPinnedTodayAtStart(absl::string_view service);

// Turns off Abseil's mutex deadlock detection, which Debian's Abseil leaves
// on and which gRPC pays for on every lock (a graph lookup per acquisition).
// Call first thing in a server's main.
void DisableMutexDeadlockDetection();

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts
// later. Call first thing in main, before gRPC starts threads.
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT (blocked by BlockTerminationSignals) and returns
// its number.
int WaitForTerminationSignal();

// Writes "<port>\n" to `path` atomically (a temporary file, then a rename), so
// that a script polling for the file never reads half of it.
void WritePortFile(const std::string& path, int port);

// One JSON object per line on stderr: {"time":..., "component":..., k: v...}.
// Values are strings, escaped. Queued (LogQueue::Stderr), never blocking the
// caller: dropped and counted when the queue is full.
void LogJson(
    absl::string_view component,
    std::initializer_list<std::pair<absl::string_view, std::string>> fields);

}  // namespace imh

#endif  // IMH_COMMON_SERVER_SUPPORT_H_

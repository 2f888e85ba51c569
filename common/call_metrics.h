#ifndef IMH_COMMON_CALL_METRICS_H_
#define IMH_COMMON_CALL_METRICS_H_

// Per-method call counts, status codes and latencies of a server, recorded by
// a server interceptor that also writes one access-log line per call, and
// served by imh.admin.v1.AdminService/GetMetrics.

#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "imh/admin/v1/admin_service.pb.h"

namespace imh {

// Thread-safe.
class CallMetrics {
 public:
  // Upper bounds of the latency buckets, in milliseconds (the last is +Inf).
  static constexpr std::array<double, 16> kBucketsMs = {
      0.1, 0.25, 0.5, 1,   2.5,  5,    10,   25,
      50,  100,  250, 500, 1000, 2500, 5000, 10000};

  explicit CallMetrics(std::string server_name);

  void Record(absl::string_view method, int status_code,
              absl::Duration latency);

  // A call began / its server-side state is gone (the interceptor factory
  // calls these; the difference is in_flight_calls).
  void CallBegan() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void CallGone() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

  // Every method called so far, by name. Percentiles are the upper bound of
  // the bucket they fall in (the largest latency seen, above the last bound).
  admin::v1::GetMetricsResponse Snapshot() const;

 private:
  struct MethodStats {
    int64_t calls = 0;
    std::array<int64_t, 17> codes{};
    std::array<int64_t, kBucketsMs.size() + 1> buckets{};
    double sum_ms = 0;
    double max_ms = 0;
  };
  const std::string server_name_;
  const absl::Time started_;
  std::atomic<int64_t> in_flight_{0};
  mutable std::mutex mutex_;
  absl::flat_hash_map<std::string, MethodStats> methods_;
};

// Makes, for every call, an interceptor that records it in `metrics` and,
// when `access_log` is set, writes a JSON line on stderr when it ends:
// component, method, code, milliseconds, the caller's principal or declared
// actor, and the request id (the caller's "x-request-id", or the one the
// service sent back). No request contents. `metrics` must outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservingInterceptorFactory(CallMetrics* metrics, std::string component,
                                bool access_log);

// The gRPC status code's name ("DEADLINE_EXCEEDED"); "CODE_<n>" when unknown.
std::string StatusCodeName(int code);

}  // namespace imh

#endif  // IMH_COMMON_CALL_METRICS_H_

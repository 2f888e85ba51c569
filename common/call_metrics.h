#ifndef IMH_COMMON_CALL_METRICS_H_
#define IMH_COMMON_CALL_METRICS_H_

// Per-method call counts, status codes and latencies of a server, recorded by
// a server interceptor that also writes one access-log line per call, and
// served by imh.admin.v1.AdminService/GetMetrics and, in the Prometheus text
// format (prometheus-cpp), by GET /metrics on the HTTP port. A server adds
// its own metrics to registry(), refreshed by the hooks it gives OnScrape.

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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
  void CallBegan();
  void CallGone();

  // Every method called so far, by name. Percentiles are the upper bound of
  // the bucket they fall in (the largest latency seen, above the last bound).
  // prometheus_text is PrometheusText().
  admin::v1::GetMetricsResponse Snapshot() const;

  // The Prometheus text exposition (format 0.0.4) of every metric in
  // registry(), after running the scrape hooks: imh_rpc_calls_total{server,
  // method,code}, imh_rpc_latency_seconds{server,method} (histogram),
  // imh_rpc_in_flight{server}, imh_log_lines_dropped_total{server},
  // imh_process_start_time_seconds{server}, and what the server added.
  std::string PrometheusText() const;

  // Where a server registers metrics of its own; every metric should carry
  // the label server=server_name().
  prometheus::Registry& registry() { return *registry_; }
  const std::string& server_name() const { return server_name_; }
  // `hook` runs before every exposition, to bring gauges up to date. Call
  // before serving.
  void OnScrape(std::function<void()> hook);

 private:
  struct MethodStats {
    int64_t calls = 0;
    std::array<int64_t, 17> codes{};
    std::array<int64_t, kBucketsMs.size() + 1> buckets{};
    double sum_ms = 0;
    double max_ms = 0;
  };
  // The method's Prometheus series, made on its first call.
  struct MethodSeries {
    prometheus::Histogram* latency = nullptr;
    std::array<prometheus::Counter*, 17> codes{};
  };
  MethodSeries& SeriesLocked(absl::string_view method);

  const std::string server_name_;
  const absl::Time started_;
  std::atomic<int64_t> in_flight_{0};
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Gauge& in_flight_gauge_;
  prometheus::Counter& log_lines_dropped_;
  mutable std::mutex mutex_;
  absl::flat_hash_map<std::string, MethodStats> methods_;
  absl::flat_hash_map<std::string, MethodSeries> series_;
  std::vector<std::function<void()>> scrape_hooks_;
};

// Brings `counter` up to `total` (a count kept elsewhere, which only grows).
void AdvanceCounter(prometheus::Counter& counter, double total);

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

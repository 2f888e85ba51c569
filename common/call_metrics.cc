#include "common/call_metrics.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/caller_identity.h"
#include "common/log_queue.h"
#include "common/log_time.h"
#include "common/server_support.h"

namespace imh {
namespace {

constexpr const char* kCodeNames[] = {"OK",
                                      "CANCELLED",
                                      "UNKNOWN",
                                      "INVALID_ARGUMENT",
                                      "DEADLINE_EXCEEDED",
                                      "NOT_FOUND",
                                      "ALREADY_EXISTS",
                                      "PERMISSION_DENIED",
                                      "RESOURCE_EXHAUSTED",
                                      "FAILED_PRECONDITION",
                                      "ABORTED",
                                      "OUT_OF_RANGE",
                                      "UNIMPLEMENTED",
                                      "INTERNAL",
                                      "UNAVAILABLE",
                                      "DATA_LOSS",
                                      "UNAUTHENTICATED"};

double Percentile(
    const std::array<int64_t, CallMetrics::kBucketsMs.size() + 1>& buckets,
    int64_t calls, double fraction, double max_ms) {
  const int64_t rank = std::max<int64_t>(
      1, static_cast<int64_t>(fraction * static_cast<double>(calls) + 0.999));
  int64_t seen = 0;
  for (size_t i = 0; i < CallMetrics::kBucketsMs.size(); ++i) {
    seen += buckets[i];
    if (seen >= rank) return std::min(CallMetrics::kBucketsMs[i], max_ms);
  }
  return max_ms;
}

std::string Metadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
    absl::string_view key) {
  const auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return "";
  return std::string(it->second.data(),
                     std::min<size_t>(it->second.size(), 64));
}

class ObservingInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservingInterceptor(grpc::experimental::ServerRpcInfo* info,
                       CallMetrics* metrics, const std::string* component,
                       bool access_log)
      : info_(info),
        metrics_(metrics),
        component_(component),
        access_log_(access_log),
        started_(absl::Now()) {
    metrics_->CallBegan();
  }
  // gRPC destroys a call's interceptors with the call, however it ended
  // (finished, cancelled, deadline passed).
  ~ObservingInterceptor() override { metrics_->CallGone(); }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (access_log_ &&
        methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      request_id_ =
          Metadata(*methods->GetRecvInitialMetadata(), "x-request-id");
    }
    if (access_log_ && request_id_.empty() &&
        methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      const auto* sent = methods->GetSendInitialMetadata();
      const auto it = sent->find("x-request-id");
      if (it != sent->end()) request_id_ = it->second.substr(0, 64);
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const absl::Duration latency = absl::Now() - started_;
      metrics_->Record(info_->method(), status.error_code(), latency);
      if (access_log_) {
        LogJson(*component_,
                {{"event", "rpc"},
                 {"method", info_->method()},
                 {"code", StatusCodeName(status.error_code())},
                 {"ms", LogMilliseconds(latency)},
                 {"caller", CallerActor(*info_->server_context())},
                 {"request_id", request_id_},
                 {"transport", CameThroughHttpGateway(*info_->server_context())
                                   ? "http"
                                   : "grpc"}});
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* const info_;
  CallMetrics* const metrics_;
  const std::string* const component_;
  const bool access_log_;
  const absl::Time started_;
  std::string request_id_;
};

class ObservingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  ObservingInterceptorFactory(CallMetrics* metrics, std::string component,
                              bool access_log)
      : metrics_(metrics),
        component_(std::move(component)),
        access_log_(access_log) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservingInterceptor(info, metrics_, &component_, access_log_);
  }

 private:
  CallMetrics* const metrics_;
  const std::string component_;
  const bool access_log_;
};

}  // namespace

std::string StatusCodeName(int code) {
  if (code >= 0 && code < static_cast<int>(std::size(kCodeNames))) {
    return kCodeNames[code];
  }
  return absl::StrCat("CODE_", code);
}

void AdvanceCounter(prometheus::Counter& counter, double total) {
  const double behind = total - counter.Value();
  if (behind > 0) counter.Increment(behind);
}

CallMetrics::CallMetrics(std::string server_name)
    : server_name_(std::move(server_name)),
      started_(absl::Now()),
      registry_(std::make_shared<prometheus::Registry>()),
      calls_(prometheus::BuildCounter()
                 .Name("imh_rpc_calls_total")
                 .Help("Calls finished, by method and gRPC status code (both "
                       "transports: gRPC and the HTTP port).")
                 .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("imh_rpc_latency_seconds")
                   .Help("Server-side latency of a call, from its arrival to "
                         "its status.")
                   .Register(*registry_)),
      in_flight_gauge_(prometheus::BuildGauge()
                           .Name("imh_rpc_in_flight")
                           .Help("Calls begun whose server-side state is not "
                                 "yet gone.")
                           .Register(*registry_)
                           .Add({{"server", server_name_}})),
      log_lines_dropped_(
          prometheus::BuildCounter()
              .Name("imh_log_lines_dropped_total")
              .Help("Log lines dropped because stderr was not read fast "
                    "enough.")
              .Register(*registry_)
              .Add({{"server", server_name_}})) {
  prometheus::BuildGauge()
      .Name("imh_process_start_time_seconds")
      .Help("When the process started, in seconds since the Unix epoch.")
      .Register(*registry_)
      .Add({{"server", server_name_}})
      .Set(absl::ToDoubleSeconds(started_ - absl::UnixEpoch()));
}

void CallMetrics::CallBegan() {
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  in_flight_gauge_.Increment();
}

void CallMetrics::CallGone() {
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  in_flight_gauge_.Decrement();
}

CallMetrics::MethodSeries& CallMetrics::SeriesLocked(absl::string_view method) {
  auto [it, added] = series_.try_emplace(method);
  if (added) {
    prometheus::Histogram::BucketBoundaries bounds;
    for (const double ms : kBucketsMs) bounds.push_back(ms / 1000);
    it->second.latency = &latency_.Add(
        {{"server", server_name_}, {"method", std::string(method)}}, bounds);
  }
  return it->second;
}

void CallMetrics::Record(absl::string_view method, int status_code,
                         absl::Duration latency) {
  const double ms = absl::ToDoubleMilliseconds(latency);
  const size_t bucket =
      std::lower_bound(kBucketsMs.begin(), kBucketsMs.end(), ms) -
      kBucketsMs.begin();
  const int code = std::clamp(status_code, 0, 16);
  std::lock_guard<std::mutex> lock(mutex_);
  MethodStats& stats = methods_[method];
  ++stats.calls;
  ++stats.codes[code];
  ++stats.buckets[bucket];
  stats.sum_ms += ms;
  stats.max_ms = std::max(stats.max_ms, ms);
  MethodSeries& series = SeriesLocked(method);
  series.latency->Observe(ms / 1000);
  if (series.codes[code] == nullptr) {
    series.codes[code] = &calls_.Add({{"server", server_name_},
                                      {"method", std::string(method)},
                                      {"code", StatusCodeName(code)}});
  }
  series.codes[code]->Increment();
}

void CallMetrics::OnScrape(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mutex_);
  scrape_hooks_.push_back(std::move(hook));
}

std::string CallMetrics::PrometheusText() const {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    hooks = scrape_hooks_;
  }
  AdvanceCounter(log_lines_dropped_,
                 static_cast<double>(LogQueue::Stderr().dropped()));
  for (const auto& hook : hooks) hook();
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

admin::v1::GetMetricsResponse CallMetrics::Snapshot() const {
  admin::v1::GetMetricsResponse response;
  response.set_server(server_name_);
  response.set_uptime_seconds(absl::ToInt64Seconds(absl::Now() - started_));
  response.set_in_flight_calls(in_flight_.load(std::memory_order_relaxed));
  response.set_log_lines_dropped(LogQueue::Stderr().dropped());
  std::vector<std::pair<std::string, MethodStats>> methods;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    methods.assign(methods_.begin(), methods_.end());
  }
  std::sort(methods.begin(), methods.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [name, stats] : methods) {
    admin::v1::MethodMetrics& method = *response.add_methods();
    method.set_method(name);
    method.set_calls(stats.calls);
    for (size_t code = 0; code < stats.codes.size(); ++code) {
      if (stats.codes[code] == 0) continue;
      admin::v1::CodeCount& count = *method.add_codes();
      count.set_code(StatusCodeName(static_cast<int>(code)));
      count.set_calls(stats.codes[code]);
    }
    method.set_latency_mean_ms(stats.calls ? stats.sum_ms / stats.calls : 0);
    method.set_latency_p50_ms(
        Percentile(stats.buckets, stats.calls, 0.50, stats.max_ms));
    method.set_latency_p99_ms(
        Percentile(stats.buckets, stats.calls, 0.99, stats.max_ms));
    method.set_latency_max_ms(stats.max_ms);
    int64_t cumulative = 0;
    for (size_t i = 0; i < kBucketsMs.size(); ++i) {
      cumulative += stats.buckets[i];
      method.add_bucket_le_ms(kBucketsMs[i]);
      method.add_bucket_calls(cumulative);
    }
  }
  response.set_prometheus_text(PrometheusText());
  return response;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservingInterceptorFactory(CallMetrics* metrics, std::string component,
                                bool access_log) {
  return std::make_unique<ObservingInterceptorFactory>(
      metrics, std::move(component), access_log);
}

}  // namespace imh

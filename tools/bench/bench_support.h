#ifndef IMH_TOOLS_BENCH_BENCH_SUPPORT_H_
#define IMH_TOOLS_BENCH_BENCH_SUPPORT_H_

// What the service benchmarks share: child processes on loopback, closed-loop
// load with latency percentiles, medians, and the empty echo server they
// measure against.

#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/process_cpu.h"
namespace imh::bench {

using Clock = std::chrono::steady_clock;

struct Child {
  pid_t pid = 0;
  int port = 0;
};

// Starts args[0] with args and waits for it to write its port to
// `port_file`; exits the benchmark if it does not start. Its stderr goes to
// `log_file` when one is named (appended), else to ours.
Child Spawn(const std::vector<std::string>& args, const std::string& port_file,
            const std::string& log_file = "");

// Spawn, timed: milliseconds from just before the process is created until
// `ready(port)` first returns true (asked every millisecond once the port file
// is there); the child keeps running. Exits the benchmark if it is not ready
// within 15 s.
struct TimedStart {
  Child child;
  double milliseconds = 0;
};
TimedStart SpawnUntilReady(const std::vector<std::string>& args,
                           const std::string& port_file,
                           const std::function<bool(int port)>& ready);

// The services a benchmark starts take 2026-12-01 for today (IMH_TODAY, unless
// it is set already): the data the benchmarks load (the demo registry, their
// generated endorsements, as-of days) are written for that day, so they
// measure the same work in any year. Call first in main.
void PinTodayForBenchmarkData();

// Imports the registry CSV at `csv_path` into the registry on 127.0.0.1:`port`
// in one ImportEndorsements; exits the benchmark if any record is refused.
void ImportDemoRegistry(const std::string& csv_path, int port);

// SIGTERM, and waits for the child to exit.
void Stop(const Child& child);

// A field of /proc/<pid>/status in kB ("VmHWM", "RssFile", ...); -1 if
// unknown.
long StatusKb(pid_t pid, const std::string& field);

// CPU time per call of each process over a round: sample before, sample
// after (ProcessCpuMicros: to a clock tick, 10 ms here, under 1% of what two
// cores give a round of seconds), divide by the round's calls.
class CpuPerCall {
 public:
  explicit CpuPerCall(std::vector<pid_t> pids) : pids_(std::move(pids)) {
    for (pid_t pid : pids_) start_.push_back(ProcessCpuMicros(pid));
  }
  // Microseconds per call of each process, in the order given; -1 where
  // unknown or when no call was made.
  std::vector<double> PerCall(long calls) const {
    std::vector<double> per_call;
    for (size_t i = 0; i < pids_.size(); ++i) {
      const double now = ProcessCpuMicros(pids_[i]);
      per_call.push_back(calls > 0 && now >= 0 && start_[i] >= 0
                             ? (now - start_[i]) / calls
                             : -1);
    }
    return per_call;
  }

 private:
  std::vector<pid_t> pids_;
  std::vector<double> start_;
};

// Serves the empty echo on 127.0.0.1:0, writes its port to `port_file`, and
// returns 0 after SIGTERM.
int ServeEcho(const std::string& port_file);

struct Load {
  long calls = 0;
  double calls_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  long errors = 0;
};

// Closed loop: `threads` callers, each with one call in flight, for `seconds`.
template <typename Call>
Load RunLoad(int threads, double seconds, const Call& call) {
  std::vector<std::vector<int64_t>> latencies(threads);
  std::atomic<long> errors{0};
  const Clock::time_point end =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(seconds));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937 random(t + 1);
      auto& mine = latencies[t];
      mine.reserve(200000);
      while (Clock::now() < end) {
        const Clock::time_point start = Clock::now();
        if (!call(random)) errors++;
        mine.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                           Clock::now() - start)
                           .count());
      }
    });
  }
  for (auto& w : workers) w.join();
  std::vector<int64_t> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Load load;
  load.calls = static_cast<long>(all.size());
  load.calls_per_second = all.size() / seconds;
  if (!all.empty()) {
    load.p50_us = all[all.size() / 2] / 1000.0;
    load.p99_us = all[all.size() * 99 / 100] / 1000.0;
  }
  load.errors = errors;
  return load;
}

inline double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// One load's figures over several rounds, reported as medians.
class LoadRounds {
 public:
  void Add(const Load& load) {
    rate_.push_back(load.calls_per_second);
    p50_.push_back(load.p50_us);
    p99_.push_back(load.p99_us);
  }
  double rate() const { return Median(rate_); }
  double p50_us() const { return Median(p50_); }
  double p99_us() const { return Median(p99_); }

  // CPU per call of the processes measured with each round (as
  // CpuPerCall::PerCall gave them), as medians per process.
  void AddCpu(const std::vector<double>& per_call) {
    cpu_.resize(std::max(cpu_.size(), per_call.size()));
    for (size_t i = 0; i < per_call.size(); ++i) {
      cpu_[i].push_back(per_call[i]);
    }
  }
  double cpu_us(size_t process) const {
    return process < cpu_.size() ? Median(cpu_[process]) : -1;
  }

 private:
  std::vector<double> rate_, p50_, p99_;
  std::vector<std::vector<double>> cpu_;
};

}  // namespace imh::bench

#endif  // IMH_TOOLS_BENCH_BENCH_SUPPORT_H_

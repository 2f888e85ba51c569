#ifndef IMH_SERVICES_REGISTRY_LAPSE_RUNNER_H_
#define IMH_SERVICES_REGISTRY_LAPSE_RUNNER_H_

// The registry lapses what is due by itself: a thread that runs the day's
// lapse run (RegistryStore::RunScheduledLapses) at start and again at the
// start of each day in Virginia. Idempotent, and one run per day however many
// registry processes share the file: the run is recorded in the same
// transaction that checks for it.

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "services/registry/store.h"

namespace imh::registry {

class LapseRunner {
 public:
  // `store` must outlive the runner. Runs today's lapse run before it
  // returns (so that nothing is served before what is due is recorded), then
  // starts the thread that runs it at each start of day.
  explicit LapseRunner(RegistryStore* store);
  // Stops and joins.
  ~LapseRunner();
  LapseRunner(const LapseRunner&) = delete;
  LapseRunner& operator=(const LapseRunner&) = delete;

  // Stops the thread (a run in progress finishes first). Idempotent.
  void Stop();

  // What this process's runs did since it started (for /metrics): runs that
  // lapsed (0 or more endorsements), runs another process had already done,
  // failed runs, and the endorsements lapsed.
  struct Counts {
    int64_t done = 0;
    int64_t already_done = 0;
    int64_t failed = 0;
    int64_t lapsed = 0;
  };
  Counts counts() const;

 private:
  // Today's run; returns when to run next.
  absl::Time RunOnce();
  void Loop();
  // Sleeps until `until` or Stop(); false when stopped.
  bool SleepUntil(absl::Time until);

  RegistryStore& store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
  mutable std::mutex counts_mutex_;
  Counts counts_;
};

// The instant the next day starts in Virginia (America/New_York).
absl::Time NextVirginiaMidnight(absl::Time now);

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_LAPSE_RUNNER_H_

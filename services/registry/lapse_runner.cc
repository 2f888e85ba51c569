#include "services/registry/lapse_runner.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "common/server_support.h"

namespace imh::registry {
namespace {

// After a failed run (the file busy, say), try again this much later.
constexpr absl::Duration kRetryAfter = absl::Minutes(1);

}  // namespace

absl::Time NextVirginiaMidnight(absl::Time now) {
  return absl::FromCivil(DayInVirginia(now) + 1, VirginiaTimeZone());
}

LapseRunner::LapseRunner(RegistryStore* store) : store_(*store) {
  const absl::Time next = RunOnce();
  thread_ = std::thread([this, next] {
    if (SleepUntil(next)) Loop();
  });
}

LapseRunner::~LapseRunner() { Stop(); }

LapseRunner::Counts LapseRunner::counts() const {
  std::lock_guard<std::mutex> lock(counts_mutex_);
  return counts_;
}

void LapseRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LapseRunner::SleepUntil(absl::Time until) {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_until(lock, absl::ToChronoTime(until),
                   [this] { return stopping_; });
  return !stopping_;
}

absl::Time LapseRunner::RunOnce() {
  const WriteContext context{"registry:lapse-runner", "", ""};
  const absl::CivilDay today = TodayInVirginia();
  absl::StatusOr<std::optional<v1::ProcessLapsesResponse>> run =
      store_.RunScheduledLapses(today, context);
  absl::Time next = NextVirginiaMidnight(absl::Now());
  {
    std::lock_guard<std::mutex> lock(counts_mutex_);
    if (!run.ok()) {
      ++counts_.failed;
    } else if (run->has_value()) {
      ++counts_.done;
      counts_.lapsed += (*run)->lapsed_size();
    } else {
      ++counts_.already_done;
    }
  }
  if (!run.ok()) {
    LogJson("registry", {{"event", "lapse_run_failed"},
                         {"as_of", FormatDay(today)},
                         {"error", std::string(run.status().message())}});
    next = std::min(next, absl::Now() + kRetryAfter);
  } else if (run->has_value()) {
    LogJson("registry", {{"event", "lapse_run"},
                         {"as_of", FormatDay(today)},
                         {"lapsed", absl::StrCat((*run)->lapsed_size())}});
  } else {
    LogJson("registry",
            {{"event", "lapse_run_already_done"}, {"as_of", FormatDay(today)}});
  }
  return next;
}

void LapseRunner::Loop() {
  while (SleepUntil(RunOnce())) {
  }
}

}  // namespace imh::registry

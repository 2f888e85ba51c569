#include "services/registry/stream_hub.h"

#include <vector>

#include "absl/time/clock.h"

namespace imh::registry {
namespace {

// How long the hub sleeps when nothing wakes it: the stall limit's
// resolution.
constexpr absl::Duration kTick = absl::Milliseconds(200);
// Row versions outlive the exports that need them by at most this.
constexpr absl::Duration kPruneEvery = absl::Minutes(1);

}  // namespace

StreamHub::StreamHub(RegistryStore* store, absl::Duration stall_limit)
    : store_(*store), stall_limit_(stall_limit) {
  thread_ = std::thread([this] { Run(); });
}

StreamHub::~StreamHub() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void StreamHub::Register(HubStream* stream) {
  std::lock_guard<std::mutex> lock(mutex_);
  streams_.emplace(stream, State());
}

void StreamHub::Unregister(HubStream* stream) {
  std::unique_lock<std::mutex> lock(mutex_);
  // The hub may be cancelling it right now (EndStalled runs unlocked).
  ended_.wait(lock, [&] { return !streams_[stream].ending; });
  streams_.erase(stream);
}

void StreamHub::WriteStarted(HubStream* stream) {
  std::lock_guard<std::mutex> lock(mutex_);
  streams_[stream].writing_since = absl::Now();
}

void StreamHub::WriteDone(HubStream* stream) {
  std::lock_guard<std::mutex> lock(mutex_);
  streams_[stream].writing_since = absl::InfiniteFuture();
}

StreamHub::ParkResult StreamHub::Park(HubStream* stream, int64_t cursor) {
  std::lock_guard<std::mutex> lock(mutex_);
  State& state = streams_[stream];
  if (state.cancelled || shutting_down_) return ParkResult::kEnd;
  // A change committed after the feed's read: the hub may already have
  // looked for parked feeds, so the feed reads again rather than wait.
  if (store_.last_sequence() > cursor) return ParkResult::kChangesWaiting;
  state.parked = true;
  state.cursor = cursor;
  return ParkResult::kParked;
}

bool StreamHub::Cancel(HubStream* stream) {
  std::lock_guard<std::mutex> lock(mutex_);
  State& state = streams_[stream];
  state.cancelled = true;
  if (!state.parked) return false;
  state.parked = false;
  return true;
}

void StreamHub::BeginShutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutting_down_ = true;
  }
  wake_.notify_all();
}

bool StreamHub::shutting_down() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return shutting_down_;
}

int StreamHub::open() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(streams_.size());
}

int StreamHub::parked() const {
  std::lock_guard<std::mutex> lock(mutex_);
  int parked = 0;
  for (const auto& [stream, state] : streams_) parked += state.parked;
  return parked;
}

void StreamHub::Run() {
  absl::Time next_prune = absl::Now() + kPruneEvery;
  while (true) {
    const int64_t seen = store_.last_sequence();
    std::vector<HubStream*> resume;
    std::vector<HubStream*> stalled;
    bool idle_wait = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      const absl::Time now = absl::Now();
      for (auto& [stream, state] : streams_) {
        if (state.parked && (shutting_down_ || state.cursor < seen)) {
          state.parked = false;
          resume.push_back(stream);
        }
        if (now - state.writing_since > stall_limit_) {
          state.writing_since = absl::InfiniteFuture();
          state.ending = true;
          stalled.push_back(stream);
        }
      }
      idle_wait = shutting_down_;
    }
    for (HubStream* stream : resume) stream->Resume();
    // Unlocked: cancelling may run the stream's OnCancel, which locks.
    for (HubStream* stream : stalled) stream->EndStalled();
    if (!stalled.empty()) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (HubStream* stream : stalled) streams_[stream].ending = false;
      }
      ended_.notify_all();
    }
    if (absl::Now() >= next_prune) {
      // A failed or skipped prune is retried on the next round.
      (void)store_.PruneVersions();
      next_prune = absl::Now() + kPruneEvery;
    }
    // A closed store answers waits at once: the hub then waits on its own.
    if (idle_wait || store_.closed()) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_for(lock, absl::ToChronoNanoseconds(kTick),
                     [this] { return stopping_; });
    } else {
      store_.WaitForChange(seen, kTick);
    }
  }
}

}  // namespace imh::registry

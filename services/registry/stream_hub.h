#ifndef IMH_SERVICES_REGISTRY_STREAM_HUB_H_
#define IMH_SERVICES_REGISTRY_STREAM_HUB_H_

// The one thread behind the registry's streams (change feeds and exports,
// on gRPC's callback API, so that no stream holds a thread while it waits).
// It resumes feeds parked until a change commits, ends streams whose client
// has not taken a message for longer than the stall limit, and prunes the row
// versions no export needs any more.
//
// Every stream registers when it starts and unregisters in OnDone, before it
// is deleted. Between, it is owned by exactly one party at a time: gRPC (a
// write in flight), a reaction running on a gRPC thread, or the hub (parked);
// the hub calls Resume only on a stream it has just unparked, and EndStalled
// on a stream that had a write in flight and cannot unregister until the call
// returns, so neither can meet a deleted stream.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "services/registry/store.h"

namespace imh::registry {

class HubStream {
 public:
  virtual ~HubStream() = default;
  // On the hub's thread, for a stream it unparked: a change past the cursor
  // it parked with has committed, or the hub is shutting down.
  virtual void Resume() = 0;
  // On the hub's thread, for a stream whose write has waited past the stall
  // limit: cancel the call (gRPC then ends the write and the stream).
  virtual void EndStalled() = 0;
};

class StreamHub {
 public:
  enum class ParkResult { kParked, kChangesWaiting, kEnd };

  // `store` must outlive the hub. Streams whose client takes no message for
  // `stall_limit` are ended.
  StreamHub(RegistryStore* store, absl::Duration stall_limit);
  // Stops the thread; every stream must have unregistered.
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  void Register(HubStream* stream);
  // In the stream's OnDone: the hub forgets it.
  void Unregister(HubStream* stream);

  // Around each write: a write in flight longer than the stall limit ends
  // the stream.
  void WriteStarted(HubStream* stream);
  void WriteDone(HubStream* stream);

  // A feed that has read everything up to `cursor`: kParked (the hub owns it
  // and calls Resume later), kChangesWaiting (a newer change is already
  // committed: read again), or kEnd (cancelled or shutting down: finish).
  ParkResult Park(HubStream* stream, int64_t cursor);
  // From OnCancel: true when the stream was parked, and the caller now owns
  // it (and finishes it); later Parks answer kEnd.
  bool Cancel(HubStream* stream);

  // Parked feeds are resumed (to end), later Parks answer kEnd.
  void BeginShutdown();
  bool shutting_down() const;

  // Open streams and parked feeds, for metrics and tests.
  int open() const;
  int parked() const;

 private:
  struct State {
    bool parked = false;
    bool cancelled = false;
    int64_t cursor = 0;
    absl::Time writing_since = absl::InfiniteFuture();
    // The hub is calling EndStalled: Unregister waits.
    bool ending = false;
  };

  void Run();

  RegistryStore& store_;
  const absl::Duration stall_limit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable ended_;
  absl::flat_hash_map<HubStream*, State> streams_;
  bool shutting_down_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_STREAM_HUB_H_

#ifndef IMH_SERVICES_REGISTRY_STREAM_LIMITS_H_
#define IMH_SERVICES_REGISTRY_STREAM_LIMITS_H_

// How many long-lived streams (change feeds, exports) may be open at once,
// per server and per caller, so that clients that open streams and stop
// reading cannot take the threads and read connections everyone needs.

#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace imh::registry {

class StreamLimiter {
 public:
  // Held for a stream's life; frees its place when destroyed.
  class Slot {
   public:
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    friend class StreamLimiter;
    Slot(StreamLimiter* limiter, std::string principal)
        : limiter_(limiter), principal_(std::move(principal)) {}
    StreamLimiter* const limiter_;
    const std::string principal_;
  };

  // At most `per_server` streams in all and `per_principal` for one caller.
  StreamLimiter(int per_server, int per_principal)
      : per_server_(per_server), per_principal_(per_principal) {}

  // A place for one more stream of `principal`, or null when either limit is
  // reached (the caller answers RESOURCE_EXHAUSTED).
  std::unique_ptr<Slot> TryAcquire(const std::string& principal);

  int open() const;

 private:
  void Release(const std::string& principal);

  const int per_server_;
  const int per_principal_;
  mutable std::mutex mutex_;
  int open_ = 0;
  absl::flat_hash_map<std::string, int> by_principal_;
};

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_STREAM_LIMITS_H_

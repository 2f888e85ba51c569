#ifndef IMH_COMMON_RATE_LIMITER_H_
#define IMH_COMMON_RATE_LIMITER_H_

// A token bucket per client (an address, say): each client may make `burst`
// requests at once and `per_second` a second after that. Thread-safe. The
// number of clients remembered is bounded: when full, the least recently
// seen is forgotten (a forgotten client starts again with a full bucket).

#include <cstdint>
#include <list>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"

namespace imh {

class RateLimiter {
 public:
  // Requires per_second > 0, burst >= 1, max_clients >= 1.
  RateLimiter(double per_second, int burst, int max_clients = 10000);

  // Takes a token from `client`'s bucket at `now`: true when there was one.
  // When there was none, *retry_after (if given) is how long until there is.
  bool Allow(const std::string& client, absl::Time now,
             absl::Duration* retry_after = nullptr);

 private:
  struct Bucket {
    double tokens;
    absl::Time refilled;
    std::list<std::string>::iterator recency;
  };
  const double per_second_;
  const double burst_;
  const size_t max_clients_;
  std::mutex mutex_;
  absl::flat_hash_map<std::string, Bucket> buckets_;
  // Most recently seen first.
  std::list<std::string> recency_;
};

}  // namespace imh

#endif  // IMH_COMMON_RATE_LIMITER_H_

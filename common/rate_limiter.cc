#include "common/rate_limiter.h"

#include <algorithm>

namespace imh {

RateLimiter::RateLimiter(double per_second, int burst, int max_clients)
    : per_second_(per_second),
      burst_(burst),
      max_clients_(static_cast<size_t>(max_clients)) {}

bool RateLimiter::Allow(const std::string& client, absl::Time now,
                        absl::Duration* retry_after) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) {
      buckets_.erase(recency_.back());
      recency_.pop_back();
    }
    recency_.push_front(client);
    it = buckets_.emplace(client, Bucket{burst_, now, recency_.begin()}).first;
  } else {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
  }
  Bucket& bucket = it->second;
  const double elapsed =
      std::max(0.0, absl::ToDoubleSeconds(now - bucket.refilled));
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  bucket.refilled = std::max(bucket.refilled, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return true;
  }
  if (retry_after != nullptr) {
    *retry_after = absl::Seconds((1 - bucket.tokens) / per_second_);
  }
  return false;
}

}  // namespace imh

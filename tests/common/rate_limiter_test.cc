#include "common/rate_limiter.h"

#include <gtest/gtest.h>

namespace imh {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

TEST(RateLimiterTest, ABurstIsAllowedThenRefusedUntilTokensRefill) {
  RateLimiter limiter(/*per_second=*/2, /*burst=*/3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("10.0.0.1", kStart));
  absl::Duration retry_after;
  EXPECT_FALSE(limiter.Allow("10.0.0.1", kStart, &retry_after));
  EXPECT_EQ(retry_after, absl::Milliseconds(500));
  // Another address has a bucket of its own.
  EXPECT_TRUE(limiter.Allow("10.0.0.2", kStart));
  // Half a second later one token is back, and only one.
  EXPECT_TRUE(limiter.Allow("10.0.0.1", kStart + absl::Milliseconds(500)));
  EXPECT_FALSE(limiter.Allow("10.0.0.1", kStart + absl::Milliseconds(500)));
}

TEST(RateLimiterTest, ABucketNeverHoldsMoreThanTheBurst) {
  RateLimiter limiter(/*per_second=*/10, /*burst=*/2);
  EXPECT_TRUE(limiter.Allow("a", kStart));
  const absl::Time later = kStart + absl::Hours(1);
  EXPECT_TRUE(limiter.Allow("a", later));
  EXPECT_TRUE(limiter.Allow("a", later));
  EXPECT_FALSE(limiter.Allow("a", later));
}

TEST(RateLimiterTest, RemembersAtMostMaxClientsForgettingTheLeastRecent) {
  RateLimiter limiter(/*per_second=*/1, /*burst=*/1, /*max_clients=*/2);
  EXPECT_TRUE(limiter.Allow("a", kStart));
  EXPECT_TRUE(limiter.Allow("b", kStart));
  EXPECT_FALSE(limiter.Allow("a", kStart));  // a is now the most recent
  EXPECT_TRUE(limiter.Allow("c", kStart));   // forgets b
  EXPECT_FALSE(limiter.Allow("a", kStart));  // a is still remembered
  EXPECT_TRUE(limiter.Allow("b", kStart));   // b starts again, full
}

}  // namespace
}  // namespace imh

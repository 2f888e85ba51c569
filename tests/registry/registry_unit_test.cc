// The registry's pure parts: page tokens, status transitions, renewal cycles.

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "services/registry/page_token.h"
#include "services/registry/renewal_cycle.h"
#include "services/registry/status_transitions.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

TEST(PageTokenTest, RoundTrips) {
  const PageCursor cursor{123456789, 0xfeedfacecafebeefULL};
  const absl::StatusOr<PageCursor> decoded =
      DecodePageToken(EncodePageToken(cursor));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->after_id, cursor.after_id);
  EXPECT_EQ(decoded->filter_digest, cursor.filter_digest);
}

TEST(PageTokenTest, RefusesAnythingElse) {
  for (const std::string& token : std::vector<std::string>{
           "", "%%%", "cDE6", "cDE6LTE6MDAwMDAwMDAwMDAwMDAwMA",
           std::string(500, 'A'), std::string("\0\xff", 2)}) {
    EXPECT_FALSE(DecodePageToken(token).ok()) << token;
  }
}

TEST(StatusTransitionsTest, RevokedIsFinalOthersMayBeReinstated) {
  using v1::EndorsementStatus;
  EXPECT_TRUE(IsAllowedTransition(v1::ENDORSEMENT_STATUS_ACTIVE,
                                  v1::ENDORSEMENT_STATUS_LAPSED));
  EXPECT_TRUE(IsAllowedTransition(v1::ENDORSEMENT_STATUS_LAPSED,
                                  v1::ENDORSEMENT_STATUS_ACTIVE));
  EXPECT_TRUE(IsAllowedTransition(v1::ENDORSEMENT_STATUS_SUSPENDED,
                                  v1::ENDORSEMENT_STATUS_REVOKED));
  EXPECT_FALSE(IsAllowedTransition(v1::ENDORSEMENT_STATUS_SUSPENDED,
                                   v1::ENDORSEMENT_STATUS_LAPSED));
  for (int to = 0; to <= 5; ++to) {
    EXPECT_FALSE(IsAllowedTransition(v1::ENDORSEMENT_STATUS_REVOKED,
                                     static_cast<EndorsementStatus>(to)));
  }
  EXPECT_FALSE(IsAllowedTransition(v1::ENDORSEMENT_STATUS_ACTIVE,
                                   v1::ENDORSEMENT_STATUS_ACTIVE));
}

TEST(RenewalCycleTest, RRnwCycle_GrantYearIsExempt) {
  const imh::Rulebook& rulebook = VirginiaRulebook();
  EXPECT_EQ(*FirstCycleYear(rulebook, absl::CivilDay(2023, 5, 1)), 2024);
  EXPECT_EQ(*FirstCycleYear(rulebook, absl::CivilDay(2024, 5, 1)), 2027);
  EXPECT_EQ(*FirstCycleYear(rulebook, absl::CivilDay(2025, 1, 1)), 2027);
  EXPECT_EQ(*FirstCycleYear(rulebook, absl::CivilDay(2027, 12, 31)), 2030);
  EXPECT_EQ(*FirstCycleYear(rulebook, absl::CivilDay(2010, 1, 1)), 2024);
  EXPECT_EQ(*CycleAfter(rulebook, 2027), 2030);
  EXPECT_TRUE(IsCycleYear(rulebook, 2030));
  EXPECT_FALSE(IsCycleYear(rulebook, 2029));
}

}  // namespace
}  // namespace imh::registry::testing

// Each category's baseline portfolio meets every requirement: the rule tests
// change one thing at a time and rely on this.

#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

struct Baseline {
  const char* category;
  v1::Portfolio (*make)();
};

class BaselineTest : public ::testing::TestWithParam<Baseline> {};

TEST_P(BaselineTest, BaselinePortfolioIsEligible) {
  const v1::CategoryDecision decision =
      Decide(GetParam().make(), GetParam().category);
  EXPECT_THAT(decision, HasOutcome(kEligible)) << decision.DebugString();
  for (const v1::Finding& finding : decision.findings()) {
    EXPECT_THAT(finding.status(), ::testing::AnyOf(kMet, kAdvisory))
        << finding.DebugString();
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllCategories, BaselineTest,
    ::testing::Values(Baseline{"IFA", EligibleIfa},
                      Baseline{"IFS", EligibleIfs},
                      Baseline{"IFRS", EligibleIfrs},
                      Baseline{"IMHS", EligibleImhs},
                      Baseline{"IMHM-C", EligibleImhmClinical},
                      Baseline{"IMHM-P", EligibleImhmPolicy},
                      Baseline{"IMHM-RF", EligibleImhmResearchFaculty}),
    [](const auto& info) {
      std::string name = info.param.category;
      name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
      return name;
    });

}  // namespace
}  // namespace imh::eligibility::testing

// Identifiers across the two services. One odd identifier must not blind a
// whole decision: both check identifiers with the same field checks
// (common/field_checks.h), so the eligibility service refuses what the
// registry would refuse, up front and with its field path, and a batch larger
// than the registry's limit is split. People are matched on the identity the
// registry resolves; the registry says which rulebook it runs.

#include <fstream>
#include <string>

#include "tests/e2e/e2e_fixture.h"

namespace imh::e2e {
namespace {

using registry::testing::ViolationPaths;
using ::testing::Contains;

TEST_F(EndToEndTest, AnIdTheRegistryWouldRefuseIsRefusedUpFrontWithItsPath) {
  StartPairWithDemoRegistry();
  elig::Portfolio portfolio = IfsPortfolio();
  portfolio.mutable_rsc_sessions(0)->mutable_provider()->set_person_id(
      "P 1001");
  portfolio.mutable_references(1)->mutable_rater()->set_endorsement_number(
      "va-ifrs-1001");
  elig::EvaluatePortfolioResponse response;
  const grpc::Status status = EvaluateIfs(portfolio, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message();
  EXPECT_THAT(ViolationPaths(status),
              Contains("portfolio.rsc_sessions[0].provider.person_id"));
  EXPECT_THAT(ViolationPaths(status),
              Contains("portfolio.references[1].rater.endorsement_number"));
}

TEST_F(EndToEndTest, ABatchLargerThanTheRegistrysLimitIsSplitAndFullyAnswered) {
  StartRegistry({"--max_verify_questions=1"});
  SeedDemoRegistry(*RegistryStub());
  StartEligibility(registry_->address(), {"--registry_batch_limit=1"});
  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());
  // More questions than one call may carry (the raters, and the provider's
  // sessions in one span question), every one answered.
  EXPECT_GT(response.verification().questions(), 1);
  EXPECT_EQ(response.verification().state(), elig::VERIFICATION_STATE_COMPLETE);
  EXPECT_EQ(response.verification().unanswered(), 0);
  EXPECT_EQ(response.decision().categories(0).outcome(),
            elig::OUTCOME_ELIGIBLE);
}

TEST_F(EndToEndTest, TheRsProviderIsMatchedOnTheIdentityTheRegistryResolves) {
  StartPairWithDemoRegistry();
  // The sessions name Rosa Delgado by her endorsement number only (and by
  // another spelling); the rating names her by person id.
  elig::Portfolio portfolio = IfsPortfolio();
  for (elig::RscSession& session : *portfolio.mutable_rsc_sessions()) {
    session.mutable_provider()->clear_person_id();
    session.mutable_provider()->set_display_name("R. Delgado");
    session.mutable_provider()->set_endorsement_number("VA-IFRS-1001");
  }
  ASSERT_EQ(portfolio.references(1).rater().person_id(), "P-1001");
  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(portfolio, &response).ok());
  const elig::Finding* roles =
      FindingOf(response.decision().categories(0), "R-REF-ROLES");
  ASSERT_NE(roles, nullptr);
  EXPECT_EQ(roles->status(), elig::FINDING_STATUS_MET) << roles->message();
  EXPECT_EQ(response.decision().categories(0).outcome(),
            elig::OUTCOME_ELIGIBLE);
}

TEST_F(EndToEndTest, ARegistryOnAnotherRulebookVersionIsReportedAndWarnedOf) {
  // The registry runs the same rules under another version name.
  std::string rulebook = ReadFile(
      kSource + "/services/eligibility/rulebooks/virginia_imh_e.textproto");
  const std::string version = "version: \"va-imh-e/";
  rulebook.replace(rulebook.find(version), version.size(),
                   "version: \"registry-copy/");
  const std::string path = dir_.path() + "/registry_rulebook.textproto";
  std::ofstream(path) << rulebook;
  StartRegistry({"--rulebook=" + path});
  SeedDemoRegistry(*RegistryStub());
  StartEligibility(registry_->address());
  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());
  EXPECT_THAT(response.verification().registry_rulebook_version(),
              ::testing::StartsWith("registry-copy/"));
  EXPECT_THAT(eligibility_->Log(),
              ::testing::HasSubstr(R"("event":"registry_rulebook_differs")"));
}

}  // namespace
}  // namespace imh::e2e

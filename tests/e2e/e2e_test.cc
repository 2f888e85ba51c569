// The two services as shipped: both real binaries on loopback, a real SQLite
// file, talking over their protobuf contracts, driven as a portal would.

#include <chrono>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "imh/admin/v1/admin_service.grpc.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace imh::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(EndToEndTest, RscProvider_ActiveIfrsInRegistryMakesIfsEligible) {
  StartPairWithDemoRegistry();

  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());

  ASSERT_EQ(response.decision().categories_size(), 1);
  EXPECT_EQ(response.decision().categories(0).outcome(),
            elig::OUTCOME_ELIGIBLE);
  const elig::Finding* provider =
      FindingOf(response.decision().categories(0), "R-RSC-PROVIDER");
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->status(), elig::FINDING_STATUS_MET);
  EXPECT_EQ(response.verification().state(), elig::VERIFICATION_STATE_COMPLETE);
  EXPECT_GT(response.verification().questions(), 0);
  EXPECT_THAT(response.decision_id(), ::testing::StartsWith("d-"));
}

TEST_F(EndToEndTest, RscProvider_UnknownToRegistryIsNotEligible) {
  StartPairWithDemoRegistry();
  elig::Portfolio portfolio = IfsPortfolio();
  for (elig::RscSession& session : *portfolio.mutable_rsc_sessions()) {
    session.mutable_provider()->set_person_id("P-9999");
    session.mutable_provider()->set_endorsement_number("VA-IFRS-9999");
  }

  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(portfolio, &response).ok());

  EXPECT_EQ(response.decision().categories(0).outcome(),
            elig::OUTCOME_NOT_ELIGIBLE);
  const elig::Finding* provider =
      FindingOf(response.decision().categories(0), "R-RSC-PROVIDER");
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->status(), elig::FINDING_STATUS_NOT_MET);
  EXPECT_EQ(response.verification().state(), elig::VERIFICATION_STATE_COMPLETE);
}

TEST_F(EndToEndTest, RscProvider_LapsedOnTheSessionDatesIsNotEligible) {
  StartRegistry();
  auto registry = RegistryStub();
  SeedDemoRegistry(*registry);
  {
    reg::UpdateEndorsementStatusRequest lapse;
    lapse.set_endorsement_number("VA-IFRS-1001");
    lapse.set_status(reg::ENDORSEMENT_STATUS_LAPSED);
    *lapse.mutable_effective_on() = DateOf("2024-01-01");
    lapse.set_reason("2023 renewal not received");
    reg::UpdateEndorsementStatusResponse lapsed;
    grpc::ClientContext context;
    ASSERT_TRUE(
        registry->UpdateEndorsementStatus(&context, lapse, &lapsed).ok());
  }
  StartEligibility(registry_->address());

  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());

  EXPECT_EQ(response.decision().categories(0).outcome(),
            elig::OUTCOME_NOT_ELIGIBLE);
  const elig::Finding* provider =
      FindingOf(response.decision().categories(0), "R-RSC-PROVIDER");
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->status(), elig::FINDING_STATUS_NOT_MET);
  EXPECT_THAT(provider->message(), HasSubstr("lapsed"));
}

TEST_F(EndToEndTest,
       RegistryStopped_FindingsUnverifiedNeverEligibleWithinDeadline) {
  StartPairWithDemoRegistry();
  elig::EvaluatePortfolioResponse warm;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &warm).ok());
  ASSERT_EQ(registry_->Stop(), 0);

  const absl::Time start = absl::Now();
  elig::EvaluatePortfolioResponse response;
  const grpc::Status status =
      EvaluateIfs(IfsPortfolio(), &response, absl::Seconds(3));
  const absl::Duration took = absl::Now() - start;

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_LT(took, absl::Seconds(3));
  const elig::CategoryDecision& ifs = response.decision().categories(0);
  EXPECT_NE(ifs.outcome(), elig::OUTCOME_ELIGIBLE);
  EXPECT_EQ(ifs.outcome(), elig::OUTCOME_NEEDS_REVIEW);
  for (const char* rule : {"R-RSC-PROVIDER", "R-REF-ENDORSED"}) {
    const elig::Finding* finding = FindingOf(ifs, rule);
    ASSERT_NE(finding, nullptr) << rule;
    EXPECT_EQ(finding->status(), elig::FINDING_STATUS_UNVERIFIED) << rule;
  }
  EXPECT_EQ(response.verification().state(),
            elig::VERIFICATION_STATE_INCOMPLETE);
  EXPECT_EQ(response.verification().unanswered(),
            response.verification().questions());
  EXPECT_THAT(response.verification().detail(), HasSubstr("UNAVAILABLE"));
}

TEST_F(EndToEndTest, RegistryBack_EligibleAgainWithinSeconds) {
  StartRegistry();
  SeedDemoRegistry(*RegistryStub());
  const int port = registry_->port();
  StartEligibility(registry_->address());
  ASSERT_EQ(registry_->Stop(), 0);
  elig::EvaluatePortfolioResponse down;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &down).ok());
  ASSERT_NE(down.decision().categories(0).outcome(), elig::OUTCOME_ELIGIBLE);

  registry_ = std::make_unique<ServiceProcess>(
      IMH_REGISTRY_BIN,
      std::vector<std::string>{"--db=" + dir_.path() + "/registry.sqlite"},
      dir_.path(), "registry", port);
  ASSERT_TRUE(registry_->running());
  const absl::Time back = absl::Now();
  elig::Outcome outcome = elig::OUTCOME_UNSPECIFIED;
  while (absl::Now() - back < absl::Seconds(5)) {
    elig::EvaluatePortfolioResponse response;
    ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());
    outcome = response.decision().categories(0).outcome();
    if (outcome == elig::OUTCOME_ELIGIBLE) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(outcome, elig::OUTCOME_ELIGIBLE);
}

TEST_F(EndToEndTest, RequestId_TravelsToTheRegistryAndIntoBothLogs) {
  StartPairWithDemoRegistry();

  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response, absl::Seconds(10),
                          "portal-req-0042")
                  .ok());

  EXPECT_THAT(
      eligibility_->Log(),
      HasSubstr(
          R"("method":"/imh.eligibility.v1.EligibilityService/EvaluatePortfolio","code":"OK")"));
  EXPECT_THAT(eligibility_->Log(),
              HasSubstr(R"("request_id":"portal-req-0042")"));
  EXPECT_THAT(
      registry_->Log(),
      HasSubstr(
          R"("method":"/imh.registry.v1.RegistryService/VerifyCredentials","code":"OK")"));
  EXPECT_THAT(registry_->Log(), HasSubstr(R"("request_id":"portal-req-0042")"));
}

TEST_F(EndToEndTest, DecisionLog_OneLinePerDecisionWithoutPersonalData) {
  StartPairWithDemoRegistry();

  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(
      EvaluateIfs(IfsPortfolio(), &response, absl::Seconds(10), "portal-req-7")
          .ok());

  const std::string log = ReadFile(dir_.path() + "/decisions.jsonl");
  EXPECT_THAT(log, HasSubstr(absl::StrCat(R"({"decision_id":")",
                                          response.decision_id(), "\"")));
  EXPECT_THAT(log, HasSubstr(R"("request_id":"portal-req-7")"));
  EXPECT_THAT(log, HasSubstr(R"("rulebook_version":"va-imh-e/2026.3")"));
  EXPECT_THAT(log, HasSubstr(R"("outcomes":{"IFS":"ELIGIBLE"})"));
  EXPECT_THAT(log,
              ::testing::ContainsRegex(R"("input_sha256":"[0-9a-f]{64}")"));
  for (const char* personal :
       {"Morgan Ellis", "Rosa Delgado", "P-1001", "Virginia Commonwealth"}) {
    EXPECT_THAT(log, Not(HasSubstr(personal))) << personal;
  }
}

TEST_F(EndToEndTest, Metrics_CountEachMethodsCallsAndCodes) {
  StartPairWithDemoRegistry();
  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());
  elig::Portfolio empty;
  ASSERT_EQ(EvaluateIfs(empty, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  auto admin = admin::v1::AdminService::NewStub(grpc::CreateChannel(
      eligibility_->address(), grpc::InsecureChannelCredentials()));
  admin::v1::GetMetricsResponse metrics;
  grpc::ClientContext context;
  ASSERT_TRUE(admin->GetMetrics(&context, {}, &metrics).ok());

  EXPECT_EQ(metrics.server(), "eligibility");
  bool found = false;
  for (const auto& method : metrics.methods()) {
    if (method.method() !=
        "/imh.eligibility.v1.EligibilityService/EvaluatePortfolio") {
      continue;
    }
    found = true;
    EXPECT_EQ(method.calls(), 2);
    ASSERT_EQ(method.codes_size(), 2);
    EXPECT_EQ(method.codes(0).code(), "OK");
    EXPECT_EQ(method.codes(1).code(), "INVALID_ARGUMENT");
    EXPECT_GT(method.latency_max_ms(), 0);
  }
  EXPECT_TRUE(found);
  EXPECT_THAT(metrics.prometheus_text(),
              HasSubstr("imh_rpc_calls_total{code=\"OK\",method=\"/"
                        "imh.eligibility.v1.EligibilityService/"
                        "EvaluatePortfolio\",server=\"eligibility\"} 1"));
}

}  // namespace
}  // namespace imh::e2e

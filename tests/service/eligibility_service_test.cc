// The eligibility service in process, with a real registry server on
// loopback: each RPC's decision, its registry calls and its decision log line.
// (Bad input for every RPC: tests/e2e/malformed_input_test.cc.)

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imh/eligibility/v1/eligibility_service.grpc.pb.h"
#include "services/eligibility/server.h"
#include "tests/registry/registry_test_support.h"

namespace imh::eligibility {
namespace {

namespace v1 = eligibility::v1;
using registry::testing::DateOf;
using registry::testing::TempDir;
using registry::testing::VirginiaRulebook;

class EligibilityServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry::RegistryServerOptions registry_options;
    registry_options.listen_address = "127.0.0.1:0";
    registry_options.store.path = dir_.path() + "/registry.sqlite";
    registry_options.access_log = false;
    auto registry =
        registry::RegistryServer::Start(registry_options, &VirginiaRulebook());
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = std::move(*registry);

    EligibilityServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.registry.target = absl::StrCat("127.0.0.1:", registry_->port());
    options.decision_log_path = dir_.path() + "/decisions.jsonl";
    options.access_log = false;
    auto server = EligibilityServer::Start(options, &VirginiaRulebook());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::EligibilityService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                            grpc::InsecureChannelCredentials()));
  }

  int64_t RegistryVerifications() {
    return registry::testing::RegistryVerifications(
        registry_->metrics().Snapshot());
  }

  std::string DecisionLog() {
    std::ifstream in(dir_.path() + "/decisions.jsonl");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static v1::Portfolio ExamplePortfolio() {
    v1::Portfolio portfolio;
    EXPECT_TRUE(
        ReadJsonFile(std::string(IMH_SOURCE_DIR) +
                         "/deploy/examples/portfolios/ifs_applicant.json",
                     &portfolio)
            .ok());
    return portfolio;
  }

  TempDir dir_;
  std::unique_ptr<registry::RegistryServer> registry_;
  std::unique_ptr<EligibilityServer> server_;
  std::unique_ptr<v1::EligibilityService::Stub> stub_;
};

TEST_F(EligibilityServiceTest, GetRulebook_ReportsVersionAndEffectiveDates) {
  v1::GetRulebookResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->GetRulebook(&context, {}, &response).ok());
  EXPECT_EQ(response.version(), VirginiaRulebook().version());
  EXPECT_EQ(response.rulebook().categories_size(),
            VirginiaRulebook().proto().categories_size());
  EXPECT_GT(response.in_force_from().year(), 0);
}

TEST_F(EligibilityServiceTest,
       RecommendCategories_OneRegistryCallAndOneLogLine) {
  v1::RecommendCategoriesRequest request;
  *request.mutable_portfolio() = ExamplePortfolio();
  *request.mutable_as_of() = DateOf("2026-11-20");
  v1::RecommendCategoriesResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->RecommendCategories(&context, request, &response).ok());

  EXPECT_EQ(RegistryVerifications(), 1);
  EXPECT_EQ(response.recommendation().decisions_size(),
            VirginiaRulebook().proto().categories_size());
  const std::string log = DecisionLog();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1);
  EXPECT_THAT(log, ::testing::HasSubstr(response.decision_id()));
  EXPECT_THAT(log, ::testing::HasSubstr(R"("kind":"recommendation")"));
}

TEST_F(EligibilityServiceTest, EvaluateRenewal_DecidesAndLogs) {
  v1::EvaluateRenewalRequest request;
  ASSERT_TRUE(ReadJsonFile(std::string(IMH_SOURCE_DIR) +
                               "/deploy/examples/renewals/"
                               "renewal_ifs_2027_early.json",
                           request.mutable_attestation())
                  .ok());
  *request.mutable_as_of() = DateOf("2026-11-20");
  v1::EvaluateRenewalResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->EvaluateRenewal(&context, request, &response).ok());
  EXPECT_EQ(response.decision().outcome(), v1::OUTCOME_NOT_ELIGIBLE);
  EXPECT_THAT(DecisionLog(),
              ::testing::HasSubstr(R"("outcomes":{"IFS":"NOT_ELIGIBLE"})"));
}

}  // namespace
}  // namespace imh::eligibility

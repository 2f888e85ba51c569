// The eligibility service in process, with a real registry server on
// loopback: every RPC's bad input is INVALID_ARGUMENT with the field paths,
// asks the registry nothing and logs no decision.

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <functional>
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
using registry::testing::ViolationPaths;
using registry::testing::VirginiaRulebook;
using ::testing::UnorderedElementsAreArray;

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
    const admin::v1::GetMetricsResponse metrics =
        registry_->metrics().Snapshot();
    for (const auto& method : metrics.methods()) {
      if (method.method() ==
          "/imh.registry.v1.RegistryService/VerifyCredentials") {
        return method.calls();
      }
    }
    return 0;
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

struct BadCase {
  std::string name;
  std::function<grpc::Status(v1::EligibilityService::Stub&)> call;
  std::vector<std::string> paths;
};

template <typename Request, typename Response>
std::function<grpc::Status(v1::EligibilityService::Stub&)> Call(
    grpc::Status (v1::EligibilityService::Stub::*method)(grpc::ClientContext*,
                                                         const Request&,
                                                         Response*),
    std::function<void(Request&)> fill) {
  return [method, fill](v1::EligibilityService::Stub& stub) {
    Request request;
    fill(request);
    Response response;
    grpc::ClientContext context;
    return (stub.*method)(&context, request, &response);
  };
}

TEST_F(EligibilityServiceTest,
       BadInput_InvalidArgumentNamingEveryFieldAndNothingDone) {
  using EP = v1::EvaluatePortfolioRequest;
  using EPR = v1::EvaluatePortfolioResponse;
  using RC = v1::RecommendCategoriesRequest;
  using RCR = v1::RecommendCategoriesResponse;
  using ER = v1::EvaluateRenewalRequest;
  using ERR = v1::EvaluateRenewalResponse;
  using Stub = v1::EligibilityService::Stub;
  const v1::Portfolio example = ExamplePortfolio();
  const std::vector<BadCase> cases = {
      {"EvaluatePortfolio empty",
       Call<EP, EPR>(&Stub::EvaluatePortfolio, [](EP&) {}),
       {"portfolio"}},
      {"EvaluatePortfolio unknown categories and a bad day",
       Call<EP, EPR>(&Stub::EvaluatePortfolio,
                     [&](EP& r) {
                       *r.mutable_portfolio() = example;
                       r.add_categories("IFS");
                       r.add_categories("NOPE");
                       r.add_categories("'; DROP TABLE endorsements; --");
                       *r.mutable_as_of() = DateOf("2026-02-01");
                       r.mutable_as_of()->set_month(13);
                     }),
       {"categories[1]", "categories[2]", "as_of"}},
      {"EvaluatePortfolio a day after today",
       Call<EP, EPR>(&Stub::EvaluatePortfolio,
                     [&](EP& r) {
                       *r.mutable_portfolio() = example;
                       *r.mutable_as_of() = DateOf("2099-01-01");
                     }),
       {"as_of"}},
      {"EvaluatePortfolio too many categories",
       Call<EP, EPR>(&Stub::EvaluatePortfolio,
                     [&](EP& r) {
                       *r.mutable_portfolio() = example;
                       for (int i = 0; i < 21; ++i) r.add_categories("IFS");
                     }),
       {"categories"}},
      {"EvaluatePortfolio negative hours and an unknown enum",
       Call<EP, EPR>(
           &Stub::EvaluatePortfolio,
           [&](EP& r) {
             *r.mutable_portfolio() = example;
             r.mutable_portfolio()->mutable_trainings(1)->set_clock_hours(-4);
             r.mutable_portfolio()->mutable_rsc_sessions(0)->set_format(
                 static_cast<v1::RscFormat>(99));
           }),
       {"portfolio.trainings[1].clock_hours",
        "portfolio.rsc_sessions[0].format"}},
      {"RecommendCategories empty",
       Call<RC, RCR>(&Stub::RecommendCategories, [](RC&) {}),
       {"portfolio"}},
      {"RecommendCategories bad day",
       Call<RC, RCR>(&Stub::RecommendCategories,
                     [&](RC& r) {
                       *r.mutable_portfolio() = example;
                       r.mutable_as_of()->set_year(2026);
                     }),
       {"as_of"}},
      {"EvaluateRenewal empty",
       Call<ER, ERR>(&Stub::EvaluateRenewal, [](ER&) {}),
       {"attestation"}},
      {"EvaluateRenewal unknown category",
       Call<ER, ERR>(&Stub::EvaluateRenewal,
                     [](ER& r) {
                       r.mutable_attestation()->set_category("XYZ");
                       r.mutable_attestation()->set_cycle_year(2027);
                       *r.mutable_attestation()->mutable_granted_on() =
                           DateOf("2025-03-01");
                       *r.mutable_attestation()->mutable_attested_on() =
                           DateOf("2026-11-02");
                     }),
       {"attestation.category"}},
  };
  for (const BadCase& bad : cases) {
    SCOPED_TRACE(bad.name);
    const grpc::Status status = bad.call(*stub_);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << status.error_message();
    const std::vector<std::string> paths = ViolationPaths(status);
    for (const std::string& path : bad.paths) {
      EXPECT_THAT(paths, ::testing::Contains(path));
    }
  }
  EXPECT_EQ(RegistryVerifications(), 0);
  EXPECT_EQ(DecisionLog(), "");
}

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

#ifndef IMH_TESTS_E2E_E2E_FIXTURE_H_
#define IMH_TESTS_E2E_E2E_FIXTURE_H_

// Both real service binaries on loopback over a real SQLite file in a
// temporary folder, the demo registry, and the example IFS portfolio.

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "common/dates.h"
#include "common/proto_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imh/eligibility/v1/eligibility_service.grpc.pb.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "tests/e2e/service_process.h"
#include "tests/registry/registry_test_support.h"
#include "tools/cli/registry_csv.h"

namespace imh::e2e {

namespace elig = eligibility::v1;
namespace reg = registry::v1;
using registry::testing::DateOf;
using registry::testing::TempDir;

inline const std::string kSource = IMH_SOURCE_DIR;
constexpr char kAsOf[] = "2026-11-20";

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline elig::Portfolio IfsPortfolio() {
  elig::Portfolio portfolio;
  EXPECT_TRUE(
      ReadJsonFile(kSource + "/deploy/examples/portfolios/ifs_applicant.json",
                   &portfolio)
          .ok());
  return portfolio;
}

inline const elig::Finding* FindingOf(const elig::CategoryDecision& category,
                                      const std::string& rule) {
  for (const elig::Finding& finding : category.findings()) {
    if (finding.rule_id() == rule) return &finding;
  }
  return nullptr;
}

class EndToEndTest : public ::testing::Test {
 protected:
  void StartRegistry(std::vector<std::string> extra = {}) {
    extra.push_back("--db=" + dir_.path() + "/registry.sqlite");
    registry_ = std::make_unique<ServiceProcess>(IMH_REGISTRY_BIN, extra,
                                                 dir_.path(), "registry");
    ASSERT_TRUE(registry_->running());
  }

  void StartEligibility(const std::string& registry_address,
                        std::vector<std::string> extra = {}) {
    extra.push_back("--registry=" + registry_address);
    extra.push_back("--decision_log=" + dir_.path() + "/decisions.jsonl");
    eligibility_ = std::make_unique<ServiceProcess>(IMH_ELIGIBILITY_BIN, extra,
                                                    dir_.path(), "eligibility");
    ASSERT_TRUE(eligibility_->running());
  }

  // Both services, plaintext, the registry holding the demo registry.
  void StartPairWithDemoRegistry() {
    StartRegistry();
    SeedDemoRegistry(*RegistryStub());
    StartEligibility(registry_->address());
  }

  std::unique_ptr<reg::RegistryService::Stub> RegistryStub(
      std::shared_ptr<grpc::ChannelCredentials> credentials =
          grpc::InsecureChannelCredentials()) {
    return reg::RegistryService::NewStub(
        grpc::CreateChannel(registry_->address(), credentials));
  }

  // The demo registry of deploy/examples, through ImportEndorsements.
  void SeedDemoRegistry(reg::RegistryService::Stub& stub) {
    absl::StatusOr<std::vector<tools::CsvRecord>> rows =
        tools::ParseRegistryCsv(
            ReadFile(kSource + "/deploy/examples/demo_registry.csv"));
    ASSERT_TRUE(rows.ok()) << rows.status();
    reg::ImportEndorsementsRequest request;
    for (const tools::CsvRecord& row : *rows)
      *request.add_records() = row.record;
    reg::ImportEndorsementsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub.ImportEndorsements(&context, request, &response).ok());
    ASSERT_EQ(response.imported_count(), rows->size());
  }

  grpc::Status EvaluateIfs(const elig::Portfolio& portfolio,
                           elig::EvaluatePortfolioResponse* response,
                           absl::Duration deadline = absl::Seconds(10),
                           const std::string& request_id = "") {
    auto stub = elig::EligibilityService::NewStub(grpc::CreateChannel(
        eligibility_->address(), grpc::InsecureChannelCredentials()));
    return Evaluate(*stub, portfolio, response, deadline, request_id);
  }

  static grpc::Status Evaluate(elig::EligibilityService::Stub& stub,
                               const elig::Portfolio& portfolio,
                               elig::EvaluatePortfolioResponse* response,
                               absl::Duration deadline,
                               const std::string& request_id) {
    elig::EvaluatePortfolioRequest request;
    *request.mutable_portfolio() = portfolio;
    request.add_categories("IFS");
    *request.mutable_as_of() = DateOf(kAsOf);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    if (!request_id.empty()) context.AddMetadata("x-request-id", request_id);
    return stub.EvaluatePortfolio(&context, request, response);
  }

  TempDir dir_;
  std::unique_ptr<ServiceProcess> registry_;
  std::unique_ptr<ServiceProcess> eligibility_;
};

}  // namespace imh::e2e

#endif  // IMH_TESTS_E2E_E2E_FIXTURE_H_

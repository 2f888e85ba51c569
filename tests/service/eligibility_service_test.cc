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

// Each category's outcome and advisory rule ids, as the signature covers them.
std::string SignedOutcomes(
    const decision::v1::SignedDecision& signed_decision) {
  decision::v1::DecisionRecord record;
  EXPECT_TRUE(record.ParseFromString(signed_decision.record()));
  std::string outcomes;
  for (const decision::v1::CategoryOutcome& category : record.categories()) {
    outcomes += category.ShortDebugString() + "\n";
  }
  return outcomes;
}

TEST_F(EligibilityServiceTest,
       EvaluatePortfolio_BasicViewLeavesOutOnlyTheSentences) {
  v1::EvaluatePortfolioRequest request;
  *request.mutable_portfolio() = ExamplePortfolio();
  *request.mutable_as_of() = DateOf("2026-11-20");
  v1::EvaluatePortfolioResponse full, basic;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->EvaluatePortfolio(&context, request, &full).ok());
  }
  request.set_view(v1::DECISION_VIEW_BASIC);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->EvaluatePortfolio(&context, request, &basic).ok());
  }
  ASSERT_EQ(full.decision().categories_size(),
            VirginiaRulebook().proto().categories_size());
  EXPECT_NE(full.decision_id(), basic.decision_id());
  EXPECT_EQ(SignedOutcomes(basic.signed_decision()),
            SignedOutcomes(full.signed_decision()));
  v1::Decision without_sentences = full.decision();
  int sentences = 0;
  for (v1::CategoryDecision& category :
       *without_sentences.mutable_categories()) {
    for (v1::Finding& finding : *category.mutable_findings()) {
      sentences += !finding.message().empty();
      finding.clear_message();
    }
  }
  EXPECT_GT(sentences, 0);
  EXPECT_EQ(basic.decision().DebugString(), without_sentences.DebugString());
  EXPECT_LT(basic.ByteSizeLong(), full.ByteSizeLong());
}

TEST_F(EligibilityServiceTest, RecommendCategories_BasicViewHasNoSentences) {
  v1::RecommendCategoriesRequest request;
  *request.mutable_portfolio() = ExamplePortfolio();
  *request.mutable_as_of() = DateOf("2026-11-20");
  request.set_view(v1::DECISION_VIEW_BASIC);
  v1::RecommendCategoriesResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->RecommendCategories(&context, request, &response).ok());
  ASSERT_FALSE(response.recommendation().missing().empty());
  for (const v1::Finding& finding : response.recommendation().missing()) {
    EXPECT_EQ(finding.message(), "") << finding.rule_id();
    EXPECT_FALSE(finding.rule_id().empty());
  }
  for (const v1::CategoryDecision& category :
       response.recommendation().decisions()) {
    EXPECT_NE(category.outcome(), v1::OUTCOME_UNSPECIFIED);
    for (const v1::Finding& finding : category.findings()) {
      EXPECT_EQ(finding.message(), "") << finding.rule_id();
    }
  }
}

// Puts one IFS endorsement on the registry, as the association's import does.
void Seed(int registry_port, const std::string& granted_on, int membership) {
  auto stub = registry::v1::RegistryService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", registry_port),
                          grpc::InsecureChannelCredentials()));
  registry::v1::ImportEndorsementsRequest request;
  registry::v1::RegistryRecord* record = request.add_records();
  record->mutable_person()->set_person_id("P-1004");
  record->mutable_person()->set_display_name("Leah Okafor");
  record->mutable_person()->set_county("Roanoke");
  record->mutable_person()->set_membership_paid_through_year(membership);
  record->mutable_endorsement()->set_endorsement_number("VA-IFS-1004");
  record->mutable_endorsement()->set_category("IFS");
  *record->mutable_endorsement()->mutable_granted_on() = DateOf(granted_on);
  registry::v1::ImportEndorsementsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->ImportEndorsements(&context, request, &response).ok());
  ASSERT_EQ(response.imported_count(), 1);
}

v1::EvaluateRenewalRequest EarlyRenewal() {
  v1::EvaluateRenewalRequest request;
  EXPECT_TRUE(ReadJsonFile(std::string(IMH_SOURCE_DIR) +
                               "/deploy/examples/renewals/"
                               "renewal_ifs_2027_early.json",
                           request.mutable_attestation())
                  .ok());
  *request.mutable_as_of() = DateOf("2026-11-20");
  return request;
}

TEST_F(EligibilityServiceTest, EvaluateRenewal_DecidesFromTheRegistrysRecord) {
  // The registry's record: granted 2025-03-01, so 2027 is due and 2026-2027
  // owe hours; membership through 2028.
  Seed(registry_->port(), "2025-03-01", 2028);
  v1::EvaluateRenewalResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->EvaluateRenewal(&context, EarlyRenewal(), &response).ok());
  const v1::RenewalDecision& decision = response.decision();
  EXPECT_EQ(decision.category(), "IFS");
  EXPECT_EQ(decision.due_cycle_year(), 2027);
  EXPECT_EQ(decision.granted_on().year(), 2025);
  EXPECT_EQ(decision.membership_paid_through_year(), 2028);
  EXPECT_THAT(decision.owed_years(), ::testing::ElementsAre(2026, 2027));
  // Only 2026's hours are attested so far: not complete yet.
  EXPECT_EQ(decision.outcome(), v1::OUTCOME_NOT_ELIGIBLE);
  EXPECT_THAT(DecisionLog(),
              ::testing::HasSubstr(R"("outcomes":{"IFS":"NOT_ELIGIBLE"})"));
}

TEST_F(EligibilityServiceTest, EvaluateRenewal_AMissedCycleStaysDue_RRnwCycle) {
  // Granted 2019 and never renewed: the registry has 2024 due, and an
  // attestation for 2027 cannot stand in for it.
  Seed(registry_->port(), "2019-06-01", 2028);
  v1::EvaluateRenewalResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->EvaluateRenewal(&context, EarlyRenewal(), &response).ok());
  EXPECT_EQ(response.decision().due_cycle_year(), 2024);
  EXPECT_EQ(response.decision().outcome(), v1::OUTCOME_NOT_ELIGIBLE);
  bool cycle_not_met = false;
  for (const v1::Finding& f : response.decision().findings()) {
    cycle_not_met |= f.rule_id() == "R-RNW-CYCLE" &&
                     f.status() == v1::FINDING_STATUS_NOT_MET &&
                     f.message().find("2024 cycle due") != std::string::npos;
  }
  EXPECT_TRUE(cycle_not_met) << response.decision().DebugString();
}

TEST_F(EligibilityServiceTest,
       EvaluateRenewal_UnknownEndorsementIsNotComplete) {
  v1::EvaluateRenewalResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->EvaluateRenewal(&context, EarlyRenewal(), &response).ok());
  EXPECT_EQ(response.decision().outcome(), v1::OUTCOME_NOT_ELIGIBLE);
  EXPECT_EQ(response.decision().category(), "");
}

TEST_F(EligibilityServiceTest, EvaluateRenewal_RegistryAwayIsNeedsReview) {
  Seed(registry_->port(), "2025-03-01", 2028);
  registry_.reset();  // the registry stops
  v1::EvaluateRenewalResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->EvaluateRenewal(&context, EarlyRenewal(), &response).ok());
  EXPECT_EQ(response.decision().outcome(), v1::OUTCOME_NEEDS_REVIEW);
  ASSERT_GE(response.decision().findings_size(), 1);
  EXPECT_EQ(response.decision().findings(0).status(),
            v1::FINDING_STATUS_UNVERIFIED);
}

TEST_F(EligibilityServiceTest, VerificationReportsTheRegistrysRulebookVersion) {
  v1::EvaluatePortfolioRequest request;
  ASSERT_TRUE(ReadJsonFile(std::string(IMH_SOURCE_DIR) +
                               "/deploy/examples/portfolios/ifs_applicant.json",
                           request.mutable_portfolio())
                  .ok());
  *request.mutable_as_of() = DateOf("2026-11-20");
  v1::EvaluatePortfolioResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->EvaluatePortfolio(&context, request, &response).ok());
  EXPECT_EQ(response.verification().registry_rulebook_version(),
            VirginiaRulebook().version());
}

}  // namespace
}  // namespace imh::eligibility

// From decision to the Active Registry with the real binaries over mutual
// TLS (RULES.md s.6, "review and grant"): a signed decision, two reviewers,
// the grant; every refusal writes nothing; keys rotate; renewals are bound to
// signed decisions; lapses need no lapse run.

#include <SQLiteCpp/SQLiteCpp.h>
#include <grpcpp/grpcpp.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/proto_files.h"
#include "tests/e2e/e2e_fixture.h"

namespace imh::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class GrantTest : public EndToEndTest {
 protected:
  void SetUp() override {
    certs_ = dir_.path() + "/certs";
    const std::string command =
        absl::StrCat(IMH_MAKE_CERTS, " ", certs_,
                     " registrar portal eligibility reviewer-a reviewer-b");
    ASSERT_EQ(std::system(command.c_str()), 0);
    // A second key, as after a rotation.
    ASSERT_EQ(std::system(
                  absl::StrCat("openssl genpkey -algorithm ed25519 -out ",
                               certs_, "/next.key && openssl pkey -in ", certs_,
                               "/next.key -pubout -out ", certs_, "/next.pub")
                      .c_str()),
              0);
    StartTlsRegistry(certs_ + "/decision_signing.pub");
    registrar_ = RegistryStub(As("registrar"));
    SeedDemoRegistry(*registrar_);
    reg::CreatePersonRequest person;
    person.mutable_person()->set_person_id("P-2001");
    person.mutable_person()->set_display_name("Morgan Ellis");
    person.mutable_person()->set_county("Fairfax");
    person.mutable_person()->set_membership_paid_through_year(2026);
    reg::CreatePersonResponse created;
    grpc::ClientContext context;
    ASSERT_TRUE(registrar_->CreatePerson(&context, person, &created).ok());
    StartTlsEligibility(certs_ + "/decision_signing.key");
  }

  void StartTlsRegistry(const std::string& keys) {
    StartRegistry(
        {"--tls_cert=" + certs_ + "/server.pem",
         "--tls_key=" + certs_ + "/server.key",
         "--tls_client_ca=" + certs_ + "/ca.pem",
         "--authz_policy=" + kSource + "/deploy/authz/registry_policy.json",
         "--decision_keys=" + keys, "--drain_seconds=1"});
  }

  void StartTlsEligibility(const std::string& key) {
    StartEligibility(registry_->address(),
                     {"--registry_tls_ca=" + certs_ + "/ca.pem",
                      "--registry_tls_cert=" + certs_ + "/eligibility.pem",
                      "--registry_tls_key=" + certs_ + "/eligibility.key",
                      "--signing_key=" + key, "--drain_seconds=1"});
  }

  std::shared_ptr<grpc::ChannelCredentials> As(const std::string& client) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(certs_ + "/ca.pem");
    options.pem_cert_chain = ReadFile(certs_ + "/" + client + ".pem");
    options.pem_private_key = ReadFile(certs_ + "/" + client + ".key");
    return grpc::SslCredentials(options);
  }

  // The IFS example applicant, now on the registry as P-2001.
  elig::EvaluatePortfolioResponse Decide(
      std::vector<std::string> categories = {"IFS"},
      const std::string& as_of = "") {
    elig::EvaluatePortfolioRequest request;
    *request.mutable_portfolio() = IfsPortfolio();
    // A qualifying bachelor's not among IFS's listed degrees: an R-EDU-LISTED
    // advisory for the reviewer, never a failure (RULES.md s.3, education).
    request.mutable_portfolio()->mutable_education(0)->set_degree("BFA");
    request.mutable_portfolio()
        ->mutable_applicant()
        ->mutable_person()
        ->set_person_id("P-2001");
    for (const std::string& c : categories) request.add_categories(c);
    if (!as_of.empty()) *request.mutable_as_of() = DateOf(as_of);
    auto stub = elig::EligibilityService::NewStub(grpc::CreateChannel(
        eligibility_->address(), grpc::InsecureChannelCredentials()));
    elig::EvaluatePortfolioResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        stub->EvaluatePortfolio(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status Submit(const decision::v1::SignedDecision& decision,
                      const std::string& category,
                      reg::SubmitApplicationResponse* response,
                      const std::string& person_id = "P-2001") {
    reg::SubmitApplicationRequest request;
    request.set_person_id(person_id);
    request.set_category(category);
    *request.mutable_signed_decision() = decision;
    grpc::ClientContext context;
    return registrar_->SubmitApplication(&context, request, response);
  }

  grpc::Status Review(const std::string& who, const std::string& application,
                      reg::ReviewVerdict verdict,
                      const std::vector<std::string>& acknowledged,
                      reg::ReviewApplicationResponse* response) {
    auto stub = RegistryStub(As(who));
    reg::ReviewApplicationRequest request;
    request.set_application_id(application);
    request.set_verdict(verdict);
    for (const auto& rule : acknowledged)
      request.add_acknowledged_advisories(rule);
    request.set_comment("portfolio read in full");
    grpc::ClientContext context;
    return stub->ReviewApplication(&context, request, response);
  }

  // Rows of every table a refusal must leave alone.
  int64_t Rows() {
    SQLite::Database db(dir_.path() + "/registry.sqlite",
                        SQLite::OPEN_READONLY);
    int64_t rows = 0;
    for (const char* table : {"applications", "reviews", "endorsements",
                              "status_history", "changes", "renewals"}) {
      rows += db.execAndGet(absl::StrCat("SELECT COUNT(*) FROM ", table))
                  .getInt64();
    }
    return rows;
  }

  reg::CredentialAnswer VerifyHolds(const std::string& person,
                                    const std::string& category,
                                    const std::string& on = "") {
    reg::VerifyCredentialsRequest request;
    reg::CredentialQuestion& question = *request.add_questions();
    question.set_person_id(person);
    question.add_categories(category);
    if (!on.empty()) *question.mutable_as_of() = DateOf(on);
    reg::VerifyCredentialsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(
        registrar_->VerifyCredentials(&context, request, &response).ok());
    return response.answers(0);
  }

  std::string certs_;
  std::unique_ptr<reg::RegistryService::Stub> registrar_;
};

void ExpectRefused(const grpc::Status& status, const std::string& reason) {
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr(reason));
}

TEST_F(GrantTest,
       TwoReviewersApprove_EndorsementActiveWithDecisionAndReviewers) {
  const elig::EvaluatePortfolioResponse decided = Decide();
  ASSERT_EQ(decided.decision().categories(0).outcome(), elig::OUTCOME_ELIGIBLE);
  ASSERT_FALSE(decided.signed_decision().signature().empty());
  const int64_t before = Rows();

  // Refused, writing nothing: one byte changed, another person, a category
  // the decision does not make eligible, a decision past its validity.
  reg::SubmitApplicationResponse submitted;
  decision::v1::SignedDecision altered = decided.signed_decision();
  altered.mutable_record()->back() ^= 1;
  ExpectRefused(Submit(altered, "IFS", &submitted), "does not verify");
  ExpectRefused(Submit(decided.signed_decision(), "IFS", &submitted, "P-1004"),
                "is about P-2001, not P-1004");
  ExpectRefused(Submit(decided.signed_decision(), "IMHS", &submitted),
                "does not decide IMHS");
  const elig::EvaluatePortfolioResponse both = Decide({"IFS", "IMHS"});
  ExpectRefused(Submit(both.signed_decision(), "IMHS", &submitted),
                "is NOT_ELIGIBLE for IMHS");
  // Decided on 2026-09-01: 90 days (the rulebook's decision_valid_days)
  // ran out on 2026-11-30.
  const elig::EvaluatePortfolioResponse old = Decide({"IFS"}, "2026-09-01");
  ExpectRefused(Submit(old.signed_decision(), "IFS", &submitted),
                "was valid through 2026-11-30");
  EXPECT_EQ(Rows(), before);

  ASSERT_TRUE(Submit(decided.signed_decision(), "IFS", &submitted).ok());
  const reg::Application& application = submitted.application();
  EXPECT_EQ(application.state(), reg::APPLICATION_STATE_PENDING);
  EXPECT_EQ(application.required_approvals(), 2);
  EXPECT_EQ(application.decision().decision_id(), decided.decision_id());
  std::vector<std::string> advisories(application.advisory_rule_ids().begin(),
                                      application.advisory_rule_ids().end());
  ASSERT_THAT(advisories, ElementsAre("R-EDU-LISTED"));

  reg::ReviewApplicationResponse reviewed;
  int64_t rows = Rows();
  ExpectRefused(Review("reviewer-a", application.application_id(),
                       reg::REVIEW_VERDICT_APPROVE, {}, &reviewed),
                "not acknowledged: R-EDU-LISTED");
  ExpectRefused(Review("reviewer-a", application.application_id(),
                       reg::REVIEW_VERDICT_APPROVE,
                       {"R-EDU-LISTED", "R-RSC-HOURS"}, &reviewed),
                "R-RSC-HOURS is not an advisory finding");
  EXPECT_EQ(Review("portal", application.application_id(),
                   reg::REVIEW_VERDICT_APPROVE, advisories, &reviewed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Rows(), rows);

  ASSERT_TRUE(Review("reviewer-a", application.application_id(),
                     reg::REVIEW_VERDICT_APPROVE, advisories, &reviewed)
                  .ok());
  EXPECT_EQ(reviewed.application().state(), reg::APPLICATION_STATE_PENDING);
  EXPECT_FALSE(reviewed.has_endorsement());
  rows = Rows();
  ExpectRefused(Review("reviewer-a", application.application_id(),
                       reg::REVIEW_VERDICT_APPROVE, advisories, &reviewed),
                "second vote");
  EXPECT_EQ(Rows(), rows);
  EXPECT_EQ(VerifyHolds("P-2001", "IFS").status(),
            reg::CREDENTIAL_STATUS_NOT_HELD);

  ASSERT_TRUE(Review("reviewer-b", application.application_id(),
                     reg::REVIEW_VERDICT_APPROVE, advisories, &reviewed)
                  .ok());
  EXPECT_EQ(reviewed.application().state(), reg::APPLICATION_STATE_GRANTED);
  const reg::Endorsement& granted = reviewed.endorsement();
  EXPECT_EQ(granted.status(), reg::ENDORSEMENT_STATUS_ACTIVE);
  EXPECT_EQ(granted.category(), "IFS");
  ASSERT_EQ(granted.history_size(), 1);
  EXPECT_EQ(granted.history(0).decision_id(), decided.decision_id());
  EXPECT_THAT(granted.history(0).reviewers(),
              ElementsAre("spiffe://imh.local/reviewer-a",
                          "spiffe://imh.local/reviewer-b"));
  // The grant as the review answers it: each approving reviewer once.
  ASSERT_EQ(granted.grant().reviewed().approvals_size(), 2);
  EXPECT_EQ(granted.grant().reviewed().approvals(0).reviewer(),
            "spiffe://imh.local/reviewer-a");
  EXPECT_EQ(granted.grant().reviewed().approvals(1).reviewer(),
            "spiffe://imh.local/reviewer-b");

  reg::GetEndorsementRequest get;
  get.set_endorsement_number(granted.endorsement_number());
  reg::GetEndorsementResponse read;
  grpc::ClientContext context;
  ASSERT_TRUE(registrar_->GetEndorsement(&context, get, &read).ok());
  const reg::GrantBasis::Reviewed& basis =
      read.endorsement().grant().reviewed();
  EXPECT_EQ(basis.decision_id(), decided.decision_id());
  EXPECT_EQ(basis.application_id(), application.application_id());
  ASSERT_EQ(basis.approvals_size(), 2);
  EXPECT_EQ(VerifyHolds("P-2001", "IFS").status(), reg::CREDENTIAL_STATUS_HELD);

  // Used once: never again.
  rows = Rows();
  ExpectRefused(Submit(decided.signed_decision(), "IFS", &submitted),
                "already used for a grant");
  ExpectRefused(Review("reviewer-b", application.application_id(),
                       reg::REVIEW_VERDICT_APPROVE, advisories, &reviewed),
                "takes no more reviews");
  EXPECT_EQ(Rows(), rows);

  reg::GetPersonRequest person;
  person.set_person_id("P-2001");
  reg::GetPersonResponse record;
  grpc::ClientContext person_context;
  ASSERT_TRUE(registrar_->GetPerson(&person_context, person, &record).ok());
  ASSERT_EQ(record.applications_size(), 1);
  EXPECT_EQ(record.applications(0).reviews_size(), 2);
  ASSERT_EQ(record.endorsements_size(), 1);
  EXPECT_TRUE(record.endorsements(0).grant().has_reviewed());
}

TEST_F(GrantTest, OneDeclineClosesTheApplication) {
  reg::SubmitApplicationResponse submitted;
  ASSERT_TRUE(Submit(Decide().signed_decision(), "IFS", &submitted).ok());
  const std::string id = submitted.application().application_id();
  reg::ReviewApplicationResponse reviewed;
  ASSERT_TRUE(
      Review("reviewer-a", id, reg::REVIEW_VERDICT_DECLINE, {}, &reviewed)
          .ok());
  EXPECT_EQ(reviewed.application().state(), reg::APPLICATION_STATE_DECLINED);
  ASSERT_EQ(reviewed.application().reviews_size(), 1);
  EXPECT_EQ(reviewed.application().reviews(0).comment(),
            "portfolio read in full");
  const int64_t rows = Rows();
  ExpectRefused(Review("reviewer-b", id, reg::REVIEW_VERDICT_APPROVE,
                       {"R-EDU-LISTED"}, &reviewed),
                "is declined: it takes no more reviews");
  EXPECT_EQ(Rows(), rows);
  EXPECT_EQ(VerifyHolds("P-2001", "IFS").status(),
            reg::CREDENTIAL_STATUS_NOT_HELD);
}

TEST_F(GrantTest, AfterKeyRotation_OldDecisionsVerifyAndNewOnesUseTheNewKey) {
  const elig::EvaluatePortfolioResponse before_rotation = Decide();
  const std::string old_key = before_rotation.signed_decision().key_id();
  registry_->Stop();
  eligibility_->Stop();
  StartTlsRegistry(certs_ + "/decision_signing.pub," + certs_ + "/next.pub");
  registrar_ = RegistryStub(As("registrar"));
  StartTlsEligibility(certs_ + "/next.key");

  const elig::EvaluatePortfolioResponse after_rotation = Decide();
  EXPECT_NE(after_rotation.signed_decision().key_id(), old_key);
  reg::SubmitApplicationResponse submitted;
  EXPECT_TRUE(
      Submit(before_rotation.signed_decision(), "IFS", &submitted).ok());
  EXPECT_EQ(submitted.application().decision().key_id(), old_key);
  // A registry that no longer trusts the old key refuses what it signed.
  registry_->Stop();
  StartTlsRegistry(certs_ + "/next.pub");
  registrar_ = RegistryStub(As("registrar"));
  ExpectRefused(Submit(before_rotation.signed_decision(), "IFS", &submitted),
                "does not trust");
  EXPECT_TRUE(Submit(after_rotation.signed_decision(), "IFS", &submitted).ok());
}

TEST_F(GrantTest, RecordRenewal_RefusesAnIncompleteForgedOrPortfolioDecision) {
  elig::EvaluateRenewalRequest request;
  ASSERT_TRUE(ReadJsonFile(kSource + "/deploy/examples/renewals/"
                                     "renewal_ifs_2027_early.json",
                           request.mutable_attestation())
                  .ok());
  auto stub = elig::EligibilityService::NewStub(grpc::CreateChannel(
      eligibility_->address(), grpc::InsecureChannelCredentials()));
  elig::EvaluateRenewalResponse early;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub->EvaluateRenewal(&context, request, &early).ok());
  }
  // 2027's hours are still to come: not complete (R-RNW-TRN, R-RNW-RSC).
  ASSERT_EQ(early.decision().outcome(), elig::OUTCOME_NOT_ELIGIBLE);
  const int64_t before = Rows();
  const auto record = [&](const decision::v1::SignedDecision& decision) {
    reg::RecordRenewalRequest renewal;
    renewal.set_endorsement_number("VA-IFS-1004");
    *renewal.mutable_signed_decision() = decision;
    reg::RecordRenewalResponse response;
    grpc::ClientContext context;
    return registrar_->RecordRenewal(&context, renewal, &response);
  };
  ExpectRefused(record(early.signed_decision()),
                "is NOT_ELIGIBLE: the attestation is not complete for the "
                "2027 cycle");
  decision::v1::SignedDecision forged = early.signed_decision();
  forged.mutable_signature()->front() ^= 1;
  ExpectRefused(record(forged), "does not verify");
  ExpectRefused(record(Decide().signed_decision()), "not a renewal decision");
  EXPECT_EQ(Rows(), before);
}

}  // namespace
}  // namespace imh::e2e

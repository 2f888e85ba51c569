// Both services with mutual TLS and the registry's authorization policy
// (deploy/authz/registry_policy.json): who may connect, who may write.

#include <grpcpp/grpcpp.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "tests/e2e/e2e_fixture.h"

namespace imh::e2e {
namespace {

using ::testing::HasSubstr;

class MutualTlsTest : public EndToEndTest {
 protected:
  void SetUp() override {
    certs_ = dir_.path() + "/certs";
    const std::string command = absl::StrCat(IMH_MAKE_CERTS, " ", certs_,
                                             " registrar portal eligibility");
    ASSERT_EQ(std::system(command.c_str()), 0);
    StartRegistry(
        {"--tls_cert=" + certs_ + "/server.pem",
         "--tls_key=" + certs_ + "/server.key",
         "--tls_client_ca=" + certs_ + "/ca.pem",
         "--authz_policy=" + kSource + "/deploy/authz/registry_policy.json"});
  }

  std::shared_ptr<grpc::ChannelCredentials> As(const std::string& client) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(certs_ + "/ca.pem");
    if (!client.empty()) {
      options.pem_cert_chain = ReadFile(certs_ + "/" + client + ".pem");
      options.pem_private_key = ReadFile(certs_ + "/" + client + ".key");
    }
    return grpc::SslCredentials(options);
  }

  static grpc::Status CreatePerson(reg::RegistryService::Stub& stub,
                                   const std::string& person_id) {
    reg::CreatePersonRequest request;
    request.mutable_person()->set_person_id(person_id);
    request.mutable_person()->set_display_name("Avery Stone");
    request.mutable_person()->set_county("Fairfax");
    reg::CreatePersonResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    return stub.CreatePerson(&context, request, &response);
  }

  static grpc::Status GetPerson(reg::RegistryService::Stub& stub,
                                const std::string& person_id) {
    reg::GetPersonRequest request;
    request.set_person_id(person_id);
    reg::GetPersonResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    return stub.GetPerson(&context, request, &response);
  }

  std::string certs_;
};

TEST_F(MutualTlsTest, ClientWithoutCertificate_IsRefused) {
  auto stub = RegistryStub(As(""));
  EXPECT_EQ(GetPerson(*stub, "P-1001").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  auto plaintext = RegistryStub(grpc::InsecureChannelCredentials());
  EXPECT_EQ(GetPerson(*plaintext, "P-1001").error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(MutualTlsTest, WriteByUnauthorisedPrincipal_IsDeniedAndWritesNothing) {
  auto portal = RegistryStub(As("portal"));
  const grpc::Status denied = CreatePerson(*portal, "P-2001");
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(), HasSubstr("spiffe://imh.local/portal"));
  // Reads stay open to any authenticated caller: the person is not there.
  EXPECT_EQ(GetPerson(*portal, "P-2001").error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(MutualTlsTest, WriteByAuthorisedPrincipal_Succeeds) {
  auto registrar = RegistryStub(As("registrar"));
  ASSERT_TRUE(CreatePerson(*registrar, "P-2002").ok());
  auto portal = RegistryStub(As("portal"));
  EXPECT_TRUE(GetPerson(*portal, "P-2002").ok());
  EXPECT_THAT(
      registry_->Log(),
      HasSubstr(
          R"("method":"/imh.registry.v1.RegistryService/CreatePerson","code":"OK","ms")"));
}

TEST_F(MutualTlsTest, WholePathOverMutualTls_DecidesWithVerifiedFacts) {
  SeedDemoRegistry(*RegistryStub(As("registrar")));
  StartEligibility(registry_->address(),
                   {"--tls_cert=" + certs_ + "/server.pem",
                    "--tls_key=" + certs_ + "/server.key",
                    "--tls_client_ca=" + certs_ + "/ca.pem",
                    "--registry_tls_ca=" + certs_ + "/ca.pem",
                    "--registry_tls_cert=" + certs_ + "/eligibility.pem",
                    "--registry_tls_key=" + certs_ + "/eligibility.key"});
  auto portal = elig::EligibilityService::NewStub(
      grpc::CreateChannel(eligibility_->address(), As("portal")));
  auto anonymous = elig::EligibilityService::NewStub(
      grpc::CreateChannel(eligibility_->address(), As("")));

  elig::EvaluatePortfolioResponse response;
  const grpc::Status status = Evaluate(*portal, IfsPortfolio(), &response,
                                       absl::Seconds(10), "tls-req-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.decision().categories(0).outcome(),
            elig::OUTCOME_ELIGIBLE);
  EXPECT_THAT(
      registry_->Log(),
      HasSubstr(
          R"("caller":"spiffe://imh.local/eligibility","request_id":"tls-req-1")"));
  EXPECT_EQ(
      Evaluate(*anonymous, IfsPortfolio(), &response, absl::Seconds(5), "")
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace imh::e2e

// The eligibility binary against a registry that misbehaves: slow, or
// refusing. The registry here is a fake on purpose: these tests are about
// faults a real registry cannot be made to show on demand.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "google/protobuf/stubs/logging.h"
#include "tests/e2e/e2e_fixture.h"

namespace imh::e2e {
namespace {

using ::testing::HasSubstr;

// Answers VerifyCredentials after `delay` (unless the call is cancelled
// first), or with `fail_first` errors of `failure` before that; every answer
// says HELD, on every day of a span question (with a detail that is not UTF-8
// when `corrupt_detail`: protobuf sends it, logging, and no reader may take it
// for a string).
class FaultyRegistry final : public reg::RegistryService::Service {
 public:
  absl::Duration delay = absl::ZeroDuration();
  int fail_first = 0;
  grpc::StatusCode failure = grpc::StatusCode::UNAVAILABLE;
  bool corrupt_detail = false;
  std::atomic<int> calls{0};

  grpc::Status VerifyCredentials(
      grpc::ServerContext* context,
      const reg::VerifyCredentialsRequest* request,
      reg::VerifyCredentialsResponse* response) override {
    if (calls.fetch_add(1) < fail_first) {
      return grpc::Status(failure, "injected fault");
    }
    const absl::Time until = absl::Now() + delay;
    while (absl::Now() < until && !context->IsCancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (const reg::CredentialQuestion& question : request->questions()) {
      reg::CredentialAnswer& answer = *response->add_answers();
      answer.set_status(reg::CREDENTIAL_STATUS_HELD);
      answer.set_endorsement_number("VA-IFRS-1001");
      answer.set_category(question.categories(0));
      answer.set_status_on_date(reg::ENDORSEMENT_STATUS_ACTIVE);
      // Held on every day of a span question: no changes.
      if (question.has_through())
        *answer.mutable_through() = question.through();
      if (corrupt_detail) answer.set_detail("\xc3\x28");
    }
    return grpc::Status::OK;
  }
};

class RegistryFaultTest : public EndToEndTest {
 protected:
  void StartFake() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &fake_port_);
    builder.RegisterService(&fake_);
    fake_server_ = builder.BuildAndStart();
    ASSERT_NE(fake_port_, 0);
  }
  void TearDown() override {
    eligibility_.reset();
    if (fake_server_) {
      fake_server_->Shutdown(std::chrono::system_clock::now());
    }
  }
  std::string fake_address() const {
    return absl::StrCat("127.0.0.1:", fake_port_);
  }

  FaultyRegistry fake_;
  std::unique_ptr<grpc::Server> fake_server_;
  int fake_port_ = 0;
};

TEST_F(RegistryFaultTest,
       CallerDeadlineShorterThanRegistryDelay_DeadlineExceeded) {
  fake_.delay = absl::Seconds(5);
  StartFake();
  StartEligibility(fake_address(), {"--registry_timeout_ms=4000"});

  const absl::Time start = absl::Now();
  elig::EvaluatePortfolioResponse response;
  const grpc::Status status =
      EvaluateIfs(IfsPortfolio(), &response, absl::Milliseconds(400));

  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(RegistryFaultTest,
       RegistrySlowerThanOwnTimeout_AnswersUnverifiedInTime) {
  fake_.delay = absl::Seconds(5);
  StartFake();
  StartEligibility(fake_address(), {"--registry_timeout_ms=300"});

  const absl::Time start = absl::Now();
  elig::EvaluatePortfolioResponse response;
  const grpc::Status status =
      EvaluateIfs(IfsPortfolio(), &response, absl::Seconds(5));

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(response.decision().categories(0).outcome(),
            elig::OUTCOME_NEEDS_REVIEW);
  EXPECT_EQ(response.verification().state(),
            elig::VERIFICATION_STATE_INCOMPLETE);
  EXPECT_THAT(response.verification().detail(), HasSubstr("DEADLINE_EXCEEDED"));
}

TEST_F(RegistryFaultTest, Unavailable_IsRetriedThroughTheServiceConfig) {
  fake_.fail_first = 1;
  fake_.failure = grpc::StatusCode::UNAVAILABLE;
  StartFake();
  StartEligibility(fake_address());

  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());

  EXPECT_EQ(fake_.calls.load(), 2);
  EXPECT_EQ(response.verification().state(), elig::VERIFICATION_STATE_COMPLETE);
}

TEST_F(RegistryFaultTest, OtherErrors_AreNotRetriedAndLeaveFactsUnverified) {
  fake_.fail_first = 1;
  fake_.failure = grpc::StatusCode::INTERNAL;
  StartFake();
  StartEligibility(fake_address());

  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());

  EXPECT_EQ(fake_.calls.load(), 1);
  EXPECT_NE(response.decision().categories(0).outcome(),
            elig::OUTCOME_ELIGIBLE);
  EXPECT_THAT(response.verification().detail(), HasSubstr("INTERNAL"));
}

TEST_F(RegistryFaultTest, UnreadableAnswer_LeavesFactsUnverified) {
  fake_.corrupt_detail = true;
  StartFake();
  StartEligibility(fake_address());

  elig::EvaluatePortfolioResponse response;
  {
    // Protobuf logs the string it serializes anyway.
    const google::protobuf::LogSilencer quiet;
    ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());
  }

  // Every answer said HELD, but none was readable: nothing is confirmed.
  EXPECT_EQ(fake_.calls.load(), 1);
  EXPECT_EQ(response.decision().categories(0).outcome(),
            elig::OUTCOME_NEEDS_REVIEW);
  EXPECT_EQ(response.verification().state(),
            elig::VERIFICATION_STATE_INCOMPLETE);
  EXPECT_EQ(response.verification().unanswered(),
            response.verification().questions());
  EXPECT_THAT(response.verification().detail(),
              HasSubstr("unreadable VerifyCredentials response"));
}

TEST_F(RegistryFaultTest, OneBatchedRegistryCallPerRequest) {
  StartFake();
  StartEligibility(fake_address());

  elig::EvaluatePortfolioResponse response;
  ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());

  EXPECT_EQ(fake_.calls.load(), 1);
  EXPECT_GT(response.verification().questions(), 1);
}

}  // namespace
}  // namespace imh::e2e

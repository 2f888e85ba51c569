// Both real binaries with stderr on a pipe nobody reads: the access log fills
// the pipe and then its queue, and still every call is answered in time; the
// lines that did not fit are dropped and counted; and no decision is answered
// without its decision-log line (a file of its own, written before the
// answer).

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "imh/admin/v1/admin_service.grpc.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace imh::e2e {
namespace {

int64_t DroppedLogLines(const std::string& address) {
  auto admin = admin::v1::AdminService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  admin::v1::GetMetricsResponse metrics;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  EXPECT_TRUE(admin->GetMetrics(&context, {}, &metrics).ok());
  return metrics.log_lines_dropped();
}

// `calls` cheap calls from 4 threads; returns the slowest.
absl::Duration Hammer(int calls, const std::function<grpc::Status()>& call) {
  std::atomic<int> next{0};
  std::atomic<int64_t> slowest_us{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (next.fetch_add(1) < calls) {
        const absl::Time start = absl::Now();
        if (!call().ok()) ++failures;
        const int64_t us = absl::ToInt64Microseconds(absl::Now() - start);
        int64_t seen = slowest_us.load();
        while (us > seen && !slowest_us.compare_exchange_weak(seen, us)) {
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  return absl::Microseconds(slowest_us.load());
}

TEST_F(EndToEndTest,
       StderrNobodyReads_CallsAnsweredDropsCountedDecisionsLogged) {
  int stalled[2];
  ASSERT_EQ(::pipe(stalled), 0);  // stalled[0] is never read.
  registry_ = std::make_unique<ServiceProcess>(
      IMH_REGISTRY_BIN,
      std::vector<std::string>{"--db=" + dir_.path() + "/registry.sqlite"},
      dir_.path(), "registry", 0, stalled[1]);
  ASSERT_TRUE(registry_->running());
  SeedDemoRegistry(*RegistryStub());
  eligibility_ = std::make_unique<ServiceProcess>(
      IMH_ELIGIBILITY_BIN,
      std::vector<std::string>{
          "--registry=" + registry_->address(),
          "--decision_log=" + dir_.path() + "/decisions.jsonl"},
      dir_.path(), "eligibility", 0, stalled[1]);
  ASSERT_TRUE(eligibility_->running());
  ::close(stalled[1]);

  // More access lines than the pipe and the queue hold, in both services.
  auto registry = RegistryStub();
  auto eligibility = elig::EligibilityService::NewStub(grpc::CreateChannel(
      eligibility_->address(), grpc::InsecureChannelCredentials()));
  const int kCalls = 12000;
  const absl::Duration slowest_registry = Hammer(kCalls, [&] {
    reg::VerifyCredentialsRequest request;
    reg::CredentialQuestion& question = *request.add_questions();
    question.set_person_id("P-1001");
    question.add_categories("IFRS");
    reg::VerifyCredentialsResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    return registry->VerifyCredentials(&context, request, &response);
  });
  const absl::Duration slowest_eligibility = Hammer(kCalls, [&] {
    elig::GetRulebookResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    return eligibility->GetRulebook(&context, {}, &response);
  });
  EXPECT_LT(slowest_registry, absl::Seconds(1));
  EXPECT_LT(slowest_eligibility, absl::Seconds(1));
  EXPECT_GT(DroppedLogLines(registry_->address()), 0);
  EXPECT_GT(DroppedLogLines(eligibility_->address()), 0);

  // Decisions, with stderr still stalled: each answered, each logged by the
  // time it is answered.
  for (int i = 0; i < 20; ++i) {
    elig::EvaluatePortfolioResponse response;
    const absl::Time start = absl::Now();
    ASSERT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());
    EXPECT_LT(absl::Now() - start, absl::Seconds(2));
    EXPECT_THAT(ReadFile(dir_.path() + "/decisions.jsonl"),
                ::testing::HasSubstr(response.decision_id()));
  }
  auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      registry_->address(), grpc::InsecureChannelCredentials()));
  grpc::health::v1::HealthCheckResponse serving;
  grpc::ClientContext context;
  ASSERT_TRUE(health->Check(&context, {}, &serving).ok());
  EXPECT_EQ(serving.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  std::printf(
      "stalled stderr: slowest call %s (registry), %s (eligibility); "
      "log lines dropped %lld (registry), %lld (eligibility)\n",
      absl::FormatDuration(slowest_registry).c_str(),
      absl::FormatDuration(slowest_eligibility).c_str(),
      static_cast<long long>(DroppedLogLines(registry_->address())),
      static_cast<long long>(DroppedLogLines(eligibility_->address())));
  registry_->Kill();
  eligibility_->Kill();
  ::close(stalled[0]);
}

}  // namespace
}  // namespace imh::e2e

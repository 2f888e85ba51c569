// Both real binaries under continuous load while the registry misbehaves
// between them: slow (frozen for short spells), hung (frozen longer than the
// eligibility service's registry timeout), and down (killed, then restarted on
// the same port). Through all of it: every call is answered, none is stuck,
// nothing unverified is ever ELIGIBLE, and verified decisions come back
// within a few seconds of the registry's return.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "imh/admin/v1/admin_service.grpc.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace imh::e2e {
namespace {

constexpr int kClients = 4;
// The eligibility service's own registry timeout in this test.
constexpr absl::Duration kRegistryTimeout = absl::Milliseconds(1000);
// What "within a few seconds" means for recovery.
constexpr absl::Duration kRecovery = absl::Seconds(4);

struct CallRecord {
  absl::Time start;
  absl::Duration latency;
  grpc::StatusCode code;
  bool eligible;
  bool verified;
};

class LoadFaultTest : public EndToEndTest {
 protected:
  // Clients evaluating the eligible IFS portfolio back to back until Stop.
  void StartLoad() {
    auto channel = grpc::CreateChannel(eligibility_->address(),
                                       grpc::InsecureChannelCredentials());
    for (int i = 0; i < kClients; ++i) {
      clients_.emplace_back([this, channel] {
        auto stub = elig::EligibilityService::NewStub(channel);
        const elig::Portfolio portfolio = IfsPortfolio();
        while (!stop_.load()) {
          CallRecord record;
          record.start = absl::Now();
          elig::EvaluatePortfolioResponse response;
          // Far longer than any answer may take: a stuck call shows as a
          // long latency, not as a deadline.
          const grpc::Status status =
              Evaluate(*stub, portfolio, &response, absl::Seconds(20), "");
          record.latency = absl::Now() - record.start;
          record.code = status.error_code();
          record.eligible =
              status.ok() && response.decision().categories(0).outcome() ==
                                 elig::OUTCOME_ELIGIBLE;
          record.verified =
              status.ok() && response.verification().state() ==
                                 elig::VERIFICATION_STATE_COMPLETE;
          std::lock_guard<std::mutex> lock(mutex_);
          records_.push_back(record);
        }
      });
    }
  }

  void StopLoad() {
    stop_ = true;
    for (std::thread& client : clients_) client.join();
    clients_.clear();
  }

  // The calls that started in [from, to).
  std::vector<CallRecord> CallsStarted(absl::Time from, absl::Time to) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<CallRecord> calls;
    for (const CallRecord& record : records_) {
      if (record.start >= from && record.start < to) calls.push_back(record);
    }
    return calls;
  }

  // When the first verified answer to a call started after `from` came.
  absl::Duration RecoveredAfter(absl::Time from) {
    absl::Time first = absl::InfiniteFuture();
    for (const CallRecord& record :
         CallsStarted(from, absl::InfiniteFuture())) {
      if (record.verified) {
        first = std::min(first, record.start + record.latency);
      }
    }
    return first - from;
  }

  int64_t InFlight(const std::string& address) {
    auto admin = admin::v1::AdminService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    admin::v1::GetMetricsResponse metrics;
    grpc::ClientContext context;
    if (!admin->GetMetrics(&context, {}, &metrics).ok()) return -1;
    return metrics.in_flight_calls();
  }

  // Waits up to 5 s for the only call in flight to be the one asking.
  int64_t SettledInFlight(const std::string& address) {
    int64_t in_flight = -1;
    const absl::Time give_up = absl::Now() + absl::Seconds(5);
    while (absl::Now() < give_up) {
      in_flight = InFlight(address);
      if (in_flight == 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return in_flight;
  }

  void RestartRegistryOnSamePort() {
    const int port = registry_->port();
    registry_ = std::make_unique<ServiceProcess>(
        IMH_REGISTRY_BIN,
        std::vector<std::string>{"--db=" + dir_.path() + "/registry.sqlite",
                                 "--access_log=false"},
        dir_.path(), "registry", port);
    ASSERT_TRUE(registry_->running());
  }

  static void Sleep(absl::Duration duration) {
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(duration));
  }

  std::atomic<bool> stop_{false};
  std::vector<std::thread> clients_;
  std::mutex mutex_;
  std::vector<CallRecord> records_;
};

TEST_F(
    LoadFaultTest,
    RegistrySlowHungDownUnderLoad_NeverEligibleUnverifiedRecoversNoStuckCalls) {
  StartRegistry({"--access_log=false"});
  SeedDemoRegistry(*RegistryStub());
  StartEligibility(registry_->address(),
                   {"--access_log=false",
                    absl::StrCat("--registry_timeout_ms=",
                                 absl::ToInt64Milliseconds(kRegistryTimeout))});
  StartLoad();
  Sleep(absl::Seconds(1));

  // Slow: frozen in short spells, each well inside the registry timeout.
  for (int spell = 0; spell < 5; ++spell) {
    registry_->Pause();
    Sleep(absl::Milliseconds(200));
    registry_->Resume();
    Sleep(absl::Milliseconds(200));
  }
  Sleep(absl::Seconds(1));

  // Hung: frozen for three registry timeouts. The clock is read once the
  // registry is stopped: on a busy machine this thread may be descheduled
  // between the two, and calls started meanwhile are rightly verified.
  registry_->Pause();
  const absl::Time hung = absl::Now();
  Sleep(3 * kRegistryTimeout);
  // Read before the registry continues, so that a call which ended before
  // this instant surely lived its whole life while the registry was frozen.
  const absl::Time resuming = absl::Now();
  registry_->Resume();
  const absl::Time resumed = absl::Now();
  Sleep(kRecovery + absl::Seconds(1));

  // Down: killed, then back on the same port with the same file.
  registry_->Kill();
  const absl::Time down = absl::Now();
  Sleep(absl::Seconds(2));
  const absl::Time restarting = absl::Now();
  RestartRegistryOnSamePort();
  const absl::Time restarted = absl::Now();
  Sleep(kRecovery + absl::Seconds(1));
  StopLoad();

  std::vector<CallRecord> all =
      CallsStarted(absl::InfinitePast(), absl::InfiniteFuture());
  ASSERT_GT(all.size(), 50u);
  int unverified = 0;
  absl::Duration slowest;
  for (const CallRecord& call : all) {
    EXPECT_EQ(call.code, grpc::StatusCode::OK);
    // Fail closed: never ELIGIBLE on an unverified fact; and verified facts
    // make this portfolio ELIGIBLE.
    EXPECT_EQ(call.eligible, call.verified);
    unverified += !call.verified;
    slowest = std::max(slowest, call.latency);
  }
  // No call waits much beyond the registry timeout (its retries included).
  EXPECT_LT(slowest, kRegistryTimeout + absl::Seconds(2));
  // The faults were felt: calls during the hang and the outage unverified.
  EXPECT_GT(unverified, 0);
  // A call that began and ended while the registry was frozen or down cannot
  // have been verified. (Bounding by when calls end, not by when they start
  // plus the timeout, keeps a busy machine's scheduling delays out of it.)
  int lived_in_hang = 0;
  for (const CallRecord& call : CallsStarted(hung, resuming)) {
    if (call.start + call.latency >= resuming) continue;
    ++lived_in_hang;
    EXPECT_FALSE(call.verified) << "verified while the registry was frozen";
  }
  EXPECT_GT(lived_in_hang, 0);
  int lived_in_outage = 0;
  for (const CallRecord& call : CallsStarted(down, restarting)) {
    if (call.start + call.latency >= restarting) continue;
    ++lived_in_outage;
    EXPECT_FALSE(call.verified) << "verified while the registry was down";
  }
  EXPECT_GT(lived_in_outage, 0);
  // Recovery within seconds of each return, and it holds.
  const absl::Duration after_resume = RecoveredAfter(resumed);
  const absl::Duration after_restart = RecoveredAfter(restarted);
  EXPECT_LT(after_resume, kRecovery);
  EXPECT_LT(after_restart, kRecovery);
  for (const CallRecord& call : CallsStarted(resumed + kRecovery, down)) {
    // (A call the kill caught in flight is rightly unverified.)
    if (call.start + call.latency >= down) continue;
    EXPECT_TRUE(call.verified) << "unverified after recovery from the hang";
  }
  for (const CallRecord& call :
       CallsStarted(restarted + kRecovery, absl::InfiniteFuture())) {
    EXPECT_TRUE(call.verified) << "unverified after the restart";
  }
  // No stuck calls on either side once the load is gone.
  EXPECT_EQ(SettledInFlight(eligibility_->address()), 1);
  EXPECT_EQ(SettledInFlight(registry_->address()), 1);

  std::printf(
      "load under registry faults: %zu calls, %d unverified, 0 ELIGIBLE "
      "unverified, slowest %s; verified again %s after the hang, %s after "
      "the restart\n",
      all.size(), unverified, absl::FormatDuration(slowest).c_str(),
      absl::FormatDuration(after_resume).c_str(),
      absl::FormatDuration(after_restart).c_str());
}

}  // namespace
}  // namespace imh::e2e

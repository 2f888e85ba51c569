// The real registry with 20,000 endorsements while clients misbehave: twelve
// exports and a hundred change feeds are opened and never read. The limits
// refuse what is past them (RESOURCE_EXHAUSTED), verification from another
// client keeps answering within twice its unloaded p99, the registry ends the
// stalled streams itself after its stall limit, and the WAL then checkpoints
// to the end.

#include <SQLiteCpp/SQLiteCpp.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/process_cpu.h"
#include "imh/admin/v1/admin_service.grpc.pb.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/registry/registry_test_support.h"

namespace imh::e2e {
namespace {

using registry::testing::RegistryTest;

constexpr int kEndorsements = 20000;

// The p99 of `calls` verifications of three people each.
absl::Duration VerifyP99(reg::RegistryService::Stub& stub, int calls) {
  std::vector<absl::Duration> latencies;
  for (int i = 0; i < calls; ++i) {
    reg::VerifyCredentialsRequest request;
    for (int q = 0; q < 3; ++q) {
      reg::CredentialQuestion& question = *request.add_questions();
      question.set_person_id(
          absl::StrFormat("P-%07d", 1 + (i * 3 + q) * 7 % kEndorsements));
      question.add_categories("IFS");
    }
    reg::VerifyCredentialsResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    const absl::Time start = absl::Now();
    EXPECT_TRUE(stub.VerifyCredentials(&context, request, &response).ok());
    latencies.push_back(absl::Now() - start);
    EXPECT_EQ(response.answers(0).status(), reg::CREDENTIAL_STATUS_HELD);
  }
  std::sort(latencies.begin(), latencies.end());
  std::printf(
      "  p50 %s p90 %s p99 %s max %s\n",
      absl::FormatDuration(latencies[latencies.size() / 2]).c_str(),
      absl::FormatDuration(latencies[latencies.size() * 9 / 10]).c_str(),
      absl::FormatDuration(latencies[latencies.size() * 99 / 100]).c_str(),
      absl::FormatDuration(latencies.back()).c_str());
  return latencies[latencies.size() * 99 / 100];
}

// Waits (at most `limit`) until `pid` has been nearly idle for a second: the
// streams it took have filled their flow-control windows and now only hold
// their threads. Returns how long that took.
absl::Duration WaitUntilIdle(pid_t pid, absl::Duration limit) {
  const absl::Time start = absl::Now();
  int quiet = 0;
  double last = ProcessCpuMicros(pid);
  while (quiet < 4 && absl::Now() - start < limit) {
    absl::SleepFor(absl::Milliseconds(250));
    const double now = ProcessCpuMicros(pid);
    // Under 10% of one core over the quarter second (two clock ticks).
    quiet = now - last <= 20000 ? quiet + 1 : 0;
    last = now;
  }
  return absl::Now() - start;
}

// Sanitized builds are many times slower and noisier: latency is compared
// only in plain builds (speed is for benchmarks; here it is a guard).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// A connection of its own, as another client process would have (gRPC
// otherwise shares one connection between channels to the same address, and
// the stalled streams would hold the verifier's connection window). A hostile
// one keeps HTTP/2's initial 64 KiB window (no BDP probing, which would
// otherwise grow it until a whole export fits into the client's buffers).
std::unique_ptr<reg::RegistryService::Stub> OwnConnection(
    const std::string& address, bool hostile = false) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  if (hostile) args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  return reg::RegistryService::NewStub(grpc::CreateCustomChannel(
      address, grpc::InsecureChannelCredentials(), args));
}

// Calls in flight on the registry, this GetMetrics call included.
int64_t InFlight(const std::string& address) {
  auto admin = admin::v1::AdminService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  admin::v1::GetMetricsResponse metrics;
  EXPECT_TRUE(admin->GetMetrics(&context, {}, &metrics).ok());
  return metrics.in_flight_calls();
}

// A stream opened by a caller that then stops reading: one message read to
// learn whether the registry took it, then nothing.
struct Stalled {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReader<reg::ExportEndorsementsResponse>> export_;
  std::unique_ptr<grpc::ClientReader<reg::WatchChangesResponse>> watch;
  bool taken = false;
  grpc::Status refusal;
};

TEST_F(EndToEndTest, HostileClients_UnreadStreamsCannotStallVerification) {
  // Streams whose client takes nothing for 20 s are ended: long enough for
  // the measurement below, short enough for a test.
  StartRegistry({"--access_log=false", "--stream_stall_seconds=20"});
  {
    auto stub = RegistryStub();
    for (int start = 1; start <= kEndorsements; start += 10000) {
      reg::ImportEndorsementsRequest request;
      for (int n = start; n < start + 10000; ++n) {
        *request.add_records() = RegistryTest::Record(n);
      }
      reg::ImportEndorsementsResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(stub->ImportEndorsements(&context, request, &response).ok());
    }
  }
  auto verifier = OwnConnection(registry_->address());
  const absl::Duration unloaded = VerifyP99(*verifier, 300);

  // Each hostile stream on a channel of its own, as a separate client would.
  std::vector<Stalled> exports(12);
  std::vector<Stalled> watches(100);
  for (size_t i = 0; i < exports.size(); ++i) {
    Stalled& s = exports[i];
    s.context = std::make_unique<grpc::ClientContext>();
    s.context->AddMetadata("x-actor", absl::StrCat("exporter-", i));
    s.export_ = OwnConnection(registry_->address(), /*hostile=*/true)
                    ->ExportEndorsements(s.context.get(), {});
    reg::ExportEndorsementsResponse first;
    s.taken = s.export_->Read(&first);
    if (!s.taken) s.refusal = s.export_->Finish();
  }
  for (size_t i = 0; i < watches.size(); ++i) {
    Stalled& s = watches[i];
    s.context = std::make_unique<grpc::ClientContext>();
    s.context->AddMetadata("x-actor", absl::StrCat("watcher-", i % 25));
    s.watch = OwnConnection(registry_->address(), /*hostile=*/true)
                  ->WatchChanges(s.context.get(), {});
    reg::WatchChangesResponse first;
    s.taken = s.watch->Read(&first);
    if (!s.taken) s.refusal = s.watch->Finish();
  }
  auto count_taken = [](const std::vector<Stalled>& streams) {
    int taken = 0;
    for (const Stalled& s : streams) {
      if (s.taken) {
        ++taken;
      } else {
        EXPECT_EQ(s.refusal.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
            << s.refusal.error_message();
      }
    }
    return taken;
  };
  // The registry's limits: 2 exports in all; 64 feeds, 8 per caller (25
  // callers here, 4 each: the server limit is the one that bites).
  EXPECT_EQ(count_taken(exports), 2);
  EXPECT_EQ(count_taken(watches), 64);

  // The accepted streams run on until their flow-control windows fill (the
  // registry cannot tell a slow reader from a gone one before that); then
  // they wait, holding no thread and no read snapshot.
  const absl::Duration settled =
      WaitUntilIdle(registry_->pid(), absl::Seconds(kSanitized ? 15 : 90));
  // Twice the unloaded p99, plus 2 ms: at a sub-millisecond p99 a shared
  // 2-core runner's scheduling alone moves it by that much. A hiccup of the
  // shared machine (a 100 ms pause seen here) can still put three slow calls
  // in one sample of 300, where a registry held up by the streams would be
  // slow in every sample: the best of up to three samples is compared.
  const absl::Duration bound = 2 * unloaded + absl::Milliseconds(2);
  absl::Duration loaded = VerifyP99(*verifier, 300);
  for (int sample = 2; sample <= 3 && loaded > bound; ++sample) {
    loaded = std::min(loaded, VerifyP99(*verifier, 300));
  }
  std::printf(
      "verification p99: %s unloaded, %s with 2 exports and 64 feeds "
      "stalled (10 exports and 36 feeds refused; the stalled streams filled "
      "their windows in %s)\n",
      absl::FormatDuration(unloaded).c_str(),
      absl::FormatDuration(loaded).c_str(),
      absl::FormatDuration(settled).c_str());
  if (!kSanitized) {
    EXPECT_LE(loaded, bound);
  }

  // Nobody reads them: the registry ends every stalled stream itself once
  // its client has taken nothing for the stall limit. The clients see it
  // cancelled; nothing is left in flight but the question.
  const absl::Time waiting = absl::Now();
  while (InFlight(registry_->address()) > 1 &&
         absl::Now() - waiting < absl::Seconds(60)) {
    absl::SleepFor(absl::Milliseconds(250));
  }
  EXPECT_EQ(InFlight(registry_->address()), 1)
      << "stalled streams outlived the stall limit";
  // What reached the client before the end is still read first.
  for (Stalled& s : exports) {
    if (!s.taken) continue;
    reg::ExportEndorsementsResponse buffered;
    while (s.export_->Read(&buffered)) {
    }
    EXPECT_EQ(s.export_->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  for (Stalled& s : watches) {
    if (!s.taken) continue;
    reg::WatchChangesResponse buffered;
    while (s.watch->Read(&buffered)) {
    }
    EXPECT_EQ(s.watch->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }

  // With the stalled readers gone, nothing pins the WAL: a checkpoint runs
  // to its end. (A write first, so there is something to checkpoint.)
  {
    auto stub = RegistryStub();
    reg::CreatePersonRequest person;
    person.mutable_person()->set_person_id("P-LAST");
    person.mutable_person()->set_display_name("Last Writer");
    person.mutable_person()->set_county("Fairfax");
    reg::CreatePersonResponse created;
    grpc::ClientContext context;
    ASSERT_TRUE(stub->CreatePerson(&context, person, &created).ok());
  }
  bool checkpointed = false;
  for (int attempt = 0; attempt < 50 && !checkpointed; ++attempt) {
    SQLite::Database db(dir_.path() + "/registry.sqlite",
                        SQLite::OPEN_READWRITE);
    SQLite::Statement checkpoint(db, "PRAGMA wal_checkpoint(PASSIVE)");
    ASSERT_TRUE(checkpoint.executeStep());
    // busy, frames in the WAL, frames checkpointed.
    checkpointed =
        checkpoint.getColumn(0).getInt() == 0 &&
        checkpoint.getColumn(1).getInt() == checkpoint.getColumn(2).getInt();
    if (!checkpointed) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(checkpointed) << "the WAL stays pinned after the streams ended";
}

}  // namespace
}  // namespace imh::e2e

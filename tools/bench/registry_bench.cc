// Benchmark (not a test): the registry with 1,000,000 endorsements.
//
// Starts the registry binary and an empty echo server (this binary, in echo
// mode) as separate processes on loopback, bulk-imports the endorsements, then
// drives VerifyCredentials (batches of 3 questions) and the echo with the same
// closed-loop load, alternating rounds, and reports medians:
//   - bulk import time                      goal <= 10 s
//   - VerifyCredentials calls/s vs echo     goal >= 0.7x
//   - VerifyCredentials p99 vs echo p99     goal <= 2x
//   - the registry's peak RSS (VmHWM)       goal <= 100 MB
//
//   build/release/tools/bench/registry_bench [--endorsements=1000000]

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/marshalling.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/server_support.h"
#include "imh/bench/v1/echo_service.grpc.pb.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "tools/bench/bench_support.h"

ABSL_FLAG(int, endorsements, 1000000, "endorsements to import");
ABSL_FLAG(int, batch, 10000, "records per ImportEndorsements call");
ABSL_FLAG(int, concurrency, 8, "client threads, each with one call in flight");
ABSL_FLAG(double, seconds, 4, "length of each load round");
ABSL_FLAG(int, rounds, 3, "rounds of each (echo, verify), alternating");
ABSL_FLAG(std::string, registry_binary, "",
          "imh-registry to start (default: the one of this build tree)");
ABSL_FLAG(std::vector<std::string>, registry_flags, {},
          "extra flags for the registry, e.g. "
          "--registry_flags=--reader_mmap_mb=1024");
ABSL_FLAG(bool, import, true,
          "import first (false: the registry at --registry_port has them)");
ABSL_FLAG(int, registry_port, 0,
          "use a registry already serving on this loopback port (e.g. one "
          "under a profiler) instead of starting one; no RSS then");
ABSL_FLAG(std::string, serve_echo_port_file, "",
          "internal: serve the echo and write its port here");

namespace {

namespace reg = imh::registry::v1;
using namespace imh::bench;  // NOLINT: the benchmark's own helpers

const char* const kCategories[] = {"IFA", "IFS", "IFRS", "IMHS", "IMHM-C"};

reg::RegistryRecord Record(int n) {
  reg::RegistryRecord record;
  reg::Person& person = *record.mutable_person();
  person.set_person_id(absl::StrFormat("P-%07d", n));
  person.set_display_name(absl::StrCat("Professional ", n));
  person.set_county(n % 3 ? "Fairfax" : "Henrico");
  person.set_membership_paid_through_year(2026);
  reg::Endorsement& e = *record.mutable_endorsement();
  const char* category = kCategories[n % 5];
  e.set_endorsement_number(absl::StrFormat("VA-%s-%07d", category, n));
  e.set_category(category);
  const absl::CivilDay granted =
      absl::CivilDay(2015, 1, 1) + (static_cast<int64_t>(n) * 7919) % 3000;
  *e.mutable_granted_on() = imh::ToProtoDate(granted);
  if (n % 10 == 0) {  // Every tenth has lapsed once and been reinstated.
    auto* grant = e.add_history();
    grant->set_status(reg::ENDORSEMENT_STATUS_ACTIVE);
    *grant->mutable_effective_on() = imh::ToProtoDate(granted);
    auto* lapse = e.add_history();
    lapse->set_status(reg::ENDORSEMENT_STATUS_LAPSED);
    *lapse->mutable_effective_on() = imh::ToProtoDate(granted + 400);
    auto* back = e.add_history();
    back->set_status(reg::ENDORSEMENT_STATUS_ACTIVE);
    *back->mutable_effective_on() = imh::ToProtoDate(granted + 500);
  }
  return record;
}

std::vector<std::string> RegistryArgs(const std::string& binary,
                                      const std::string& dir) {
  std::vector<std::string> args = {binary, "--listen=127.0.0.1:0",
                                   "--db=" + dir + "/registry.sqlite",
                                   "--port_file=" + dir + "/registry.port"};
  for (const std::string& flag : absl::GetFlag(FLAGS_registry_flags)) {
    args.push_back(flag);
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_serve_echo_port_file).empty()) {
    return imh::bench::ServeEcho(absl::GetFlag(FLAGS_serve_echo_port_file));
  }
  const std::filesystem::path self =
      std::filesystem::canonical("/proc/self/exe");
  std::string registry_binary = absl::GetFlag(FLAGS_registry_binary);
  if (registry_binary.empty()) {
    registry_binary = (self.parent_path().parent_path().parent_path() /
                       "services/registry/imh-registry")
                          .string();
  }
  char pattern[] = "/tmp/imh-registry-bench-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const int n = absl::GetFlag(FLAGS_endorsements);
  const int threads = absl::GetFlag(FLAGS_concurrency);
  const double seconds = absl::GetFlag(FLAGS_seconds);

  const Child registry =
      absl::GetFlag(FLAGS_registry_port) != 0
          ? Child{0, absl::GetFlag(FLAGS_registry_port)}
          : Spawn(RegistryArgs(registry_binary, dir), dir + "/registry.port");
  const Child echo =
      Spawn({self.string(), "--serve_echo_port_file=" + dir + "/echo.port"},
            dir + "/echo.port");
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto registry_channel =
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", registry.port),
                                grpc::InsecureChannelCredentials(), args);
  auto echo_channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", echo.port),
                                          grpc::InsecureChannelCredentials());
  auto registry_stub = reg::RegistryService::NewStub(registry_channel);
  auto echo_stub = imh::bench::v1::EchoService::NewStub(echo_channel);

  // --- Bulk import. Requests are built first: the client's cost is not the
  // registry's.
  std::vector<reg::ImportEndorsementsRequest> batches;
  for (int first = 1; absl::GetFlag(FLAGS_import) && first <= n;
       first += absl::GetFlag(FLAGS_batch)) {
    reg::ImportEndorsementsRequest& request = batches.emplace_back();
    for (int i = first; i < first + absl::GetFlag(FLAGS_batch) && i <= n; ++i) {
      *request.add_records() = Record(i);
    }
  }
  const Clock::time_point import_start = Clock::now();
  long imported = 0;
  for (auto& request : batches) {
    reg::ImportEndorsementsResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        registry_stub->ImportEndorsements(&context, request, &response);
    if (!status.ok()) {
      std::fprintf(stderr, "import failed: %s\n",
                   status.error_message().c_str());
      return 1;
    }
    imported += response.imported_count();
    request.Clear();
  }
  const double import_seconds =
      std::chrono::duration<double>(Clock::now() - import_start).count();
  batches.clear();
  batches.shrink_to_fit();
  const long rss_after_import = StatusKb(registry.pid, "VmHWM");

  // --- Verification load: batches of 3 questions (a rater's categories, some
  // on past dates), against the echo.
  std::vector<reg::VerifyCredentialsRequest> questions(4096);
  std::mt19937 random(42);
  for (auto& request : questions) {
    for (int q = 0; q < 3; ++q) {
      reg::CredentialQuestion* question = request.add_questions();
      question->set_person_id(
          absl::StrFormat("P-%07d", 1 + static_cast<int>(random() % n)));
      for (const char* c : {"IFS", "IFRS", "IMHS", "IMHM-C"}) {
        question->add_categories(c);
      }
      if (random() % 3 == 0) {
        *question->mutable_as_of() = imh::ToProtoDate(
            absl::CivilDay(2016, 1, 1) + static_cast<int>(random() % 3800));
      }
    }
  }
  LoadRounds echo_rounds, verify_rounds;
  long errors = 0;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    const Load e = RunLoad(threads, seconds, [&](std::mt19937&) {
      imh::bench::v1::EchoRequest request;
      imh::bench::v1::EchoResponse response;
      grpc::ClientContext context;
      return echo_stub->Echo(&context, request, &response).ok();
    });
    const Load v = RunLoad(threads, seconds, [&](std::mt19937& r) {
      reg::VerifyCredentialsResponse response;
      grpc::ClientContext context;
      return registry_stub
                 ->VerifyCredentials(
                     &context, questions[r() % questions.size()], &response)
                 .ok() &&
             response.answers_size() == 3;
    });
    errors += e.errors + v.errors;
    echo_rounds.Add(e);
    verify_rounds.Add(v);
    std::printf(
        "round %d: echo %.0f calls/s (p99 %.0f us), verify %.0f calls/s (p99 "
        "%.0f us)\n",
        round + 1, e.calls_per_second, e.p99_us, v.calls_per_second, v.p99_us);
  }
  const long peak_rss = StatusKb(registry.pid, "VmHWM");
  const long rss_file = StatusKb(registry.pid, "RssFile");
  std::error_code ignored;
  const auto db_bytes =
      std::filesystem::file_size(dir + "/registry.sqlite", ignored);
  Stop(registry);
  Stop(echo);
  std::filesystem::remove_all(dir, ignored);

  const double rate_ratio = verify_rounds.rate() / echo_rounds.rate();
  const double p99_ratio = verify_rounds.p99_us() / echo_rounds.p99_us();
  std::printf(
      "\nregistry benchmark: %d endorsements, %d client threads, %d x %.0f s "
      "rounds\n",
      n, threads, absl::GetFlag(FLAGS_rounds), seconds);
  std::printf(
      "  bulk import          %8.2f s  (%ld imported, %.0f/s; goal <= 10 s) "
      "%s\n",
      import_seconds, imported, imported / import_seconds,
      import_seconds <= 10 ? "MET" : "NOT MET");
  std::printf(
      "  echo                 %8.0f calls/s  p50 %.0f us  p99 %.0f us\n",
      echo_rounds.rate(), echo_rounds.p50_us(), echo_rounds.p99_us());
  std::printf(
      "  VerifyCredentials x3 %8.0f calls/s  p50 %.0f us  p99 %.0f us\n",
      verify_rounds.rate(), verify_rounds.p50_us(), verify_rounds.p99_us());
  std::printf("  ratio calls/s        %8.2f x echo  (goal >= 0.7) %s\n",
              rate_ratio, rate_ratio >= 0.7 ? "MET" : "NOT MET");
  std::printf("  ratio p99            %8.2f x echo  (goal <= 2) %s\n",
              p99_ratio, p99_ratio <= 2 ? "MET" : "NOT MET");
  std::printf(
      "  registry peak RSS    %8.1f MB (after import %.1f MB; file-backed now "
      "%.1f MB; goal <= 100 MB) %s\n",
      peak_rss / 1024.0, rss_after_import / 1024.0, rss_file / 1024.0,
      peak_rss <= 100 * 1024 ? "MET" : "NOT MET");
  std::printf("  database file        %8.1f MB\n", db_bytes / 1048576.0);
  std::printf("  errors               %8ld\n", errors);
  return errors == 0 ? 0 : 1;
}

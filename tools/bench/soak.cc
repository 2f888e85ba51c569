// Soak (not a test, not in CI): both services under a steady mixed load at a
// fraction of their measured capacity for a long time, to show that nothing
// fails and nothing grows.
//
// Starts the registry and the eligibility service (release binaries of this
// build, logs on, written to files in a temporary folder), loads the demo
// registry, measures capacity with a closed-loop burst of the same mix, then
// paces the mix at --load (0.8) of it for --minutes (10). The mix, per 20
// calls: 11 EvaluatePortfolio, 2 RecommendCategories, 1 EvaluateRenewal,
// 3 VerifyCredentials and 1 ListEndorsements straight to the registry, and a
// CreatePerson + RecordMembership pair (new rows, with request ids). Every
// minute and at the end it prints calls, errors (non-OK, or an evaluation not
// verified), and the resident memory of both services.
//   goals: 0 errors; RSS flat: at the end within 5% (+1 MB) of halfway (the
//   first half lets the registry's bounded SQLite caches fill)
//
//   build/release/tools/bench/soak [--minutes=10] [--load=0.8]

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/proto_files.h"
#include "imh/eligibility/v1/eligibility_service.grpc.pb.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "tools/bench/bench_support.h"

ABSL_FLAG(double, minutes, 10, "length of the soak");
ABSL_FLAG(double, load, 0.8, "fraction of the measured capacity to offer");
ABSL_FLAG(int, concurrency, 8, "client threads");
ABSL_FLAG(double, capacity_seconds, 10, "length of the capacity measurement");

namespace {

namespace elig = imh::eligibility::v1;
namespace reg = imh::registry::v1;
using namespace imh::bench;  // NOLINT: the benchmark's own helpers

const std::string kSource = IMH_SOURCE_DIR;

template <typename T>
T ReadExample(const std::string& path) {
  T message;
  if (!imh::ReadJsonFile(kSource + "/deploy/examples/" + path, &message).ok()) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  return message;
}

// The calls of the mix, each returning whether it succeeded.
class Mix {
 public:
  Mix(int eligibility_port, int registry_port)
      : eligibility_(elig::EligibilityService::NewStub(
            grpc::CreateChannel(absl::StrCat("127.0.0.1:", eligibility_port),
                                grpc::InsecureChannelCredentials()))),
        registry_(reg::RegistryService::NewStub(
            grpc::CreateChannel(absl::StrCat("127.0.0.1:", registry_port),
                                grpc::InsecureChannelCredentials()))) {
    const auto as_of = imh::ToProtoDate(absl::CivilDay(2026, 11, 20));
    *evaluate_.mutable_portfolio() =
        ReadExample<elig::Portfolio>("portfolios/ifs_applicant.json");
    evaluate_.add_categories("IFS");
    *evaluate_.mutable_as_of() = as_of;
    *recommend_.mutable_portfolio() =
        ReadExample<elig::Portfolio>("portfolios/imhm_clinical_applicant.json");
    *recommend_.mutable_as_of() = as_of;
    *renewal_.mutable_attestation() = ReadExample<elig::RenewalAttestation>(
        "renewals/renewal_ifs_2027_early.json");
    for (const char* person : {"P-1001", "P-1002", "P-1003", "P-1004"}) {
      auto* question = verify_.add_questions();
      question->set_person_id(person);
      question->add_categories("IFRS");
      question->add_categories("IMHS");
      *question->mutable_as_of() = as_of;
    }
    list_.set_page_size(50);
    list_.set_status(reg::ENDORSEMENT_STATUS_ACTIVE);
  }

  // Call number `n` of the mix (thread `thread`, so that new rows differ).
  bool Call(long n, int thread) {
    switch (n % 20) {
      case 0:
      case 1:
        return Recommend();
      case 2:
        return Renew();
      case 3:
      case 4:
      case 5:
        return Verify();
      case 6:
        return List();
      case 7:
        return Write(n, thread);
      default:
        return Evaluate();
    }
  }

 private:
  static void Deadline(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
  }

  bool Evaluate() {
    grpc::ClientContext context;
    Deadline(context);
    elig::EvaluatePortfolioResponse response;
    return eligibility_->EvaluatePortfolio(&context, evaluate_, &response)
               .ok() &&
           response.verification().state() ==
               elig::VERIFICATION_STATE_COMPLETE &&
           response.decision().categories(0).outcome() ==
               elig::OUTCOME_ELIGIBLE;
  }
  bool Recommend() {
    grpc::ClientContext context;
    Deadline(context);
    elig::RecommendCategoriesResponse response;
    return eligibility_->RecommendCategories(&context, recommend_, &response)
               .ok() &&
           response.verification().state() == elig::VERIFICATION_STATE_COMPLETE;
  }
  bool Renew() {
    grpc::ClientContext context;
    Deadline(context);
    elig::EvaluateRenewalResponse response;
    return eligibility_->EvaluateRenewal(&context, renewal_, &response).ok();
  }
  bool Verify() {
    grpc::ClientContext context;
    Deadline(context);
    reg::VerifyCredentialsResponse response;
    return registry_->VerifyCredentials(&context, verify_, &response).ok() &&
           response.answers_size() == verify_.questions_size();
  }
  bool List() {
    grpc::ClientContext context;
    Deadline(context);
    reg::ListEndorsementsResponse response;
    return registry_->ListEndorsements(&context, list_, &response).ok();
  }
  bool Write(long n, int thread) {
    const std::string person_id = absl::StrFormat("S-%d-%d", thread, n);
    reg::CreatePersonRequest person;
    person.mutable_person()->set_person_id(person_id);
    person.mutable_person()->set_display_name("Soak Person");
    person.mutable_person()->set_county("Henrico");
    person.set_request_id("soak-person-" + person_id);
    reg::CreatePersonResponse created;
    grpc::ClientContext person_context;
    Deadline(person_context);
    if (!registry_->CreatePerson(&person_context, person, &created).ok()) {
      return false;
    }
    reg::RecordMembershipRequest membership;
    membership.set_person_id(person_id);
    membership.set_year(2026);
    membership.set_request_id("soak-membership-" + person_id);
    reg::RecordMembershipResponse recorded;
    grpc::ClientContext membership_context;
    Deadline(membership_context);
    return registry_
        ->RecordMembership(&membership_context, membership, &recorded)
        .ok();
  }

  std::unique_ptr<elig::EligibilityService::Stub> eligibility_;
  std::unique_ptr<reg::RegistryService::Stub> registry_;
  elig::EvaluatePortfolioRequest evaluate_;
  elig::RecommendCategoriesRequest recommend_;
  elig::EvaluateRenewalRequest renewal_;
  reg::VerifyCredentialsRequest verify_;
  reg::ListEndorsementsRequest list_;
};

struct Memory {
  long eligibility_kb;
  long registry_kb;
};

Memory Rss(const Child& eligibility, const Child& registry) {
  return {StatusKb(eligibility.pid, "VmRSS"), StatusKb(registry.pid, "VmRSS")};
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  imh::bench::PinTodayForBenchmarkData();
  const std::filesystem::path build = std::filesystem::canonical(
      std::filesystem::canonical("/proc/self/exe").parent_path() / "../..");
  char pattern[] = "/tmp/imh-soak-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const int threads = absl::GetFlag(FLAGS_concurrency);

  const Child registry =
      Spawn({(build / "services/registry/imh-registry").string(),
             "--listen=127.0.0.1:0", "--db=" + dir + "/registry.sqlite",
             "--port_file=" + dir + "/registry.port"},
            dir + "/registry.port", dir + "/registry.log");
  const Child eligibility =
      Spawn({(build / "services/eligibility/imh-eligibility").string(),
             "--listen=127.0.0.1:0",
             absl::StrCat("--registry=127.0.0.1:", registry.port),
             "--decision_log=" + dir + "/decisions.jsonl",
             "--port_file=" + dir + "/eligibility.port"},
            dir + "/eligibility.port", dir + "/eligibility.log");
  Mix mix(eligibility.port, registry.port);
  ImportDemoRegistry(kSource + "/deploy/examples/demo_registry.csv",
                     registry.port);

  // Capacity: the same mix, closed loop, as fast as it goes.
  std::atomic<long> sequence{0};
  std::atomic<int> next_thread{0};
  const Load capacity = RunLoad(threads, absl::GetFlag(FLAGS_capacity_seconds),
                                [&](std::mt19937&) {
                                  thread_local const int me = next_thread++;
                                  return mix.Call(sequence++, 1000 + me);
                                });
  const double rate = capacity.calls_per_second * absl::GetFlag(FLAGS_load);
  std::printf(
      "capacity: %.0f calls/s of the mix (%ld errors); soaking at %.0f "
      "calls/s (%.0f%%) for %g minutes; logs in %s\n",
      capacity.calls_per_second, capacity.errors, rate,
      100 * absl::GetFlag(FLAGS_load), absl::GetFlag(FLAGS_minutes),
      dir.c_str());
  std::fflush(stdout);

  // Paced: each thread has its share of the rate and a fixed schedule; a
  // thread behind schedule does not burst to catch up.
  const Memory start = Rss(eligibility, registry);
  std::atomic<long> calls{0}, errors{0}, late{0};
  std::atomic<bool> stop{false};
  const Clock::duration interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(threads / rate));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Clock::time_point next = Clock::now() + interval * t / threads;
      for (long n = t; !stop.load(); n += threads) {
        std::this_thread::sleep_until(next);
        if (!mix.Call(n, t)) errors++;
        calls++;
        next += interval;
        const Clock::time_point now = Clock::now();
        if (now > next + interval) {
          late++;
          next = now;
        }
      }
    });
  }
  const Clock::time_point began = Clock::now();
  const auto length = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(absl::GetFlag(FLAGS_minutes) * 60));
  long last_calls = 0;
  Clock::time_point last_report = began;
  Memory halfway = start;
  for (int minute = 1; Clock::now() - began < length; ++minute) {
    std::this_thread::sleep_until(
        std::min(began + std::chrono::minutes(minute), began + length));
    const Memory now = Rss(eligibility, registry);
    const long total = calls.load();
    const double seconds =
        std::chrono::duration<double>(Clock::now() - last_report).count();
    last_report = Clock::now();
    std::printf(
        "%5.1f min: %9ld calls (%.0f/s), %ld errors, %ld late; RSS "
        "eligibility %ld MB, registry %ld MB\n",
        std::chrono::duration<double>(Clock::now() - began).count() / 60, total,
        (total - last_calls) / seconds, errors.load(), late.load(),
        now.eligibility_kb / 1024, now.registry_kb / 1024);
    std::fflush(stdout);
    last_calls = total;
    if (std::chrono::minutes(minute) <= length / 2) halfway = now;
  }
  stop = true;
  for (auto& worker : workers) worker.join();
  const Memory end = Rss(eligibility, registry);
  Stop(eligibility);
  Stop(registry);

  // The registry's RSS rises at first while its SQLite page caches (up to
  // 8 readers x 4 MiB + 16 MiB for the writer, bounded) fill as the file
  // grows; a leak keeps rising. So "flat" is judged over the second half:
  // at most 5% (+1 MB) more at the end than halfway.
  const auto flat = [](long from, long to) {
    return to <= from + from / 20 + 1024;
  };
  const bool rss_flat = flat(halfway.eligibility_kb, end.eligibility_kb) &&
                        flat(halfway.registry_kb, end.registry_kb);
  std::printf(
      "\nsoak: %g minutes at %.0f calls/s offered (%.0f%% of %.0f "
      "measured)\n"
      "  calls     %ld (%.0f/s achieved), %ld behind schedule\n"
      "  errors    %ld  (goal 0) %s\n"
      "  RSS       eligibility %ld -> %ld -> %ld MB, registry %ld -> %ld -> "
      "%ld MB (start, halfway, end)\n"
      "            goal: flat over the second half (within 5%% + 1 MB) %s\n",
      absl::GetFlag(FLAGS_minutes), rate, 100 * absl::GetFlag(FLAGS_load),
      capacity.calls_per_second, calls.load(),
      calls.load() / (absl::GetFlag(FLAGS_minutes) * 60), late.load(),
      errors.load(), errors.load() == 0 ? "MET" : "NOT MET",
      start.eligibility_kb / 1024, halfway.eligibility_kb / 1024,
      end.eligibility_kb / 1024, start.registry_kb / 1024,
      halfway.registry_kb / 1024, end.registry_kb / 1024,
      rss_flat ? "MET" : "NOT MET");
  std::filesystem::remove_all(dir);
  return errors.load() == 0 && rss_flat ? 0 : 1;
}

// Benchmark (not a test): EvaluatePortfolio end to end, client -> eligibility
// -> registry, against an empty echo server, in the same run.
//
// Starts the registry, the eligibility service and an empty echo server (this
// binary, in echo mode) as separate processes on loopback, loads the demo
// registry, then drives EvaluatePortfolio (the example IFS portfolio: 14
// registry questions in one VerifyCredentials) and the echo with the same
// closed-loop load, alternating rounds, and reports medians:
//   - EvaluatePortfolio calls/s vs echo calls/s     goal >= 0.4x
//
//   build/release/tools/bench/e2e_bench [--concurrency=8] [--seconds=4]

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/proto_files.h"
#include "imh/bench/v1/echo_service.grpc.pb.h"
#include "imh/eligibility/v1/eligibility_service.grpc.pb.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "tools/bench/bench_support.h"

ABSL_FLAG(int, concurrency, 8, "client threads, each with one call in flight");
ABSL_FLAG(double, seconds, 4, "length of each load round");
ABSL_FLAG(int, rounds, 3, "rounds of each (echo, evaluate), alternating");
ABSL_FLAG(std::vector<std::string>, eligibility_flags, {},
          "extra flags for the eligibility service, e.g. "
          "--eligibility_flags=--access_log=false");
ABSL_FLAG(std::vector<std::string>, registry_flags, {},
          "extra flags for the registry");
ABSL_FLAG(std::string, serve_echo_port_file, "",
          "internal: serve the echo and write its port here");

namespace {

namespace elig = imh::eligibility::v1;
namespace reg = imh::registry::v1;
using namespace imh::bench;  // NOLINT: the benchmark's own helpers

const std::string kSource = IMH_SOURCE_DIR;

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  imh::bench::PinTodayForBenchmarkData();
  if (!absl::GetFlag(FLAGS_serve_echo_port_file).empty()) {
    return ServeEcho(absl::GetFlag(FLAGS_serve_echo_port_file));
  }
  const std::filesystem::path self =
      std::filesystem::canonical("/proc/self/exe");
  const std::filesystem::path build =
      self.parent_path().parent_path().parent_path();
  char pattern[] = "/tmp/imh-e2e-bench-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const int threads = absl::GetFlag(FLAGS_concurrency);
  const double seconds = absl::GetFlag(FLAGS_seconds);

  std::vector<std::string> registry_args = {
      (build / "services/registry/imh-registry").string(),
      "--listen=127.0.0.1:0", "--db=" + dir + "/registry.sqlite",
      "--port_file=" + dir + "/registry.port"};
  for (const auto& flag : absl::GetFlag(FLAGS_registry_flags)) {
    registry_args.push_back(flag);
  }
  const Child registry = Spawn(registry_args, dir + "/registry.port");
  ImportDemoRegistry(kSource + "/deploy/examples/demo_registry.csv",
                     registry.port);
  std::vector<std::string> eligibility_args = {
      (build / "services/eligibility/imh-eligibility").string(),
      "--listen=127.0.0.1:0",
      absl::StrCat("--registry=127.0.0.1:", registry.port),
      "--decision_log=" + dir + "/decisions.jsonl",
      "--port_file=" + dir + "/eligibility.port"};
  for (const auto& flag : absl::GetFlag(FLAGS_eligibility_flags)) {
    eligibility_args.push_back(flag);
  }
  const Child eligibility = Spawn(eligibility_args, dir + "/eligibility.port");
  const Child echo =
      Spawn({self.string(), "--serve_echo_port_file=" + dir + "/echo.port"},
            dir + "/echo.port");

  auto eligibility_stub = elig::EligibilityService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", eligibility.port),
                          grpc::InsecureChannelCredentials()));
  auto echo_stub = imh::bench::v1::EchoService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", echo.port),
                          grpc::InsecureChannelCredentials()));
  elig::EvaluatePortfolioRequest request;
  if (!imh::ReadJsonFile(
           kSource + "/deploy/examples/portfolios/ifs_applicant.json",
           request.mutable_portfolio())
           .ok()) {
    std::fprintf(stderr, "cannot read the example portfolio\n");
    return 1;
  }
  request.add_categories("IFS");
  *request.mutable_as_of() = imh::ToProtoDate(absl::CivilDay(2026, 11, 20));
  {
    elig::EvaluatePortfolioResponse check;
    grpc::ClientContext context;
    if (!eligibility_stub->EvaluatePortfolio(&context, request, &check).ok() ||
        check.decision().categories(0).outcome() != elig::OUTCOME_ELIGIBLE ||
        check.verification().state() != elig::VERIFICATION_STATE_COMPLETE) {
      std::fprintf(stderr, "the example is not decided ELIGIBLE, verified\n");
      return 1;
    }
    std::printf(
        "EvaluatePortfolio: IFS example, %d registry questions per call\n",
        check.verification().questions());
  }

  LoadRounds echo_rounds, eval_rounds;
  long errors = 0;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    // This process is the client; the echo and both services are children.
    const CpuPerCall echo_cpu({getpid(), echo.pid});
    const Load e = RunLoad(threads, seconds, [&](std::mt19937&) {
      imh::bench::v1::EchoRequest echo_request;
      imh::bench::v1::EchoResponse echo_response;
      grpc::ClientContext context;
      return echo_stub->Echo(&context, echo_request, &echo_response).ok();
    });
    echo_rounds.AddCpu(echo_cpu.PerCall(e.calls));
    const CpuPerCall eval_cpu({getpid(), eligibility.pid, registry.pid});
    const Load v = RunLoad(threads, seconds, [&](std::mt19937&) {
      elig::EvaluatePortfolioResponse response;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(5));
      return eligibility_stub->EvaluatePortfolio(&context, request, &response)
                 .ok() &&
             response.verification().state() ==
                 elig::VERIFICATION_STATE_COMPLETE;
    });
    eval_rounds.AddCpu(eval_cpu.PerCall(v.calls));
    errors += e.errors + v.errors;
    echo_rounds.Add(e);
    eval_rounds.Add(v);
    std::printf(
        "round %d: echo %.0f calls/s (p99 %.0f us), evaluate %.0f calls/s "
        "(p99 %.0f us)\n",
        round + 1, e.calls_per_second, e.p99_us, v.calls_per_second, v.p99_us);
  }
  const long eligibility_rss = StatusKb(eligibility.pid, "VmHWM");
  const long registry_rss = StatusKb(registry.pid, "VmHWM");
  Stop(eligibility);
  Stop(registry);
  Stop(echo);
  std::filesystem::remove_all(dir);

  const double ratio = eval_rounds.rate() / echo_rounds.rate();
  // CPU per call (medians): echo client and server; evaluation client,
  // eligibility, registry.
  const double echo_client = echo_rounds.cpu_us(0);
  const double echo_server = echo_rounds.cpu_us(1);
  const double eval_client = eval_rounds.cpu_us(0);
  const double eval_eligibility = eval_rounds.cpu_us(1);
  const double eval_registry = eval_rounds.cpu_us(2);
  // The calls/s ratio if both services did no work but the RPC halves the
  // echo pays (the eligibility service a server and a client half, the
  // registry a server half): the cores are saturated, so calls/s goes as the
  // inverse of the CPU a call takes in all.
  const double bound = (echo_client + echo_server) /
                       (eval_client + 2 * echo_server + echo_client);
  std::printf(
      "\nmedians of %d rounds, %d client threads, %.0f s each:\n"
      "  echo                 %8.0f calls/s  p50 %.0f us  p99 %.0f us\n"
      "  EvaluatePortfolio    %8.0f calls/s  p50 %.0f us  p99 %.0f us\n"
      "  ratio calls/s        %8.2f x echo  (goal >= 0.4) %s\n"
      "  CPU per call         echo: client %.0f us + server %.0f us = %.0f "
      "us\n"
      "                       evaluate: client %.0f us + eligibility %.0f us "
      "+ registry %.0f us = %.0f us\n"
      "  ratio bound          %8.2f x echo if the services did nothing but "
      "the RPC halves an echo pays\n"
      "  peak RSS             eligibility %ld MB, registry %ld MB\n"
      "  errors               %ld\n",
      absl::GetFlag(FLAGS_rounds), threads, seconds, echo_rounds.rate(),
      echo_rounds.p50_us(), echo_rounds.p99_us(), eval_rounds.rate(),
      eval_rounds.p50_us(), eval_rounds.p99_us(), ratio,
      ratio >= 0.4 ? "MET" : "NOT MET", echo_client, echo_server,
      echo_client + echo_server, eval_client, eval_eligibility, eval_registry,
      eval_client + eval_eligibility + eval_registry, bound,
      eligibility_rss / 1024, registry_rss / 1024, errors);
  return 0;
}

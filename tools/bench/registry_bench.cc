// Benchmark (not a test): the registry with 1,000,000 endorsements, on each
// storage engine in turn (a SQLite file; PostgreSQL, in a throwaway cluster
// this benchmark starts, or at --postgres_url).
//
// Starts an empty echo server (this binary, in echo mode) and, per engine,
// the registry binary as separate processes on loopback; bulk-imports the
// endorsements, then drives VerifyCredentials (batches of 3 questions) and
// the echo with the same closed-loop load, alternating rounds, and reports
// medians, the engines side by side:
//   - bulk import time                      goal <= 8 s
//   - VerifyCredentials calls/s vs echo     goal >= 0.7x
//   - VerifyCredentials p99 vs echo p99     goal <= 2x
//   - the registry's peak RSS (VmHWM)       goal <= 100 MB
//   - start to health SERVING on the full registry, against the echo
//     binary's start to its first answer    goal <= 200 ms
// (PostgreSQL's own processes are not in the registry's RSS.)
//
//   build/release/tools/bench/registry_bench [--endorsements=1000000]
//       [--engines=sqlite,postgresql]

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
#include <memory>
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
#include "grpc/health/v1/health.grpc.pb.h"
#include "imh/bench/v1/echo_service.grpc.pb.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "services/registry/sql/postgres_engine.h"
#include "services/registry/store.h"
#include "tools/bench/bench_support.h"
#include "tools/postgres/throwaway_cluster.h"

ABSL_FLAG(int, endorsements, 1000000, "endorsements to import");
ABSL_FLAG(int, batch, 10000, "records per ImportEndorsements call");
ABSL_FLAG(int, concurrency, 8, "client threads, each with one call in flight");
ABSL_FLAG(double, seconds, 4, "length of each load round");
ABSL_FLAG(int, rounds, 3, "rounds of each (echo, verify), alternating");
ABSL_FLAG(int, start_rounds, 5,
          "rounds of each (echo start, registry start), alternating");
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
ABSL_FLAG(std::vector<std::string>, engines,
          std::vector<std::string>({"sqlite", "postgresql"}),
          "storage engines to run, in order: sqlite, postgresql");
ABSL_FLAG(std::string, postgres_url, "",
          "an empty PostgreSQL database for the postgresql run (default: a "
          "throwaway cluster started here)");
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
                                      const std::string& dir,
                                      const std::string& db) {
  std::vector<std::string> args = {binary, "--listen=127.0.0.1:0", "--db=" + db,
                                   "--port_file=" + dir + "/registry.port"};
  for (const std::string& flag : absl::GetFlag(FLAGS_registry_flags)) {
    args.push_back(flag);
  }
  return args;
}

// What one engine did.
struct EngineResult {
  std::string engine;
  double import_seconds = 0;
  long imported = 0;
  LoadRounds echo;
  LoadRounds verify;
  long peak_rss_kb = 0;
  long rss_after_import_kb = 0;
  std::vector<double> echo_start_ms;
  std::vector<double> start_ms;
  long start_peak_rss_kb = 0;
  double database_mb = 0;
  long errors = 0;
  bool ok = false;
};

double DatabaseMegabytes(const std::string& db) {
  if (imh::registry::IsPostgresUrl(db)) {
    try {
      imh::registry::sql::Database postgres(
          imh::registry::sql::OpenPostgres(db));
      return postgres.execAndGet("SELECT pg_database_size(current_database())")
                 .getInt64() /
             1048576.0;
    } catch (const std::exception&) {
      return 0;
    }
  }
  std::error_code ignored;
  return std::filesystem::file_size(db, ignored) / 1048576.0;
}

// Answers a health check with SERVING within 100 ms.
bool HealthServing(int port) {
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(100));
  return stub->Check(&context, request, &response).ok() &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

// Answers one Echo within 100 ms.
bool EchoAnswers(int port) {
  auto stub = imh::bench::v1::EchoService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  imh::bench::v1::EchoRequest request;
  imh::bench::v1::EchoResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(100));
  return stub->Echo(&context, request, &response).ok();
}

// Start-up, alternating: the echo binary from exec to its first answer (the
// least a gRPC server process of ours costs to start), then the registry on
// the full database from exec to health SERVING, each stopped again.
void MeasureStarts(const std::vector<std::string>& registry_args,
                   const std::string& dir, EngineResult& result) {
  const std::string self = std::filesystem::canonical("/proc/self/exe");
  for (int round = 0; round < absl::GetFlag(FLAGS_start_rounds); ++round) {
    const TimedStart echo = SpawnUntilReady(
        {self, "--serve_echo_port_file=" + dir + "/echo-start.port"},
        dir + "/echo-start.port", EchoAnswers);
    Stop(echo.child);
    const TimedStart registry =
        SpawnUntilReady(registry_args, dir + "/registry.port", HealthServing);
    result.start_peak_rss_kb = std::max(result.start_peak_rss_kb,
                                        StatusKb(registry.child.pid, "VmHWM"));
    Stop(registry.child);
    result.echo_start_ms.push_back(echo.milliseconds);
    result.start_ms.push_back(registry.milliseconds);
    std::printf("%s start %d: echo %.1f ms, registry to SERVING %.1f ms\n",
                result.engine.c_str(), round + 1, echo.milliseconds,
                registry.milliseconds);
  }
}

EngineResult RunEngine(const std::string& engine, const std::string& db,
                       const std::string& registry_binary,
                       const std::string& dir,
                       imh::bench::v1::EchoService::Stub& echo_stub,
                       pid_t echo_pid) {
  EngineResult result;
  result.engine = engine;
  const int n = absl::GetFlag(FLAGS_endorsements);
  const int threads = absl::GetFlag(FLAGS_concurrency);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  std::error_code ignored;
  std::filesystem::remove(dir + "/registry.port", ignored);
  const Child registry = absl::GetFlag(FLAGS_registry_port) != 0
                             ? Child{0, absl::GetFlag(FLAGS_registry_port)}
                             : Spawn(RegistryArgs(registry_binary, dir, db),
                                     dir + "/registry.port");
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto registry_channel =
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", registry.port),
                                grpc::InsecureChannelCredentials(), args);
  auto registry_stub = reg::RegistryService::NewStub(registry_channel);

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
  for (auto& request : batches) {
    reg::ImportEndorsementsResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        registry_stub->ImportEndorsements(&context, request, &response);
    if (!status.ok()) {
      std::fprintf(stderr, "%s: import failed: %s\n", engine.c_str(),
                   status.error_message().c_str());
      Stop(registry);
      return result;
    }
    result.imported += response.imported_count();
    request.Clear();
  }
  result.import_seconds =
      std::chrono::duration<double>(Clock::now() - import_start).count();
  batches.clear();
  batches.shrink_to_fit();
  result.rss_after_import_kb = StatusKb(registry.pid, "VmHWM");
  std::printf("%s: imported %ld in %.1f s\n", engine.c_str(), result.imported,
              result.import_seconds);

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
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    // This process is the client.
    const CpuPerCall echo_cpu({getpid(), echo_pid});
    const Load e = RunLoad(threads, seconds, [&](std::mt19937&) {
      imh::bench::v1::EchoRequest request;
      imh::bench::v1::EchoResponse response;
      grpc::ClientContext context;
      return echo_stub.Echo(&context, request, &response).ok();
    });
    result.echo.AddCpu(echo_cpu.PerCall(e.calls));
    const CpuPerCall verify_cpu({getpid(), registry.pid});
    const Load v = RunLoad(threads, seconds, [&](std::mt19937& r) {
      reg::VerifyCredentialsResponse response;
      grpc::ClientContext context;
      return registry_stub
                 ->VerifyCredentials(
                     &context, questions[r() % questions.size()], &response)
                 .ok() &&
             response.answers_size() == 3;
    });
    result.verify.AddCpu(verify_cpu.PerCall(v.calls));
    result.errors += e.errors + v.errors;
    result.echo.Add(e);
    result.verify.Add(v);
    std::printf(
        "%s round %d: echo %.0f calls/s (p99 %.0f us), verify %.0f calls/s "
        "(p99 %.0f us)\n",
        engine.c_str(), round + 1, e.calls_per_second, e.p99_us,
        v.calls_per_second, v.p99_us);
  }
  result.peak_rss_kb = StatusKb(registry.pid, "VmHWM");
  Stop(registry);
  if (absl::GetFlag(FLAGS_registry_port) == 0) {
    MeasureStarts(RegistryArgs(registry_binary, dir, db), dir, result);
  }
  result.database_mb = DatabaseMegabytes(db);
  result.ok = true;
  return result;
}

const char* Met(bool met) { return met ? "MET" : "NOT MET"; }

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  imh::bench::PinTodayForBenchmarkData();
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
  const Child echo =
      Spawn({self.string(), "--serve_echo_port_file=" + dir + "/echo.port"},
            dir + "/echo.port");
  auto echo_stub = imh::bench::v1::EchoService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", echo.port),
                          grpc::InsecureChannelCredentials()));

  std::unique_ptr<imh::tools::ThrowawayPostgres> cluster;
  std::vector<EngineResult> results;
  for (const std::string& engine : absl::GetFlag(FLAGS_engines)) {
    std::string db;
    if (engine == "sqlite") {
      db = dir + "/registry.sqlite";
    } else if (engine == "postgresql") {
      db = absl::GetFlag(FLAGS_postgres_url);
      if (db.empty()) {
        absl::StatusOr<std::unique_ptr<imh::tools::ThrowawayPostgres>> started =
            imh::tools::ThrowawayPostgres::Start();
        absl::StatusOr<std::string> url =
            started.ok() ? (*started)->NewDatabase() : started.status();
        if (!url.ok()) {
          std::fprintf(stderr, "no PostgreSQL: %s\n",
                       std::string(url.status().message()).c_str());
          return 1;
        }
        cluster = std::move(*started);
        db = *url;
      }
    } else {
      std::fprintf(stderr, "unknown engine %s\n", engine.c_str());
      return 2;
    }
    results.push_back(
        RunEngine(engine, db, registry_binary, dir, *echo_stub, echo.pid));
  }
  Stop(echo);
  cluster.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);

  std::printf(
      "\nregistry benchmark: %d endorsements, %d client threads, %d x %.0f s "
      "rounds (medians), each engine against the echo measured in its own "
      "run\n",
      absl::GetFlag(FLAGS_endorsements), absl::GetFlag(FLAGS_concurrency),
      absl::GetFlag(FLAGS_rounds), absl::GetFlag(FLAGS_seconds));
  std::printf("  %-28s", "");
  for (const EngineResult& r : results) std::printf(" %22s", r.engine.c_str());
  std::printf("\n");
  // `measured`: whether this run measured the row at all (a row of a phase
  // the flags skipped says so rather than print a zero against its goal).
  auto measured_row = [&](const char* label, bool measured, auto cell) {
    std::printf("  %-28s", label);
    for (const EngineResult& r : results) {
      std::printf(" %22s", !r.ok       ? "failed"
                           : !measured ? "not measured"
                                       : cell(r).c_str());
    }
    std::printf("\n");
  };
  auto row = [&](const char* label, auto cell) {
    measured_row(label, true, cell);
  };
  const bool imported = absl::GetFlag(FLAGS_import);
  const bool loaded = absl::GetFlag(FLAGS_rounds) > 0;
  const bool started = absl::GetFlag(FLAGS_start_rounds) > 0;
  // The goal is for a million; another count is measured, not judged.
  const bool million = absl::GetFlag(FLAGS_endorsements) == 1000000;
  measured_row("bulk import (goal <= 8 s)", imported,
               [million](const EngineResult& r) {
                 return absl::StrFormat(
                     "%.1f s %s", r.import_seconds,
                     million ? Met(r.import_seconds <= 8) : "(not 1M)");
               });
  measured_row("import rate", imported, [](const EngineResult& r) {
    return absl::StrFormat("%.0f/s", r.imported / r.import_seconds);
  });
  measured_row("echo calls/s", loaded, [](const EngineResult& r) {
    return absl::StrFormat("%.0f", r.echo.rate());
  });
  measured_row("VerifyCredentials x3 calls/s", loaded,
               [](const EngineResult& r) {
                 return absl::StrFormat("%.0f", r.verify.rate());
               });
  measured_row("  ratio (goal >= 0.7)", loaded, [](const EngineResult& r) {
    const double ratio = r.verify.rate() / r.echo.rate();
    return absl::StrFormat("%.2fx %s", ratio, Met(ratio >= 0.7));
  });
  measured_row("echo p99", loaded, [](const EngineResult& r) {
    return absl::StrFormat("%.0f us", r.echo.p99_us());
  });
  measured_row("VerifyCredentials p99", loaded, [](const EngineResult& r) {
    return absl::StrFormat("%.0f us", r.verify.p99_us());
  });
  measured_row("  ratio (goal <= 2)", loaded, [](const EngineResult& r) {
    const double ratio = r.verify.p99_us() / r.echo.p99_us();
    return absl::StrFormat("%.2fx %s", ratio, Met(ratio <= 2));
  });
  // Client + server; "?" for a process not measured (a registry started
  // elsewhere, --registry_port).
  auto cpu_pair = [](const LoadRounds& rounds) {
    auto micros = [](double us) {
      return us < 0 ? std::string("?") : absl::StrFormat("%.0f", us);
    };
    return absl::StrCat(micros(rounds.cpu_us(0)), "+", micros(rounds.cpu_us(1)),
                        " us");
  };
  measured_row("CPU per echo call", loaded,
               [&](const EngineResult& r) { return cpu_pair(r.echo); });
  measured_row("CPU per verify call", loaded,
               [&](const EngineResult& r) { return cpu_pair(r.verify); });
  // The calls/s ratio if VerifyCredentials cost the registry no more than
  // the echo costs its server (its client's larger messages kept): the cores
  // are saturated, so calls/s goes as the inverse of a call's CPU in all.
  measured_row("  ratio bound, free handler", loaded,
               [](const EngineResult& r) {
                 return absl::StrFormat(
                     "%.2fx", (r.echo.cpu_us(0) + r.echo.cpu_us(1)) /
                                  (r.verify.cpu_us(0) + r.echo.cpu_us(1)));
               });
  row("registry peak RSS (<=100MB)", [](const EngineResult& r) {
    return absl::StrFormat("%.1f MB %s", r.peak_rss_kb / 1024.0,
                           Met(r.peak_rss_kb <= 100 * 1024));
  });
  measured_row("echo start to answer", started, [](const EngineResult& r) {
    return absl::StrFormat("%.1f ms", Median(r.echo_start_ms));
  });
  measured_row("start to SERVING (<=200 ms)", started,
               [](const EngineResult& r) {
                 const double ms = Median(r.start_ms);
                 return absl::StrFormat("%.1f ms %s", ms, Met(ms <= 200));
               });
  measured_row("  ratio to the echo", started, [](const EngineResult& r) {
    return absl::StrFormat("%.2fx",
                           Median(r.start_ms) / Median(r.echo_start_ms));
  });
  measured_row("peak RSS at start", started, [](const EngineResult& r) {
    return absl::StrFormat("%.1f MB", r.start_peak_rss_kb / 1024.0);
  });
  row("database size", [](const EngineResult& r) {
    return absl::StrFormat("%.0f MB", r.database_mb);
  });
  row("errors",
      [](const EngineResult& r) { return absl::StrFormat("%ld", r.errors); });
  bool ok = true;
  for (const EngineResult& r : results) ok = ok && r.ok && r.errors == 0;
  return ok ? 0 : 1;
}

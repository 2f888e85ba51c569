// imh: the operator's command line for the eligibility service and the
// registry. See `imh --help`.

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "tools/cli/commands.h"

ABSL_FLAG(std::vector<std::string>, category, {},
          "categories, comma-separated (codes or aliases)");
ABSL_FLAG(std::string, as_of, "",
          "decide as of this day, YYYY-MM-DD (default: today in Virginia)");
ABSL_FLAG(std::string, person, "", "verify: the person id (P-1001)");
ABSL_FLAG(std::string, endorsement, "",
          "verify: the endorsement number (VA-IFRS-1001)");
ABSL_FLAG(std::string, on, "", "verify: the day asked about (default: today)");
ABSL_FLAG(std::string, status, "",
          "list: active, lapsed, suspended, revoked or retired");
ABSL_FLAG(std::string, name, "", "list: part of the display name");
ABSL_FLAG(std::string, county, "", "list: the county");
ABSL_FLAG(int, limit, 0, "list: at most this many (default: all)");
ABSL_FLAG(std::string, out, "-", "export-csv: the file (default: stdout)");
ABSL_FLAG(std::string, server, "eligibility",
          "health, metrics: eligibility or registry");
ABSL_FLAG(bool, prometheus, false,
          "metrics: the Prometheus text exposition format");

namespace {

constexpr char kUsage[] =
    R"(the operator's command line for the endorsement services.

usage: imh COMMAND [flags] [FILE...]

eligibility service (--eligibility=HOST:PORT, default 127.0.0.1:50051):
  evaluate FILE...     decide portfolio JSON files [--category=IFS,...] [--as_of=DAY]
  recommend FILE...    every category, the eligible ones and the nearest next step
  renew FILE...        decide renewal attestation JSON files [--as_of=DAY]
  rulebook             the rulebook in force: version, dates, categories

registry (--registry=HOST:PORT, default 127.0.0.1:50052):
  verify               --person=P-1001 | --endorsement=VA-IFRS-1001
                       --category=IFRS,IMHM-C [--on=DAY]
  list                 [--category=] [--status=active] [--name=] [--county=] [--limit=N]
  import-csv FILE      add the rows of a registry CSV (see README)
  export-csv           every endorsement as CSV [--out=FILE]

either server (--server=eligibility|registry):
  health               grpc.health.v1 status
  metrics              per-method calls and latencies [--prometheus]

common: --json, --timeout_ms, --request_id, --actor,
        --tls_ca, --tls_cert, --tls_key, --tls_server_name
exit status: 0 done, 1 failed, 2 usage error)";

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << "imh: no command; see imh --help\n";
    return 2;
  }
  const std::string command = positional[1];
  const std::vector<std::string> files(positional.begin() + 2,
                                       positional.end());
  const imh::tools::ClientOptions options =
      imh::tools::ClientOptionsFromFlags();
  auto need_files = [&]() {
    if (files.empty()) std::cerr << "imh: " << command << " needs files\n";
    return !files.empty();
  };

  if (command == "evaluate") {
    if (!need_files()) return 2;
    return imh::tools::Evaluate(options, files, absl::GetFlag(FLAGS_category),
                                absl::GetFlag(FLAGS_as_of));
  }
  if (command == "recommend") {
    if (!need_files()) return 2;
    return imh::tools::Recommend(options, files, absl::GetFlag(FLAGS_as_of));
  }
  if (command == "renew") {
    if (!need_files()) return 2;
    return imh::tools::Renew(options, files, absl::GetFlag(FLAGS_as_of));
  }
  if (command == "rulebook") return imh::tools::ShowRulebook(options);
  if (command == "verify") {
    return imh::tools::Verify(
        options, {absl::GetFlag(FLAGS_person), absl::GetFlag(FLAGS_endorsement),
                  absl::GetFlag(FLAGS_category), absl::GetFlag(FLAGS_on)});
  }
  if (command == "list") {
    const std::vector<std::string> categories = absl::GetFlag(FLAGS_category);
    if (categories.size() > 1) {
      std::cerr << "imh: list filters on one --category\n";
      return 2;
    }
    return imh::tools::List(
        options, {categories.empty() ? "" : categories[0],
                  absl::GetFlag(FLAGS_status), absl::GetFlag(FLAGS_name),
                  absl::GetFlag(FLAGS_county), absl::GetFlag(FLAGS_limit)});
  }
  if (command == "import-csv") {
    if (files.size() != 1) {
      std::cerr << "imh: import-csv takes one file\n";
      return 2;
    }
    return imh::tools::ImportCsv(options, files[0]);
  }
  if (command == "export-csv") {
    return imh::tools::ExportCsv(options, absl::GetFlag(FLAGS_out));
  }
  const std::string server = absl::GetFlag(FLAGS_server);
  if (command == "health" || command == "metrics") {
    if (server != "eligibility" && server != "registry") {
      std::cerr << "imh: --server must be eligibility or registry\n";
      return 2;
    }
    return command == "health"
               ? imh::tools::Health(options, server)
               : imh::tools::Metrics(options, server,
                                     absl::GetFlag(FLAGS_prometheus));
  }
  std::cerr << "imh: unknown command \"" << command << "\"; see imh --help\n";
  return 2;
}

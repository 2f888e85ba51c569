// The registry's commands, and health and metrics of either server.

#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/digest.h"
#include "common/endorsement_status.h"
#include "common/proto_files.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "imh/admin/v1/admin_service.grpc.pb.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/record_text.h"
#include "tools/cli/registry_csv.h"

namespace imh::tools {
namespace {

namespace reg = registry::v1;

// The registry accepts at most this many records per import call; each call
// is one transaction.
constexpr int kImportBatch = 10000;

const char* CredentialWord(reg::CredentialStatus status) {
  switch (status) {
    case reg::CREDENTIAL_STATUS_HELD:
      return "HELD";
    case reg::CREDENTIAL_STATUS_NOT_HELD:
      return "NOT HELD";
    default:
      return "UNKNOWN";
  }
}

// "HELD  VA-IFRS-1001 (IFRS, active since 2024-06-01)", and why not held.
std::string AnswerLine(const reg::CredentialAnswer& answer) {
  std::string line = CredentialWord(answer.status());
  if (!answer.endorsement_number().empty()) {
    absl::StrAppend(&line, "  ", answer.endorsement_number(), " (",
                    answer.category(), ", ",
                    StatusWord(answer.status_on_date()), " since ",
                    DayText(answer.status_since()), ")");
  }
  if (!answer.detail().empty()) absl::StrAppend(&line, "  ", answer.detail());
  return line;
}

}  // namespace

int Verify(const ClientOptions& options, const VerifyArgs& args) {
  if (args.person_id.empty() == args.endorsement_number.empty()) {
    std::cerr << "imh: verify needs exactly one of --person and "
                 "--endorsement\n";
    return 2;
  }
  if (args.categories.empty()) {
    std::cerr << "imh: verify needs --category (e.g. IFRS,IMHM-C)\n";
    return 2;
  }
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::VerifyCredentialsRequest request;
  reg::CredentialQuestion& question = *request.add_questions();
  if (!args.person_id.empty()) question.set_person_id(args.person_id);
  if (!args.endorsement_number.empty()) {
    question.set_endorsement_number(args.endorsement_number);
  }
  for (const std::string& category : args.categories) {
    question.add_categories(category);
  }
  if (!args.through.empty() && args.on.empty()) {
    std::cerr << "imh: verify --through needs --on (the span's first day)\n";
    return 2;
  }
  if (!args.on.empty()) {
    absl::StatusOr<absl::CivilDay> day = ParseDay(args.on);
    if (!day.ok()) return ReportError("--on", day.status());
    *question.mutable_as_of() = ToProtoDate(*day);
  }
  if (!args.through.empty()) {
    absl::StatusOr<absl::CivilDay> day = ParseDay(args.through);
    if (!day.ok()) return ReportError("--through", day.status());
    *question.mutable_through() = ToProtoDate(*day);
  }
  reg::VerifyCredentialsResponse response;
  const grpc::Status status = stub->VerifyCredentials(
      NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError("verify", status);
  if (options.json) {
    std::cout << ToJson(response) << "\n";
    return 0;
  }
  const reg::CredentialAnswer& answer = response.answers(0);
  std::cout << AnswerLine(answer) << "\n";
  // A span: each later day the answer changes, then the last day covered.
  for (const reg::CredentialChange& change : answer.changes()) {
    std::cout << "  from " << DayText(change.from()) << ": "
              << AnswerLine(change.answer()) << "\n";
  }
  if (answer.has_through()) {
    std::cout << "  (every day through " << DayText(answer.through()) << ")\n";
  }
  return 0;
}

int List(const ClientOptions& options, const ListArgs& args) {
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::ListEndorsementsRequest request;
  request.set_category(args.category);
  request.set_name(args.name);
  request.set_county(args.county);
  if (!args.status.empty()) {
    reg::EndorsementStatus status;
    if (!reg::EndorsementStatus_Parse(
            absl::StrCat("ENDORSEMENT_STATUS_",
                         absl::AsciiStrToUpper(args.status)),
            &status)) {
      std::cerr << "imh: --status must be active, lapsed, suspended, revoked "
                   "or retired\n";
      return 2;
    }
    request.set_status(status);
  }
  request.set_page_size(args.limit > 0 ? std::min(args.limit, 1000) : 1000);
  int shown = 0;
  bool first_page = true;
  while (true) {
    reg::ListEndorsementsResponse response;
    const grpc::Status status = stub->ListEndorsements(
        NewCallContext(options).get(), request, &response);
    if (!status.ok()) return ReportRpcError("list", status);
    if (first_page && !options.json) {
      std::cout << absl::StrFormat("%-16s %-10s %-8s %-10s %-11s %-14s %s\n",
                                   "ENDORSEMENT", "PERSON", "CATEGORY",
                                   "STATUS", "SINCE", "COUNTY", "NAME");
    }
    first_page = false;
    for (const reg::Endorsement& e : response.endorsements()) {
      if (args.limit > 0 && shown >= args.limit) break;
      ++shown;
      if (options.json) {
        std::cout << ToJsonLine(e) << "\n";
      } else {
        std::cout << absl::StrFormat(
            "%-16s %-10s %-8s %-10s %-11s %-14s %s\n", e.endorsement_number(),
            e.person_id(), e.category(), StatusWord(e.status()),
            DayText(e.status_since()), e.county(), e.display_name());
      }
    }
    if (response.next_page_token().empty() ||
        (args.limit > 0 && shown >= args.limit)) {
      break;
    }
    request.set_page_token(response.next_page_token());
  }
  if (!options.json) std::cout << shown << " endorsement(s)\n";
  return 0;
}

int ImportCsv(const ClientOptions& options, const std::string& file) {
  absl::StatusOr<std::string> text = ReadFileToString(file);
  if (!text.ok()) return ReportError(file, text.status());
  absl::StatusOr<std::vector<CsvRecord>> records = ParseRegistryCsv(*text);
  if (!records.ok()) return ReportError(file, records.status());
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  // The same file imported again sends the same request ids, which the
  // registry answers from its first response without writing anything.
  const std::string file_digest = Sha256Hex(*text).substr(0, 24);
  int imported = 0;
  int rejected = 0;
  for (size_t start = 0; start < records->size(); start += kImportBatch) {
    const size_t end = std::min(records->size(), start + kImportBatch);
    reg::ImportEndorsementsRequest request;
    request.set_request_id(
        absl::StrCat("csv-", file_digest, "-", start / kImportBatch));
    for (size_t i = start; i < end; ++i) {
      *request.add_records() = (*records)[i].record;
    }
    reg::ImportEndorsementsResponse response;
    auto context = NewCallContext(options);
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::minutes(5));
    const grpc::Status status =
        stub->ImportEndorsements(context.get(), request, &response);
    if (!status.ok()) {
      return ReportRpcError(absl::StrCat(file, " rows ", start + 1, "-", end),
                            status);
    }
    imported += response.imported_count();
    for (const reg::ImportRejection& rejection : response.rejections()) {
      ++rejected;
      const CsvRecord& row = (*records)[start + rejection.index()];
      for (const auto& violation : rejection.violations()) {
        std::cerr << file << ":" << row.line << ": "
                  << row.record.endorsement().endorsement_number() << ": "
                  << violation.field() << ": " << violation.description()
                  << "\n";
      }
    }
  }
  if (options.json) {
    std::cout << "{\"imported\":" << imported << ",\"rejected\":" << rejected
              << "}\n";
  } else {
    std::cout << "imported " << imported << " endorsement(s), rejected "
              << rejected << " from " << file << "\n";
  }
  return rejected == 0 ? 0 : 1;
}

int ExportCsv(const ClientOptions& options, const std::string& file) {
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  std::ofstream out_file;
  const bool to_stdout = file.empty() || file == "-";
  const std::string partial = file + ".partial";
  if (!to_stdout) {
    out_file.open(partial, std::ios::binary | std::ios::trunc);
    if (!out_file) {
      std::cerr << "imh: cannot write " << partial << "\n";
      return kExitRefused;
    }
  }
  std::ostream& out = to_stdout ? std::cout : out_file;
  out << RegistryCsvHeader();
  auto context = NewCallContext(options);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::minutes(30));
  auto reader =
      stub->ExportEndorsements(context.get(), reg::ExportEndorsementsRequest());
  reg::ExportEndorsementsResponse batch;
  int64_t rows = 0;
  while (reader->Read(&batch)) {
    for (const reg::RegistryRecord& record : batch.records()) {
      out << RegistryCsvRow(record);
      ++rows;
    }
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) {
    // Never leave a partial export under the name asked for.
    if (!to_stdout) std::remove(partial.c_str());
    return ReportRpcError("export", status);
  }
  out.flush();
  if (!to_stdout) {
    out_file.close();
    if (!out_file || std::rename(partial.c_str(), file.c_str()) != 0) {
      std::cerr << "imh: cannot write " << file << "\n";
      return kExitRefused;
    }
    std::cerr << "exported " << rows << " endorsement(s) to " << file << "\n";
  }
  return 0;
}

int Health(const ClientOptions& options, const std::string& server) {
  const std::string& target = server == "registry" ? options.registry_target
                                                   : options.eligibility_target;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(options, target);
  if (!channel.ok()) return ReportError(server, channel.status());
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status =
      grpc::health::v1::Health::NewStub(*channel)->Check(
          NewCallContext(options).get(), grpc::health::v1::HealthCheckRequest(),
          &response);
  if (!status.ok()) return ReportRpcError(server, status);
  const std::string word =
      grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
          response.status());
  std::cout << server << " at " << target << ": " << word << "\n";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? 0
             : 1;
}

int Metrics(const ClientOptions& options, const std::string& server,
            bool prometheus) {
  const std::string& target = server == "registry" ? options.registry_target
                                                   : options.eligibility_target;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(options, target);
  if (!channel.ok()) return ReportError(server, channel.status());
  admin::v1::GetMetricsResponse response;
  const grpc::Status status =
      admin::v1::AdminService::NewStub(*channel)->GetMetrics(
          NewCallContext(options).get(), admin::v1::GetMetricsRequest(),
          &response);
  if (!status.ok()) return ReportRpcError(server, status);
  if (prometheus) {
    std::cout << response.prometheus_text();
  } else if (options.json) {
    std::cout << ToJson(response) << "\n";
  } else {
    std::cout << response.server() << ", up " << response.uptime_seconds()
              << " s, " << response.in_flight_calls() << " call(s) in flight, "
              << response.log_lines_dropped() << " log line(s) dropped\n"
              << absl::StrFormat("%-58s %9s %9s %9s %9s  %s\n", "METHOD",
                                 "CALLS", "MEAN ms", "P99 ms", "MAX ms",
                                 "CODES");
    for (const auto& method : response.methods()) {
      std::string codes;
      for (const auto& code : method.codes()) {
        absl::StrAppend(&codes, codes.empty() ? "" : " ", code.code(), "=",
                        code.calls());
      }
      std::cout << absl::StrFormat(
          "%-58s %9d %9.3f %9.3f %9.3f  %s\n", method.method(), method.calls(),
          method.latency_mean_ms(), method.latency_p99_ms(),
          method.latency_max_ms(), codes);
    }
  }
  return 0;
}

}  // namespace imh::tools

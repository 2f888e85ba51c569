// The association staff's registry commands: applications and reviews,
// status changes, people, memberships, renewals, lapses and due lists.

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/proto_files.h"
#include "imh/decision/v1/decision_record.pb.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/record_text.h"

namespace imh::tools {
namespace {

namespace reg = registry::v1;

// Prints `response` as JSON with --json, else `text()`. Returns kExitDone.
int Print(const ClientOptions& options,
          const google::protobuf::Message& response,
          const std::function<std::string()>& text) {
  if (options.json) {
    std::cout << ToJson(response) << "\n";
  } else {
    std::cout << text();
  }
  return kExitDone;
}

// Reads a signed decision saved by `imh evaluate|renew --save_decision`.
absl::StatusOr<decision::v1::SignedDecision> ReadSignedDecision(
    const std::string& file) {
  decision::v1::SignedDecision signed_decision;
  if (absl::Status read = ReadJsonFile(file, &signed_decision); !read.ok()) {
    return read;
  }
  return signed_decision;
}

// The day of a --flag, or today in Virginia when the flag is empty.
absl::StatusOr<absl::CivilDay> DayOrToday(const std::string& day) {
  if (day.empty()) return TodayInVirginia();
  return ParseDay(day);
}

// Pages through a list call until its last page. `page` makes one call with
// the token and returns the next token, or the error.
int ForEachPage(
    const std::function<grpc::Status(const std::string&, std::string*)>& page,
    absl::string_view what) {
  std::string token;
  do {
    std::string next;
    const grpc::Status status = page(token, &next);
    if (!status.ok()) return ReportRpcError(what, status);
    token = next;
  } while (!token.empty());
  return kExitDone;
}

}  // namespace

int SubmitApplication(const ClientOptions& options,
                      const std::string& decision_file,
                      const std::string& category,
                      const std::string& person_id) {
  absl::StatusOr<decision::v1::SignedDecision> signed_decision =
      ReadSignedDecision(decision_file);
  if (!signed_decision.ok()) {
    return ReportError(decision_file, signed_decision.status());
  }
  reg::SubmitApplicationRequest request;
  request.set_category(category);
  request.set_person_id(person_id);
  if (person_id.empty()) {
    // The applicant the decision names (the registry checks it either way).
    decision::v1::DecisionRecord record;
    if (record.ParseFromString(signed_decision->record())) {
      request.set_person_id(record.subject().person_id());
    }
  }
  *request.mutable_signed_decision() = *std::move(signed_decision);
  request.set_request_id(options.request_id);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::SubmitApplicationResponse response;
  const grpc::Status status = stub->SubmitApplication(
      NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError("application submit", status);
  return Print(options, response, [&] {
    return absl::StrCat("submitted\n", ApplicationText(response.application()));
  });
}

int ListApplications(const ClientOptions& options, const std::string& state,
                     const std::string& person_id) {
  reg::ListApplicationsRequest request;
  if (!state.empty()) {
    reg::ApplicationState parsed;
    if (!reg::ApplicationState_Parse(
            absl::StrCat("APPLICATION_STATE_", absl::AsciiStrToUpper(state)),
            &parsed)) {
      std::cerr << "imh: --state must be pending, granted or declined\n";
      return kExitUsage;
    }
    request.set_state(parsed);
  }
  request.set_person_id(person_id);
  request.set_page_size(1000);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  int shown = 0;
  if (!options.json) {
    std::cout << absl::StrFormat("%-11s %-10s %-8s %-9s %-9s %-11s %s\n",
                                 "APPLICATION", "PERSON", "CATEGORY", "STATE",
                                 "APPROVALS", "USABLE TO", "ENDORSEMENT");
  }
  const int code = ForEachPage(
      [&](const std::string& token, std::string* next) {
        request.set_page_token(token);
        reg::ListApplicationsResponse response;
        const grpc::Status status = stub->ListApplications(
            NewCallContext(options).get(), request, &response);
        if (!status.ok()) return status;
        for (const reg::Application& application : response.applications()) {
          ++shown;
          if (options.json) {
            std::cout << ToJsonLine(application) << "\n";
            continue;
          }
          int approvals = 0;
          for (const reg::Review& review : application.reviews()) {
            approvals += review.verdict() == reg::REVIEW_VERDICT_APPROVE;
          }
          std::cout << absl::StrFormat(
              "%-11s %-10s %-8s %-9s %-9s %-11s %s\n",
              application.application_id(), application.person_id(),
              application.category(), ApplicationStateWord(application.state()),
              absl::StrCat(approvals, "/", application.required_approvals()),
              DayText(application.valid_through()),
              application.endorsement_number());
        }
        *next = response.next_page_token();
        return grpc::Status::OK;
      },
      "application list");
  if (code == kExitDone && !options.json) {
    std::cout << shown << " application(s)\n";
  }
  return code;
}

int ShowApplication(const ClientOptions& options,
                    const std::string& application_id) {
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::GetApplicationRequest request;
  request.set_application_id(application_id);
  reg::GetApplicationResponse response;
  const grpc::Status status =
      stub->GetApplication(NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError("application show", status);
  return Print(options, response,
               [&] { return ApplicationText(response.application()); });
}

int ReviewApplication(const ClientOptions& options, const ReviewArgs& args) {
  reg::ReviewApplicationRequest request;
  request.set_application_id(args.application_id);
  request.set_verdict(args.approve ? reg::REVIEW_VERDICT_APPROVE
                                   : reg::REVIEW_VERDICT_DECLINE);
  for (const std::string& rule_id : args.acknowledged_advisories) {
    request.add_acknowledged_advisories(rule_id);
  }
  request.set_comment(args.comment);
  request.set_request_id(options.request_id);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::ReviewApplicationResponse response;
  const grpc::Status status = stub->ReviewApplication(
      NewCallContext(options).get(), request, &response);
  if (!status.ok()) {
    return ReportRpcError(args.approve ? "review approve" : "review decline",
                          status);
  }
  return Print(options, response, [&] {
    std::string text = ApplicationText(response.application());
    if (response.has_endorsement()) {
      absl::StrAppend(&text, "\ngranted: on the Active Registry now\n",
                      EndorsementText(response.endorsement()));
    }
    return text;
  });
}

int ShowEndorsement(const ClientOptions& options, const std::string& number) {
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::GetEndorsementRequest request;
  request.set_endorsement_number(number);
  reg::GetEndorsementResponse response;
  const grpc::Status status =
      stub->GetEndorsement(NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError("endorsement show", status);
  return Print(options, response,
               [&] { return EndorsementText(response.endorsement()); });
}

int ChangeEndorsementStatus(const ClientOptions& options,
                            const StatusChangeArgs& args) {
  if (args.reason.empty()) {
    std::cerr << "imh: a status change needs --reason\n";
    return kExitUsage;
  }
  absl::StatusOr<absl::CivilDay> effective_on = DayOrToday(args.effective_on);
  if (!effective_on.ok()) {
    return ReportError("--effective_on", effective_on.status());
  }
  reg::UpdateEndorsementStatusRequest request;
  request.set_endorsement_number(args.endorsement_number);
  request.set_status(args.status);
  *request.mutable_effective_on() = ToProtoDate(*effective_on);
  request.set_reason(args.reason);
  request.set_etag(args.etag);
  request.set_request_id(options.request_id);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::UpdateEndorsementStatusResponse response;
  const grpc::Status status = stub->UpdateEndorsementStatus(
      NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError("endorsement", status);
  return Print(options, response,
               [&] { return EndorsementText(response.endorsement()); });
}

int CreatePerson(const ClientOptions& options, const reg::Person& person) {
  reg::CreatePersonRequest request;
  *request.mutable_person() = person;
  request.set_request_id(options.request_id);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::CreatePersonResponse response;
  const grpc::Status status =
      stub->CreatePerson(NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError("person create", status);
  return Print(options, response, [&] {
    return absl::StrCat("created ", response.person().person_id(), "  ",
                        response.person().display_name(), "\n");
  });
}

int ShowPerson(const ClientOptions& options, const std::string& person_id) {
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::GetPersonRequest request;
  request.set_person_id(person_id);
  reg::GetPersonResponse response;
  const grpc::Status status =
      stub->GetPerson(NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError("person show", status);
  return Print(options, response, [&] { return PersonText(response); });
}

int RecordMembership(const ClientOptions& options, const std::string& person_id,
                     int year) {
  reg::RecordMembershipRequest request;
  request.set_person_id(person_id);
  request.set_year(year);
  request.set_request_id(options.request_id);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::RecordMembershipResponse response;
  const grpc::Status status =
      stub->RecordMembership(NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError("membership record", status);
  return Print(options, response, [&] {
    return absl::StrCat("recorded membership ", year, " for ",
                        response.person().person_id(), "; paid through ",
                        response.person().membership_paid_through_year(), "\n");
  });
}

int RecordRenewal(const ClientOptions& options,
                  const std::string& endorsement_number,
                  const std::string& decision_file) {
  absl::StatusOr<decision::v1::SignedDecision> signed_decision =
      ReadSignedDecision(decision_file);
  if (!signed_decision.ok()) {
    return ReportError(decision_file, signed_decision.status());
  }
  reg::RecordRenewalRequest request;
  request.set_endorsement_number(endorsement_number);
  *request.mutable_signed_decision() = *std::move(signed_decision);
  request.set_request_id(options.request_id);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::RecordRenewalResponse response;
  const grpc::Status status =
      stub->RecordRenewal(NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError("renewal record", status);
  return Print(options, response, [&] {
    return absl::StrCat("renewal recorded\n",
                        EndorsementText(response.endorsement()));
  });
}

int RunLapses(const ClientOptions& options, const std::string& as_of) {
  absl::StatusOr<absl::CivilDay> day = DayOrToday(as_of);
  if (!day.ok()) return ReportError("--as_of", day.status());
  reg::ProcessLapsesRequest request;
  *request.mutable_as_of() = ToProtoDate(*day);
  request.set_request_id(options.request_id);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::ProcessLapsesResponse response;
  const grpc::Status status =
      stub->ProcessLapses(NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError("lapses run", status);
  return Print(options, response, [&] {
    std::string text;
    for (const reg::LapsedEndorsement& lapsed : response.lapsed()) {
      absl::StrAppend(&text, lapsed.endorsement_number(), "  lapsed from ",
                      DayText(lapsed.effective_on()), "  ",
                      lapsed.cause() == reg::LAPSE_CAUSE_RENEWAL_MISSED
                          ? "renewal missed"
                          : "membership not renewed",
                      "\n");
    }
    absl::StrAppend(&text, response.lapsed_size(),
                    " endorsement(s) lapsed as of ", FormatDay(*day), "\n");
    return text;
  });
}

int ListRenewalsDue(const ClientOptions& options, int cycle_year) {
  reg::ListRenewalsDueRequest request;
  request.set_cycle_year(cycle_year);
  request.set_page_size(1000);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  int shown = 0;
  if (!options.json) {
    std::cout << absl::StrFormat("%-16s %-10s %-8s %-11s %-14s %s\n",
                                 "ENDORSEMENT", "PERSON", "CATEGORY",
                                 "LAPSES ON", "COUNTY", "NAME");
  }
  const int code = ForEachPage(
      [&](const std::string& token, std::string* next) {
        request.set_page_token(token);
        reg::ListRenewalsDueResponse response;
        const grpc::Status status = stub->ListRenewalsDue(
            NewCallContext(options).get(), request, &response);
        if (!status.ok()) return status;
        for (const reg::Endorsement& e : response.endorsements()) {
          ++shown;
          if (options.json) {
            std::cout << ToJsonLine(e) << "\n";
            continue;
          }
          std::cout << absl::StrFormat("%-16s %-10s %-8s %-11s %-14s %s\n",
                                       e.endorsement_number(), e.person_id(),
                                       e.category(), DayText(e.lapses_on()),
                                       e.county(), e.display_name());
        }
        *next = response.next_page_token();
        return grpc::Status::OK;
      },
      "due renewals");
  if (code == kExitDone && !options.json) {
    std::cout << shown << " endorsement(s) due to renew in the " << cycle_year
              << " cycle\n";
  }
  return code;
}

int ListMembershipsDue(const ClientOptions& options, int year) {
  reg::ListMembershipsDueRequest request;
  request.set_year(year);
  request.set_page_size(1000);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  int shown = 0;
  if (!options.json) {
    std::cout << absl::StrFormat("%-10s %-8s %-14s %s\n", "PERSON", "PAID TO",
                                 "COUNTY", "NAME");
  }
  const int code = ForEachPage(
      [&](const std::string& token, std::string* next) {
        request.set_page_token(token);
        reg::ListMembershipsDueResponse response;
        const grpc::Status status = stub->ListMembershipsDue(
            NewCallContext(options).get(), request, &response);
        if (!status.ok()) return status;
        for (const reg::Person& person : response.people()) {
          ++shown;
          if (options.json) {
            std::cout << ToJsonLine(person) << "\n";
            continue;
          }
          std::cout << absl::StrFormat(
              "%-10s %-8s %-14s %s\n", person.person_id(),
              person.membership_paid_through_year() == 0
                  ? std::string("-")
                  : absl::StrCat(person.membership_paid_through_year()),
              person.county(), person.display_name());
        }
        *next = response.next_page_token();
        return grpc::Status::OK;
      },
      "due memberships");
  if (code == kExitDone && !options.json) {
    std::cout << shown << " holder(s) with membership " << year
              << " not paid\n";
  }
  return code;
}

int BackupRegistry(const ClientOptions& options, const std::string& file_name) {
  reg::BackupRegistryRequest request;
  request.set_file_name(file_name);
  auto stub = RegistryStub(options);
  if (!stub) return kExitRefused;
  reg::BackupRegistryResponse response;
  auto context = NewCallContext(options);
  // A large registry takes a while to copy.
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::minutes(30));
  const grpc::Status status =
      stub->BackupRegistry(context.get(), request, &response);
  if (!status.ok()) return ReportRpcError("backup", status);
  return Print(options, response, [&] {
    return absl::StrCat("backup written by the registry to ", response.path(),
                        "\n  ", response.bytes(), " bytes, sha256 ",
                        response.sha256(), "\n  schema ",
                        response.schema_version(), ", change feed through ",
                        response.last_sequence(), ", taken ",
                        TimeText(response.taken_at()), "\n");
  });
}

}  // namespace imh::tools

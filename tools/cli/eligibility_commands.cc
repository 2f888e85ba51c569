// The eligibility service's commands.

#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/proto_files.h"
#include "common/rulebook/rulebook.h"
#include "imh/eligibility/v1/eligibility_service.grpc.pb.h"
#include "services/eligibility/decision_report.h"
#include "tools/cli/commands.h"
#include "tools/decision_text.h"

namespace imh::tools {
namespace {

namespace v1 = eligibility::v1;

struct Session {
  std::unique_ptr<v1::EligibilityService::Stub> stub;
  // For category names in text output.
  std::unique_ptr<imh::Rulebook> rulebook;
};

// Connects, and (for text output) fetches the rulebook in force. Prints the
// error, sets `*exit_code` and returns nullopt on failure.
std::optional<Session> Connect(const ClientOptions& options, int* exit_code) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(options, options.eligibility_target);
  if (!channel.ok()) {
    *exit_code = ReportError("eligibility", channel.status());
    return std::nullopt;
  }
  Session session;
  session.stub = v1::EligibilityService::NewStub(*channel);
  if (options.json) return session;
  v1::GetRulebookResponse response;
  const grpc::Status status = session.stub->GetRulebook(
      NewCallContext(options).get(), v1::GetRulebookRequest(), &response);
  if (!status.ok()) {
    *exit_code = ReportRpcError(
        absl::StrCat("eligibility at ", options.eligibility_target), status);
    return std::nullopt;
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(response.rulebook(), &text);
  absl::StatusOr<imh::Rulebook> rulebook =
      imh::Rulebook::Parse(text, "the eligibility service's rulebook");
  if (!rulebook.ok()) {
    *exit_code = ReportError("rulebook", rulebook.status());
    return std::nullopt;
  }
  session.rulebook = std::make_unique<imh::Rulebook>(std::move(*rulebook));
  return session;
}

std::string VerificationText(const std::string& decision_id,
                             const v1::Verification& verification) {
  std::string text = absl::StrCat("decision ", decision_id, "; registry: ");
  switch (verification.state()) {
    case v1::VERIFICATION_STATE_COMPLETE:
      absl::StrAppend(&text, "all ", verification.questions(),
                      " facts verified");
      break;
    case v1::VERIFICATION_STATE_NOT_NEEDED:
      absl::StrAppend(&text, "nothing to verify");
      break;
    default:
      absl::StrAppend(&text, verification.unanswered(), " of ",
                      verification.questions(), " facts unverified (",
                      verification.detail(), ")");
  }
  return text + "\n";
}

// Writes the signed decision as JSON to `path` (whole or not at all).
absl::Status SaveSignedDecision(const std::string& path,
                                const decision::v1::SignedDecision& decision) {
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << ToJson(decision) << "\n";
    out.close();
    if (!out)
      return absl::InternalError(absl::StrCat("cannot write ", partial));
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

// Sends each file as one request and prints each answer. `prepare` reads
// the file into the request; `call` makes the call; `text` renders the
// answer for a person. With `save_decision` set (one file), the answer's
// signed decision is written there.
template <typename Request, typename Response>
int ForEachFile(
    const ClientOptions& options, const std::vector<std::string>& files,
    const std::string& save_decision,
    const std::function<absl::Status(const std::string&, Request&)>& prepare,
    const std::function<grpc::Status(v1::EligibilityService::Stub&,
                                     grpc::ClientContext*, const Request&,
                                     Response*)>& call,
    const std::function<std::string(const Response&, const imh::Rulebook&)>&
        text) {
  if (!save_decision.empty() && files.size() != 1) {
    std::cerr << "imh: --save_decision takes the decision of one file\n";
    return kExitUsage;
  }
  int code = kExitDone;
  std::optional<Session> session = Connect(options, &code);
  if (!session) return code;
  for (const std::string& file : files) {
    Request request;
    if (absl::Status read = prepare(file, request); !read.ok()) {
      code = std::max(code, ReportError(file, read));
      continue;
    }
    Response response;
    const grpc::Status status =
        call(*session->stub, NewCallContext(options).get(), request, &response);
    if (!status.ok()) {
      code = std::max(code, ReportRpcError(file, status));
      continue;
    }
    if (!save_decision.empty()) {
      if (absl::Status saved =
              SaveSignedDecision(save_decision, response.signed_decision());
          !saved.ok()) {
        code = std::max(code, ReportError(save_decision, saved));
      } else if (!options.json) {
        std::cerr << "signed decision " << response.decision_id()
                  << " saved to " << save_decision << "\n";
      }
    }
    if (options.json) {
      std::cout << ToJson(response) << "\n";
    } else {
      std::cout << "== " << file << "\n"
                << text(response, *session->rulebook) << "\n";
    }
  }
  return code;
}

// Reads `file` into `*input`, a field of `request`, and sets the request's
// as_of from --as_of (unset when the flag is).
template <typename Request>
absl::Status ReadInput(const std::string& file, const std::string& as_of,
                       google::protobuf::Message* input, Request& request) {
  if (absl::Status read = ReadJsonFile(file, input); !read.ok()) return read;
  if (as_of.empty()) {
    request.clear_as_of();
    return absl::OkStatus();
  }
  absl::StatusOr<absl::CivilDay> day = ParseDay(as_of);
  if (!day.ok()) return day.status();
  *request.mutable_as_of() = ToProtoDate(*day);
  return absl::OkStatus();
}

}  // namespace

int Evaluate(const ClientOptions& options,
             const std::vector<std::string>& files,
             const std::vector<std::string>& categories,
             const std::string& as_of, const std::string& save_decision) {
  using Request = v1::EvaluatePortfolioRequest;
  using Response = v1::EvaluatePortfolioResponse;
  return ForEachFile<Request, Response>(
      options, files, save_decision,
      [&](const std::string& file, Request& request) {
        for (const std::string& category : categories) {
          request.add_categories(category);
        }
        return ReadInput(file, as_of, request.mutable_portfolio(), request);
      },
      [](v1::EligibilityService::Stub& stub, grpc::ClientContext* context,
         const Request& request, Response* response) {
        return stub.EvaluatePortfolio(context, request, response);
      },
      [](const Response& response, const imh::Rulebook& rulebook) {
        return DecisionText(response.decision(), rulebook) +
               VerificationText(response.decision_id(),
                                response.verification());
      });
}

int Report(const ClientOptions& options, const std::string& file,
           const std::vector<std::string>& categories, const std::string& as_of,
           const std::string& html_path) {
  int code = kExitDone;
  ClientOptions text_options = options;
  text_options.json = false;  // the report needs the rulebook
  std::optional<Session> session = Connect(text_options, &code);
  if (!session) return code;
  v1::EvaluatePortfolioRequest request;
  for (const std::string& category : categories) {
    request.add_categories(category);
  }
  if (absl::Status read =
          ReadInput(file, as_of, request.mutable_portfolio(), request);
      !read.ok()) {
    return ReportError(file, read);
  }
  v1::EvaluatePortfolioResponse response;
  const grpc::Status status = session->stub->EvaluatePortfolio(
      NewCallContext(options).get(), request, &response);
  if (!status.ok()) return ReportRpcError(file, status);

  eligibility::DecisionReportInput input;
  input.portfolio = &request.portfolio();
  input.response = &response;
  input.rulebook = session->rulebook.get();
  input.provider_questions = eligibility::ProviderQuestions(
      request.portfolio(), *session->rulebook,
      absl::CivilDay(response.decision().as_of().year(),
                     response.decision().as_of().month(),
                     response.decision().as_of().day()));
  registry::v1::VerifyCredentialsRequest questions;
  questions.mutable_questions()->Assign(input.provider_questions.begin(),
                                        input.provider_questions.end());
  if (questions.questions().empty()) {
    input.provider_note = "no RS/C session names a provider";
  } else if (auto registry = RegistryStub(options); registry == nullptr) {
    input.provider_note = "the registry could not be reached";
  } else {
    registry::v1::VerifyCredentialsResponse answers;
    const grpc::Status asked = registry->VerifyCredentials(
        NewCallContext(options).get(), questions, &answers);
    if (asked.ok() && answers.answers_size() == questions.questions_size()) {
      input.provider_answers.assign(answers.answers().begin(),
                                    answers.answers().end());
    } else {
      input.provider_note = absl::StrCat("the registry did not answer (",
                                         asked.error_message(), ")");
    }
  }
  std::ofstream out(html_path, std::ios::binary | std::ios::trunc);
  out << eligibility::RenderDecisionReport(input);
  out.close();
  if (!out) {
    return ReportError(html_path, absl::UnavailableError("cannot be written"));
  }
  std::cerr << "imh: decision " << response.decision_id() << " written to "
            << html_path << "\n";
  return kExitDone;
}

int Recommend(const ClientOptions& options,
              const std::vector<std::string>& files, const std::string& as_of) {
  using Request = v1::RecommendCategoriesRequest;
  using Response = v1::RecommendCategoriesResponse;
  return ForEachFile<Request, Response>(
      options, files, "",
      [&](const std::string& file, Request& request) {
        return ReadInput(file, as_of, request.mutable_portfolio(), request);
      },
      [](v1::EligibilityService::Stub& stub, grpc::ClientContext* context,
         const Request& request, Response* response) {
        return stub.RecommendCategories(context, request, response);
      },
      [](const Response& response, const imh::Rulebook& rulebook) {
        return RecommendationText(response.recommendation(), rulebook) +
               VerificationText(response.decision_id(),
                                response.verification());
      });
}

int Renew(const ClientOptions& options, const std::vector<std::string>& files,
          const std::string& as_of, const std::string& save_decision) {
  using Request = v1::EvaluateRenewalRequest;
  using Response = v1::EvaluateRenewalResponse;
  return ForEachFile<Request, Response>(
      options, files, save_decision,
      [&](const std::string& file, Request& request) {
        return ReadInput(file, as_of, request.mutable_attestation(), request);
      },
      [](v1::EligibilityService::Stub& stub, grpc::ClientContext* context,
         const Request& request, Response* response) {
        return stub.EvaluateRenewal(context, request, response);
      },
      [](const Response& response, const imh::Rulebook&) {
        return absl::StrCat(RenewalText(response.decision()), "decision ",
                            response.decision_id(), "\n");
      });
}

int ShowRulebook(const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(options, options.eligibility_target);
  if (!channel.ok()) return ReportError("eligibility", channel.status());
  v1::GetRulebookResponse response;
  const grpc::Status status =
      v1::EligibilityService::NewStub(*channel)->GetRulebook(
          NewCallContext(options).get(), v1::GetRulebookRequest(), &response);
  if (!status.ok()) return ReportRpcError("rulebook", status);
  if (options.json) {
    std::cout << ToJson(response) << "\n";
    return 0;
  }
  std::cout << "rulebook " << response.version() << ", in force from "
            << FormatDay(ToCivilDayUnchecked(response.in_force_from())) << "\n";
  for (const auto& category : response.rulebook().categories()) {
    std::cout << "  " << category.code() << "\t" << category.name() << "\n";
  }
  return 0;
}

}  // namespace imh::tools

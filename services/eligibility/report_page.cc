#include "services/eligibility/report_page.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/http_gateway.h"
#include "imh/eligibility/v1/eligibility_service.grpc.pb.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "services/eligibility/decision_report.h"

namespace imh::eligibility {
namespace {

// How long the providers' periods may take; the page is drawn without them
// after that.
constexpr std::chrono::seconds kRegistryDeadline(3);

void ServeReport(v1::EligibilityService::Stub& self,
                 registry::v1::RegistryService::Stub& registry,
                 const Rulebook& rulebook, const httplib::Request& request,
                 httplib::Response& response) {
  v1::EvaluatePortfolioRequest evaluate;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (const auto parsed = google::protobuf::util::JsonStringToMessage(
          request.body, &evaluate, options);
      !parsed.ok()) {
    WriteConnectError(
        response, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                               absl::StrCat("the body is not a JSON "
                                            "EvaluatePortfolioRequest: ",
                                            std::string(parsed.message()))));
    return;
  }
  grpc::ClientContext context;
  if (grpc::Status bad = PrepareCallContext(request, context); !bad.ok()) {
    WriteConnectError(response, bad);
    return;
  }
  v1::EvaluatePortfolioResponse decided;
  if (grpc::Status status =
          self.EvaluatePortfolio(&context, evaluate, &decided);
      !status.ok()) {
    WriteConnectError(response, status);
    return;
  }

  DecisionReportInput input;
  input.portfolio = &evaluate.portfolio();
  input.response = &decided;
  input.rulebook = &rulebook;
  const google::type::Date& as_of = decided.decision().as_of();
  input.provider_questions = ProviderQuestions(
      evaluate.portfolio(), rulebook,
      absl::CivilDay(as_of.year(), as_of.month(), as_of.day()));
  registry::v1::VerifyCredentialsRequest questions;
  questions.mutable_questions()->Assign(input.provider_questions.begin(),
                                        input.provider_questions.end());
  if (questions.questions().empty()) {
    input.provider_note = "no RS/C session names a provider";
  } else {
    grpc::ClientContext ask;
    ask.set_deadline(std::chrono::system_clock::now() + kRegistryDeadline);
    registry::v1::VerifyCredentialsResponse answers;
    const grpc::Status status =
        registry.VerifyCredentials(&ask, questions, &answers);
    if (status.ok() && answers.answers_size() == questions.questions_size()) {
      input.provider_answers.assign(answers.answers().begin(),
                                    answers.answers().end());
    } else {
      input.provider_note = absl::StrCat("the registry did not answer (",
                                         status.error_message(), ")");
    }
  }
  response.status = 200;
  response.set_header("Content-Security-Policy",
                      "default-src 'none'; style-src 'unsafe-inline'; "
                      "img-src data:; frame-ancestors 'none'");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Cache-Control", "no-store");
  response.set_content(RenderDecisionReport(input), "text/html; charset=utf-8");
}

}  // namespace

void AddReportPage(httplib::Server& server, std::shared_ptr<grpc::Channel> self,
                   std::shared_ptr<grpc::Channel> registry,
                   const Rulebook* rulebook) {
  std::shared_ptr<v1::EligibilityService::Stub> self_stub =
      v1::EligibilityService::NewStub(std::move(self));
  std::shared_ptr<registry::v1::RegistryService::Stub> registry_stub =
      registry::v1::RegistryService::NewStub(std::move(registry));
  server.Post("/report", [self_stub, registry_stub, rulebook](
                             const httplib::Request& request,
                             httplib::Response& response) {
    ServeReport(*self_stub, *registry_stub, *rulebook, request, response);
  });
}

}  // namespace imh::eligibility

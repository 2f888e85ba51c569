#include "services/eligibility/registry_client.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>

#include <future>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/call_metrics.h"
#include "common/dates.h"
#include "services/eligibility/verify_wire.h"

namespace imh::eligibility {
namespace {

namespace reg = registry::v1;

// One call in flight: owns what the callback API needs to outlive the call.
struct PendingCall {
  // The request as the bytes written straight from the questions, the
  // response as received and then the answers read from it (verify_wire.h).
  grpc::ByteBuffer request_bytes, response_bytes;
  RegistryAnswers answers;
  grpc::ClientContext context;
  std::vector<CredentialQuestion> questions;
  absl::Time caller_deadline;
  absl::Time deadline;
  RegistryClient::Done done;
};

// The full name of the method VerifyRequestBytes writes the request of.
constexpr char kVerifyCredentialsMethod[] =
    "/imh.registry.v1.RegistryService/VerifyCredentials";

// The answers read from the received bytes; an unreadable response is an
// INTERNAL error, which concludes as the registry not answering.
grpc::Status ReadAnswers(PendingCall& call) {
  if (!ReadVerifyResponse(call.response_bytes, &call.answers)) {
    call.answers = {};
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        "unreadable VerifyCredentials response");
  }
  return grpc::Status::OK;
}

std::string Unavailable(const grpc::Status& status) {
  return absl::StrCat("registry unavailable (",
                      StatusCodeName(status.error_code()),
                      "): ", status.error_message());
}

VerificationOutcome Conclude(PendingCall& call, const grpc::Status& status) {
  if (status.ok() && call.answers.answers.size() == call.questions.size()) {
    return AnsweredOutcome(call.questions, std::move(call.answers));
  }
  VerificationOutcome outcome;
  outcome.questions = static_cast<int>(call.questions.size());
  if (status.ok()) {
    outcome.registry_rulebook_version = call.answers.rulebook_version;
  }
  outcome.caller_deadline_exceeded =
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
      call.deadline >= call.caller_deadline;
  outcome.detail =
      status.ok()
          ? absl::StrCat("registry answered ", call.answers.answers.size(),
                         " of ", call.questions.size(), " questions")
          : Unavailable(status);
  outcome.unanswered = outcome.questions;
  for (const CredentialQuestion& question : call.questions) {
    CredentialAnswer unknown;
    unknown.status = CredentialStatus::kUnknown;
    unknown.detail = outcome.detail;
    outcome.facts.Add(question, std::move(unknown));
  }
  return outcome;
}

// The outcomes of the calls a split batch went out in, merged into one as
// they arrive; the last one to arrive hands the whole outcome on.
class SplitBatch {
 public:
  SplitBatch(int calls, RegistryClient::Done done)
      : remaining_(calls), done_(std::move(done)) {}

  void Arrive(VerificationOutcome part) {
    RegistryClient::Done done;
    VerificationOutcome merged;
    {
      absl::MutexLock lock(&mu_);
      merged_.questions += part.questions;
      merged_.unanswered += part.unanswered;
      merged_.facts.Merge(std::move(part.facts));
      merged_.caller_deadline_exceeded =
          merged_.caller_deadline_exceeded || part.caller_deadline_exceeded;
      if (merged_.detail.empty()) merged_.detail = std::move(part.detail);
      if (merged_.registry_rulebook_version.empty()) {
        merged_.registry_rulebook_version =
            std::move(part.registry_rulebook_version);
      }
      if (--remaining_ > 0) return;
      done = std::move(done_);
      merged = std::move(merged_);
    }
    done(std::move(merged));
  }

 private:
  absl::Mutex mu_;
  int remaining_ ABSL_GUARDED_BY(mu_);
  VerificationOutcome merged_ ABSL_GUARDED_BY(mu_);
  RegistryClient::Done done_ ABSL_GUARDED_BY(mu_);
};

// One renewal lookup in flight: the endorsement, then its holder.
struct PendingLookup {
  grpc::ClientContext endorsement_context, person_context;
  reg::GetEndorsementRequest endorsement_request;
  reg::GetEndorsementResponse endorsement_response;
  reg::GetPersonRequest person_request;
  reg::GetPersonResponse person_response;
  RegistryClient::RecordDone done;
};

}  // namespace

VerificationOutcome AnsweredOutcome(
    const std::vector<CredentialQuestion>& questions, RegistryAnswers answers) {
  VerificationOutcome outcome;
  outcome.questions = static_cast<int>(questions.size());
  outcome.registry_rulebook_version = std::move(answers.rulebook_version);
  for (size_t i = 0; i < answers.answers.size(); ++i) {
    CredentialAnswer& answer = answers.answers[i];
    if (answer.status == CredentialStatus::kUnknown) {
      ++outcome.unanswered;
      if (answer.detail.empty()) {
        answer.detail = "the registry could not establish it";
      }
    } else if (!AnswersEveryDay(questions[i], answer)) {
      // Its first day answered, the span's other days not.
      ++outcome.unanswered;
    }
  }
  outcome.facts.AddAll(questions, std::move(answers.answers));
  if (outcome.unanswered > 0) {
    outcome.detail =
        absl::StrCat("the registry could not establish ", outcome.unanswered,
                     " of ", outcome.questions, " facts");
  }
  return outcome;
}

std::string RegistryServiceConfig(int max_attempts) {
  return absl::StrFormat(
      R"({"loadBalancingConfig": [{"round_robin": {}}],
          "methodConfig": [{
            "name": [{"service": "imh.registry.v1.RegistryService",
                      "method": "VerifyCredentials"}],
            "retryPolicy": {
              "maxAttempts": %d,
              "initialBackoff": "0.05s",
              "maxBackoff": "0.4s",
              "backoffMultiplier": 2,
              "retryableStatusCodes": ["UNAVAILABLE"]}}]})",
      max_attempts);
}

absl::StatusOr<std::unique_ptr<RegistryClient>> RegistryClient::Create(
    const RegistryClientOptions& options) {
  if (options.max_attempts < 2 || options.max_attempts > 5) {
    return absl::InvalidArgumentError("registry attempts must be 2-5");
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(options.tls);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(RegistryServiceConfig(options.max_attempts));
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  // A registry that comes back is found within about a second, not after
  // gRPC's default backoff of up to two minutes.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  ApplyServerName(options.tls, args);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(options.target, *credentials, args);
  return std::unique_ptr<RegistryClient>(
      new RegistryClient(options, std::move(channel)));
}

RegistryClient::RegistryClient(RegistryClientOptions options,
                               std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      stub_(registry::v1::RegistryService::NewStub(channel_)),
      generic_stub_(channel_) {}

void RegistryClient::VerifyAsync(std::vector<CredentialQuestion> questions,
                                 absl::Time caller_deadline,
                                 const std::string& request_id, Done done) {
  if (questions.empty()) {
    done(VerificationOutcome{});
    return;
  }
  const size_t per_call =
      static_cast<size_t>(std::max(1, options_.max_questions_per_call));
  if (questions.size() > per_call) {
    const int calls =
        static_cast<int>((questions.size() + per_call - 1) / per_call);
    auto batch = std::make_shared<SplitBatch>(calls, std::move(done));
    for (size_t first = 0; first < questions.size(); first += per_call) {
      const size_t last = std::min(questions.size(), first + per_call);
      VerifyOneCall(std::vector<CredentialQuestion>(
                        std::make_move_iterator(questions.begin() + first),
                        std::make_move_iterator(questions.begin() + last)),
                    caller_deadline, request_id,
                    [batch](VerificationOutcome part) {
                      batch->Arrive(std::move(part));
                    });
    }
    return;
  }
  VerifyOneCall(std::move(questions), caller_deadline, request_id,
                std::move(done));
}

void RegistryClient::VerifyOneCall(std::vector<CredentialQuestion> questions,
                                   absl::Time caller_deadline,
                                   const std::string& request_id, Done done) {
  auto call = std::make_shared<PendingCall>();
  call->questions = std::move(questions);
  call->caller_deadline = caller_deadline;
  call->deadline = std::min(caller_deadline, absl::Now() + options_.timeout);
  call->done = std::move(done);
  call->context.set_deadline(absl::ToChronoTime(call->deadline));
  if (!request_id.empty()) {
    call->context.AddMetadata("x-request-id", request_id);
  }
  call->request_bytes = VerifyRequestBytes(call->questions);
  call->answers.answers.reserve(call->questions.size());
  generic_stub_.UnaryCall(&call->context, kVerifyCredentialsMethod,
                          grpc::StubOptions(), &call->request_bytes,
                          &call->response_bytes, [call](grpc::Status status) {
                            if (status.ok()) status = ReadAnswers(*call);
                            Done done = std::move(call->done);
                            done(Conclude(*call, status));
                          });
}

VerificationOutcome RegistryClient::Verify(
    std::vector<CredentialQuestion> questions, absl::Time caller_deadline,
    const std::string& request_id) {
  std::promise<VerificationOutcome> result;
  VerifyAsync(std::move(questions), caller_deadline, request_id,
              [&result](VerificationOutcome outcome) {
                result.set_value(std::move(outcome));
              });
  return result.get_future().get();
}

void RegistryClient::LookupEndorsementAsync(const std::string& number,
                                            absl::Time caller_deadline,
                                            const std::string& request_id,
                                            RecordDone done) {
  auto lookup = std::make_shared<PendingLookup>();
  lookup->done = std::move(done);
  const absl::Time deadline =
      std::min(caller_deadline, absl::Now() + options_.timeout);
  for (grpc::ClientContext* context :
       {&lookup->endorsement_context, &lookup->person_context}) {
    context->set_deadline(absl::ToChronoTime(deadline));
    if (!request_id.empty()) context->AddMetadata("x-request-id", request_id);
  }
  lookup->endorsement_request.set_endorsement_number(number);
  stub_->async()->GetEndorsement(
      &lookup->endorsement_context, &lookup->endorsement_request,
      &lookup->endorsement_response,
      [this, lookup, number](grpc::Status status) {
        if (!status.ok()) {
          RenewalRecord record;
          if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
            record.state = RenewalRecord::State::kNotFound;
            record.detail =
                absl::StrCat("no endorsement ", number, " on the registry");
          } else {
            record.detail = Unavailable(status);
          }
          lookup->done(std::move(record));
          return;
        }
        lookup->person_request.set_person_id(
            lookup->endorsement_response.endorsement().person_id());
        stub_->async()->GetPerson(
            &lookup->person_context, &lookup->person_request,
            &lookup->person_response, [lookup](grpc::Status person_status) {
              RenewalRecord record = FoundRecord(
                  std::move(
                      *lookup->endorsement_response.mutable_endorsement()),
                  person_status.ok() ? &lookup->person_response.person()
                                     : nullptr);
              if (!person_status.ok()) {
                record.detail = Unavailable(person_status);
              }
              lookup->done(std::move(record));
            });
      });
}

}  // namespace imh::eligibility

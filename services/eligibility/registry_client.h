#ifndef IMH_SERVICES_ELIGIBILITY_REGISTRY_CLIENT_H_
#define IMH_SERVICES_ELIGIBILITY_REGISTRY_CLIENT_H_

// The eligibility service's one dependency: the registry, asked one batched
// VerifyCredentials per request. The channel retries UNAVAILABLE (and nothing
// else) through its service config; each call carries the caller's request id
// and the earlier of the caller's deadline and the client's own timeout.

#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "services/eligibility/renewal.h"
#include "services/eligibility/verification.h"
#include "services/eligibility/verify_wire.h"

namespace imh::eligibility {

struct RegistryClientOptions {
  // A gRPC target: "127.0.0.1:50052", "dns:///registry:50052".
  std::string target = "127.0.0.1:50052";
  ClientTlsFiles tls;
  // The longest one verification may take, retries included, whatever the
  // caller's deadline.
  absl::Duration timeout = absl::Milliseconds(1500);
  // Attempts per call when the registry is UNAVAILABLE (2-5).
  int max_attempts = 3;
  // The most questions one VerifyCredentials call carries: the registry's
  // limit. Larger batches are split into concurrent calls.
  int max_questions_per_call = 2048;
};

// What one batched verification established.
struct VerificationOutcome {
  // One answer per question; kUnknown, with the reason, for those the
  // registry did not answer.
  VerificationFacts facts;
  int questions = 0;
  int unanswered = 0;
  // Empty when every question was answered; else why not.
  std::string detail;
  // The call ended because the caller's own deadline passed: the caller gets
  // DEADLINE_EXCEEDED, not a decision.
  bool caller_deadline_exceeded = false;
  // The rulebook version the registry reported (empty when it did not answer).
  std::string registry_rulebook_version;
};

class RegistryClient {
 public:
  // InvalidArgument for inconsistent or unreadable certificate files, or
  // max_attempts outside 2-5. Connects lazily.
  static absl::StatusOr<std::unique_ptr<RegistryClient>> Create(
      const RegistryClientOptions& options);

  using Done = std::function<void(VerificationOutcome)>;

  // Asks every question in one VerifyCredentials call and calls `done`
  // exactly once, on a gRPC thread (or inline when `questions` is empty).
  // `caller_deadline` is absl::InfiniteFuture() when the caller set none.
  void VerifyAsync(std::vector<CredentialQuestion> questions,
                   absl::Time caller_deadline, const std::string& request_id,
                   Done done);

  // VerifyAsync, waiting for the outcome (for tools and tests).
  VerificationOutcome Verify(std::vector<CredentialQuestion> questions,
                             absl::Time caller_deadline,
                             const std::string& request_id);

  using RecordDone = std::function<void(RenewalRecord)>;

  // Reads the endorsement `number` and its holder (GetEndorsement, then
  // GetPerson) for a renewal, and calls `done` exactly once on a gRPC thread:
  // kFound, kNotFound when the registry has no such endorsement, kUnknown with
  // the reason when it could not answer. The holder's membership is unknown
  // when only the person could not be read.
  void LookupEndorsementAsync(const std::string& number,
                              absl::Time caller_deadline,
                              const std::string& request_id, RecordDone done);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  RegistryClient(RegistryClientOptions options,
                 std::shared_ptr<grpc::Channel> channel);

  // One VerifyCredentials call for at most max_questions_per_call questions.
  void VerifyOneCall(std::vector<CredentialQuestion> questions,
                     absl::Time caller_deadline, const std::string& request_id,
                     Done done);

  const RegistryClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<registry::v1::RegistryService::Stub> stub_;
  // VerifyCredentials goes out as bytes written from the questions.
  grpc::GenericStub generic_stub_;
};

// What a registry's complete answer to `questions` establishes: each answer
// filed under the question in its position (an unknown one without a detail
// given "the registry could not establish it"), the unknown ones counted (and
// described in `detail`), and so is a span answer that does not answer every
// day its question asks about (AnswersEveryDay). Requires one answer per
// question (answers.answers.size() == questions.size()); VerifyAsync concludes
// with this whenever the registry answered in full.
VerificationOutcome AnsweredOutcome(
    const std::vector<CredentialQuestion>& questions, RegistryAnswers answers);

// The channel's service config: calls spread round robin over every address
// the target resolves to (registry replicas on PostgreSQL; a replica that is
// down is skipped), and VerifyCredentials retried on UNAVAILABLE only.
std::string RegistryServiceConfig(int max_attempts);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_REGISTRY_CLIENT_H_

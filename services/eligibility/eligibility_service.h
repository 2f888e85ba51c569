#ifndef IMH_SERVICES_ELIGIBILITY_ELIGIBILITY_SERVICE_H_
#define IMH_SERVICES_ELIGIBILITY_ELIGIBILITY_SERVICE_H_

// imh.eligibility.v1.EligibilityService on the callback API: a request is
// validated (INVALID_ARGUMENT + google.rpc.BadRequest), its registry questions
// go out in one asynchronous VerifyCredentials (split only past the registry's
// batch limit), and the decision is made on the thread that receives the
// answer; no thread waits on the registry. A renewal is decided from the
// registry's record of the endorsement (GetEndorsement, GetPerson).
// EvaluatePortfolio's and RecommendCategories' request and response live on a
// pooled arena per call, and so does the decision they are built from.

#include <functional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "common/arena_message_allocator.h"
#include "common/arena_pool.h"
#include "common/decision_signing.h"
#include "common/rulebook/rulebook.h"
#include "imh/eligibility/v1/eligibility_service.grpc.pb.h"
#include "services/eligibility/decision_log.h"
#include "services/eligibility/registry_client.h"

namespace imh::eligibility {

class EligibilityServiceImpl final
    : public v1::EligibilityService::CallbackService {
 public:
  // Every pointer must outlive the service; `decision_log` may be null (no
  // log). `signer` signs every decision. `today` gives the day in Virginia
  // (replaceable for tests).
  EligibilityServiceImpl(const Rulebook* rulebook, RegistryClient* registry,
                         DecisionLog* decision_log,
                         const DecisionSigner* signer,
                         std::function<absl::CivilDay()> today);

  grpc::ServerUnaryReactor* EvaluatePortfolio(
      grpc::CallbackServerContext* context,
      const v1::EvaluatePortfolioRequest* request,
      v1::EvaluatePortfolioResponse* response) override;
  grpc::ServerUnaryReactor* RecommendCategories(
      grpc::CallbackServerContext* context,
      const v1::RecommendCategoriesRequest* request,
      v1::RecommendCategoriesResponse* response) override;
  grpc::ServerUnaryReactor* EvaluateRenewal(
      grpc::CallbackServerContext* context,
      const v1::EvaluateRenewalRequest* request,
      v1::EvaluateRenewalResponse* response) override;
  grpc::ServerUnaryReactor* GetRulebook(
      grpc::CallbackServerContext* context,
      const v1::GetRulebookRequest* request,
      v1::GetRulebookResponse* response) override;

 private:
  // The shared path of EvaluatePortfolio and RecommendCategories: validate,
  // verify, decide, log; `finish` fills the response from the decision id,
  // the decision (on `arena`, the response's; its to take) and how far it is
  // verified.
  grpc::ServerUnaryReactor* Decide(
      grpc::CallbackServerContext* context, const v1::Portfolio* portfolio,
      const google::protobuf::RepeatedPtrField<std::string>& category_codes,
      const google::type::Date* as_of, int view,
      const google::protobuf::Message& input, const char* kind,
      google::protobuf::Arena* arena,
      std::function<void(std::string, v1::Decision*, v1::Verification,
                         decision::v1::SignedDecision)>
          finish);

  // Queues the decision's log line; Unavailable when it cannot be (the
  // decision is then not answered).
  absl::Status Log(const DecisionRecord& record);

  // Logs a warning (once per version seen) when the registry runs another
  // rulebook version than this service.
  void WarnOnRulebookMismatch(const std::string& registry_version);

  const Rulebook& rulebook_;
  RegistryClient& registry_;
  DecisionLog* const decision_log_;
  const DecisionSigner& signer_;
  const std::function<absl::CivilDay()> today_;
  absl::Mutex warned_mu_;
  std::string warned_registry_version_ ABSL_GUARDED_BY(warned_mu_);
  ArenaPool arenas_;
  ArenaMessageAllocator<v1::EvaluatePortfolioRequest,
                        v1::EvaluatePortfolioResponse>
      evaluate_allocator_{&arenas_};
  ArenaMessageAllocator<v1::RecommendCategoriesRequest,
                        v1::RecommendCategoriesResponse>
      recommend_allocator_{&arenas_};
};

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_ELIGIBILITY_SERVICE_H_

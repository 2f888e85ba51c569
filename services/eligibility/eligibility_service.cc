#include "services/eligibility/eligibility_service.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "common/digest.h"
#include "common/grpc_status.h"
#include "common/ids.h"
#include "common/proto_files.h"
#include "common/server_support.h"
#include "services/eligibility/evaluator.h"
#include "services/eligibility/renewal.h"
#include "services/eligibility/signed_decisions.h"
#include "services/eligibility/validation.h"

namespace imh::eligibility {
namespace {

// The caller's x-request-id, or a new one; sent back either way, and carried
// to the registry.
std::string RequestIdOf(grpc::CallbackServerContext* context) {
  std::string id = CorrelationId(*context);
  if (id.empty()) id = NewId("r-");
  context->AddInitialMetadata("x-request-id", id);
  return id;
}

// The day to decide on: `as_of` when given (a complete date, not after
// today), else today. Adds a violation at "as_of" when it is not acceptable.
absl::CivilDay DayToDecideOn(const google::type::Date* as_of,
                             absl::CivilDay today,
                             FieldViolations& violations) {
  if (as_of == nullptr) return today;
  absl::StatusOr<absl::CivilDay> day = ToCivilDay(*as_of);
  if (!day.ok()) {
    violations.push_back(
        {"as_of", absl::StrCat("must be a complete calendar date: ",
                               day.status().message())});
    return today;
  }
  if (*day > today) {
    violations.push_back(
        {"as_of", absl::StrCat("must not be after today (", FormatDay(today),
                               ") in Virginia")});
    return today;
  }
  return *day;
}

void Append(FieldViolations& to, FieldViolations from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()),
            std::make_move_iterator(from.end()));
}

std::string OutcomeWord(v1::Outcome outcome) {
  return std::string(absl::StripPrefix(v1::Outcome_Name(outcome), "OUTCOME_"));
}

v1::Verification VerificationOf(const VerificationOutcome& outcome) {
  v1::Verification verification;
  verification.set_registry_rulebook_version(outcome.registry_rulebook_version);
  verification.set_questions(outcome.questions);
  verification.set_unanswered(outcome.unanswered);
  verification.set_detail(outcome.detail);
  if (outcome.questions == 0) {
    verification.set_state(v1::VERIFICATION_STATE_NOT_NEEDED);
  } else if (outcome.unanswered > 0) {
    verification.set_state(v1::VERIFICATION_STATE_INCOMPLETE);
  } else {
    verification.set_state(v1::VERIFICATION_STATE_COMPLETE);
  }
  return verification;
}

grpc::Status NotInForce(const Rulebook& rulebook, absl::CivilDay as_of) {
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                      absl::StrCat("rulebook ", rulebook.version(),
                                   " has no rules in force on ",
                                   FormatDay(as_of), "; its figures start on ",
                                   FormatDay(rulebook.in_force_from())));
}

}  // namespace

EligibilityServiceImpl::EligibilityServiceImpl(
    const Rulebook* rulebook, RegistryClient* registry,
    DecisionLog* decision_log, const DecisionSigner* signer,
    std::function<absl::CivilDay()> today)
    : rulebook_(*rulebook),
      registry_(*registry),
      decision_log_(decision_log),
      signer_(*signer),
      today_(std::move(today)) {
  SetMessageAllocatorFor_EvaluatePortfolio(&evaluate_allocator_);
  SetMessageAllocatorFor_RecommendCategories(&recommend_allocator_);
}

void EligibilityServiceImpl::WarnOnRulebookMismatch(
    const std::string& registry_version) {
  if (registry_version.empty() || registry_version == rulebook_.version()) {
    return;
  }
  {
    absl::MutexLock lock(&warned_mu_);
    if (warned_registry_version_ == registry_version) return;
    warned_registry_version_ = registry_version;
  }
  LogJson("eligibility", {{"event", "registry_rulebook_differs"},
                          {"rulebook_version", rulebook_.version()},
                          {"registry_rulebook_version", registry_version}});
}

absl::Status EligibilityServiceImpl::Log(const DecisionRecord& record) {
  if (decision_log_ == nullptr) return absl::OkStatus();
  absl::Status logged = decision_log_->Append(record);
  if (!logged.ok()) {
    LogJson("eligibility", {{"event", "decision_refused_unlogged"},
                            {"path", decision_log_->path()},
                            {"decision_id", record.decision_id},
                            {"reason", std::string(logged.message())}});
  }
  return logged;
}

grpc::ServerUnaryReactor* EligibilityServiceImpl::Decide(
    grpc::CallbackServerContext* context, const v1::Portfolio* portfolio,
    const google::protobuf::RepeatedPtrField<std::string>& category_codes,
    const google::type::Date* as_of_date, int view,
    const google::protobuf::Message& input, const char* kind,
    google::protobuf::Arena* arena,
    std::function<void(std::string, v1::Decision*, v1::Verification,
                       decision::v1::SignedDecision)>
        finish) {
  const std::string request_id = RequestIdOf(context);
  FieldViolations violations;
  const absl::CivilDay as_of = DayToDecideOn(as_of_date, today_(), violations);
  if (portfolio == nullptr) {
    violations.push_back({"portfolio", "is required"});
  } else {
    Append(violations, ValidatePortfolio(*portfolio, as_of, "portfolio"));
  }
  const std::vector<std::string> codes(category_codes.begin(),
                                       category_codes.end());
  if (static_cast<int>(codes.size()) > InputLimits::kMaxCategories) {
    violations.push_back(
        {"categories",
         absl::StrCat("at most ", InputLimits::kMaxCategories, " categories")});
  } else {
    Append(violations, ValidateCategoryCodes(rulebook_, codes, "categories"));
  }
  Append(violations, ValidateDecisionView(view, "view"));
  if (!violations.empty())
    return FinishNow(context, InvalidArgument(violations));
  if (as_of < rulebook_.in_force_from()) {
    return FinishNow(context, NotInForce(rulebook_, as_of));
  }
  absl::StatusOr<CategoryList> categories = ResolveCategories(rulebook_, codes);
  if (!categories.ok()) {
    return FinishNow(context, ToGrpcStatus(categories.status()));
  }
  std::vector<CredentialQuestion> questions =
      CredentialQuestionsFor(*portfolio, as_of, *categories);

  DecisionRecord record;
  record.kind = kind;
  record.caller = CallerActor(*context);
  record.request_id = request_id;
  record.rulebook_version = rulebook_.version();
  record.as_of = FormatDay(as_of);
  record.input_sha256 = Sha256Hex(DeterministicBytes(input));

  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  registry_.VerifyAsync(
      std::move(questions), absl::FromChrono(context->deadline()), request_id,
      [this, context, reactor, portfolio, as_of, view, arena,
       categories = std::move(*categories), record = std::move(record),
       finish = std::move(finish)](VerificationOutcome outcome) mutable {
        if (outcome.caller_deadline_exceeded || context->IsCancelled()) {
          reactor->Finish(grpc::Status(
              grpc::StatusCode::DEADLINE_EXCEEDED,
              absl::StrCat("the registry did not answer before the caller's "
                           "deadline: ",
                           outcome.detail)));
          return;
        }
        WarnOnRulebookMismatch(outcome.registry_rulebook_version);
        v1::Decision* decided =
            google::protobuf::Arena::CreateMessage<v1::Decision>(arena);
        std::unique_ptr<v1::Decision> on_heap(arena ? nullptr : decided);
        EvaluateValidatedInto(*portfolio, rulebook_, as_of, categories,
                              outcome.facts, decided,
                              static_cast<v1::DecisionView>(view));
        const v1::Verification verification = VerificationOf(outcome);
        record.decision_id = NewId("d-");
        record.verification = std::string(
            absl::StripPrefix(v1::VerificationState_Name(verification.state()),
                              "VERIFICATION_STATE_"));
        for (const v1::CategoryDecision& category : decided->categories()) {
          record.outcomes.emplace_back(category.category(),
                                       OutcomeWord(category.outcome()));
        }
        absl::StatusOr<decision::v1::SignedDecision> signed_decision =
            signer_.Sign(
                PortfolioDecisionRecord(record.decision_id, record.input_sha256,
                                        *portfolio, *decided, absl::Now()));
        if (!signed_decision.ok()) {
          reactor->Finish(ToGrpcStatus(signed_decision.status()));
          return;
        }
        // An audit record first: a decision is never answered unlogged.
        if (absl::Status logged = Log(record); !logged.ok()) {
          reactor->Finish(ToGrpcStatus(logged));
          return;
        }
        finish(record.decision_id, decided, verification,
               std::move(*signed_decision));
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* EligibilityServiceImpl::EvaluatePortfolio(
    grpc::CallbackServerContext* context,
    const v1::EvaluatePortfolioRequest* request,
    v1::EvaluatePortfolioResponse* response) {
  return Decide(
      context, request->has_portfolio() ? &request->portfolio() : nullptr,
      request->categories(), request->has_as_of() ? &request->as_of() : nullptr,
      request->view(), *request, "portfolio", response->GetArena(),
      [response](std::string id, v1::Decision* decision,
                 v1::Verification verification,
                 decision::v1::SignedDecision signed_decision) {
        response->set_decision_id(std::move(id));
        // Both on the response's arena (or both on the heap): a swap of
        // pointers, not a copy.
        response->mutable_decision()->Swap(decision);
        *response->mutable_verification() = std::move(verification);
        *response->mutable_signed_decision() = std::move(signed_decision);
      });
}

grpc::ServerUnaryReactor* EligibilityServiceImpl::RecommendCategories(
    grpc::CallbackServerContext* context,
    const v1::RecommendCategoriesRequest* request,
    v1::RecommendCategoriesResponse* response) {
  static const google::protobuf::RepeatedPtrField<std::string> kAll;
  return Decide(
      context, request->has_portfolio() ? &request->portfolio() : nullptr, kAll,
      request->has_as_of() ? &request->as_of() : nullptr, request->view(),
      *request, "recommendation", response->GetArena(),
      [response](std::string id, v1::Decision* decision,
                 v1::Verification verification,
                 decision::v1::SignedDecision signed_decision) {
        response->set_decision_id(std::move(id));
        // The decision is on the response's arena: its categories move into
        // the recommendation by pointer, not by copy.
        RecommendInto(decision, response->mutable_recommendation());
        *response->mutable_verification() = std::move(verification);
        *response->mutable_signed_decision() = std::move(signed_decision);
      });
}

grpc::ServerUnaryReactor* EligibilityServiceImpl::EvaluateRenewal(
    grpc::CallbackServerContext* context,
    const v1::EvaluateRenewalRequest* request,
    v1::EvaluateRenewalResponse* response) {
  const std::string request_id = RequestIdOf(context);
  FieldViolations violations;
  const absl::CivilDay as_of = DayToDecideOn(
      request->has_as_of() ? &request->as_of() : nullptr, today_(), violations);
  if (!request->has_attestation()) {
    violations.push_back({"attestation", "is required"});
  } else {
    Append(violations,
           ValidateRenewal(request->attestation(), as_of, "attestation"));
  }
  if (!violations.empty())
    return FinishNow(context, InvalidArgument(violations));

  DecisionRecord record;
  record.kind = "renewal";
  record.caller = CallerActor(*context);
  record.request_id = request_id;
  record.rulebook_version = rulebook_.version();
  record.as_of = FormatDay(as_of);
  record.input_sha256 = Sha256Hex(DeterministicBytes(*request));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The registry's record decides, not the attestation's word.
  registry_.LookupEndorsementAsync(
      request->attestation().endorsement_number(),
      absl::FromChrono(context->deadline()), request_id,
      [this, reactor, request, response, as_of,
       record = std::move(record)](RenewalRecord registry_record) mutable {
        absl::StatusOr<v1::RenewalDecision> decision =
            eligibility::EvaluateRenewal(request->attestation(),
                                         registry_record, rulebook_, as_of);
        if (!decision.ok()) {
          reactor->Finish(ToGrpcStatus(decision.status()));
          return;
        }
        record.decision_id = NewId("d-");
        record.verification =
            registry_record.state == RenewalRecord::State::kUnknown
                ? "INCOMPLETE"
                : "COMPLETE";
        record.outcomes.emplace_back(decision->category(),
                                     OutcomeWord(decision->outcome()));
        absl::StatusOr<decision::v1::SignedDecision> signed_decision =
            signer_.Sign(RenewalDecisionRecord(
                record.decision_id, record.input_sha256, request->attestation(),
                registry_record.state == RenewalRecord::State::kFound
                    ? registry_record.endorsement.person_id()
                    : "",
                *decision, absl::Now()));
        if (!signed_decision.ok()) {
          reactor->Finish(ToGrpcStatus(signed_decision.status()));
          return;
        }
        if (absl::Status logged = Log(record); !logged.ok()) {
          reactor->Finish(ToGrpcStatus(logged));
          return;
        }
        response->set_decision_id(record.decision_id);
        *response->mutable_signed_decision() = std::move(*signed_decision);
        *response->mutable_decision() = std::move(*decision);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* EligibilityServiceImpl::GetRulebook(
    grpc::CallbackServerContext* context, const v1::GetRulebookRequest*,
    v1::GetRulebookResponse* response) {
  response->set_version(rulebook_.version());
  *response->mutable_in_force_from() = ToProtoDate(rulebook_.in_force_from());
  *response->mutable_rulebook() = rulebook_.proto();
  return FinishNow(context, grpc::Status::OK);
}

}  // namespace imh::eligibility

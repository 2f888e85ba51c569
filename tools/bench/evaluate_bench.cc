// Benchmark: a large portfolio (50 trainings, 60 RS/C sessions, 8 jobs) against
// all seven categories. The headline is the server path: what
// EligibilityServiceImpl does on its CPU for one EvaluatePortfolio between
// receiving the request and the registry's answers (validation, the registry
// questions and the VerifyCredentials request bytes the registry client writes
// of them) and after them (the client reading the registry's response bytes
// into facts, the evaluation into a decision on the call's pooled arena, as
// the service allocates it), without gRPC's own work (transport, framing), the
// portfolio's parsing, the decision's serialization, the signature and the
// decision log (the end-to-end benchmark has those). Its
// ratio is to a yardstick measured in the same run, one copy of the portfolio
// message: a size of the input, not a lower bound. Goal: <= 20 us on the server
// path. RecommendCategories' server path (the same decision, written as a
// recommendation) is measured too.

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/arena_pool.h"
#include "common/dates.h"
#include "google/protobuf/arena.h"
#include "imh/eligibility/v1/eligibility_service.pb.h"
#include "services/eligibility/evaluator.h"
#include "services/eligibility/registry_client.h"
#include "services/eligibility/snapshot_verifier.h"
#include "services/eligibility/validation.h"
#include "services/eligibility/verify_wire.h"

namespace {

namespace v1 = imh::eligibility::v1;
namespace reg = imh::registry::v1;
using imh::Rulebook;

const absl::CivilDay kAsOf(2026, 11, 23);

v1::PersonRef Provider(int i) {
  v1::PersonRef person;
  person.set_display_name(i % 2 ? "Harold Kim" : "Rosa Delgado");
  person.set_person_id(i % 2 ? "P-1002" : "P-1001");
  return person;
}

v1::Portfolio LargePortfolio() {
  v1::Portfolio p;
  p.set_portfolio_id("bench-large");
  p.mutable_applicant()->mutable_person()->set_display_name("Bench Applicant");
  p.mutable_applicant()->set_residence_state("VA");
  p.mutable_applicant()->set_population_focus(
      v1::POPULATION_FOCUS_BIRTH_TO_36_MONTHS);
  const v1::DegreeLevel levels[] = {v1::DEGREE_LEVEL_BACHELOR,
                                    v1::DEGREE_LEVEL_MASTER,
                                    v1::DEGREE_LEVEL_DOCTORATE};
  for (int i = 0; i < 3; ++i) {
    v1::EducationEntry* e = p.add_education();
    e->set_level(levels[i]);
    e->set_degree(i == 0 ? "BSW" : i == 1 ? "MSW" : "PhD");
    e->set_field("Social Work");
    e->set_field_related_to_early_childhood(true);
    *e->mutable_conferred_on() =
        imh::ToProtoDate(absl::CivilDay(2006 + 3 * i, 5, 15));
    e->set_official_transcript_received(true);
  }
  const v1::TrainingTopic topics[] = {
      v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL, v1::TRAINING_TOPIC_RSC_PROVISION,
      v1::TRAINING_TOPIC_DIVERSITY_EQUITY_INCLUSION,
      v1::TRAINING_TOPIC_OTHER_IMH};
  for (int i = 0; i < 50; ++i) {
    v1::TrainingEntry* t = p.add_trainings();
    t->set_title(absl::StrCat("Training ", i));
    *t->mutable_completed_on() =
        imh::ToProtoDate(imh::AddMonths(absl::CivilDay(2018, 1, 10), i * 2));
    t->set_clock_hours(3 + i % 5);
    t->set_topic(topics[i % 4]);
    t->set_didactic(i % 3 == 0);
  }
  for (int i = 0; i < 60; ++i) {
    v1::RscSession* s = p.add_rsc_sessions();
    *s->mutable_held_on() = imh::ToProtoDate(absl::CivilDay(2022, 1, 5) +
                                             static_cast<int>(i * 30.4 / 2));
    s->set_hours(1.5);
    s->set_format(i % 4 == 0 ? v1::RSC_FORMAT_GROUP
                             : v1::RSC_FORMAT_INDIVIDUAL);
    *s->mutable_provider() = Provider(i);
    s->set_about_rsc_applicant_provides(i % 2 == 0);
    s->set_while_applicant_provided_rsc(i % 3 != 0);
  }
  const v1::ServiceKind kinds[] = {
      v1::SERVICE_KIND_PREVENTION,
      v1::SERVICE_KIND_EARLY_INTERVENTION,
      v1::SERVICE_KIND_IMH_TREATMENT,
      v1::SERVICE_KIND_RSC_PROVISION,
      v1::SERVICE_KIND_POLICY_ADMINISTRATION,
      v1::SERVICE_KIND_UNIVERSITY_TEACHING_RESEARCH,
      v1::SERVICE_KIND_PROMOTION,
      v1::SERVICE_KIND_PREVENTION};
  for (int i = 0; i < 8; ++i) {
    v1::WorkEntry* w = p.add_work();
    w->set_employer(absl::StrCat("Agency ", i));
    *w->mutable_started_on() =
        imh::ToProtoDate(absl::CivilDay(2008 + i * 2, 3, 1));
    if (i < 6) {
      *w->mutable_ended_on() =
          imh::ToProtoDate(absl::CivilDay(2013 + i * 2, 8, 31));
    } else {
      w->set_current(true);
    }
    w->set_paid(true);
    w->set_supervised(true);
    w->set_hours_per_week(i % 3 == 0 ? 20 : 0);
    w->set_population_served(v1::POPULATION_FOCUS_BIRTH_TO_36_MONTHS);
    w->set_service_kind(kinds[i]);
    w->set_families_served(5 + i);
    w->set_staff_supervised(i % 2);
    w->set_with_parents_or_caregivers(true);
  }
  for (int i = 0; i < 3; ++i) {
    v1::LeadershipEntry* l = p.add_leadership();
    l->set_activity("committee");
    l->set_level(i == 0 ? v1::LEADERSHIP_LEVEL_LOCAL
                        : v1::LEADERSHIP_LEVEL_STATE);
    *l->mutable_started_on() =
        imh::ToProtoDate(absl::CivilDay(2016 + i * 3, 1, 1));
    l->set_current(true);
    l->set_in_addition_to_paid_work(i == 2);
    l->set_infant_toddler_specific(true);
  }
  p.mutable_membership()->set_paid_through_year(2026);
  *p.mutable_ethics()->mutable_code_of_ethics_signed_on() =
      imh::ToProtoDate(absl::CivilDay(2026, 1, 5));
  *p.mutable_ethics()->mutable_endorsement_agreement_signed_on() =
      imh::ToProtoDate(absl::CivilDay(2026, 1, 5));
  p.mutable_exam()->set_passed(true);
  *p.mutable_exam()->mutable_taken_on() =
      imh::ToProtoDate(absl::CivilDay(2025, 5, 1));
  const v1::ReferenceRole roles[] = {v1::REFERENCE_ROLE_PROGRAM_SUPERVISOR,
                                     v1::REFERENCE_ROLE_RSC_PROVIDER,
                                     v1::REFERENCE_ROLE_RSC_RECIPIENT};
  for (int i = 0; i < 3; ++i) {
    v1::ReferenceRating* r = p.add_references();
    *r->mutable_rater() = i == 1 ? Provider(0) : v1::PersonRef();
    if (i != 1) r->mutable_rater()->set_display_name(absl::StrCat("Rater ", i));
    r->set_role(roles[i]);
    r->set_familiarity_attested(true);
  }
  return p;
}

struct Fixture {
  Rulebook rulebook;
  v1::Portfolio portfolio;
  imh::eligibility::CategoryList categories;
  imh::eligibility::SnapshotVerifier verifier;
  imh::eligibility::VerificationFacts facts;
  // What the registry answers to the server path's questions (the demo
  // registry's answers, as the registry service would send them).
  reg::VerifyCredentialsResponse response;
  // The same, as the registry client receives it.
  grpc::ByteBuffer response_bytes;

  static Fixture& Get() {
    static Fixture* const fixture = [] {
      absl::StatusOr<Rulebook> rulebook = Rulebook::Load(IMH_BENCH_RULEBOOK);
      absl::StatusOr<imh::eligibility::SnapshotVerifier> verifier =
          imh::eligibility::SnapshotVerifier::FromJsonFile(IMH_BENCH_REGISTRY);
      if (!rulebook.ok() || !verifier.ok()) {
        std::cerr << rulebook.status() << " " << verifier.status() << "\n";
        std::abort();
      }
      auto* f = new Fixture{*std::move(rulebook),
                            LargePortfolio(),
                            {},
                            *std::move(verifier),
                            {},
                            {},
                            {}};
      f->categories = *imh::eligibility::ResolveCategories(f->rulebook, {});
      const std::vector<imh::eligibility::CredentialQuestion> questions =
          imh::eligibility::CredentialQuestionsFor(f->portfolio, kAsOf,
                                                   f->categories);
      f->response.set_rulebook_version(f->rulebook.version());
      auto fill = [](const imh::eligibility::CredentialAnswer& answer,
                     reg::CredentialAnswer* proto) {
        proto->set_status(
            answer.status == imh::eligibility::CredentialStatus::kHeld
                ? reg::CREDENTIAL_STATUS_HELD
            : answer.status == imh::eligibility::CredentialStatus::kNotHeld
                ? reg::CREDENTIAL_STATUS_NOT_HELD
                : reg::CREDENTIAL_STATUS_UNKNOWN);
        proto->set_endorsement_number(answer.endorsement_number);
        proto->set_category(answer.category);
        proto->set_detail(answer.detail);
        proto->set_person_id(answer.person_id);
      };
      for (const imh::eligibility::CredentialAnswer& answer :
           f->verifier.Verify(questions)) {
        reg::CredentialAnswer* proto = f->response.add_answers();
        fill(answer, proto);
        if (answer.through)
          *proto->mutable_through() = imh::ToProtoDate(*answer.through);
        for (const imh::eligibility::CredentialAnswer& change :
             answer.changes) {
          reg::CredentialChange* into = proto->add_changes();
          *into->mutable_from() = imh::ToProtoDate(change.from);
          fill(change, into->mutable_answer());
        }
      }
      const std::string serialized = f->response.SerializeAsString();
      grpc::Slice slice(serialized);
      f->response_bytes = grpc::ByteBuffer(&slice, 1);
      // The facts every benchmark evaluates with: read from that response, as
      // the registry client reads it.
      imh::eligibility::RegistryAnswers answers;
      if (!imh::eligibility::ReadVerifyResponse(f->response_bytes, &answers)) {
        std::abort();
      }
      f->facts =
          imh::eligibility::AnsweredOutcome(questions, std::move(answers))
              .facts;
      return f;
    }();
    return *fixture;
  }
};

// Baseline: one copy of the input portfolio message.
void BM_Baseline_CopyPortfolio(benchmark::State& state) {
  const Fixture& f = Fixture::Get();
  for (auto _ : state) {
    v1::Portfolio copy = f.portfolio;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_Baseline_CopyPortfolio);

// The size of the output: one copy of the decision an evaluation produces
// (every finding's sentence and evidence), into a fresh message on the heap.
void BM_Reference_CopyDecision(benchmark::State& state) {
  const Fixture& f = Fixture::Get();
  const v1::Decision decision = *imh::eligibility::Evaluate(
      f.portfolio, f.rulebook, kAsOf, f.categories, f.facts);
  int findings = 0;
  for (const auto& category : decision.categories()) {
    findings += category.findings_size();
  }
  for (auto _ : state) {
    v1::Decision copy = decision;
    benchmark::DoNotOptimize(copy);
  }
  state.counters["findings"] = findings;
}
BENCHMARK(BM_Reference_CopyDecision);

// What parts of the server path cost alone: one copy of the decision it
// produces into a message on the call's pooled arena (a size of the output:
// what writing these messages costs, whatever computes them), and the
// validation every request gets.
void DecisionOnArena(benchmark::State& state, v1::DecisionView view) {
  const Fixture& f = Fixture::Get();
  imh::ArenaPool pool;
  v1::Decision decided;
  imh::eligibility::EvaluateValidatedInto(
      f.portfolio, f.rulebook, kAsOf, f.categories, f.facts, &decided, view);
  for (auto _ : state) {
    imh::PooledArena call(pool);
    auto* copy =
        google::protobuf::Arena::CreateMessage<v1::Decision>(call.arena());
    copy->CopyFrom(decided);
    benchmark::DoNotOptimize(copy);
  }
}
void BM_Reference_BasicDecisionOnArena(benchmark::State& state) {
  DecisionOnArena(state, v1::DECISION_VIEW_BASIC);
}
BENCHMARK(BM_Reference_BasicDecisionOnArena);
void BM_Reference_FullDecisionOnArena(benchmark::State& state) {
  DecisionOnArena(state, v1::DECISION_VIEW_FULL);
}
BENCHMARK(BM_Reference_FullDecisionOnArena);
void BM_Part_ValidatePortfolio(benchmark::State& state) {
  const Fixture& f = Fixture::Get();
  for (auto _ : state) {
    imh::FieldViolations violations =
        imh::eligibility::ValidatePortfolio(f.portfolio, kAsOf, "portfolio");
    benchmark::DoNotOptimize(violations);
  }
}
BENCHMARK(BM_Part_ValidatePortfolio);

// What the service answers with the decision.
enum class Answer {
  kEvaluation,      // EvaluatePortfolio: the decision swapped into its response
  kRecommendation,  // RecommendCategories: the categories moved into its own
};

// The server path (EligibilityServiceImpl::Decide): validate the portfolio, the
// category codes and the view, list the registry questions, then, with the
// registry's answers, evaluate into a decision on the call's arena and answer
// with it there. As in the service, the call's arena starts in a block from
// the pool the previous call gave back (ArenaMessageAllocator).
void ServerPath(benchmark::State& state, v1::DecisionView view,
                Answer answer = Answer::kEvaluation) {
  const Fixture& f = Fixture::Get();
  const std::vector<std::string> codes;
  imh::ArenaPool pool;
  for (auto _ : state) {
    imh::PooledArena call(pool);
    imh::FieldViolations violations =
        imh::eligibility::ValidatePortfolio(f.portfolio, kAsOf, "portfolio");
    imh::FieldViolations category_violations =
        imh::eligibility::ValidateCategoryCodes(f.rulebook, codes,
                                                "categories");
    imh::FieldViolations view_violations =
        imh::eligibility::ValidateDecisionView(view, "view");
    if (!violations.empty() || !category_violations.empty() ||
        !view_violations.empty()) {
      std::abort();
    }
    absl::StatusOr<imh::eligibility::CategoryList> categories =
        imh::eligibility::ResolveCategories(f.rulebook, codes);
    std::vector<imh::eligibility::CredentialQuestion> questions =
        imh::eligibility::CredentialQuestionsFor(f.portfolio, kAsOf,
                                                 *categories);
    // The registry client's request: its bytes, as sent.
    grpc::ByteBuffer request = imh::eligibility::VerifyRequestBytes(questions);
    benchmark::DoNotOptimize(request);
    // The registry's answer as received, read into answers and filed.
    imh::eligibility::RegistryAnswers answers;
    answers.answers.reserve(questions.size());
    if (!imh::eligibility::ReadVerifyResponse(f.response_bytes, &answers)) {
      std::abort();
    }
    const imh::eligibility::VerificationOutcome outcome =
        imh::eligibility::AnsweredOutcome(questions, std::move(answers));
    auto* decided =
        google::protobuf::Arena::CreateMessage<v1::Decision>(call.arena());
    imh::eligibility::EvaluateValidatedInto(f.portfolio, f.rulebook, kAsOf,
                                            *categories, outcome.facts, decided,
                                            view);
    if (answer == Answer::kEvaluation) {
      auto* response =
          google::protobuf::Arena::CreateMessage<v1::EvaluatePortfolioResponse>(
              call.arena());
      response->mutable_decision()->Swap(decided);
      benchmark::DoNotOptimize(response);
    } else {
      auto* response = google::protobuf::Arena::CreateMessage<
          v1::RecommendCategoriesResponse>(call.arena());
      imh::eligibility::RecommendInto(decided,
                                      response->mutable_recommendation());
      benchmark::DoNotOptimize(response);
    }
    state.counters["questions"] = questions.size();
  }
}

// The default view: every finding with its sentence.
void BM_ServerPath(benchmark::State& state) {
  ServerPath(state, v1::DECISION_VIEW_FULL);
}
BENCHMARK(BM_ServerPath);

// The BASIC view: the same decision without sentences, for a caller that
// renders its own text.
void BM_ServerPathBasic(benchmark::State& state) {
  ServerPath(state, v1::DECISION_VIEW_BASIC);
}
BENCHMARK(BM_ServerPathBasic);

// RecommendCategories: the same decision over every category, with the
// eligible ones and the next step, in the default view.
void BM_ServerPathRecommend(benchmark::State& state) {
  ServerPath(state, v1::DECISION_VIEW_FULL, Answer::kRecommendation);
}
BENCHMARK(BM_ServerPathRecommend);

// The engine: validation and every rule of all seven categories, with the
// registry's answers already gathered (as the service does, in one batch).
void BM_EvaluateAllCategories(benchmark::State& state) {
  const Fixture& f = Fixture::Get();
  for (auto _ : state) {
    absl::StatusOr<v1::Decision> decision = imh::eligibility::Evaluate(
        f.portfolio, f.rulebook, kAsOf, f.categories, f.facts);
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_EvaluateAllCategories);

// The whole offline path: listing the registry questions, answering them from a
// snapshot, and evaluating.
void BM_EvaluateWithSnapshotVerification(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  for (auto _ : state) {
    absl::StatusOr<v1::Decision> decision =
        imh::eligibility::EvaluateWithVerifier(f.portfolio, f.rulebook, kAsOf,
                                               {}, f.verifier);
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_EvaluateWithSnapshotVerification);

// Keeps each benchmark's median time per iteration for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        median_ns[run.run_name.function_name] = run.GetAdjustedRealTime();
      }
    }
  }
  std::map<std::string, double> median_ns;
};

double PeakRssMegabytes() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // kB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  std::string repetitions = "--benchmark_repetitions=5";
  std::string aggregates = "--benchmark_report_aggregates_only=true";
  args.push_back(repetitions.data());
  args.push_back(aggregates.data());
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const double server = reporter.median_ns["BM_ServerPath"];
  const double basic = reporter.median_ns["BM_ServerPathBasic"];
  const double recommend = reporter.median_ns["BM_ServerPathRecommend"];
  const double baseline = reporter.median_ns["BM_Baseline_CopyPortfolio"];
  const double evaluate = reporter.median_ns["BM_EvaluateAllCategories"];
  const double full = reporter.median_ns["BM_EvaluateWithSnapshotVerification"];
  const double output = reporter.median_ns["BM_Reference_CopyDecision"];
  const double basic_on_arena =
      reporter.median_ns["BM_Reference_BasicDecisionOnArena"];
  const double full_on_arena =
      reporter.median_ns["BM_Reference_FullDecisionOnArena"];
  const double validation = reporter.median_ns["BM_Part_ValidatePortfolio"];
  if (baseline <= 0 || server <= 0 || basic <= 0) return 0;  // filtered out
  const Fixture& f = Fixture::Get();
  const std::vector<imh::eligibility::CredentialQuestion> questions =
      imh::eligibility::CredentialQuestionsFor(f.portfolio, kAsOf,
                                               f.categories);
  const auto spans =
      std::count_if(questions.begin(), questions.end(),
                    [](const imh::eligibility::CredentialQuestion& q) {
                      return q.through.has_value();
                    });
  std::printf(
      "\nsummary (medians of 5), all 7 categories of a portfolio with 50 "
      "trainings, 60 RS/C sessions, 8 jobs:\n"
      "  server path (validate, questions, registry request and response "
      "bytes, evaluate on the call's arena):\n"
      "    registry questions: %zu (%ld of them span questions)\n"
      "    BASIC view (no sentences):                   %.1f us "
      "(goal <= 20 us: %s)\n"
      "    FULL view (the default, every sentence):     %.1f us "
      "(goal <= 20 us: %s)\n"
      "    RecommendCategories, FULL view:              %.1f us\n"
      "  yardstick, one copy of the portfolio:          %.2f us -> FULL "
      "server path = %.1fx it\n"
      "  Evaluate (validate + evaluate, heap):          %.1f us\n"
      "  offline, with snapshot answers:                %.1f us\n"
      "  reference, one copy of the decision produced:  %.1f us\n"
      "  references on the call's arena, one copy of the decision: BASIC "
      "%.1f us, FULL %.1f us\n"
      "  part: validation of the portfolio alone:       %.1f us\n"
      "  peak RSS of this process (the engine in process, no service): %.1f "
      "MB\n",
      questions.size(), static_cast<long>(spans), basic / 1000,
      basic / 1000 <= 20 ? "met" : "NOT met", server / 1000,
      server / 1000 <= 20 ? "met" : "NOT met", recommend / 1000,
      baseline / 1000, server / baseline, evaluate / 1000, full / 1000,
      output / 1000, basic_on_arena / 1000, full_on_arena / 1000,
      validation / 1000, PeakRssMegabytes());
  return 0;
}

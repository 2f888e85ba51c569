#include "services/eligibility/evaluator.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/rulebook/params.h"
#include "services/eligibility/evaluation_context.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/rules.h"
#include "services/eligibility/validation.h"

namespace imh::eligibility {

namespace rb = rulebook::v1;

absl::StatusOr<CategoryList> ResolveCategories(
    const Rulebook& rulebook, const std::vector<std::string>& codes) {
  CategoryList categories;
  if (codes.empty()) {
    for (const rb::Category& category : rulebook.proto().categories()) {
      categories.push_back(&category);
    }
    return categories;
  }
  for (const std::string& code : codes) {
    const rb::Category* category = rulebook.FindCategory(code);
    if (category == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown category \"", code.substr(0, 64), "\""));
    }
    if (std::find(categories.begin(), categories.end(), category) ==
        categories.end()) {
      categories.push_back(category);
    }
  }
  return categories;
}

namespace {

void EvaluateCategory(const EvaluationContext& ctx,
                      const rb::Category& category, v1::CategoryDecision* out) {
  out->set_category(category.code());
  RGenResidence(ctx, category, out);
  RGenPopulation(ctx, category, out);
  REduDegree(ctx, category, out);
  REduTranscript(ctx, category, out);
  REduListed(ctx, category, out);
  RTrnHours(ctx, category, out);
  RTrnTypical(ctx, category, out);
  RTrnBuckets(ctx, category, out);
  RTrnUnrelatedField(ctx, category, out);
  RRsc(ctx, category, out);
  RWrk(ctx, category, out);
  RLdrDuration(ctx, category, out);
  RLdrActivity(ctx, category, out);
  RLdrBeyondPaid(ctx, category, out);
  RMem(ctx, category, out);
  REth(ctx, category, out);
  RExm(ctx, category, out);
  if (category.has_references()) {
    RRefCount(ctx, category, out);
    RRefFamiliar(ctx, category, out);
    RRefEndorsed(ctx, category, out);
    RRefRoles(ctx, category, out);
  }
  out->set_outcome(OutcomeOf(out->findings()));
}

// Whether any pattern has a slot for "the applicant's RS provider".
bool HasRscProviderSlot(const rb::Category& category) {
  for (const rb::ReferencePattern& pattern : category.references().patterns()) {
    for (const rb::ReferenceSlot& slot : pattern.slots()) {
      if (slot.must_be_rsc_provider()) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<CredentialQuestion> CredentialQuestionsFor(
    const v1::Portfolio& portfolio, absl::CivilDay as_of,
    const CategoryList& categories) {
  const std::string as_of_iso = FormatDay(as_of);
  // Subjects and category sets are numbered once (equal keys, equal numbers),
  // so that a question (subject, set, day) is deduplicated on three integers;
  // a session's day is read once, not once per category.
  // A subject is what SubjectKey names: the person id when there is one, else
  // the endorsement number; keyed on views into the portfolio, which outlives
  // the listing.
  absl::flat_hash_map<std::pair<bool, absl::string_view>, int> subject_numbers;
  subject_numbers.reserve(portfolio.references_size() +
                          portfolio.rsc_sessions_size());
  auto subject_number = [&](const v1::PersonRef& person) {
    const bool by_id = !person.person_id().empty();
    if (!by_id && person.endorsement_number().empty()) return -1;
    const std::pair<bool, absl::string_view> subject(
        by_id, by_id ? person.person_id() : person.endorsement_number());
    return subject_numbers.try_emplace(subject, subject_numbers.size())
        .first->second;
  };
  std::vector<int> rater_subject;
  rater_subject.reserve(portfolio.references_size());
  for (const v1::ReferenceRating& rating : portfolio.references()) {
    rater_subject.push_back(subject_number(rating.rater()));
  }
  std::vector<int> provider_subject;
  std::vector<absl::CivilDay> session_day;
  provider_subject.reserve(portfolio.rsc_sessions_size());
  session_day.reserve(portfolio.rsc_sessions_size());
  for (const v1::RscSession& session : portfolio.rsc_sessions()) {
    provider_subject.push_back(session.format() == v1::RSC_FORMAT_PEER
                                   ? -1
                                   : subject_number(session.provider()));
    session_day.push_back(ToCivilDayUnchecked(session.held_on()));
  }
  // Each set's codes are copied once, and shared by its questions.
  absl::flat_hash_map<const rb::CodeListValue*, int> set_number_of;
  std::vector<CategorySet> sets;
  auto set_number = [&](const rb::CodeListValue* category_set) {
    if (category_set == nullptr) return -1;
    auto [number, added] = set_number_of.try_emplace(category_set);
    if (added) {
      // Many lists are equal (every category's rater list, today), and a
      // request asks about a handful: the codes are compared, and copied for
      // the first of equal lists only.
      const auto& codes = category_set->codes();
      const auto same =
          std::find_if(sets.begin(), sets.end(), [&](const CategorySet& set) {
            return std::equal(codes.begin(), codes.end(), set.begin(),
                              set.end());
          });
      number->second = static_cast<int>(same - sets.begin());
      if (same == sets.end()) {
        sets.emplace_back(std::vector<std::string>(codes.begin(), codes.end()));
      }
    }
    return number->second;
  };
  // Typically one rater set and one provider set are asked about.
  const size_t expected =
      portfolio.references_size() + portfolio.rsc_sessions_size();
  std::vector<CredentialQuestion> questions;
  questions.reserve(expected);
  // (subject, set, first day, last day): a span question is not the one-day
  // question about its first day.
  absl::flat_hash_set<std::tuple<int, int, int64_t, int64_t>> asked;
  asked.reserve(expected);
  auto ask = [&](const v1::PersonRef& person, int subject, int set,
                 absl::CivilDay on,
                 std::optional<absl::CivilDay> through = std::nullopt) {
    if (subject < 0) return;
    if (through && *through == on) through.reset();
    if (asked
            .emplace(subject, set, on - absl::CivilDay(),
                     through.value_or(on) - absl::CivilDay())
            .second) {
      questions.push_back({person.person_id(), person.endorsement_number(),
                           sets[set], on, through});
    }
  };
  // Categories share their sets (every rater set is the same list today), so
  // each way of asking about a set runs once: raters on as_of, providers on
  // their session days, providers on as_of.
  enum Asking { kRatersAsOf, kProvidersOnSessionDays, kProvidersAsOf };
  // Each provider once, in the order of their first session: that session
  // and the days of their first and last; made when first needed.
  struct ProviderSpan {
    int subject, first_session;
    absl::CivilDay first, last;
  };
  std::vector<ProviderSpan> provider_spans;
  auto providers = [&]() -> const std::vector<ProviderSpan>& {
    if (!provider_spans.empty()) return provider_spans;
    std::vector<int> span_of(subject_numbers.size(), -1);
    for (int i = 0; i < portfolio.rsc_sessions_size(); ++i) {
      const int subject = provider_subject[i];
      if (subject < 0) continue;
      if (span_of[subject] < 0) {
        span_of[subject] = static_cast<int>(provider_spans.size());
        provider_spans.push_back({subject, i, session_day[i], session_day[i]});
        continue;
      }
      ProviderSpan& span = provider_spans[span_of[subject]];
      span.first = std::min(span.first, session_day[i]);
      span.last = std::max(span.last, session_day[i]);
    }
    return provider_spans;
  };
  absl::flat_hash_set<std::pair<Asking, int>> asked_sets;
  auto first_time = [&](Asking asking, const rb::CodeListValue* category_set,
                        int* set) {
    *set = set_number(category_set);
    return *set >= 0 && asked_sets.emplace(asking, *set).second;
  };
  auto ask_raters = [&](const rb::CodeListValue* category_set) {
    int set;
    if (!first_time(kRatersAsOf, category_set, &set)) return;
    for (int i = 0; i < portfolio.references_size(); ++i) {
      ask(portfolio.references(i).rater(), rater_subject[i], set, as_of);
    }
  };
  for (const rb::Category* category : categories) {
    if (category->has_references()) {
      const rb::ReferenceRule& rule = category->references();
      ask_raters(CodesAt(rule.endorsed_rater_categories(), as_of_iso));
      // A slot with categories of its own asks about them (deduplicated when
      // they are the rater set).
      for (const rb::ReferencePattern& pattern : rule.patterns()) {
        for (const rb::ReferenceSlot& slot : pattern.slots()) {
          if (!slot.must_be_endorsed()) continue;
          ask_raters(SlotEndorsedCategories(rule, slot, as_of_iso));
        }
      }
    }
    int set;
    if (category->has_rsc() && !category->rsc().optional()) {
      const auto* provider_set =
          CodesAt(category->rsc().provider_categories(), as_of_iso);
      if (!first_time(kProvidersOnSessionDays, provider_set, &set)) continue;
      // One span question a provider, from their first session's day to
      // their last: the registry answers every day between at once.
      for (const ProviderSpan& span : providers()) {
        ask(portfolio.rsc_sessions(span.first_session).provider(), span.subject,
            set, span.first, span.last);
      }
    } else if (HasRscProviderSlot(*category)) {
      // No provider rule to ask about, but "the applicant's RS provider" is
      // matched on who the registry says the provider is: asked as raters
      // are, so a provider who also rates is asked once.
      const auto* endorsed = CodesAt(
          category->references().endorsed_rater_categories(), as_of_iso);
      if (!first_time(kProvidersAsOf, endorsed, &set)) continue;
      for (const ProviderSpan& span : providers()) {
        ask(portfolio.rsc_sessions(span.first_session).provider(), span.subject,
            set, as_of);
      }
    }
  }
  return questions;
}

namespace {

// What makes a request evaluable at all: a valid portfolio and rules in force.
// Checked once, and before the registry is asked anything.
absl::Status CheckEvaluable(const v1::Portfolio& portfolio,
                            const Rulebook& rulebook, absl::CivilDay as_of) {
  if (const FieldViolations violations = ValidatePortfolio(portfolio, as_of);
      !violations.empty()) {
    return absl::InvalidArgumentError(DescribeViolations(violations));
  }
  if (as_of < rulebook.in_force_from()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "rulebook ", rulebook.version(), " has no rules in force on ",
        FormatDay(as_of), "; its figures start on ",
        FormatDay(rulebook.in_force_from())));
  }
  return absl::OkStatus();
}

}  // namespace

void EvaluateValidatedInto(const v1::Portfolio& portfolio,
                           const Rulebook& rulebook, absl::CivilDay as_of,
                           const CategoryList& categories,
                           const VerificationFacts& facts,
                           v1::Decision* decision, v1::DecisionView view) {
  decision->Clear();
  const PortfolioIndex index(portfolio, as_of);
  ProviderAnswers provider_answers(index, facts);
  RaterAnswers rater_answers(index, facts, as_of);
  CountedSessionsByCategory counted_sessions;
  const EvaluationContext ctx{portfolio,
                              index,
                              rulebook,
                              facts,
                              as_of,
                              FormatDay(as_of),
                              provider_answers,
                              rater_answers,
                              counted_sessions,
                              view != v1::DECISION_VIEW_BASIC};
  decision->set_rulebook_version(rulebook.version());
  *decision->mutable_as_of() = ToProtoDate(as_of);
  for (const rb::Category* category : categories) {
    EvaluateCategory(ctx, *category, decision->add_categories());
  }
}

absl::Status EvaluateInto(const v1::Portfolio& portfolio,
                          const Rulebook& rulebook, absl::CivilDay as_of,
                          const CategoryList& categories,
                          const VerificationFacts& facts,
                          v1::Decision* decision) {
  decision->Clear();
  if (absl::Status status = CheckEvaluable(portfolio, rulebook, as_of);
      !status.ok()) {
    return status;
  }
  EvaluateValidatedInto(portfolio, rulebook, as_of, categories, facts,
                        decision);
  return absl::OkStatus();
}

absl::StatusOr<v1::Decision> Evaluate(const v1::Portfolio& portfolio,
                                      const Rulebook& rulebook,
                                      absl::CivilDay as_of,
                                      const CategoryList& categories,
                                      const VerificationFacts& facts) {
  v1::Decision decision;
  if (absl::Status status = EvaluateInto(portfolio, rulebook, as_of, categories,
                                         facts, &decision);
      !status.ok()) {
    return status;
  }
  return decision;
}

absl::StatusOr<v1::Decision> EvaluateWithVerifier(
    const v1::Portfolio& portfolio, const Rulebook& rulebook,
    absl::CivilDay as_of, const std::vector<std::string>& category_codes,
    CredentialVerifier& verifier) {
  absl::StatusOr<CategoryList> categories =
      ResolveCategories(rulebook, category_codes);
  if (!categories.ok()) return categories.status();
  if (absl::Status status = CheckEvaluable(portfolio, rulebook, as_of);
      !status.ok()) {
    return status;
  }
  const VerificationFacts facts =
      Gather(CredentialQuestionsFor(portfolio, as_of, *categories), verifier);
  v1::Decision decision;
  EvaluateValidatedInto(portfolio, rulebook, as_of, *categories, facts,
                        &decision);
  return decision;
}

v1::Recommendation Recommend(v1::Decision decision) {
  v1::Recommendation recommendation;
  RecommendInto(&decision, &recommendation);
  return recommendation;
}

void RecommendInto(v1::Decision* decision_to_consume, v1::Recommendation* out) {
  v1::Decision& decision = *decision_to_consume;
  v1::Recommendation& recommendation = *out;
  recommendation.set_rulebook_version(decision.rulebook_version());
  *recommendation.mutable_as_of() = decision.as_of();
  int last_eligible = -1;
  for (int i = 0; i < decision.categories_size(); ++i) {
    if (decision.categories(i).outcome() == v1::OUTCOME_ELIGIBLE) {
      recommendation.add_eligible_categories(decision.categories(i).category());
      last_eligible = i;
    }
  }
  // The next step: among the categories after the highest one already met (the
  // rulebook lists them in order of progression), the one with fewest gaps.
  int nearest = -1;
  int nearest_gaps = 0;
  for (int i = last_eligible + 1; i < decision.categories_size(); ++i) {
    const v1::CategoryDecision& category = decision.categories(i);
    if (category.outcome() == v1::OUTCOME_ELIGIBLE) continue;
    const int gaps = static_cast<int>(
        std::count_if(category.findings().begin(), category.findings().end(),
                      [](const v1::Finding& f) {
                        return f.status() == v1::FINDING_STATUS_NOT_MET ||
                               f.status() == v1::FINDING_STATUS_UNVERIFIED;
                      }));
    if (nearest < 0 || gaps < nearest_gaps) {
      nearest = i;
      nearest_gaps = gaps;
    }
  }
  if (nearest >= 0) {
    const v1::CategoryDecision& category = decision.categories(nearest);
    recommendation.set_nearest_category(category.category());
    for (const v1::Finding& finding : category.findings()) {
      if (finding.status() == v1::FINDING_STATUS_NOT_MET ||
          finding.status() == v1::FINDING_STATUS_UNVERIFIED) {
        *recommendation.add_missing() = finding;
      }
    }
  }
  // A pointer swap when both are on one arena (the service's case).
  recommendation.mutable_decisions()->Swap(decision.mutable_categories());
}

}  // namespace imh::eligibility

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/enum_names.h"
#include "common/rulebook/params.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/rules.h"

namespace imh::eligibility {

void RGenResidence(const EvaluationContext& ctx, const Category&,
                   CategoryDecision* out) {
  const auto* states =
      CodesAt(ctx.rulebook.proto().general().residence_states(), ctx.as_of_iso);
  const std::string& state = ctx.portfolio.applicant().residence_state();
  const bool met = ListHas(states, state);
  AddEvidencePath(
      AddFinding(ctx, out, "R-GEN-RESIDENCE",
                 met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET,
                 [&] {
                   return met ? absl::StrCat("Lives in ", state, ".")
                              : absl::StrCat("Lives in ", state,
                                             "; the endorsement is for ",
                                             "residents of ",
                                             DescribeList(states), ".");
                 }),
      "portfolio.applicant.residence_state");
}

void RGenPopulation(const EvaluationContext& ctx, const Category&,
                    CategoryDecision* out) {
  const auto* accepted =
      CodesAt(ctx.rulebook.proto().general().population_focus(), ctx.as_of_iso);
  const v1::PopulationFocus focus =
      ctx.portfolio.applicant().population_focus();
  const bool met = ListHasEnum(accepted, EnumName(focus), "POPULATION_FOCUS_");
  AddEvidencePath(
      AddFinding(ctx, out, "R-GEN-POPULATION",
                 met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET,
                 [&] {
                   return met ? "Works with the population this rule set "
                                "covers."
                              : absl::StrCat(
                                    "Population focus ", EnumName(focus),
                                    " is not covered by this rule set (",
                                    DescribeList(accepted), ").");
                 }),
      "portfolio.applicant.population_focus");
}

void RMem(const EvaluationContext& ctx, const Category& category,
          CategoryDecision* out) {
  if (!category.membership_required()) return;
  const int paid_through = ctx.portfolio.membership().paid_through_year();
  const int year = static_cast<int>(ctx.as_of.year());
  const bool met = paid_through >= year;
  AddEvidencePath(
      AddFinding(ctx, out, "R-MEM",
                 met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET,
                 [&] {
                   return met ? absl::StrCat("VAIMH membership paid through ",
                                             paid_through, ".")
                          : paid_through == 0
                              ? absl::StrCat("No current VAIMH membership for ",
                                             year, ".")
                              : absl::StrCat("VAIMH membership paid through ",
                                             paid_through, " only; ", year,
                                             " is not paid.");
                 }),
      "portfolio.membership");
}

void REth(const EvaluationContext& ctx, const Category& category,
          CategoryDecision* out) {
  if (!category.ethics_required()) return;
  const v1::Ethics& ethics = ctx.portfolio.ethics();
  const bool code = IsCompleteDate(ethics.code_of_ethics_signed_on());
  const bool agreement =
      IsCompleteDate(ethics.endorsement_agreement_signed_on());
  AddEvidencePath(
      AddFinding(ctx, out, "R-ETH",
                 code && agreement ? v1::FINDING_STATUS_MET
                                   : v1::FINDING_STATUS_NOT_MET,
                 [&]() -> std::string {
                   if (code && agreement) {
                     return "Code of Ethics and Endorsement Agreement signed.";
                   }
                   if (!code && !agreement) {
                     return "Code of Ethics and Endorsement Agreement not "
                            "signed.";
                   }
                   return code ? "Endorsement Agreement not signed."
                               : "Code of Ethics not signed.";
                 }),
      "portfolio.ethics");
}

void RExm(const EvaluationContext& ctx, const Category& category,
          CategoryDecision* out) {
  if (!category.has_exam()) return;
  const v1::ExamResult& exam = ctx.portfolio.exam();
  const bool met = exam.passed();
  AddEvidencePath(
      AddFinding(
          ctx, out, "R-EXM",
          met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET,
          [&] {
            return met ? absl::StrCat(
                             "Passed the ", category.exam().description(),
                             " on ",
                             FormatDay(ToCivilDayUnchecked(exam.taken_on())),
                             ".")
                       : absl::StrCat("The ", category.exam().description(),
                                      " has not been passed.");
          }),
      "portfolio.exam");
}

}  // namespace imh::eligibility

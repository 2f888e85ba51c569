#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/enum_names.h"
#include "common/rulebook/params.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/rules.h"

namespace imh::eligibility {

namespace {

// The education entry that best satisfies the category: of an accepted level,
// preferring one with an official transcript, then the highest level. -1 if
// none.
int QualifyingDegree(const EvaluationContext& ctx, const Category& category) {
  const auto* levels =
      CodesAt(category.education().accepted_levels(), ctx.as_of_iso);
  int best = -1;
  for (int i = 0; i < ctx.portfolio.education_size(); ++i) {
    const v1::EducationEntry& entry = ctx.portfolio.education(i);
    if (!ListHasEnum(levels, EnumName(entry.level()), "DEGREE_LEVEL_")) {
      continue;
    }
    if (best < 0) {
      best = i;
      continue;
    }
    const v1::EducationEntry& current = ctx.portfolio.education(best);
    if (std::make_pair(entry.official_transcript_received(), entry.level()) >
        std::make_pair(current.official_transcript_received(),
                       current.level())) {
      best = i;
    }
  }
  return best;
}

}  // namespace

void REduDegree(const EvaluationContext& ctx, const Category& category,
                CategoryDecision* out) {
  if (!category.has_education()) return;
  const int best = QualifyingDegree(ctx, category);
  if (best < 0) {
    AddFinding(ctx, out, "R-EDU-DEGREE", v1::FINDING_STATUS_NOT_MET, [&] {
      return absl::StrCat(
          "Requires one of: ",
          DescribeList(
              CodesAt(category.education().accepted_levels(), ctx.as_of_iso)),
          "; none is documented.");
    });
    return;
  }
  const v1::EducationEntry& entry = ctx.portfolio.education(best);
  AddEvidence(AddFinding(ctx, out, "R-EDU-DEGREE", v1::FINDING_STATUS_MET,
                         [&] {
                           return absl::StrCat(
                               "Qualifying ", DegreeWords(entry.level()), ": ",
                               entry.degree(), ", ", entry.field(), ".");
                         }),
              "education", best);
}

void REduTranscript(const EvaluationContext& ctx, const Category& category,
                    CategoryDecision* out) {
  if (!category.has_education() ||
      !category.education().official_transcript_required()) {
    return;
  }
  const int best = QualifyingDegree(ctx, category);
  if (best < 0) return;  // R-EDU-DEGREE already says what is missing.
  const bool met = ctx.portfolio.education(best).official_transcript_received();
  AddEvidence(
      AddFinding(ctx, out, "R-EDU-TRANSCRIPT",
                 met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET,
                 [&] {
                   return met ? "Official transcript received."
                              : "The qualifying degree's official transcript "
                                "has not been received.";
                 }),
      "education", best);
}

void REduListed(const EvaluationContext& ctx, const Category& category,
                CategoryDecision* out) {
  if (!category.has_education() || !category.education().has_listed_degrees()) {
    return;
  }
  const int best = QualifyingDegree(ctx, category);
  if (best < 0) return;
  const v1::EducationEntry& entry = ctx.portfolio.education(best);
  std::string degree = entry.degree();
  absl::RemoveExtraAsciiWhitespace(&degree);
  degree.erase(std::remove(degree.begin(), degree.end(), '.'), degree.end());
  absl::AsciiStrToUpper(&degree);
  if (ListHas(CodesAt(category.education().listed_degrees(), ctx.as_of_iso),
              degree)) {
    return;
  }
  AddEvidence(
      AddFinding(ctx, out, "R-EDU-LISTED", v1::FINDING_STATUS_ADVISORY,
                 [&] {
                   return absl::StrCat(
                       entry.degree().empty() ? "The degree" : entry.degree(),
                       " is not among the listed degrees; the reviewer "
                       "judges whether it is specific to the "
                       "applicant's professional focus in IMH.");
                 }),
      "education", best);
}

}  // namespace imh::eligibility

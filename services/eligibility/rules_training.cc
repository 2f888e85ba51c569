#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/enum_names.h"
#include "common/rulebook/params.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/rules.h"

namespace imh::eligibility {

namespace {

double TotalTrainingHours(const v1::Portfolio& portfolio) {
  double total = 0;
  for (const v1::TrainingEntry& entry : portfolio.trainings()) {
    total += entry.clock_hours();
  }
  return total;
}

std::string TopicWords(absl::string_view topic_code) {
  if (topic_code == "SOCIAL_EMOTIONAL") {
    return "promotion of social-emotional development and relationship-based "
           "IMH principles";
  }
  if (topic_code == "RSC_PROVISION") return "the provision of RS/C";
  if (topic_code == "DIVERSITY_EQUITY_INCLUSION") {
    return "diversity, equity and inclusion in IMH";
  }
  return absl::AsciiStrToLower(topic_code);
}

}  // namespace

void RTrnHours(const EvaluationContext& ctx, const Category& category,
               CategoryDecision* out) {
  if (!category.has_training()) return;
  const double required =
      NumberOrZero(category.training().minimum_hours(), ctx.as_of_iso);
  const double total = TotalTrainingHours(ctx.portfolio);
  const bool met = AtLeast(total, required);
  v1::Finding* finding = AddFinding(
      ctx, out, "R-TRN-HOURS",
      met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET, [&] {
        return met ? absl::StrCat(Amount(total),
                                  " clock hours of specialized training; ",
                                  Amount(required), " required.")
                   : absl::StrCat(Amount(total), " of ", Amount(required),
                                  " clock hours of specialized training; ",
                                  Amount(required - total), " more needed.");
      });
  SetShortfall(finding, "hours", required, total);
  if (ctx.portfolio.trainings_size() > 0) {
    AddEvidencePath(finding, "portfolio.trainings");
  }
}

void RTrnTypical(const EvaluationContext& ctx, const Category& category,
                 CategoryDecision* out) {
  if (!category.has_training() || !category.training().has_typical_hours()) {
    return;
  }
  for (const v1::TrainingEntry& entry : ctx.portfolio.trainings()) {
    // Coursework specific to the Competency Guidelines waives the figure.
    if (entry.competency_guidelines_coursework()) return;
  }
  const double typical =
      NumberOrZero(category.training().typical_hours(), ctx.as_of_iso);
  const double total = TotalTrainingHours(ctx.portfolio);
  if (AtLeast(total, typical)) return;
  AddFinding(ctx, out, "R-TRN-TYPICAL", v1::FINDING_STATUS_ADVISORY, [&] {
    return absl::StrCat("Successful ", category.code(),
                        " applications typically include ", Amount(typical),
                        " or more hours of specialized training; ",
                        Amount(total), " documented.");
  });
}

void RTrnBuckets(const EvaluationContext& ctx, const Category& category,
                 CategoryDecision* out) {
  if (!category.has_training()) return;
  for (const rulebook::v1::TrainingBucket& bucket :
       category.training().buckets()) {
    const double required = NumberOrZero(bucket.minimum_hours(), ctx.as_of_iso);
    const v1::TrainingTopic topic =
        EnumFromCode<v1::TrainingTopic>("TRAINING_TOPIC_", bucket.topic());
    double counted = 0;
    std::vector<int> used;
    used.reserve(ctx.portfolio.trainings_size());
    for (int i = 0; i < ctx.portfolio.trainings_size(); ++i) {
      const v1::TrainingEntry& entry = ctx.portfolio.trainings(i);
      if (entry.topic() != topic) continue;
      if (bucket.didactic_only() && !entry.didactic()) continue;
      counted += entry.clock_hours();
      used.push_back(i);
    }
    const bool met = AtLeast(counted, required);
    v1::Finding* finding = AddFinding(
        ctx, out, bucket.rule_id(),
        met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET, [&] {
          const std::string what =
              absl::StrCat(bucket.didactic_only() ? "didactic training about "
                                                  : "training specific to ",
                           TopicWords(bucket.topic()));
          return met ? absl::StrCat(Amount(counted), " hours of ", what, "; ",
                                    Amount(required), " required.")
                     : absl::StrCat(Amount(counted), " of ", Amount(required),
                                    " hours of ", what, "; ",
                                    Amount(required - counted),
                                    " more needed.");
        });
    SetShortfall(finding, "hours", required, counted);
    AddEvidence(finding, "trainings", used);
  }
}

void RTrnUnrelatedField(const EvaluationContext& ctx, const Category& category,
                        CategoryDecision* out) {
  if (!category.has_training() ||
      !category.training().unrelated_field_advisory()) {
    return;
  }
  // The credentials the category's education rule accepts stand for the
  // applicant's field; one in a related field is enough.
  const auto* accepted =
      category.has_education()
          ? CodesAt(category.education().accepted_levels(), ctx.as_of_iso)
          : nullptr;
  std::vector<int> unrelated;
  for (int i = 0; i < ctx.portfolio.education_size(); ++i) {
    const v1::EducationEntry& entry = ctx.portfolio.education(i);
    if (accepted != nullptr &&
        !ListHasEnum(accepted, EnumName(entry.level()), "DEGREE_LEVEL_")) {
      continue;
    }
    if (entry.field_related_to_early_childhood()) return;
    unrelated.push_back(i);
  }
  if (unrelated.empty()) return;
  AddEvidence(
      AddFinding(ctx, out, "R-TRN-UNRELATED-FIELD", v1::FINDING_STATUS_ADVISORY,
                 [&] {
                   return absl::StrCat(
                       "The degree's field (",
                       ctx.portfolio.education(unrelated.front()).field(),
                       ") is unrelated to infant and early childhood; "
                       "more specialized training may be required to "
                       "meet the breadth and depth of the "
                       "competencies.");
                 }),
      "education", unrelated);
}

}  // namespace imh::eligibility

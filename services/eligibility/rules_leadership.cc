#include "absl/strings/str_cat.h"
#include "common/enum_names.h"
#include "common/rulebook/params.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/rules.h"
#include "services/eligibility/work_time.h"

namespace imh::eligibility {

namespace {

// Indices of the leadership entries at a counted level (and specific to infants
// and toddlers where the category asks for it).
std::vector<int> QualifyingLeadership(const EvaluationContext& ctx,
                                      const Category& category) {
  const auto& rule = category.leadership();
  const auto* levels = CodesAt(rule.levels(), ctx.as_of_iso);
  std::vector<int> qualifying;
  qualifying.reserve(ctx.portfolio.leadership_size());
  for (int i = 0; i < ctx.portfolio.leadership_size(); ++i) {
    const v1::LeadershipEntry& entry = ctx.portfolio.leadership(i);
    if (!ListHasEnum(levels, EnumName(entry.level()), "LEADERSHIP_LEVEL_")) {
      continue;
    }
    if (rule.infant_toddler_specific_required() &&
        !entry.infant_toddler_specific()) {
      continue;
    }
    qualifying.push_back(i);
  }
  return qualifying;
}

}  // namespace

void RLdrDuration(const EvaluationContext& ctx, const Category& category,
                  CategoryDecision* out) {
  if (!category.has_leadership()) return;
  const std::optional<double> minimum =
      NumberAt(category.leadership().minimum_months(), ctx.as_of_iso);
  if (!minimum) return;  // R-LDR-ACTIVITY applies instead.
  const std::vector<int> qualifying = QualifyingLeadership(ctx, category);
  std::vector<TimePeriod> periods;
  periods.reserve(qualifying.size());
  for (int i : qualifying) {
    periods.push_back(
        {ctx.index.leadership_start[i], ctx.index.leadership_end[i], 1.0});
  }
  const double months = MergedMonths(std::move(periods));
  const bool met = AtLeast(months, *minimum);
  v1::Finding* finding = AddFinding(
      ctx, out, "R-LDR-DURATION",
      met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET, [&] {
        const std::string levels = DescribeList(
            CodesAt(category.leadership().levels(), ctx.as_of_iso));
        const char* specific =
            category.leadership().infant_toddler_specific_required()
                ? " specific to pregnant people and infants/toddlers"
                : "";
        return met ? absl::StrCat(Amount(months), " months of ", levels,
                                  " leadership", specific, "; ",
                                  Amount(*minimum), " required.")
                   : absl::StrCat(Amount(months), " of ", Amount(*minimum),
                                  " months of ", levels, " leadership",
                                  specific, "; ", Amount(*minimum - months),
                                  " more needed.");
      });
  SetShortfall(finding, "months", *minimum, months);
  AddEvidence(finding, "leadership", qualifying);
}

void RLdrActivity(const EvaluationContext& ctx, const Category& category,
                  CategoryDecision* out) {
  // Leadership required with no minimum duration: at least one activity.
  if (!category.has_leadership() ||
      NumberAt(category.leadership().minimum_months(), ctx.as_of_iso)) {
    return;
  }
  const std::vector<int> qualifying = QualifyingLeadership(ctx, category);
  const bool met = !qualifying.empty();
  v1::Finding* finding = AddFinding(
      ctx, out, "R-LDR-ACTIVITY",
      met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET, [&] {
        const std::string levels = DescribeList(
            CodesAt(category.leadership().levels(), ctx.as_of_iso));
        return met ? absl::StrCat(qualifying.size(), " leadership activit",
                                  qualifying.size() == 1 ? "y" : "ies", " at ",
                                  levels, " level.")
                   : absl::StrCat("No leadership activity at ", levels,
                                  " level is documented.");
      });
  AddEvidence(finding, "leadership", qualifying);
}

void RLdrBeyondPaid(const EvaluationContext& ctx, const Category& category,
                    CategoryDecision* out) {
  if (!category.has_leadership() ||
      !category.leadership().some_beyond_paid_work_required()) {
    return;
  }
  std::vector<int> beyond;
  for (int i : QualifyingLeadership(ctx, category)) {
    if (ctx.portfolio.leadership(i).in_addition_to_paid_work()) {
      beyond.push_back(i);
    }
  }
  v1::Finding* finding = AddFinding(
      ctx, out, "R-LDR-BEYOND-PAID",
      beyond.empty() ? v1::FINDING_STATUS_NOT_MET : v1::FINDING_STATUS_MET,
      [&] {
        return beyond.empty()
                   ? "No leadership activity is in addition to paid work; "
                     "some must be."
                   : "Some leadership activity is in addition to paid work.";
      });
  AddEvidence(finding, "leadership", beyond);
}

}  // namespace imh::eligibility

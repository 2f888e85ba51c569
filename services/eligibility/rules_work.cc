#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/enum_names.h"
#include "common/rulebook/params.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/rules.h"
#include "services/eligibility/work_time.h"

namespace imh::eligibility {

namespace rb = rulebook::v1;

namespace {

// Why a work entry does or does not count toward a requirement.
enum class Fit { kCounts, kCountsAsVolunteer, kVolunteerNotEligible, kNo };

Fit FitOf(const rb::WorkRequirement& requirement,
          const rb::CodeListValue* kinds, const v1::WorkEntry& entry) {
  if (!ListHasEnum(kinds, EnumName(entry.service_kind()), "SERVICE_KIND_")) {
    return Fit::kNo;
  }
  if (!requirement.population_served().empty() &&
      !ListHasEnumCode(EnumName(entry.population_served()), "POPULATION_FOCUS_",
                       requirement.population_served())) {
    return Fit::kNo;
  }
  if (requirement.supervised_required() && !entry.supervised()) return Fit::kNo;
  if (requirement.with_parents_or_caregivers_required() &&
      !entry.with_parents_or_caregivers()) {
    return Fit::kNo;
  }
  if (entry.paid() || !requirement.paid_required()) return Fit::kCounts;
  if (!requirement.volunteer_may_count()) return Fit::kNo;
  // R-WRK-VOLUNTEER: supervised, with infants/toddlers and their families, and
  // with specialized training.
  return entry.supervised() && entry.with_parents_or_caregivers() &&
                 entry.included_specialized_training()
             ? Fit::kCountsAsVolunteer
             : Fit::kVolunteerNotEligible;
}

struct RequirementResult {
  bool met = false;
  bool part_time_counted = false;
  std::vector<int> volunteer_counted, volunteer_refused;
};

RequirementResult EvaluateRequirement(const EvaluationContext& ctx,
                                      const rb::WorkRequirement& requirement,
                                      double full_time_hours,
                                      CategoryDecision* out) {
  RequirementResult result;
  const auto* kinds = CodesAt(requirement.service_kinds(), ctx.as_of_iso);
  const double required =
      NumberOrZero(requirement.minimum_months(), ctx.as_of_iso);
  const auto* degree_levels =
      CodesAt(requirement.after_degree_levels(), ctx.as_of_iso);
  const bool post_degree = degree_levels != nullptr;
  const std::optional<absl::CivilDay> degree_day =
      ctx.index.FirstDegreeIn(degree_levels);
  const bool no_degree = post_degree && !degree_day;

  std::vector<TimePeriod> periods;
  std::vector<int> counted;
  periods.reserve(ctx.portfolio.work_size());
  counted.reserve(ctx.portfolio.work_size());
  double families = 0;
  for (int i = 0; i < ctx.portfolio.work_size(); ++i) {
    const v1::WorkEntry& entry = ctx.portfolio.work(i);
    const Fit fit = FitOf(requirement, kinds, entry);
    if (fit == Fit::kVolunteerNotEligible)
      result.volunteer_refused.push_back(i);
    if (fit != Fit::kCounts && fit != Fit::kCountsAsVolunteer) continue;
    if (no_degree) continue;
    TimePeriod period{ctx.index.work_start[i], ctx.index.work_end[i], 1.0};
    if (degree_day && period.start < *degree_day) period.start = *degree_day;
    if (period.end_exclusive <= period.start) continue;
    // R-WRK-FAMILIES counts only entries (or their parts) that count here.
    families += entry.families_served();
    if (requirement.staff_supervised_counts_as_families()) {
      families += entry.staff_supervised();
    }
    if (entry.hours_per_week() > 0 &&
        entry.hours_per_week() < full_time_hours) {
      period.full_time_share = entry.hours_per_week() / full_time_hours;
      result.part_time_counted = true;
    }
    periods.push_back(period);
    counted.push_back(i);
    if (fit == Fit::kCountsAsVolunteer) result.volunteer_counted.push_back(i);
  }
  const double months = MergedMonths(std::move(periods));
  result.met = AtLeast(months, required);
  v1::Finding* finding = AddFinding(
      ctx, out, requirement.rule_id(),
      result.met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET, [&] {
        if (no_degree) {
          return absl::StrCat("No ", DescribeDegreeLevels(degree_levels),
                              ", so no ", requirement.description(),
                              " can count (", Amount(required),
                              " months required).");
        }
        std::string post;
        if (degree_day) {
          post = absl::StrCat(" after ", FormatDay(*degree_day),
                              " (the first conferral of a ",
                              DescribeDegreeLevels(degree_levels), ")");
        }
        if (result.met) {
          return absl::StrCat(
              Amount(months), " months of ", requirement.description(), post,
              " (overlaps merged); ", Amount(required), " required.");
        }
        return absl::StrCat(Amount(months), " of ", Amount(required),
                            " months of ", requirement.description(), post,
                            " (overlaps merged); ", Amount(required - months),
                            " more needed.");
      });
  SetShortfall(finding, "months", required, months);
  AddEvidence(finding, "work", counted);

  if (const auto minimum =
          NumberAt(requirement.minimum_families(), ctx.as_of_iso)) {
    const bool met = AtLeast(families, *minimum);
    v1::Finding* families_finding = AddFinding(
        ctx, out, "R-WRK-FAMILIES",
        met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET, [&] {
          const char* what = requirement.staff_supervised_counts_as_families()
                                 ? "families served or staff supervised"
                                 : "families served";
          return met ? absl::StrCat(Amount(families), " ", what,
                                    " in qualifying work; ", Amount(*minimum),
                                    " required.")
                     : absl::StrCat(Amount(families), " of ", Amount(*minimum),
                                    " ", what, " in qualifying work; ",
                                    Amount(*minimum - families),
                                    " more needed.");
        });
    SetShortfall(families_finding, "families", *minimum, families);
    AddEvidence(families_finding, "work", counted);
    result.met = result.met && met;
  }
  return result;
}

// R-WRK-ALTERNATIVE: what stands in for the work requirements, if anything.
// Sets *education_index to the degree used, or -1 for the CDA credential.
std::string AlternativeHeld(const EvaluationContext& ctx,
                            const rb::WorkAlternative& alternative,
                            int* education_index) {
  *education_index = -1;
  if (alternative.cda() && ctx.portfolio.has_cda() &&
      ctx.portfolio.cda().has_awarded_on()) {
    return "a CDA credential";
  }
  const auto* levels = CodesAt(alternative.degree_levels(), ctx.as_of_iso);
  for (int i = 0; i < ctx.portfolio.education_size(); ++i) {
    const v1::EducationEntry& entry = ctx.portfolio.education(i);
    if (ListHasEnum(levels, EnumName(entry.level()), "DEGREE_LEVEL_")) {
      *education_index = i;
      return absl::StrCat("a degree (", entry.degree(), ")");
    }
  }
  return "";
}

}  // namespace

void RWrk(const EvaluationContext& ctx, const Category& category,
          CategoryDecision* out) {
  if (!category.has_work()) return;
  const double full_time = NumberOrZero(
      ctx.rulebook.proto().general().full_time_hours_per_week(), ctx.as_of_iso);
  const int first_finding = out->findings_size();
  bool all_met = true;
  bool part_time = false;
  std::vector<int> volunteer_counted, volunteer_refused;
  for (const rb::WorkRequirement& requirement :
       category.work().requirements()) {
    RequirementResult result =
        EvaluateRequirement(ctx, requirement, full_time, out);
    all_met = all_met && result.met;
    part_time = part_time || result.part_time_counted;
    volunteer_counted.insert(volunteer_counted.end(),
                             result.volunteer_counted.begin(),
                             result.volunteer_counted.end());
    volunteer_refused.insert(volunteer_refused.end(),
                             result.volunteer_refused.begin(),
                             result.volunteer_refused.end());
  }
  if (!volunteer_counted.empty()) {
    v1::Finding* finding =
        AddFinding(ctx, out, "R-WRK-VOLUNTEER", v1::FINDING_STATUS_MET, [] {
          return "Volunteer work counted: supervised, with infants/toddlers "
                 "and their families, and with specialized training.";
        });
    AddEvidence(finding, "work", volunteer_counted);
  }
  if (!volunteer_refused.empty()) {
    v1::Finding* finding = AddFinding(
        ctx, out, "R-WRK-VOLUNTEER", v1::FINDING_STATUS_ADVISORY, [] {
          return "Volunteer work not counted: it counts only if supervised, "
                 "with infants/toddlers and their families, and with "
                 "specialized training.";
        });
    AddEvidence(finding, "work", volunteer_refused);
  }
  if (part_time) {
    AddFinding(ctx, out, "R-WRK-PART-TIME", v1::FINDING_STATUS_ADVISORY, [&] {
      return absl::StrCat("Part-time work was counted pro rata against a ",
                          Amount(full_time),
                          "-hour week; the reviewer may override.");
    });
  }
  if (!category.work().has_alternative() || all_met) return;

  int education_index = -1;
  const std::string held =
      AlternativeHeld(ctx, category.work().alternative(), &education_index);
  if (held.empty()) {
    AddFinding(ctx, out, "R-WRK-ALTERNATIVE", v1::FINDING_STATUS_NOT_MET, [] {
      return "Neither the work experience nor its alternative (a CDA "
             "credential or a degree) is documented.";
    });
    return;
  }
  // Either one suffices: the unmet work findings become advisories.
  for (int i = first_finding; i < out->findings_size(); ++i) {
    v1::Finding* finding = out->mutable_findings(i);
    if (finding->status() != v1::FINDING_STATUS_NOT_MET) continue;
    finding->set_status(v1::FINDING_STATUS_ADVISORY);
    finding->clear_shortfall();
    if (ctx.sentences) {
      finding->set_message(absl::StrCat(
          finding->message(), " Not needed: ", held, " stands in for it."));
    }
  }
  v1::Finding* finding =
      AddFinding(ctx, out, "R-WRK-ALTERNATIVE", v1::FINDING_STATUS_MET, [&] {
        return absl::StrCat(
            "Education or work: ", held,
            " meets the requirement instead of work experience.");
      });
  if (education_index < 0) {
    AddEvidencePath(finding, "portfolio.cda");
  } else {
    AddEvidence(finding, "education", education_index);
  }
}

}  // namespace imh::eligibility

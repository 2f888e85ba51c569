#ifndef IMH_SERVICES_ELIGIBILITY_RULES_H_
#define IMH_SERVICES_ELIGIBILITY_RULES_H_

// One function per rule of RULES.md, named after its ID. Each appends its
// findings (zero or more) to the category's decision. All figures come from the
// category's rulebook entry, read on the context's as-of date.

#include "imh/eligibility/v1/decision.pb.h"
#include "imh/rulebook/v1/rulebook.pb.h"
#include "services/eligibility/evaluation_context.h"

namespace imh::eligibility {

using Category = rulebook::v1::Category;
using CategoryDecision = eligibility::v1::CategoryDecision;

// rules_general.cc: section 2 and the always-required items.
void RGenResidence(const EvaluationContext& ctx, const Category& category,
                   CategoryDecision* out);
void RGenPopulation(const EvaluationContext& ctx, const Category& category,
                    CategoryDecision* out);
void RMem(const EvaluationContext& ctx, const Category& category,
          CategoryDecision* out);
void REth(const EvaluationContext& ctx, const Category& category,
          CategoryDecision* out);
void RExm(const EvaluationContext& ctx, const Category& category,
          CategoryDecision* out);

// rules_education.cc: R-EDU-DEGREE, R-EDU-TRANSCRIPT, R-EDU-LISTED.
void REduDegree(const EvaluationContext& ctx, const Category& category,
                CategoryDecision* out);
void REduTranscript(const EvaluationContext& ctx, const Category& category,
                    CategoryDecision* out);
void REduListed(const EvaluationContext& ctx, const Category& category,
                CategoryDecision* out);

// rules_training.cc.
void RTrnHours(const EvaluationContext& ctx, const Category& category,
               CategoryDecision* out);
void RTrnTypical(const EvaluationContext& ctx, const Category& category,
                 CategoryDecision* out);
// R-TRN-BUCKETS and R-TRN-DIDACTIC-RSC: one finding per bucket, under the
// bucket's rule ID.
void RTrnBuckets(const EvaluationContext& ctx, const Category& category,
                 CategoryDecision* out);
void RTrnUnrelatedField(const EvaluationContext& ctx, const Category& category,
                        CategoryDecision* out);

// rules_rsc.cc: R-RSC-HOURS with R-RSC-PROVIDER and the exclusions it explains
// (R-RSC-PEER, R-RSC-AFTER-DEGREE, R-RSC-WORK), R-RSC-ABOUT-PROVIDING,
// R-RSC-WHILE-PROVIDING, and R-RSC-OPTIONAL for categories where RS/C is
// optional.
void RRsc(const EvaluationContext& ctx, const Category& category,
          CategoryDecision* out);

// The sessions that count toward the category's RS/C rule (see
// CountedSessions). RRsc sorts them once and leaves them in the context;
// computed here (and left there) only when RRsc has not run for the category.
// The reference stays valid for the rest of the evaluation.
const CountedSessions& CountedRscSessions(const EvaluationContext& ctx,
                                          const Category& category);

// rules_work.cc: each WorkRequirement (R-WRK-DURATION, R-WRK-RSC-PROVISION,
// R-WRK-LEADERSHIP) with R-WRK-FAMILIES, R-WRK-VOLUNTEER and R-WRK-PART-TIME,
// then R-WRK-ALTERNATIVE where the category has one.
void RWrk(const EvaluationContext& ctx, const Category& category,
          CategoryDecision* out);

// rules_leadership.cc. R-LDR-DURATION where the rulebook gives a minimum
// duration, R-LDR-ACTIVITY (at least one activity) where it gives none.
void RLdrDuration(const EvaluationContext& ctx, const Category& category,
                  CategoryDecision* out);
void RLdrActivity(const EvaluationContext& ctx, const Category& category,
                  CategoryDecision* out);
void RLdrBeyondPaid(const EvaluationContext& ctx, const Category& category,
                    CategoryDecision* out);

// rules_references.cc.
void RRefCount(const EvaluationContext& ctx, const Category& category,
               CategoryDecision* out);
void RRefFamiliar(const EvaluationContext& ctx, const Category& category,
                  CategoryDecision* out);
void RRefEndorsed(const EvaluationContext& ctx, const Category& category,
                  CategoryDecision* out);
void RRefRoles(const EvaluationContext& ctx, const Category& category,
               CategoryDecision* out);

// The categories a must_be_endorsed slot accepts on a day: its own list when
// it has one, else the rule's endorsed-rater categories. Null when none is in
// force.
const rulebook::v1::CodeListValue* SlotEndorsedCategories(
    const rulebook::v1::ReferenceRule& rule,
    const rulebook::v1::ReferenceSlot& slot, absl::string_view as_of_iso);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_RULES_H_
